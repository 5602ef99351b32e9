"""Verification benchmark: Groth16 per proof (arkworks and py_ecc), a 1,000-batch epoch, and a trader's
verify-account on a 2^20-account tree.

    python bench/verify.py [--account-profile reference] [--repeats 200]

Prints one JSON object: the machine, then one entry per measurement (what, size, seconds, throughput,
memory). Keys are UNSAFE development keys (cached under build/keys). How each input was built is in
the entry's `how`.
"""

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from zksolvency.prover.circuits import build
from zksolvency.prover.epoch import EpochKeys, prove_epoch
from zksolvency.prover.inputs import batch_signals
from zksolvency.prover.keys import CircuitKeys, development_keys
from zksolvency.prover.proving import Prover
from zksolvency.prover.salts import account_salt, state_blind
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier import groth16, groth16_reference
from zksolvency.verifier.account import Account
from zksolvency.verifier.ceremonies import CIRCUIT_KINDS as KINDS
from zksolvency.verifier.documents import read_json
from zksolvency.verifier.epoch import BatchProof, Epoch, verify_epoch
from zksolvency.verifier.field import R
from zksolvency.verifier.formats import epoch_from_json, epoch_to_json, record_from_json, record_to_json
from zksolvency.verifier.inclusion import verify_account
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.profiles import Profile, get_profile
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.statements import BatchStatement
from zksolvency.verifier.tree import MerklePath, QuadTree, root_of

CLI = str(Path(sys.executable).parent / "zksolvency")
#: Runs a command and prints its peak memory (MiB) on stderr: a small parent, so the figure is the child's.
CHILD_MEMORY = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1), file=sys.stderr); "
    "sys.exit(r.returncode)"
)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line), "")
    memory = next(
        (
            line.split(":")[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if "MemTotal" in line
        ),
        "",
    )
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory": memory,
    }


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall-clock seconds of `repeats` calls."""
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def entry(what: str, size: str, seconds: float, throughput: str, how: str, **extra: Any) -> dict[str, Any]:
    return {
        "what": what,
        "size": size,
        "seconds": round(seconds, 6),
        "throughput": throughput,
        "memory_mb": peak_mb(),
        "how": how,
        **extra,
    }


def ci_epoch(profile: Profile) -> tuple[Epoch, CircuitKeys]:
    """A real ci epoch (16 accounts, 4 batches) proved with development keys."""
    keys = EpochKeys.of({kind: development_keys(build(kind, profile)) for kind in KINDS})
    venue = sample_venue(16, seed=11, profile=profile)
    epoch, _ = prove_epoch(venue.params, venue.accounts, venue.reserves, profile, keys, 1, 424242)
    return epoch, keys.batch


def per_proof(epoch: Epoch, repeats: int) -> list[dict[str, Any]]:
    key = groth16.parse_key(epoch.verification_keys["batch"])
    batch = epoch.batches[0]
    inputs = batch.statement.public_inputs
    if not groth16.verify(key, batch.proof, inputs):
        raise SystemExit("the benchmark proof does not verify")
    fast = timed(lambda: groth16.verify(key, batch.proof, inputs), repeats)
    reference = timed(lambda: groth16_reference.verify(key, batch.proof, inputs), 3)
    how = "one real ci batch proof (5 public inputs), its key parsed and prepared once; median of the runs"
    return [
        entry(
            "Groth16 verify, fast path (arkworks via groth16py)",
            f"1 proof, {repeats} runs",
            statistics.median(fast),
            f"{1 / statistics.median(fast):.0f} proofs/s",
            how,
            target_seconds=0.010,
        ),
        entry(
            "Groth16 verify, reference path (py_ecc optimized_bn128)",
            "1 proof, 3 runs",
            statistics.median(reference),
            f"{1 / statistics.median(reference):.2f} proofs/s",
            how + "; includes the [r]B subgroup check in Python",
        ),
    ]


def epoch_of_1000(epoch: Epoch, profile: Profile) -> list[dict[str, Any]]:
    key = groth16.parse_key(epoch.verification_keys["batch"])
    batch = epoch.batches[0]
    inputs = batch.statement.public_inputs
    started = time.perf_counter()
    for _ in range(1000):
        if not groth16.verify(key, batch.proof, inputs):
            raise SystemExit("the benchmark proof does not verify")
    pairings = time.perf_counter() - started
    rng = random.Random(5)
    roots = [rng.randrange(R) for _ in range(1000)]
    reference = get_profile("reference")
    started = time.perf_counter()
    root_of(roots, reference.tree_depth, reference.batch_levels)
    tree = time.perf_counter() - started
    whole = timed(lambda: verify_epoch(epoch), 5)
    per_batch = statistics.median(whole) / len(epoch.batches)
    return [
        entry(
            "verify an epoch of 1,000 batch proofs: the pairing checks",
            "1,000 proofs",
            pairings,
            f"{1000 / pairings:.0f} proofs/s",
            "ONE real ci batch proof verified 1,000 times (fast path, the same key), as the audit does for "
            "each batch; no batched verification: groth16py exposes no multi-pairing or MSM, so random "
            "linear combinations of proofs are not possible with it",
        ),
        entry(
            "verify an epoch of 1,000 batch proofs: the account root from 1,000 subtree roots",
            "1,000 subtree roots, reference tree (depth 10, batch level 3)",
            tree,
            f"{1000 / tree:.0f} subtrees/s",
            "root_of over 1,000 random field elements as the subtree roots, the rest empty subtrees",
        ),
        entry(
            "verify_epoch on a real epoch, per batch (all checks)",
            f"{len(epoch.batches)} batches, profile {profile.name}",
            per_batch,
            f"{1 / per_batch:.0f} batches/s",
            "a real ci epoch of 16 sample accounts; median of 5 audits divided by the batch count",
            estimated_1000_batches_seconds=round(1000 * per_batch, 3),
        ),
    ]


def big_tree(profile: Profile, tmp: Path) -> tuple[Path, Path, dict[str, Any]]:
    """An epoch document of a full 4^DEPTH-account tree and one trader's record, built cheaply."""
    keys = {kind: development_keys(build(kind, profile)) for kind in ("batch", "margin")}
    size, count = profile.batch_size, profile.max_batches
    venue = sample_venue(size, seed=9, profile=profile)
    accounts = list(venue.accounts[:size])  # sorted by key; filled up with copies of the first if short
    first = accounts[0]
    accounts += [
        Account(2**40 + i, 0, first.balances, first.positions, first.options)
        for i in range(size - len(accounts))
    ]
    params = venue.params.circuit(profile)
    b = count * 3 // 4 + 5  # the trader's batch
    epoch_id, secret = 1, 777
    state = replace(
        ChainState.genesis(profile),
        last_key=accounts[0].key - 1,
        batches=b,
        blind=state_blind(secret, epoch_id, b - 1),
    )
    salts = [account_salt(secret, epoch_id, a.key) for a in accounts]
    signals, statement, _ = batch_signals(accounts, salts, state, params, state_blind(secret, epoch_id, b))
    started = time.perf_counter()
    proof = Prover(keys["batch"]).prove(signals)
    prove_seconds = time.perf_counter() - started
    leaves = [leaf_hash(a, s, profile) for a, s in zip(accounts, salts, strict=True)]
    inner = QuadTree(leaves, profile.batch_levels)
    assert inner.root == statement.subtree_root
    j = size // 2
    rng = random.Random(2024)
    upper = tuple(
        (rng.randrange(R), rng.randrange(R), rng.randrange(R))
        for _ in range(profile.tree_depth - profile.batch_levels)
    )
    path = MerklePath(b * size + j, inner.path(j).siblings + upper)
    root = path.root(leaves[j])
    others = [
        BatchProof(
            BatchStatement(params.hash, i, rng.randrange(R), rng.randrange(R), rng.randrange(R)), proof
        )
        for i in range(8)
    ]
    batches = tuple(others[i % 8] if i != b else BatchProof(statement, proof) for i in range(count))
    epoch = Epoch(
        epoch_id, profile, venue.params, params.hash, root, batches, state, tuple(venue.reserves),
        {kind: k.verification_key for kind, k in keys.items()}, keys["batch"].setup_kind,
    )  # fmt: skip
    document = tmp / "epoch.json"
    document.write_text(json.dumps(epoch_to_json(epoch), indent=1))
    record = tmp / "record.json"
    record.write_text(
        json.dumps(record_to_json(InclusionRecord(epoch_id, accounts[j], salts[j], path), profile))
    )
    how = {
        "tree": f"4^{profile.tree_depth} = {profile.capacity:,} leaf positions, {count:,} batches of {size}",
        "trader_batch": f"batch {b}: {size} sample accounts proven for real (batch index {b}, development "
        f"keys, {prove_seconds:.1f} s to prove); the trader is account {j} of it",
        "rest": "siblings above the batch level are random field elements (standing for the subtree roots "
        "of random leaves); the root is the trader's path climbed; the other batch entries of the "
        "document reuse the trader's proof with random statements (verify-account reads only the "
        "trader's batch); nothing else of the tree is computed",
        "document_mb": round(document.stat().st_size / 2**20, 1),
    }
    return document, record, how


def account_check(profile: Profile, repeats: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        document, record_path, how = big_tree(profile, Path(folder))
        record = record_from_json(read_json(record_path))

        def in_process() -> tuple[float, float]:
            started = time.perf_counter()
            doc = read_json(document)
            epoch = epoch_from_json(doc, with_batches=False)
            read = time.perf_counter() - started
            result = verify_account(epoch, doc["batches"], record, record_profile=profile.name)
            if not result.valid:
                raise SystemExit(f"the benchmark account does not verify: {result.failure}")
            return read, time.perf_counter() - started

        runs = [in_process() for _ in range(repeats)]
        reads = statistics.median(r for r, _ in runs)
        totals = statistics.median(t for _, t in runs)
        walls, cli_seconds, child_mb = [], [], 0.0
        for _ in range(3):
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-c", CHILD_MEMORY, CLI, "verify-account", str(record_path), "--epoch",
                 str(document), "--json"],
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
            walls.append(time.perf_counter() - started)
            if result.returncode != 0:
                raise SystemExit(f"zksolvency verify-account failed: {result.stdout}{result.stderr}")
            cli_seconds.append(json.loads(result.stdout)["seconds"])
            child_mb = max(child_mb, float(result.stderr.strip().splitlines()[-1]))
    size = f"{profile.capacity:,} accounts (profile {profile.name}), {how['document_mb']} MB epoch.json"
    return [
        entry(
            "verify-account, in process: read epoch.json + every account check",
            size,
            totals,
            f"{1 / totals:.1f} checks/s",
            json.dumps(how),
            target_seconds=0.200,
            of_which_reading_the_document_seconds=round(reads, 4),
            of_which_checks_seconds=round(totals - reads, 4),
        ),
        entry(
            "verify-account, the CLI as a process (wall clock, Python start-up and imports included)",
            size,
            statistics.median(walls),
            f"{1 / statistics.median(walls):.1f} runs/s",
            "zksolvency verify-account RECORD --epoch epoch.json --json, 3 runs (the wall clock includes a "
            "small wrapper that measures the command's peak memory); `command_seconds` is what the command "
            "measures itself after its imports",
            command_seconds=statistics.median(cli_seconds),
            command_memory_mb=child_mb,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--account-profile", default="reference", help="profile of the 2^20-account tree")
    parser.add_argument("--repeats", type=int, default=200, help="fast-path runs")
    args = parser.parse_args()
    ci = get_profile("ci")
    print("proving a ci epoch (development keys)", file=sys.stderr)
    epoch, _ = ci_epoch(ci)
    results = per_proof(epoch, args.repeats)
    results += epoch_of_1000(epoch, ci)
    print(f"building the {args.account_profile} tree and proving the trader's batch", file=sys.stderr)
    results += account_check(get_profile(args.account_profile), 5)
    note = "memory_mb: peak resident memory of this benchmark process so far (proving included)"
    print(json.dumps({"machine": machine(), "note": note, "results": results}, indent=2))


if __name__ == "__main__":
    main()

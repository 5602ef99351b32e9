"""Proving benchmark: a sample venue proved end to end, phases timed, and groth16py against snarkjs.

    python bench/prove.py --profile reference --accounts 576

Prints one JSON object: constraints per account, seconds per phase (tree, witness, prove), accounts
per second end to end, peak memory, and the two provers on the same batch circuit, key and witness.
End to end counts everything a venue's `prove` run pays, loading the proving keys included (about a
minute per reference circuit, on one core); only the one-off key setup is left out. `--accounts` is
the sample's standard book; its portfolio desk comes on top. Accounts are records, as in every
JSON output (docs/json.md: an isolated subaccount is one); the distinct account ids and their rate
come beside them. `one_batch` splits one batch into key loading, witness and proof in a single
process. snarkjs needs a .zkey, which needs a powers-of-tau file large enough for the circuit; an
UNSAFE local one is made (and kept in build/) for `--compare-profile` (default `reference-4`: the
reference sizes at 4 accounts a batch, 2^15). Proving keys for the end-to-end run are development
keys.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import groth16py

from zksolvency.prover.ceremony import local_powers_of_tau, snarkjs
from zksolvency.prover.circuits import build
from zksolvency.prover.epoch import EpochKeys, prove_epoch
from zksolvency.prover.inputs import batch_signals
from zksolvency.prover.keys import development_keys
from zksolvency.prover.proving import Prover
from zksolvency.prover.sample import sample_venue
from zksolvency.prover.toolchain import BUILD, js_tool, node
from zksolvency.prover.witness import WitnessCalculator
from zksolvency.verifier.account import Account
from zksolvency.verifier.ceremonies import CIRCUIT_KINDS as KINDS
from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.groth16 import Proof, verify
from zksolvency.verifier.profiles import Profile, get_profile
from zksolvency.verifier.state import ChainState


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    memory = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {"platform": platform.platform(), "cpus": os.cpu_count(), "memory": memory.split(":")[1].strip()}


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest waited-for child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own, 1), "largest_child": round(children, 1)}


def end_to_end(profile: Profile, accounts: int, workers: int) -> dict[str, object]:
    """Prove a sample venue with development keys; time the phases from the progress callbacks."""
    keys = EpochKeys.of({kind: development_keys(build(kind, profile)) for kind in KINDS})
    venue = sample_venue(accounts, seed=1, profile=profile)
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        marks[phase] = time.perf_counter()

    epoch, records = prove_epoch(
        venue.params,
        venue.accounts,
        venue.reserves,
        profile,
        keys,
        1,
        12345,
        workers=workers,
        on_progress=progress,
    )
    total = time.perf_counter() - started
    if not verify_epoch(epoch).valid:
        raise SystemExit("the benchmark epoch does not verify")
    portfolio = sum(r.account.portfolio for r in records)
    ids = len({r.account.account_id for r in records})
    circuits = {"batch": keys.batch.circuit.info, "portfolio_batch": keys.portfolio.circuit.info}
    return {
        "accounts": len(records),
        "account_ids": ids,
        "standard_accounts": len(records) - portfolio,
        "portfolio_accounts": portfolio,
        "option_positions": sum(1 for r in records for q in r.account.options if q),
        "batches": len(epoch.batches),
        "portfolio_batches": sum(b.portfolio for b in epoch.batches),
        "workers": workers,
        "constraints_per_batch": {kind: info.constraints for kind, info in circuits.items()},
        "constraints_per_account": {
            kind: round(info.constraints / profile.batch_size, 1) for kind, info in circuits.items()
        },
        "seconds": {
            "tree": round(marks["tree"] - started, 3),
            "witness_inputs": round(marks["witness"] - marks["tree"], 3),
            "prove_with_witnesses": round(marks["prove"] - marks["witness"], 3),
            "total": round(total, 3),
        },
        "accounts_per_second": round(len(records) / total, 2),
        "account_ids_per_second": round(ids / total, 2),
    }


def one_batch(profile: Profile) -> tuple[dict[str, object], WitnessCalculator]:
    """Signals of one full batch of the sample venue."""
    venue = sample_venue(profile.batch_size, seed=2, profile=profile)
    accounts = venue.accounts[: profile.batch_size]
    accounts += [Account.padding(profile)] * (profile.batch_size - len(accounts))
    params = venue.params.circuit(profile)
    signals, _, _ = batch_signals(
        accounts, list(range(1, len(accounts) + 1)), ChainState.genesis(profile), params, 7
    )
    return signals, WitnessCalculator(build("batch", profile).wasm)


def batch_breakdown(profile: Profile) -> dict[str, object]:
    """One batch, one process: loading the keys, witness generation (wasm) and proving (groth16py)."""
    keys = development_keys(build("batch", profile))
    signals, calculator = one_batch(profile)
    started = time.perf_counter()
    prover = Prover(keys)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    wtns = calculator.calculate_wtns(signals)
    witness_seconds = time.perf_counter() - started
    started = time.perf_counter()
    prover.prove_wtns(wtns)
    return {
        "load_seconds": round(load_seconds, 3),
        "witness_seconds": round(witness_seconds, 3),
        "prove_seconds": round(time.perf_counter() - started, 3),
    }


_pool_key: groth16py.ProvingKey | None = None


def _load_key(zkey: str) -> None:
    global _pool_key
    _pool_key = groth16py.import_zkey(zkey)[0]


def _prove_once(wtns: str) -> float:
    started = time.perf_counter()
    groth16py.prove_wtns(_pool_key, wtns)
    return time.perf_counter() - started


def groth16py_throughput(zkey: Path, wtns: Path, processes: int, rounds: int) -> float:
    """Proofs per second with one groth16py process per core (keys loaded before the clock starts)."""
    with ProcessPoolExecutor(processes, initializer=_load_key, initargs=(str(zkey),)) as pool:
        list(pool.map(_prove_once, [str(wtns)] * processes))  # warm up every worker
        started = time.perf_counter()
        list(pool.map(_prove_once, [str(wtns)] * processes * rounds))
        return processes * rounds / (time.perf_counter() - started)


def compare_provers(profile: Profile, repeats: int) -> dict[str, object]:
    """groth16py and snarkjs on the same circuit, .zkey and witness; both proofs must verify."""
    circuit = build("batch", profile)
    power = max(10, (circuit.info.constraints + circuit.info.public_inputs).bit_length())
    ptau = BUILD / "bench-ptau" / f"local_{power}.ptau"
    if not ptau.exists():
        ptau.parent.mkdir(parents=True, exist_ok=True)
        local_powers_of_tau(power, ptau.with_suffix(".partial"))
        ptau.with_suffix(".partial").rename(ptau)
    zkey = BUILD / "bench-ptau" / f"{profile.name}_batch_{circuit.source_hash[:12]}.zkey"
    if not zkey.exists():
        snarkjs("groth16", "setup", str(circuit.r1cs), str(ptau), str(zkey))
    signals, calculator = one_batch(profile)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "w.wtns").write_bytes(calculator.calculate_wtns(signals))
        vk = folder / "vk.json"
        snarkjs("zkey", "export", "verificationkey", str(zkey), str(vk))
        verification_key = json.loads(vk.read_text())
        proving_key, _ = groth16py.import_zkey(str(zkey))
        ours = []
        for _ in range(repeats):
            started = time.perf_counter()
            proof = Proof.from_bytes(bytes(groth16py.prove_wtns(proving_key, str(folder / "w.wtns"))))
            ours.append(time.perf_counter() - started)
        theirs = []
        command = [
            node(),
            str(js_tool("snarkjs", "cli.js")),
            "groth16",
            "prove",
            str(zkey),
            str(folder / "w.wtns"),
        ]
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(
                [*command, str(folder / "p.json"), str(folder / "pub.json")], check=True, capture_output=True
            )
            theirs.append(time.perf_counter() - started)
        processes = os.cpu_count() or 1
        ours_rate = groth16py_throughput(zkey, folder / "w.wtns", processes, repeats)
        public = [int(x) for x in json.loads((folder / "pub.json").read_text())]
        snark_proof = Proof.from_snarkjs(json.loads((folder / "p.json").read_text()))
        both_verify = verify(verification_key, proof, public) and verify(
            verification_key, snark_proof, public
        )
    return {
        "profile": profile.name,
        "constraints": circuit.info.constraints,
        "key": f"snarkjs groth16 setup from an UNSAFE local 2^{power} powers of tau",
        "repeats": repeats,
        "groth16py_seconds": round(statistics.median(ours), 3),
        "snarkjs_seconds": round(statistics.median(theirs), 3),
        "speedup": round(statistics.median(theirs) / statistics.median(ours), 2),
        "throughput_proofs_per_second": {
            f"groth16py_{processes}_processes": round(ours_rate, 3),
            "snarkjs": round(1 / statistics.median(theirs), 3),
        },
        "throughput_speedup": round(ours_rate * statistics.median(theirs), 2),
        "both_proofs_verify": both_verify,
        "note": (
            "one proof: groth16py proves on one thread, snarkjs on every core, and the snarkjs time "
            "includes node start-up (about 0.3 s) as a venue running its CLI pays it; throughput: one "
            "groth16py process per core (how zksolvency proves batches) against snarkjs, which already "
            "uses every core"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="reference")
    parser.add_argument("--accounts", type=int, default=576)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--compare-profile", default="reference-4")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-compare", action="store_true")
    parser.add_argument("--compare-only", action="store_true")
    args = parser.parse_args()
    if args.compare_only:
        report = {
            "what": "groth16py against snarkjs",
            "provers": compare_provers(get_profile(args.compare_profile), args.repeats),
            "memory_mb": peak_memory_mb(),
            "machine": machine(),
        }
        json.dump(report, sys.stdout, indent=2)
        return
    profile = get_profile(args.profile)
    run = end_to_end(profile, args.accounts, args.workers)
    report: dict[str, object] = {
        "what": "prove an epoch end to end (keys loaded in the run; their setup excluded)",
        "profile": profile.name,
        "size": {k: run[k] for k in ("accounts", "account_ids")} | {"batch_size": profile.batch_size},
        "seconds": run["seconds"],
        "throughput": {k: run[k] for k in ("accounts_per_second", "account_ids_per_second")},
        "end_to_end": run,
        "one_batch": batch_breakdown(profile),
    }
    if not args.no_compare:
        report["provers"] = compare_provers(get_profile(args.compare_profile), args.repeats)
    report["memory_mb"] = peak_memory_mb()
    report["machine"] = machine()
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""What each part of the circuits costs in R1CS constraints, per account, for one profile.

Compiles every part as its own small main component (circom --O2 --inspect) under
build/bench-constraints/<profile>/<part>/, takes the whole batch and margin circuits from the build
cache, and prints one JSON object on stdout; progress goes to stderr.

    python bench/constraints.py --profile reference
"""

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from zksolvency.prover.circuits import COMPILER, CircuitInfo, build, compile_main
from zksolvency.prover.toolchain import BUILD, ROOT
from zksolvency.verifier.profiles import PROFILES, Profile, get_profile

OUTPUT = BUILD / "bench-constraints"


@dataclass(frozen=True)
class Part:
    """One measured part: how to compile it and how often one account pays for it."""

    key: str  # directory name
    include: str  # file the main component includes, relative to the repository root
    main: Callable[[Profile], str]  # the template instantiation of the main component
    per: str  # account, batch, asset, market, leaf or proof
    count: Callable[[Profile], Fraction]  # instances of this part that one account costs
    circuit: str  # which circuit holds it: batch, margin or both
    note: str
    within: str | None = None  # the part this one is nested in, if any (not summed on its own)
    kind: str | None = None  # a whole circuit, taken from zksolvency.prover.circuits.build


LIB = "circuits/lib"
BATCH = "circuits/batch_solvency.circom"


def _batch_share(count: int) -> Callable[[Profile], Fraction]:
    """`count` instances per batch, shared by the batch's accounts."""
    return lambda p: Fraction(count, p.batch_size)


PARTS: tuple[Part, ...] = (
    Part(
        "SignedAmount",
        f"{LIB}/range.circom",
        lambda p: "SignedAmount()",
        "account",
        lambda p: Fraction(p.assets + p.markets),
        "both",
        "one signed 64-bit amount; one per asset balance and one per market position",
        within="AccountHealth",
    ),
    Part(
        "TieredCollateral",
        f"{LIB}/tiers.circom",
        lambda p: f"TieredCollateral({p.tiers})",
        "asset",
        lambda p: Fraction(p.assets),
        "both",
        "one asset's tier placement and haircut value",
        within="AccountHealth",
    ),
    Part(
        "TieredMaintenance",
        f"{LIB}/tiers.circom",
        lambda p: f"TieredMaintenance({p.brackets})",
        "market",
        lambda p: Fraction(p.markets),
        "both",
        "one position's bracket placement and maintenance margin",
        within="AccountHealth",
    ),
    Part(
        "AccountHealth",
        f"{LIB}/account.circom",
        lambda p: f"AccountHealth({p.assets}, {p.markets}, {p.tiers}, {p.brackets})",
        "account",
        lambda p: Fraction(1),
        "both",
        "all margin rules of one account",
    ),
    Part(
        "CrossMarginHolds",
        BATCH,
        lambda p: f"CrossMarginHolds(FreeBits({p.assets}, {p.markets}))",
        "account",
        lambda p: Fraction(1),
        "batch",
        "free collateral >= 0: a FreeBits-bit range check",
    ),
    Part(
        "KeyOrder",
        BATCH,
        lambda p: "KeyOrder()",
        "account",
        lambda p: Fraction(1),
        "batch",
        "strictly increasing keys, padding detection",
    ),
    Part(
        "PaddingIsEmpty",
        BATCH,
        lambda p: f"PaddingIsEmpty({p.assets}, {p.markets})",
        "account",
        lambda p: Fraction(1),
        "batch",
        "a padding account holds nothing",
    ),
    Part(
        "AccountLeaf",
        f"{LIB}/account.circom",
        lambda p: f"AccountLeaf({p.assets}, {p.markets})",
        "account",
        lambda p: Fraction(1),
        "both",
        "packing and hashing of the account's Merkle leaf",
    ),
    Part(
        "QuadRoot",
        f"{LIB}/merkle.circom",
        lambda p: f"QuadRoot({p.batch_levels})",
        "leaf",
        _batch_share(1),
        "batch",
        "the batch subtree over 4^LEVELS leaves; per_account is its cost per leaf",
    ),
    Part(
        "EpochParameters",
        f"{LIB}/params.circom",
        lambda p: f"EpochParameters({p.assets}, {p.markets}, {p.tiers}, {p.brackets})",
        "batch",
        _batch_share(1),
        "both",
        "parameter hash, 64-bit prices and marks, tier bases; once per batch and once per margin proof",
    ),
    Part(
        "StateOpening",
        BATCH,
        lambda p: f"StateOpening({p.assets}, {p.markets})",
        "batch",
        _batch_share(2),
        "batch",
        "opening of a chain state; twice per batch (previous and next)",
    ),
    Part(
        "QuadPathRoot",
        f"{LIB}/merkle.circom",
        lambda p: f"QuadPathRoot({p.tree_depth})",
        "proof",
        lambda p: Fraction(1),
        "margin",
        "inclusion path of depth DEPTH; one per margin proof (a proof per account that asks for one)",
        within="AccountMargin",
    ),
    Part(
        "BatchSolvency",
        "",
        lambda p: f"BatchSolvency({p.batch_levels}, {p.assets}, {p.markets}, {p.tiers}, {p.brackets})",
        "batch",
        _batch_share(1),
        "batch",
        "the whole batch circuit (build cache); per_account is its total over the batch's accounts",
        kind="batch",
    ),
    Part(
        "AccountMargin",
        "",
        lambda p: f"AccountMargin({p.tree_depth}, {p.assets}, {p.markets}, {p.tiers}, {p.brackets})",
        "proof",
        lambda p: Fraction(1),
        "margin",
        "the whole margin circuit (build cache); one proof per account that asks for one",
        kind="margin",
    ),
)

#: Parts of the batch circuit whose number does not grow with the batch size.
PER_BATCH = ("EpochParameters", "StateOpening")
#: Parts whose per_account sum should match the marginal cost of one more account in a batch.
PER_ACCOUNT = ("AccountHealth", "CrossMarginHolds", "KeyOrder", "PaddingIsEmpty", "AccountLeaf", "QuadRoot")
#: Parts of AccountHealth, with how many of each one AccountHealth holds.
HEALTH_PARTS = ("SignedAmount", "TieredCollateral", "TieredMaintenance")
#: Measured parts of AccountMargin, with one instance each.
MARGIN_PARTS = ("EpochParameters", "AccountHealth", "AccountLeaf", "QuadPathRoot")


def machine() -> dict[str, Any]:
    """Platform, CPU count and total memory of this machine."""
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    return {
        "platform": platform.platform(),
        "processor": platform.processor(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "memory_bytes": memory,
        "python": platform.python_version(),
    }


def compiler_version() -> str | None:
    """Version of the pinned circom compiler package."""
    package = ROOT / "node_modules" / COMPILER[0] / "package.json"
    return json.loads(package.read_text()).get("version") if package.exists() else None


def directory(part: Part, profile: Profile) -> Path:
    """Where `part` is compiled for `profile`."""
    return OUTPUT / profile.name / part.key


def measure(part: Part, profile: Profile) -> CircuitInfo:
    """Constraint counts of `part` compiled as a main component, or of a whole circuit from the cache."""
    if part.kind is not None:
        return build(part.kind, profile).info
    source = f'include "{part.include}";\n\ncomponent main = {part.main(profile)};\n'
    return compile_main(directory(part, profile), part.key, source)


def amount(value: Fraction) -> int | float:
    """An exact count as an int, else a float rounded to two decimals."""
    return int(value) if value.denominator == 1 else round(float(value), 2)


def part_count(name: str, profile: Profile) -> Fraction:
    """How many instances of part `name` one account costs."""
    return next(part for part in PARTS if part.key == name).count(profile)


def summarise(profile: Profile, counts: dict[str, int]) -> dict[str, Any]:
    """Reconcile the parts with the whole circuits."""
    p = profile
    batch_total = counts["BatchSolvency"]
    per_batch = counts["EpochParameters"] + 2 * counts["StateOpening"]
    marginal = Fraction(batch_total - per_batch, p.batch_size)
    shares = {name: Fraction(counts[name]) * part_count(name, p) for name in PER_ACCOUNT}
    parts_sum = sum(shares.values(), Fraction(0))

    health_shares = {name: counts[name] * part_count(name, p) for name in HEALTH_PARTS}
    health_rest = counts["AccountHealth"] - sum(health_shares.values(), Fraction(0))

    margin_total = counts["AccountMargin"]
    margin_sum = sum((counts[name] for name in MARGIN_PARTS), 0)

    return {
        "batch": {
            "batch_size": p.batch_size,
            "constraints": batch_total,
            "per_batch_parts": per_batch,
            "per_batch_parts_per_account": amount(Fraction(per_batch, p.batch_size)),
            "marginal_per_account": amount(marginal),
            "per_account_parts_sum": amount(parts_sum),
            "marginal_minus_parts_sum": amount(marginal - parts_sum),
            "total_per_account": amount(Fraction(batch_total, p.batch_size)),
            "per_account_breakdown": [
                {
                    "part": name,
                    "per_account": amount(share),
                    "percent_of_marginal": round(float(100 * share / marginal), 1),
                }
                for name, share in sorted(shares.items(), key=lambda item: -item[1])
            ],
            "note": (
                "marginal_per_account = (BatchSolvency - EpochParameters - 2 * StateOpening) / batch_size; "
                "per_account_parts_sum = AccountHealth + CrossMarginHolds + KeyOrder + PaddingIsEmpty "
                "+ AccountLeaf + QuadRoot / batch_size. Their difference is what a part costs alone but not "
                "in context, or the reverse: in the batch, constant parameters (tier floor 0, base 0, "
                "bracket floor 0, cum 0) turn some products linear and --O2 removes them, and the running "
                "totals are linear sums."
            ),
        },
        "account_health": {
            "constraints": counts["AccountHealth"],
            "parts": {name: amount(share) for name, share in health_shares.items()},
            "rest": amount(health_rest),
            "note": (
                "parts: SignedAmount x (A + M), TieredCollateral x A, TieredMaintenance x M; "
                "rest: the price * (collateral - debt) and mark * position products"
            ),
        },
        "margin": {
            "constraints": margin_total,
            "parts_sum": margin_sum,
            "rest": margin_total - margin_sum,
            "note": (
                "parts: EpochParameters + AccountHealth + AccountLeaf + QuadPathRoot; rest: NonZero(key), "
                "FreeAboveThreshold, Nullifier and the binding square, less what --O2 saves in context"
            ),
        },
    }


def run(profile: Profile, console: Console) -> dict[str, Any]:
    """Measure every part of `profile` and build the report."""
    start = time.perf_counter()
    counts: dict[str, int] = {}
    parts: list[dict[str, Any]] = []
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"{profile.name}", total=len(PARTS))
        for part in PARTS:
            template = part.main(profile)
            progress.update(task, description=f"{profile.name}: {template}")
            began = time.perf_counter()
            info = measure(part, profile)
            seconds = time.perf_counter() - began
            if info.constraints == 0:
                console.print(f"[yellow]warning:[/] {template} compiles to 0 constraints")
            counts[part.key] = info.constraints
            count = part.count(profile)
            entry: dict[str, Any] = {
                "part": template,
                "constraints": info.constraints,
                "per": part.per,
                "count_per_account": amount(count),
                "per_account": amount(info.constraints * count),
                "circuit": part.circuit,
            }
            if part.within is not None:
                entry["within"] = part.within
            entry |= {
                "wires": info.wires,
                "inputs": info.public_inputs + info.private_inputs,
                "seconds": round(seconds, 2),
                "source": "build cache" if part.kind else str(directory(part, profile).relative_to(ROOT)),
                "note": part.note,
            }
            parts.append(entry)
            progress.advance(task)
    return {
        "what": "constraints per circuit part",
        "profile": {
            "name": profile.name,
            "assets": profile.assets,
            "markets": profile.markets,
            "tiers": profile.tiers,
            "brackets": profile.brackets,
            "batch_levels": profile.batch_levels,
            "batch_size": profile.batch_size,
            "tree_depth": profile.tree_depth,
            "free_bits": profile.free_bits,
        },
        "compiler": {"package": COMPILER[0], "version": compiler_version(), "flags": "--O2 --inspect"},
        "machine": machine(),
        "seconds": round(time.perf_counter() - start, 2),
        "parts": parts,
        "summary": summarise(profile, counts),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="reference", choices=sorted(PROFILES), help="circuit profile")
    args = parser.parse_args(argv)
    report = run(get_profile(args.profile), Console(stderr=True))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Risk-array benchmark: how long a verifier takes to recompute the 35-scenario arrays of an epoch's options.

    python bench/risk_arrays.py [--series 1000] [--seed 7]

A venue lists up to about 1,000 option series; every verifier recomputes each one's array from the
published spot, strike, expiry, implied volatility and mark (docs/risk-arrays.md). The series are drawn
at random (strikes 0.3x..3x spot, vols 5%..300%, expiries 1 hour..2 years, calls and puts), one process,
one core. Prints one JSON object: the machine, then one entry per measurement (what, size, seconds,
throughput, memory).
"""

import argparse
import json
import os
import platform
import random
import resource
import time
from pathlib import Path
from typing import Any

from zksolvency.verifier.black76 import option_price
from zksolvency.verifier.scenarios import DERIBIT, OptionInputs, option_array, perpetual_array

USD = 10**8
SPOT = 60_000 * USD
HOUR, YEAR = 3_600, 365 * 86_400


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line), "")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": model,
        "load_average": load,
    }


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sample_series(count: int, seed: int) -> list[OptionInputs]:
    """`count` option series on one underlying at SPOT, marked at their model value."""
    rng = random.Random(seed)
    series = []
    for _ in range(count):
        strike = SPOT * rng.randint(300, 3_000) // 1_000
        seconds = rng.randint(HOUR, 2 * YEAR)
        iv = rng.randint(50_000, 3_000_000)
        is_call = rng.random() < 0.5
        series.append(
            OptionInputs(strike, seconds, iv, option_price(SPOT, strike, iv, seconds, is_call), is_call)
        )
    return series


def entry(what: str, size: str, seconds: float, throughput: str, how: str) -> dict[str, Any]:
    return {
        "what": what,
        "size": size,
        "seconds": round(seconds, 4),
        "throughput": throughput,
        "memory_mb": peak_mb(),
        "how": how,
    }


def main(argv: list[str] | None = None) -> int:
    """Measure, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1_000, help="option series to recompute")
    parser.add_argument("--seed", type=int, default=7, help="seed of the random series")
    args = parser.parse_args(argv)
    scenarios = len(DERIBIT.scenarios())
    series = sample_series(args.series, args.seed)

    started = time.perf_counter()
    arrays = [option_array(SPOT, s) for s in series]
    options_seconds = time.perf_counter() - started
    started = time.perf_counter()
    perps = [perpetual_array(SPOT + i) for i in range(args.series)]
    perps_seconds = time.perf_counter() - started
    if len(arrays) != args.series or any(len(a) != scenarios for a in (*arrays, *perps)):
        raise SystemExit("an array has the wrong length")

    values = args.series * scenarios
    report = {
        "what": "risk arrays recomputed by a verifier (Black-76, 2^128 fixed point, Deribit's 35 scenarios)",
        "machine": machine(),
        "entries": [
            entry(
                "option risk arrays",
                f"{args.series} series x {scenarios} scenarios",
                options_seconds,
                f"{args.series / options_seconds:.0f} series/s, {values / options_seconds:.0f} values/s",
                f"random series (seed {args.seed}): strikes 0.3x..3x spot, vols 5%..300%, expiries 1 h..2 y; "
                "one process, one core",
            ),
            entry(
                "perpetual risk arrays",
                f"{args.series} markets x {scenarios} scenarios",
                perps_seconds,
                f"{args.series / perps_seconds:.0f} markets/s",
                "one array per mark",
            ),
        ],
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

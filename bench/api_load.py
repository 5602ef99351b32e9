"""API load benchmark: inclusion-record reads and record verifications against `zksolvency serve`.

    python bench/api_load.py [--accounts 100000] [--requests 2000] [--verifies 200] [--concurrency 16]

Builds an epoch of at least 100,000 sample accounts at the reference profile (64 accounts a batch,
a 4^10 tree): every leaf, the whole tree and every account's record and token are real, but only
batch 0 is proven for real (UNSAFE development keys, cached under build/keys); the other batches
carry batch 0's proof under their own index, unproven. So the epoch cannot pass the whole audit,
and it is loaded straight into the service's SQLite database through its tables (not through
POST /v1/epochs, which would refuse it). Record reads go to random accounts of the whole epoch;
verifications go to accounts of batch 0, whose proof is real (each is valid: one Groth16 pairing
and 11 Poseidon hashes up the path).

The server runs as a separate process (`zksolvency serve`, one uvicorn worker) on loopback; the load
comes from this process (httpx, asyncio, `--concurrency` requests in flight). Prints one JSON object;
`server_peak_rss_mb` is the server's, `bench_process_peak_rss_mb` this process's (proving batch 0 included).
"""

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from zksolvency.api.config import Settings
from zksolvency.api.db import make_engine
from zksolvency.api.tables import BatchRow, EpochRow, RecordRow
from zksolvency.api.tokens import new_token, token_hash
from zksolvency.prover.circuits import build
from zksolvency.prover.inputs import batch_signals
from zksolvency.prover.keys import development_keys
from zksolvency.prover.proving import Prover
from zksolvency.prover.salts import account_salt, state_blind
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import BatchProof, Epoch
from zksolvency.verifier.formats import epoch_to_json, record_to_json
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.profiles import get_profile
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.tree import QuadTree

CLI = str(Path(sys.executable).parent / "zksolvency")
EPOCH_ID = 1
SECRET = 0x5EC12E7


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line), "")
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.system(),
    }


def build_epoch(
    accounts: int, profile_name: str
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """The epoch header (no batches), the batch documents, the records and the timings of each step."""
    timings: dict[str, float] = {}
    profile = get_profile(profile_name)
    started = time.perf_counter()
    venue = sample_venue(accounts, seed=11, profile=profile, epoch_id=EPOCH_ID)
    circuit = venue.params.circuit(profile)
    timings["sample_s"] = time.perf_counter() - started
    size = profile.batch_size
    count = -(-len(venue.accounts) // size)
    padded = list(venue.accounts) + [Account.padding(profile)] * (count * size - len(venue.accounts))
    salts = [
        account_salt(SECRET, EPOCH_ID, a.key) if not a.is_padding else i + 1 for i, a in enumerate(padded)
    ]
    started = time.perf_counter()
    tree = QuadTree(
        [leaf_hash(a, s, profile) for a, s in zip(padded, salts, strict=True)], profile.tree_depth
    )
    timings["tree_s"] = time.perf_counter() - started

    started = time.perf_counter()
    keys = development_keys(build("batch", profile))
    margin = development_keys(build("margin", profile))
    portfolio = development_keys(build("portfolio_batch", profile))
    signals, statement, state = batch_signals(
        padded[:size], salts[:size], ChainState.genesis(profile), circuit, state_blind(SECRET, EPOCH_ID, 0)
    )
    proof = Prover(keys).prove(signals)
    timings["prove_batch_0_s"] = time.perf_counter() - started
    epoch = Epoch(
        epoch_id=EPOCH_ID,
        profile=profile,
        params=venue.params,
        params_hash=circuit.hash,
        root=tree.root,
        batches=(BatchProof(statement, proof),),
        final_state=state,
        reserves=tuple(venue.reserves),
        verification_keys={
            "batch": keys.verification_key,
            "portfolio_batch": portfolio.verification_key,
            "margin": margin.verification_key,
        },
        setup_kind=keys.setup_kind,
    )
    document = epoch_to_json(epoch)
    batch0 = document["batches"][0]
    batches = [batch0] + [
        {"statement": [batch0["statement"][0], str(b), *batch0["statement"][2:]], "proof": batch0["proof"]}
        for b in range(1, count)
    ]
    started = time.perf_counter()
    records = [
        record_to_json(InclusionRecord(EPOCH_ID, a, salts[i], tree.path(i)), profile)
        for i, a in enumerate(venue.accounts)
    ]
    timings["records_s"] = time.perf_counter() - started
    return dict(document, batches=[]), batches, {"records": records, "timings": timings}


def load_database(
    settings: Settings, header: dict[str, Any], batches: list[dict], records: list[dict]
) -> list[str]:
    """Write the epoch into the service's database through its tables; returns each record's token."""
    engine = make_engine(settings)
    tokens = [new_token() for _ in records]
    with engine.begin() as conn:
        conn.execute(
            insert(EpochRow).values(
                epoch_id=EPOCH_ID,
                published_at=datetime.now(UTC),
                profile=header["profile"]["name"],
                root=header["root"],
                setup_kind=header["setup"]["kind"],
                unsafe=header["setup"]["unsafe"],
                batch_count=len(batches),
                account_count=len(records),
                valid=False,  # only batch 0 is proven: this epoch was not audited
                audit=json.dumps({"checks": [], "coverage": []}),
                header=json.dumps(header),
            )
        )
        conn.execute(
            insert(BatchRow),
            [
                {"epoch_id": EPOCH_ID, "batch_index": i, "document": json.dumps(b)}
                for i, b in enumerate(batches)
            ],
        )
        for start in range(0, len(records), 10_000):
            conn.execute(
                insert(RecordRow),
                [
                    {
                        "epoch_id": EPOCH_ID,
                        "account_id": r["account"]["account_id"],
                        "subaccount": r["account"]["subaccount"],
                        "leaf_index": r["index"],
                        "token_hash": token_hash(t),
                        "document": json.dumps(r),
                    }
                    for r, t in zip(
                        records[start : start + 10_000], tokens[start : start + 10_000], strict=True
                    )
                ],
            )
    engine.dispose()
    return tokens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


async def _fire(
    url: str, jobs: list[tuple[str, str, dict]], concurrency: int
) -> tuple[list[float], list[int], float]:
    """Send every (method, path, kwargs) with `concurrency` in flight; latencies (s), statuses, wall time."""
    latencies: list[float] = [0.0] * len(jobs)
    statuses: list[int] = [0] * len(jobs)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(jobs)):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                method, path, kwargs = jobs[i]
                started = time.perf_counter()
                response = await client.request(method, path, **kwargs)
                latencies[i] = time.perf_counter() - started
                statuses[i] = response.status_code
                if method == "POST" and response.status_code == 200 and not response.json().get("valid"):
                    statuses[i] = -1  # answered, but the record did not verify

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, statuses, wall


def _summary(
    what: str, latencies: list[float], statuses: list[int], wall: float, extra: dict
) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "what": what,
        **extra,
        "requests": len(latencies),
        "ok": sum(1 for s in statuses if s == 200),  # for verifications: 200 and valid
        "seconds": round(wall, 3),
        "requests_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--profile", default="reference")
    parser.add_argument("--requests", type=int, default=2000, help="inclusion-record reads")
    parser.add_argument("--verifies", type=int, default=200, help="POST /v1/verify/record requests")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    header, batches, built = build_epoch(args.accounts, args.profile)
    records = built["records"]
    with tempfile.TemporaryDirectory(prefix="zksolvency-api-load-") as tmp:
        data = Path(tmp) / "data"
        settings = Settings(data_dir=data, venue_token="bench-" + "x" * 40)
        started = time.perf_counter()
        tokens = load_database(settings, header, batches, records)
        load_seconds = time.perf_counter() - started
        database_mb = round((data / "zksolvency.sqlite").stat().st_size / 2**20, 1)

        port = _free_port()
        env = dict(
            os.environ,
            ZKSOLVENCY_VENUE_TOKEN=settings.venue_token.get_secret_value(),
            ZKSOLVENCY_RATE_PER_SECOND="1000000",
            ZKSOLVENCY_RATE_BURST="1000000",
        )
        server = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--data-dir", str(data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            rng = random.Random(3)
            reads = [
                (
                    "GET",
                    f"/v1/epochs/{EPOCH_ID}/record",
                    {"headers": {"Authorization": f"Bearer {tokens[i]}"}},
                )
                for i in (rng.randrange(len(records)) for _ in range(args.requests))
            ]
            first_batch = [r for r in records if r["index"] < 64]
            verifies = [
                (
                    "POST",
                    "/v1/verify/record",
                    {"json": {"record": first_batch[rng.randrange(len(first_batch))]}},
                )
                for _ in range(args.verifies)
            ]
            asyncio.run(_fire(url, reads[:50], args.concurrency))  # warm up
            read = _summary(
                "GET /v1/epochs/{id}/record (bearer token)",
                *asyncio.run(_fire(url, reads, args.concurrency)),
                {"concurrency": args.concurrency},
            )
            verify = _summary(
                "POST /v1/verify/record (Groth16 + path)",
                *asyncio.run(_fire(url, verifies, args.concurrency)),
                {"concurrency": args.concurrency},
            )
            server_mb = _peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = {
        "what": "zksolvency serve under load: inclusion-record reads and record verifications",
        "accounts": len(records),
        "batches": len(batches),
        "profile": args.profile,
        "how": "reference-profile tree and records real for every account; only batch 0 proven for real "
        "(UNSAFE dev keys); loaded into SQLite through the service's tables, not POST /v1/epochs",
        "build": {k: round(v, 2) for k, v in built["timings"].items()},
        "load_database_s": round(load_seconds, 2),
        "database_mb": database_mb,
        "results": [read, verify],
        "server_peak_rss_mb": server_mb,
        "bench_process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": machine(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

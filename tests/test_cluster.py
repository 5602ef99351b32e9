"""Scale-out: batches proven on a real local Ray cluster, started by the test, match local proving."""

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Circuits

from zksolvency.prover.epoch import prove_epoch
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.epoch import verify_epoch

RAY = str(Path(sys.executable).parent / "ray")


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = [
        RAY,
        "start",
        "--head",
        f"--port={port}",
        "--num-cpus=2",
        "--include-dashboard=false",
        "--disable-usage-stats",
    ]
    subprocess.run(start, check=True, capture_output=True, timeout=180)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=120, check=False)


def test_ray_cluster_proves_the_same_epoch(ci: Circuits, ray_cluster: str) -> None:
    venue = sample_venue(16, seed=8, profile=ci.profile)
    keys = ci.keys
    args = (venue.params, venue.accounts, venue.reserves, ci.profile, keys, 3, 4242)
    seen: list[tuple[str, int]] = []
    on_ray, records = prove_epoch(
        *args, ray_address=ray_cluster, on_progress=lambda p, d, t: seen.append((p, d))
    )
    local, _ = prove_epoch(*args)
    assert verify_epoch(on_ray).valid
    assert [b.statement for b in on_ray.batches] == [b.statement for b in local.batches]
    assert on_ray.root == local.root and len(records) == len(venue.accounts)
    assert ("prove", len(on_ray.batches)) in seen

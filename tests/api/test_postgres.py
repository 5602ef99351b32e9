"""The same service over PostgreSQL: publish, read, verify, and a refused upload that leaves nothing."""

import contextlib
import copy
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from .conftest import EPOCH_ID, Proved, settings_for, venue_headers
from .postgres import binaries, cluster
from .server import live_server

pytestmark = pytest.mark.skipif(
    binaries() is None, reason="PostgreSQL is not installed (.ci/setup installs it)"
)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for this module."""
    with cluster() as url:
        yield url


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("epochs", "batches", "records")
        }
    engine.dispose()
    return out


def test_publish_read_and_verify_on_postgres(database_url: str, proved: Proved, tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "unused", database_url=database_url)
    with live_server(settings) as url, httpx.Client(base_url=url, timeout=120) as c:
        tampered = copy.deepcopy(proved.document)
        tampered["batches"][0]["proof"]["pi_c"][1] = str(int(tampered["batches"][0]["proof"]["pi_c"][1]) ^ 1)
        refused = c.post(
            "/v1/epochs", json={"epoch": tampered, "records": proved.jsonl}, headers=venue_headers()
        )
        assert refused.status_code == 422
        assert _counts(database_url) == {"epochs": 0, "batches": 0, "records": 0}

        response = c.post("/v1/epochs", json=proved.upload(), headers=venue_headers())
        assert response.status_code == 201, response.text
        tokens = response.json()["tokens"]
        assert c.post("/v1/epochs", json=proved.upload(), headers=venue_headers()).status_code == 409
        assert int(c.get(f"/v1/epochs/{EPOCH_ID}").json()["root"], 16) == int(proved.document["root"])
        record = c.get(
            f"/v1/epochs/{EPOCH_ID}/record", headers={"Authorization": f"Bearer {tokens[3]['token']}"}
        )
        assert record.json() == proved.records[3]
        assert c.post("/v1/verify/record", json={"record": record.json()}).json()["valid"] is True
        assert c.get("/v1/health").json()["database"] == "ok"
    assert _counts(database_url) == {"epochs": 1, "batches": 5, "records": len(proved.records)}


def test_a_database_that_goes_away_is_a_503_with_one_line(proved: Proved, tmp_path: Path) -> None:
    with contextlib.ExitStack() as database:
        url = database.enter_context(cluster())
        settings = settings_for(tmp_path / "unused", database_url=url)
        with live_server(settings) as base, httpx.Client(base_url=base, timeout=60) as c:
            assert c.get("/v1/epochs").status_code == 200
            database.close()  # PostgreSQL stops under the running service
            for path in ("/v1/epochs", f"/v1/epochs/{EPOCH_ID}", "/v1/health"):
                answer = c.get(path)
                assert answer.status_code == 503, (path, answer.text)
                assert "\n" not in answer.json()["detail"] and "Traceback" not in answer.text

"""The service under hostile input, against a real server: malformed bodies, echoes, the account count,
the cost of an uploaded audit, and how `serve` refuses to start."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from zksolvency.api.main import create_app
from zksolvency.verifier.profiles import PROFILES

from .conftest import VENUE_TOKEN, Proved, Published, settings_for, venue_headers
from .server import live_server

CLI = str(Path(sys.executable).parent / "zksolvency")
MARKER = "zz-uploaded-content-zz"
POSTS = ["/v1/epochs", "/v1/verify/epoch", "/v1/verify/record", "/v1/verify/margin-proof"]

#: Bodies that are not JSON a schema can describe: non-standard numbers (Python's json reads NaN and
#: Infinity), a lone surrogate, bytes that are not UTF-8, huge numbers, deep nesting, the wrong type.
#: Before the fix, FastAPI's 422 repeated the body back, and for these it could not encode it: 500.
MALFORMED: dict[str, bytes] = {
    "NaN": b'{"record": NaN, "margin_proof": NaN, "epoch": NaN, "records": NaN, "x": "'
    + MARKER.encode()
    + b'"}',
    "Infinity": b'{"record": {"format": Infinity}, "epoch": -Infinity, "m": "' + MARKER.encode() + b'"}',
    "1e400": b'{"record": 1e400, "margin_proof": 1e400, "epoch": 1e400, "m": "' + MARKER.encode() + b'"}',
    "lone surrogate": b'{"record": "\\ud800' + MARKER.encode() + b'", "margin_proof": "\\udfff"}',
    "not UTF-8": b'{"record": "\xff\xfe' + MARKER.encode() + b'"}',
    "huge integer": b'{"record": {"epoch_id": ' + b"9" * 5000 + b'}, "m": "' + MARKER.encode() + b'"}',
    "deep": b'{"record": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "array": b'["' + MARKER.encode() + b'"]',
    "not JSON": b"{" + MARKER.encode(),
    "empty": b"",
}


@pytest.mark.parametrize("name", MALFORMED)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_malformed_bodies_get_4xx_without_the_upload(
    published: Published, name: str, content_type: str
) -> None:
    for path in POSTS:
        headers = {"Content-Type": content_type, **venue_headers()}
        response = published.client.post(path, content=MALFORMED[name], headers=headers)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:300])
        assert MARKER not in response.text and len(response.text) < 4000, (path, response.text[:300])
        assert "detail" in response.json()


def _planted(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    changed = json.loads(json.dumps(document))
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = MARKER
    return changed


PLANTED = [
    ("format",),
    ("epoch_id",),
    ("profile", "name"),
    ("setup", "kind"),
    ("params_hash",),
    ("root",),
    ("reserves", 0),
    ("final_state", "equity", 0),
    ("batches", 1, "statement", 2),
    ("batches", 0, "proof", "pi_a", 0),
    ("batches", 0, "proof", "protocol"),
    ("verification_keys", "margin", "vk_delta_2", 0, 0),
    ("verification_keys", "batch", "curve"),
]


@pytest.mark.parametrize("where", PLANTED, ids=lambda p: ".".join(map(str, p)))
def test_a_refused_epoch_document_is_not_echoed(published: Published, where: tuple[Any, ...]) -> None:
    document = _planted(published.proved.document, where)
    for path, body in (
        ("/v1/verify/epoch", document),
        ("/v1/epochs", {"epoch": document, "records": published.proved.jsonl}),
    ):
        response = published.client.post(path, json=body, headers=venue_headers())
        assert response.status_code in (200, 422), (path, response.text[:300])
        if response.status_code == 422:  # an audit report (200) may quote the value a check compared
            assert MARKER not in response.text, (path, where, response.text[:500])
        if response.status_code == 200:
            assert response.json()["valid"] is False


@pytest.mark.parametrize("field", ["format", "salt", "index"])
def test_a_refused_record_is_not_echoed(published: Published, field: str) -> None:
    record = dict(published.proved.records[0], **{field: MARKER})
    response = published.client.post("/v1/verify/record", json={"record": record})
    assert response.status_code == 422 and MARKER not in response.text
    lines = published.proved.jsonl.splitlines()
    upload = {"epoch": published.proved.document, "records": "\n".join([json.dumps(record), *lines[1:]])}
    response = published.client.post("/v1/epochs", json=upload, headers=venue_headers())
    assert response.status_code in (409, 422) and MARKER not in response.text


def test_the_account_count_is_public_only_to_within_a_batch(published: Published) -> None:
    c, proved = published.client, published.proved
    batches = len(proved.document["batches"])
    bound = batches * PROFILES["ci"].batch_size
    assert len(proved.records) < bound  # the sample leaves padding, so the bound is not the count
    for body in (c.get("/v1/epochs").json()["epochs"][0], c.get("/v1/epochs/7").json()):
        assert "accounts" not in body and body["accounts_at_most"] == bound and body["batches"] == batches
        assert str(len(proved.records)) not in json.dumps({k: v for k, v in body.items() if k == "accounts"})


def test_public_reports_write_hashes_and_amounts_in_one_form(published: Published) -> None:
    c, proved = published.client, published.proved
    detail = c.get("/v1/epochs/7").json()
    report = c.post("/v1/verify/epoch", json=proved.document).json()
    for body in (detail, report):
        assert body["root"] == f"0x{int(proved.document['root']):064x}"
        assert body["params_hash"] == f"0x{int(proved.document['params_hash']):064x}"
        assert all(h.startswith("0x") and len(h) == 66 for h in body["setup"]["keys"].values())
        for row in body["coverage"]:
            for value in (row["net_liabilities"], row["declared"], row["ratio"]):
                assert value is None or ("," not in value and "e" not in value.lower())
    assert detail["coverage"] == report["coverage"] and detail["setup"] == report["setup"]


@pytest.fixture
def audit_server(proved: Proved, tmp_path: Path) -> Iterator[tuple[httpx.Client, Any]]:
    """A server with one audit slot and a 64 KiB cap on uploaded epoch documents; and its app."""
    settings = settings_for(tmp_path / "data", verify_slots=1, verify_max_body_bytes=64 * 1024)
    app = create_app(settings)
    with live_server(settings, app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client, app


def test_uploaded_audits_are_capped_cached_and_bounded(
    audit_server: tuple[httpx.Client, Any], proved: Proved
) -> None:
    client, app = audit_server
    document = proved.document
    assert len(json.dumps(document)) < 64 * 1024
    first = client.post("/v1/verify/epoch", json=document)
    assert first.status_code == 200 and first.json()["valid"] is True

    assert app.state.audits.take_slot()  # every slot busy, as under a flood of new documents
    try:
        again = client.post("/v1/verify/epoch", json=document)  # the same document: from the cache
        assert again.status_code == 200 and again.json() == first.json()
        other = dict(document, reserves=[*document["reserves"][:-1], "0"])
        busy = client.post("/v1/verify/epoch", json=other)
        assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
    finally:
        app.state.audits.free_slot()
    assert client.post("/v1/verify/epoch", json=other).json()["valid"] is False

    padded = dict(document, padding="x" * 64 * 1024)
    assert client.post("/v1/verify/epoch", json=padded).status_code == 413
    record = {"record": dict(proved.records[0], padding="x" * 64 * 1024)}  # other routes keep the main cap
    assert client.post("/v1/verify/record", json=record).status_code != 413


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ZKSOLVENCY_")}
    return subprocess.run(
        [CLI, "serve", "--port", "1", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**environment, **(env or {})},
        check=False,
    )


def test_serve_refuses_the_default_token_off_loopback(tmp_path: Path) -> None:
    result = _serve("--host", "0.0.0.0", "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "default venue token is refused on 0.0.0.0" in result.stderr
    assert not (tmp_path / "zksolvency.sqlite").exists()


def test_serve_with_an_unreachable_database_says_so_in_one_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://venue:hunter2@127.0.0.1:1/zksolvency"
    result = _serve("--database-url", url, env={"ZKSOLVENCY_VENUE_TOKEN": VENUE_TOKEN})
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(result.stderr.strip().splitlines()) == 1 and len(errors) == 1, result.stderr
    assert "127.0.0.1" in errors[0] and "hunter2" not in result.stderr and "Traceback" not in result.stderr

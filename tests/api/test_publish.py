"""Publish, read and verify a real ci-profile epoch through a real HTTP server over SQLite."""

import contextlib
import copy
import json
import socket
import sqlite3
import time
from pathlib import Path

import httpx
from conftest import Circuits

from zksolvency.api.tokens import token_hash
from zksolvency.prover.inputs import margin_signals
from zksolvency.prover.sample import sample_holder_secret
from zksolvency.verifier.formats import epoch_from_json, record_from_json
from zksolvency.verifier.margin_proof import MarginProofFile
from zksolvency.verifier.profiles import PROFILES

from .conftest import EPOCH_ID, VENUE_TOKEN, Proved, Published, settings_for, venue_headers
from .server import live_server


def test_publish_list_read_and_verify(published: Published) -> None:
    c, proved = published.client, published.proved
    n = len(proved.records)
    assert len(published.tokens) == n and len({t["token"] for t in published.tokens}) == n

    listing = c.get("/v1/epochs").json()
    assert listing["total"] == 1 and listing["epochs"][0]["epoch_id"] == EPOCH_ID
    detail = c.get(f"/v1/epochs/{EPOCH_ID}").json()
    assert int(detail["root"], 16) == int(proved.document["root"]) and detail["valid"] is True
    assert detail["setup"]["unsafe"] is True and detail["setup"]["kind"] == proved.document["setup"]["kind"]
    assert [r["asset"] for r in detail["coverage"]] == [
        a["symbol"] for a in proved.document["params"]["assets"]
    ]
    assert all(r["covered"] for r in detail["coverage"])
    assert detail["checks"][-1]["ok"] is True and detail["batches"] == 5  # 4 standard, 1 portfolio
    assert "accounts" not in detail and detail["accounts_at_most"] == 5 * PROFILES["ci"].batch_size

    batches = c.get(f"/v1/epochs/{EPOCH_ID}/batches", params={"limit": 2, "offset": 1}).json()
    assert batches["total"] == 5 and [b["index"] for b in batches["batches"]] == [1, 2]
    assert batches["batches"][0]["proof"] == proved.document["batches"][1]["proof"]
    one = c.get(f"/v1/epochs/{EPOCH_ID}/batches/3").json()
    assert one["statement"] == proved.document["batches"][3]["statement"]
    assert c.get(f"/v1/epochs/{EPOCH_ID}/batches/5").status_code == 404
    keys = c.get(f"/v1/epochs/{EPOCH_ID}/verification-keys").json()
    assert keys == proved.document["verification_keys"]
    assert c.get(f"/v1/epochs/{EPOCH_ID}/document").json() == proved.document
    assert c.get("/v1/epochs/8").status_code == 404

    verified = c.post("/v1/verify/epoch", json=proved.document).json()
    assert verified["valid"] is True and verified["batches"] == 5

    token = published.tokens[5]
    record = c.get(f"/v1/epochs/{EPOCH_ID}/record", headers={"Authorization": f"Bearer {token['token']}"})
    assert record.status_code == 200 and record.json() == proved.records[5]
    report = c.post("/v1/verify/record", json={"record": record.json()}).json()
    assert report["valid"] is True, report
    assert report["account"]["account_id"] == token["account_id"] and report["account"]["healthy"] is True
    assert c.get("/v1/health").json() == {"status": "ok", "database": "ok"}
    assert c.get("/v1/version").json()["epoch_format"] == "zksolvency-epoch/1"


def test_tampered_documents_verify_invalid(published: Published) -> None:
    c, proved = published.client, published.proved
    document = copy.deepcopy(proved.document)
    document["reserves"] = document["reserves"][:-1]
    report = c.post("/v1/verify/epoch", json=document).json()
    assert report["valid"] is False and report["failed_check"].startswith("reserves")

    record = copy.deepcopy(proved.records[2])
    record["account"]["balances"][0] = str(int(record["account"]["balances"][0]) + 1)
    report = c.post("/v1/verify/record", json={"record": record}).json()
    assert report["valid"] is False and report["failed_check"] == "batch subtree"

    broken = c.post("/v1/verify/record", json={"record": {"format": "zksolvency-record/1"}})
    assert broken.status_code == 422 and "missing" in broken.json()["detail"]
    unknown = copy.deepcopy(proved.records[2])
    unknown["epoch_id"] = 99
    assert c.post("/v1/verify/record", json={"record": unknown}).status_code == 404
    assert c.post("/v1/verify/epoch", json={"format": "nope"}).status_code == 422
    odd = {"format": "zksolvency-epoch/1", "epoch_id": 1, "profile": "ci", "setup": {}}
    assert c.post("/v1/verify/epoch", json=odd).status_code == 422
    for epoch_id in (-1, 2**70):
        document = dict(proved.document, epoch_id=epoch_id)
        assert c.post("/v1/verify/epoch", json=document).status_code == 422


def test_records_need_the_accounts_own_token(published: Published) -> None:
    c = published.client
    mine, other = published.tokens[0], published.tokens[1]
    url = f"/v1/epochs/{EPOCH_ID}/accounts/{mine['account_id']}/record"
    query = {"subaccount": mine["subaccount"]}

    def get(path: str, token: str | None, params: dict | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return c.get(path, headers=headers, params=params)

    assert get(url, mine["token"], query).json()["account"]["account_id"] == mine["account_id"]
    assert get(url, None, query).status_code == 401
    wrong = get(url, "x" * 43, query)
    others = get(url, other["token"], query)
    unknown = get(f"/v1/epochs/{EPOCH_ID}/accounts/999999/record", mine["token"])
    assert wrong.status_code == others.status_code == unknown.status_code == 404
    assert wrong.json() == others.json() == unknown.json()  # nothing tells an account exists
    assert get(f"/v1/epochs/{EPOCH_ID}/record", "not-a-token").status_code == 404
    assert get(f"/v1/epochs/{EPOCH_ID + 1}/record", mine["token"]).status_code == 404
    assert get(f"/v1/epochs/{EPOCH_ID}/record", None).status_code == 401
    assert c.post("/v1/epochs", json=published.proved.upload(), headers=venue_headers()).status_code == 409


def test_only_the_venue_publishes(server: str, proved: Proved) -> None:
    with httpx.Client(base_url=server, timeout=60) as c:
        assert c.post("/v1/epochs", json=proved.upload()).status_code == 401
        trader = {"Authorization": "Bearer some-traders-token"}
        assert c.post("/v1/epochs", json=proved.upload(), headers=trader).status_code == 403
        assert c.get("/v1/epochs").json()["total"] == 0


def _rows(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {
            t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("epochs", "batches", "records")
        }


def test_a_rejected_upload_leaves_nothing(tmp_path: Path, proved: Proved) -> None:
    tampered = copy.deepcopy(proved.document)
    proof = tampered["batches"][2]["proof"]
    proof["pi_a"][0] = str(int(proof["pi_a"][0]) ^ 1)  # one bit of one proof
    bad_record = copy.deepcopy(proved.records)
    bad_record[-1]["salt"] = str(int(bad_record[-1]["salt"]) + 1)
    data = tmp_path / "data"
    with live_server(settings_for(data)) as url, httpx.Client(base_url=url, timeout=120) as c:
        refused = c.post(
            "/v1/epochs", json={"epoch": tampered, "records": proved.jsonl}, headers=venue_headers()
        )
        assert refused.status_code == 422 and "batch 2 proof" in refused.json()["detail"]
        lines = "".join(json.dumps(r) + "\n" for r in bad_record)
        refused = c.post(
            "/v1/epochs", json={"epoch": proved.document, "records": lines}, headers=venue_headers()
        )
        assert refused.status_code == 422 and f"line {len(bad_record)}" in refused.json()["detail"]
        refused = c.post(
            "/v1/epochs", json={"epoch": proved.document, "records": "{not json\n"}, headers=venue_headers()
        )
        assert refused.status_code == 422 and "line 1" in refused.json()["detail"]
        assert c.get("/v1/epochs").json()["total"] == 0
        assert c.get(f"/v1/epochs/{EPOCH_ID}").status_code == 404
    assert _rows(data / "zksolvency.sqlite") == {"epochs": 0, "batches": 0, "records": 0}


def test_interrupted_store_leaves_nothing(tmp_path: Path, proved: Proved, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A failure after the epoch and batch rows are written rolls everything back."""
    from zksolvency.api import publishing

    calls = {"n": 0}
    real = publishing.token_hash

    def failing(token: str) -> str:
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk full")
        return real(token)

    data = tmp_path / "data"
    with live_server(settings_for(data)) as url:
        monkeypatch.setattr(publishing, "token_hash", failing)
        # the server answers 500 or drops the connection
        with contextlib.suppress(httpx.HTTPError), httpx.Client(base_url=url, timeout=120) as broken:
            assert broken.post("/v1/epochs", json=proved.upload(), headers=venue_headers()).status_code == 500
        monkeypatch.setattr(publishing, "token_hash", real)
        c = httpx.Client(base_url=url, timeout=120)
        assert c.get("/v1/epochs").json()["total"] == 0
        response = c.post("/v1/epochs", json=proved.upload(), headers=venue_headers())
        assert response.status_code == 201
        c.close()
    rows = _rows(data / "zksolvency.sqlite")
    assert rows == {"epochs": 1, "batches": 5, "records": len(proved.records)}
    with sqlite3.connect(data / "zksolvency.sqlite") as db:
        stored = {h for (h,) in db.execute("SELECT token_hash FROM records")}
    assert stored == {token_hash(t["token"]) for t in response.json()["tokens"]}  # hashes only, never tokens
    assert not any(
        t["token"] in (data / "zksolvency.sqlite").read_bytes().decode("latin-1")
        for t in response.json()["tokens"]
    )


def test_limits(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data", max_body_bytes=4096, rate_per_second=1, rate_burst=5)
    with live_server(settings) as url, httpx.Client(base_url=url, timeout=30) as c:
        big = c.post(
            "/v1/verify/epoch",
            content=b"{" + b" " * 5000 + b"}",
            headers={"Content-Type": "application/json"},
        )
        assert big.status_code == 413
        codes = [c.get("/v1/version").status_code for _ in range(8)]
        assert 429 in codes and codes[0] == 200
        limited = c.get("/v1/version")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1


def test_margin_proofs_verify_against_the_stored_epoch(published: Published, ci: Circuits) -> None:
    c, proved = published.client, published.proved
    epoch = epoch_from_json(proved.document)
    record = record_from_json(proved.records[1])
    recipient, chain_id, gate = 0xAB * 2**150, 31337, 0xCD * 2**150
    secret = sample_holder_secret(5, record.account.account_id)
    circuit = epoch.params.circuit(epoch.profile)
    signals, statement = margin_signals(
        record.account, record.salt, record.path, circuit, 0, recipient, chain_id, secret, gate
    )
    proof = ci.margin_prover.prove(signals)
    file = MarginProofFile(
        EPOCH_ID, statement, recipient, chain_id, gate, tuple(statement.public_inputs), proof
    ).to_json()
    report = c.post("/v1/verify/margin-proof", json={"margin_proof": file}).json()
    assert report["valid"] is True, report
    assert (
        report["recipient"] == file["recipient"] and report["checks"][-1]["check"] == "margin proof pairing"
    )

    assert report["gate"] == file["gate"]
    for elsewhere in (dict(file, chain_id=1), dict(file, gate="0x" + "11" * 20)):
        report = c.post("/v1/verify/margin-proof", json={"margin_proof": elsewhere}).json()
        assert report["valid"] is False and report["failed_check"] == "margin proof statement"
    assert c.post("/v1/verify/margin-proof", json={"margin_proof": dict(file, epoch_id=8)}).status_code == 404
    assert c.post("/v1/verify/margin-proof", json={"margin_proof": {"format": "x"}}).status_code == 422


def test_an_upload_cut_off_mid_body_leaves_nothing(tmp_path: Path, proved: Proved) -> None:
    body = json.dumps(proved.upload()).encode()
    data = tmp_path / "data"
    with live_server(settings_for(data)) as url:
        host, port = url.removeprefix("http://").split(":")
        head = (
            f"POST /v1/epochs HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {VENUE_TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        with socket.create_connection((host, int(port))) as s:
            s.sendall(head + body[: len(body) // 2])
        time.sleep(0.5)
        with httpx.Client(base_url=url) as c:
            assert c.get("/v1/epochs").json()["total"] == 0
    assert _rows(data / "zksolvency.sqlite") == {"epochs": 0, "batches": 0, "records": 0}

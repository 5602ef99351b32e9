"""`zksolvency sample`, `setup` and `prove` as real processes: atomic epochs, resumable proving."""

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import Circuits
from test_cli import CLI, run

from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.formats import PUBLIC_EPOCH, RECORDS, epoch_from_json, record_from_json


@pytest.fixture(scope="module")
def keys(ci: Circuits, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keys")
    result = run("setup", "--keys", str(folder), "--profile", "ci")
    assert result.returncode == 0, result.stderr
    assert "UNSAFE" in result.stderr
    return folder


def sample(folder: Path, accounts: int) -> Path:
    result = run("sample", str(folder), "--accounts", str(accounts), "--profile", "ci", "--seed", "2")
    assert result.returncode == 0, result.stderr
    return folder


def test_prove_writes_a_valid_epoch_and_records(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 10)
    out = tmp_path / "epoch"
    secret = str(tmp_path / "s")
    result = run("prove", str(snapshot), "--keys", str(keys), "--out", str(out), "--secret", secret, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    epoch = epoch_from_json(json.loads((out / PUBLIC_EPOCH).read_text()))
    assert verify_epoch(epoch).valid and summary["batches"] == len(epoch.batches)
    records = [record_from_json(json.loads(line)) for line in (out / RECORDS).read_text().splitlines()]
    assert len(records) == summary["accounts"] and all(r.root(epoch.profile) == epoch.root for r in records)
    assert (tmp_path / "s").stat().st_mode & 0o077 == 0
    assert not (tmp_path / "epoch.work").exists()
    again = run(
        "prove", str(snapshot), "--keys", str(keys), "--out", str(out), "--secret", str(tmp_path / "s")
    )
    assert again.returncode == 2 and "never overwritten" in again.stderr


def test_bad_snapshot_exits_2_and_publishes_nothing(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 6)
    with (snapshot / "accounts.jsonl").open("a") as f:
        for sub in (0, 1):  # one market in two records of one account: its bracket would be split
            f.write(
                json.dumps({"account_id": 10**9, "subaccount": sub, "positions": {"BTC-PERP": "1"}}) + "\n"
            )
    out = tmp_path / "epoch"
    result = run(
        "prove", str(snapshot), "--keys", str(keys), "--out", str(out), "--secret", str(tmp_path / "s")
    )
    assert result.returncode == 2
    assert (
        "accounts.jsonl:" in result.stderr
        and "account 1000000000/1: positions[0] (BTC-PERP)" in result.stderr
    )
    assert not out.exists() and not (tmp_path / "epoch.work").exists()


def test_interrupted_run_leaves_no_epoch_and_a_rerun_reuses_its_proofs(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 60)
    out, work, secret = tmp_path / "epoch", tmp_path / "epoch.work", tmp_path / "s"
    args = [
        "prove",
        str(snapshot),
        "--keys",
        str(keys),
        "--out",
        str(out),
        "--secret",
        str(secret),
        "--workers",
        "1",
    ]
    process = subprocess.Popen([CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(list(work.glob("batch-*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = {p.name: p.stat().st_mtime_ns for p in work.glob("batch-*.json")}
    assert len(kept) >= 3 and not out.exists()
    result = run(*args, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["reused_batches"] == len(kept)
    assert verify_epoch(epoch_from_json(json.loads((out / PUBLIC_EPOCH).read_text()))).valid
    assert not work.exists()


def test_bad_debt_beyond_the_fund_publishes_nothing_and_exits_1(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 6)
    market = json.loads((snapshot / "market.json").read_text())
    for asset in market["assets"]:
        asset["insurance"] = "0"
    (snapshot / "market.json").write_text(json.dumps(market))
    with (snapshot / "accounts.jsonl").open("a") as f:  # owes 5 USDT and holds nothing: bankrupt
        f.write(json.dumps({"account_id": 10**9, "balances": {"USDT": "-5"}}) + "\n")
    out = tmp_path / "epoch"
    result = run(
        "prove", str(snapshot), "--keys", str(keys), "--out", str(out), "--secret", str(tmp_path / "s")
    )
    assert result.returncode == 1, result.stderr
    assert (
        "nothing was published" in result.stderr
        and "insurance fund: the insurance fund of 0 USD" in result.stderr
    )
    assert "proven bad debt of 5 USD" in result.stderr
    assert not out.exists()

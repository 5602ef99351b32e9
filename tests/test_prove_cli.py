"""`zksolvency sample`, `setup` and `prove` as real processes: atomic epochs, resumable proving."""

import json
import os
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


def prove_args(snapshot: Path, keys: Path, out: Path, secret: Path, *extra: str) -> list[str]:
    """`zksolvency prove` of `snapshot` with `keys` into `out`, with the venue secret file `secret`."""
    return ["prove", str(snapshot), "--keys", str(keys), "--out", str(out), "--secret", str(secret), *extra]


def sample(folder: Path, accounts: int) -> Path:
    result = run("sample", str(folder), "--accounts", str(accounts), "--profile", "ci", "--seed", "2")
    assert result.returncode == 0, result.stderr
    return folder


def test_prove_writes_a_valid_epoch_and_records(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 10)
    out = tmp_path / "epoch"
    secret = str(tmp_path / "s")
    result = run(
        "prove",
        str(snapshot),
        "--keys",
        str(keys),
        "--out",
        str(out),
        "--secret",
        secret,
        "--new-secret",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (
        summary["valid"] is True and summary["setup"]["kind"] == "development" and summary["setup"]["unsafe"]
    )
    assert [row["asset"] for row in summary["coverage"]] == ["USDT", "BTC", "ETH"]
    epoch = epoch_from_json(json.loads((out / PUBLIC_EPOCH).read_text()))
    assert verify_epoch(epoch).valid and summary["batches"] == len(epoch.batches)
    records = [record_from_json(json.loads(line)) for line in (out / RECORDS).read_text().splitlines()]
    assert len(records) == summary["accounts"] and all(r.root(epoch.profile) == epoch.root for r in records)
    assert summary["portfolio_accounts"] == sum(r.account.portfolio for r in records) > 0
    public = json.loads(run("verify", str(out), "--json").stdout)  # (no custody proven here: invalid)
    assert public["root"] == f"0x{epoch.root:064x}" and public["batches"] == summary["batches"]
    assert not {"accounts", "option_positions", "portfolio_accounts"} & public.keys()  # the venue's own
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
    secret = tmp_path / "s"
    result = run(
        "prove",
        str(snapshot),
        "--keys",
        str(keys),
        "--out",
        str(out),
        "--secret",
        str(secret),
        "--new-secret",
    )
    assert result.returncode == 2
    assert (
        "accounts.jsonl:" in result.stderr
        and "account 1000000000/1: positions[0] (BTC-PERP)" in result.stderr
    )
    assert not out.exists() and not (tmp_path / "epoch.work").exists() and not secret.exists()


def test_a_missing_secret_is_never_made_silently(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 4)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [CLI, "prove", str(snapshot), "--keys", str(keys), "--out", "epoch", "--secret", "venue.secret"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and f"{elsewhere / 'venue.secret'}: no such secret file" in result.stderr
    assert "--new-secret" in result.stderr and not list(elsewhere.iterdir())
    (elsewhere / "venue.secret").write_text("0x1234\n")
    again = run(
        "prove",
        str(snapshot),
        "--keys",
        str(keys),
        "--out",
        str(tmp_path / "e"),
        "--secret",
        str(elsewhere / "venue.secret"),
        "--new-secret",
    )
    assert again.returncode == 2 and "exists: drop --new-secret" in again.stderr


def test_capacity_and_reserves_are_checked_before_proving(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 64)
    accounts = (snapshot / "accounts.jsonl").read_text().splitlines()
    extra = accounts[0].replace('"account_id": ', '"account_id": 9')
    (snapshot / "accounts.jsonl").write_text("\n".join([*accounts, extra]) + "\n")
    out = tmp_path / "epoch"

    def prove(secret: str) -> subprocess.CompletedProcess[str]:
        secret_file = str(tmp_path / secret)
        return run(
            "prove",
            str(snapshot),
            "--keys",
            str(keys),
            "--out",
            str(out),
            "--secret",
            secret_file,
            "--new-secret",
        )

    full = prove("s1")
    assert full.returncode == 2 and "accounts.jsonl:65: more than 64 accounts" in full.stderr, full.stderr
    (snapshot / "accounts.jsonl").write_text("\n".join(accounts[:8]) + "\n")
    market = json.loads((snapshot / "market.json").read_text())
    market["assets"][1]["reserves"] = "0.001"
    (snapshot / "market.json").write_text(json.dumps(market))
    short = prove("s2")
    assert short.returncode == 2 and "the reserves do not cover" in short.stderr, short.stderr
    assert f"{market['assets'][1]['symbol']}: reserves 0.001 are below the net liabilities" in short.stderr
    assert not out.exists() and not list((tmp_path / "epoch.work").glob("batch-*"))
    market["assets"][1]["reserves"] = "-1"
    (snapshot / "market.json").write_text(json.dumps(market))
    negative = prove("s3")
    assert negative.returncode == 2 and "reserves: -1 is negative" in negative.stderr, negative.stderr


def test_interrupted_run_leaves_no_epoch_and_a_rerun_reuses_its_proofs(keys: Path, tmp_path: Path) -> None:
    snapshot = sample(tmp_path / "snap", 24)
    out, work, secret = tmp_path / "epoch", tmp_path / "epoch.work", tmp_path / "s"
    args = prove_args(snapshot, keys, out, secret, "--workers", "1")
    secret.write_text("0xabcdef\n")
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
    secret = str(tmp_path / "s")
    result = run(
        "prove", str(snapshot), "--keys", str(keys), "--out", str(out), "--secret", secret, "--new-secret"
    )
    assert result.returncode == 1, result.stderr
    assert (
        "nothing was published" in result.stderr
        and "insurance fund: the insurance fund of 0 USD" in result.stderr
    )
    assert "proven bad debt of 5 USD" in result.stderr
    assert not out.exists()


def _workers(pid: int) -> list[int]:
    """The prover processes of `pid`: its children (Linux /proc) but multiprocessing's resource tracker."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.parametrize("stop", ["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_every_worker_and_says_how_to_resume(keys: Path, tmp_path: Path, stop: str) -> None:
    snapshot = sample(tmp_path / "snap", 40)
    out, work, secret = tmp_path / "epoch", tmp_path / "epoch.work", tmp_path / "s"
    args = prove_args(snapshot, keys, out, secret, "--workers", "2")
    process = subprocess.Popen(
        [CLI, *args, "--new-secret"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not list(work.glob("batch-*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = _workers(process.pid)
    assert len(workers) == 2
    if stop == "SIGTERM":
        process.send_signal(signal.SIGTERM)
    else:  # a terminal's Ctrl-C: SIGINT to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    expected = 143 if stop == "SIGTERM" else 130
    assert process.returncode == expected, stderr
    said = " ".join(stderr.split())
    name = "SIGTERM" if stop == "SIGTERM" else "SIGINT"
    assert f"stopped by {name}: every prover process is stopped" in said
    assert (
        f"kept in {work}" in said and "run the same command again" in said and "without --new-secret" in said
    )
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "a prover process outlived prove"
    assert not out.exists() and list(work.glob("batch-*.json"))

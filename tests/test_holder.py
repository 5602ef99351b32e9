"""The trader's holder secret and commitment: the leaf holds the commitment, files and CLI keep the secret,
snapshots carry the commitment, and the sample hands each trader their own secret."""

import csv
import dataclasses
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from zksolvency.prover.sample import sample_holder_secret, sample_venue
from zksolvency.prover.snapshot import SnapshotError, read_snapshot, write_snapshot
from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.field import HOLDER_DOMAIN, R
from zksolvency.verifier.holder import (
    HolderKeyError,
    holder_commitment,
    new_holder_secret,
    read_holder_secret,
    write_holder_secret,
)
from zksolvency.verifier.leaf import leaf_hash, leaf_preimage, nullifier
from zksolvency.verifier.poseidon import poseidon
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.statements import scope

CI = PROFILES["ci"]
CLI = str(Path(sys.executable).parent / "zksolvency")
HASH = r"0x[0-9a-f]{64}"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


def test_the_leaf_changes_when_the_holder_changes() -> None:
    """The venue cannot swap a trader's commitment after the fact without changing the leaf (and root)."""
    account = Account(7, 0, (1_000, 0, 0), (0,), holder=holder_commitment(11))
    swapped = dataclasses.replace(account, holder=holder_commitment(12))
    assert leaf_preimage(account, 5, CI)[1] == poseidon([5, account.holder])
    assert leaf_hash(account, 5, CI) != leaf_hash(swapped, 5, CI)
    assert leaf_hash(account, 5, CI) != leaf_hash(dataclasses.replace(account, holder=0), 5, CI)


def test_commitment_and_nullifier_follow_the_statement() -> None:
    assert int.from_bytes(b"zksolvency/holder", "big") == HOLDER_DOMAIN
    assert holder_commitment(11) == poseidon([HOLDER_DOMAIN, 11])
    for bad in (0, R):
        with pytest.raises(ValueError):
            holder_commitment(bad)
    account, salt = Account(7, 0, (1, 0, 0)), 99
    a, b = scope(0xA, 1), scope(0xA, 2)  # one gate address on two chains: two scopes
    assert a == 0xA + (1 << 160)
    assert nullifier(account, salt, 11, a) != nullifier(account, salt, 11, b)
    assert nullifier(account, salt, 11, a) != nullifier(account, salt, 12, a)
    with pytest.raises(ValueError):
        scope(2**160, 1)
    assert all(0 < new_holder_secret() < R for _ in range(20))


def test_padding_and_out_of_range_holders_are_refused() -> None:
    with pytest.raises(AccountError, match="padding"):
        dataclasses.replace(Account.padding(CI), holder=1).validate(CI)
    with pytest.raises(AccountError, match="account 7: holder"):
        Account(7, 0, (1, 0, 0), holder=R).validate(CI)


def test_secret_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "me.secret"
    write_holder_secret(path, 12345)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_holder_secret(path) == 12345
    with pytest.raises(HolderKeyError, match="never overwritten"):
        write_holder_secret(path, 1)
    assert read_holder_secret(path) == 12345
    for content in ("12345", "0x" + "f" * 64, "0x" + "0" * 64, ""):
        path.with_suffix(".bad").write_text(content)
        with pytest.raises(HolderKeyError, match=r"me\.bad: not a holder secret"):
            read_holder_secret(path.with_suffix(".bad"))
    with pytest.raises(HolderKeyError, match=r"missing\.secret"):
        read_holder_secret(tmp_path / "missing.secret")


def test_holder_key_new_and_show(tmp_path: Path) -> None:
    out = tmp_path / "me.secret"
    made = run("holder-key", "new", "--out", out, "--json")
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert set(report) == {"secret_file", "holder"} and report["secret_file"] == str(out)
    assert report["holder"] == f"0x{holder_commitment(read_holder_secret(out)):064x}"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    shown = run("holder-key", "show", out, "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout) == report
    text = run("holder-key", "show", out).stdout
    assert report["holder"] in text and read_holder_secret(out).to_bytes(32, "big").hex() not in text
    again = run("holder-key", "new", "--out", out)
    assert again.returncode == 2 and str(out) in again.stderr and "never overwritten" in again.stderr
    assert json.loads(run("holder-key", "show", out, "--json").stdout) == report  # the secret is kept
    (tmp_path / "bad.secret").write_text("hello")
    bad = run("holder-key", "show", tmp_path / "bad.secret")
    assert bad.returncode == 2 and "bad.secret" in bad.stderr


def test_snapshot_holders_in_jsonl_and_csv(tmp_path: Path) -> None:
    venue = sample_venue(6, seed=4, profile=CI)
    first = venue.accounts[0]
    assert first.holder == holder_commitment(sample_holder_secret(4, first.account_id))
    unregistered = dataclasses.replace(
        venue, accounts=[dataclasses.replace(first, holder=0), *venue.accounts[1:]]
    )
    for fmt in ("jsonl", "csv"):
        folder = tmp_path / fmt
        write_snapshot(folder, unregistered, fmt)
        assert read_snapshot(folder, CI).accounts == unregistered.accounts
    path = tmp_path / "jsonl" / "accounts.jsonl"
    row = json.loads(path.read_text().splitlines()[1])
    for value, why in (
        ("0x12", "holder: expected the trader's holder commitment: 0x and 64 hex digits"),
        (12, "holder: expected the trader's holder commitment"),
        (f"0x{R:064x}", "not a field element"),
    ):
        path.write_text(json.dumps(dict(row, holder=value)) + "\n")
        with pytest.raises(SnapshotError) as error:
            read_snapshot(tmp_path / "jsonl", CI)
        assert f"{path}:1: account {row['account_id']}: " in str(error.value) and why in str(error.value)
    path = tmp_path / "csv" / "accounts.csv"
    with path.open() as f:
        rows = list(csv.reader(f))
    assert rows[0][2] == "holder" and rows[1][2] == "" and rows[2][2].startswith("0x")
    rows[2][2] = "0xZZ"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(SnapshotError, match=rf"accounts.csv:3: account {rows[2][0]}: holder: expected"):
        read_snapshot(tmp_path / "csv", CI)


def test_sample_writes_each_traders_own_secret(tmp_path: Path) -> None:
    out = tmp_path / "snapshot"
    result = run("sample", out, "--accounts", "5", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "traders" in result.stderr and "UNSAFE" in result.stderr
    snapshot = read_snapshot(out, CI)
    traders = out / "traders"
    assert "UNSAFE" in (traders / "README.txt").read_text()
    assert sorted(p.name for p in traders.glob("*.secret")) == sorted(
        {f"{a.account_id}.secret" for a in snapshot.accounts}
    )
    for account in snapshot.accounts:
        secret = traders / f"{account.account_id}.secret"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert holder_commitment(read_holder_secret(secret)) == account.holder

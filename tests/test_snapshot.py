"""Snapshot files: exact decimal conversion, and bad input named by file, line, account and field."""

import json
from pathlib import Path

import pytest

from zksolvency.prover.epoch import check_snapshot
from zksolvency.prover.sample import sample_venue
from zksolvency.prover.snapshot import SnapshotError, read_snapshot, write_snapshot
from zksolvency.verifier.amounts import format_scaled, parse_scaled
from zksolvency.verifier.profiles import PROFILES

CI = PROFILES["ci"]


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    write_snapshot(tmp_path, sample_venue(12, seed=4, profile=CI))
    return tmp_path


def append(folder: Path, row: dict) -> int:
    path = folder / "accounts.jsonl"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, json.dumps(row)]) + "\n")
    return len(lines) + 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_sample_snapshot_round_trips(tmp_path: Path, fmt: str) -> None:
    venue = sample_venue(40, seed=9, profile=CI)
    write_snapshot(tmp_path, venue, fmt)
    read = read_snapshot(tmp_path, CI)
    assert (read.params, read.reserves, read.accounts) == (venue.params, venue.reserves, venue.accounts)


def test_decimals_are_exact() -> None:
    assert parse_scaled("0.00000001", 10**8) == 1
    assert parse_scaled("-540000", 10**8) == -540000 * 10**8
    assert format_scaled(-54_000_000_000_001, 10**8) == "-540000.00000001"
    with pytest.raises(ValueError, match="more decimals"):
        parse_scaled("0.000000001", 10**8)
    with pytest.raises(ValueError, match="not a decimal number"):
        parse_scaled("1e3", 10**8)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"account_id": 999999, "balances": {"DOGE": "1"}}, r"account 999999: balances.DOGE: unknown asset"),
        (
            {"account_id": 999999, "balances": {"BTC": "0.123456789"}},
            r"account 999999: balances.BTC: .*more decimals",
        ),
        (
            {"account_id": 999999, "balances": {"BTC": "184467440737.09551616"}},
            r"account 999999: balances\[1\].*2\^64",
        ),
        (
            {"account_id": 999999, "positions": {"BTC-PERP": 5}},
            r"account 999999: positions.BTC-PERP: .*not a decimal",
        ),
        ({"account_id": 999999, "balance": {}}, r"account 999999: balance: Extra inputs"),
        ({"account_id": 2**48}, r"account 281474976710656: account_id must be"),
    ],
)
def test_bad_rows_are_located(snapshot: Path, row: dict, message: str) -> None:
    line = append(snapshot, row)
    with pytest.raises(SnapshotError, match=rf"accounts.jsonl:{line}: .*{message}"):
        read_snapshot(snapshot, CI)


def test_malformed_line_is_located(snapshot: Path) -> None:
    path = snapshot / "accounts.jsonl"
    path.write_text(path.read_text() + "{not json\n")
    lines = len(path.read_text().splitlines())
    with pytest.raises(SnapshotError, match=rf"accounts.jsonl:{lines}: not JSON"):
        read_snapshot(snapshot, CI)


def test_duplicate_account_names_both_lines(snapshot: Path) -> None:
    first = json.loads((snapshot / "accounts.jsonl").read_text().splitlines()[0])
    line = append(snapshot, first)
    with pytest.raises(
        SnapshotError, match=rf"accounts.jsonl:{line}: account {first['account_id']}: duplicate of line 1"
    ):
        read_snapshot(snapshot, CI)


def test_bad_market_file_names_the_field(snapshot: Path) -> None:
    market = json.loads((snapshot / "market.json").read_text())
    market["assets"][1]["tiers"][1]["rate"] = "100.5"
    (snapshot / "market.json").write_text(json.dumps(market))
    with pytest.raises(SnapshotError, match=r"market.json: assets\[1\] \(BTC\)\.tiers\[1\]\.rate"):
        read_snapshot(snapshot, CI)
    market["assets"][1]["price"] = 61250
    (snapshot / "market.json").write_text(json.dumps(market))
    with pytest.raises(SnapshotError, match=r"market.json: assets.1.price: Value error"):
        read_snapshot(snapshot, CI)


def test_liquidatable_and_bankrupt_accounts_are_accepted(snapshot: Path) -> None:
    append(snapshot, {"account_id": 999990, "balances": {"USDT": "-0.00000001"}})
    venue = read_snapshot(snapshot, CI)
    check_snapshot(venue.params, venue.accounts, CI, venue.origin)


def test_a_market_in_two_records_of_one_account_is_refused(snapshot: Path) -> None:
    append(snapshot, {"account_id": 999990, "positions": {"BTC-PERP": "1"}})
    line = append(snapshot, {"account_id": 999990, "subaccount": 1, "positions": {"BTC-PERP": "1"}})
    venue = read_snapshot(snapshot, CI)
    message = (
        rf"accounts.jsonl:{line}: account 999990/1: positions\[0\] \(BTC-PERP\) is also held by subaccount 0"
    )
    with pytest.raises(SnapshotError, match=message):
        check_snapshot(venue.params, venue.accounts, CI, venue.origin)


def test_an_isolated_subaccount_with_a_tiered_asset_is_refused(snapshot: Path) -> None:
    line = append(snapshot, {"account_id": 999990, "subaccount": 2, "balances": {"BTC": "1"}})
    with pytest.raises(
        SnapshotError, match=rf"accounts.jsonl:{line}: account 999990/2: balances\[1\] is not"
    ):
        read_snapshot(snapshot, CI)

"""Snapshot files: exact decimal conversion, and bad input named by file, line, account and field."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from zksolvency.prover.epoch import check_snapshot
from zksolvency.prover.sample import sample_venue
from zksolvency.prover.snapshot import SnapshotError, read_market, read_snapshot, write_snapshot
from zksolvency.verifier.amounts import format_scaled, parse_scaled
from zksolvency.verifier.params import EpochParams, ParamsError
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


def test_option_positions_are_read_from_jsonl_and_csv(tmp_path: Path) -> None:
    venue = sample_venue(12, seed=4, profile=CI)
    for fmt in ("jsonl", "csv"):
        write_snapshot(tmp_path / fmt, venue, fmt)
        read = read_snapshot(tmp_path / fmt, CI)
        held = {(a.account_id, a.options) for a in read.accounts if any(a.options)}
        assert held == {(a.account_id, a.options) for a in venue.accounts if any(a.options)}
        assert len(held) == 5 and sum(a.portfolio for a in read.accounts) == 2  # 3 standard, the desk's 2
        assert read.params.options == venue.params.options and read.params.time == venue.params.time


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
            r"account 999999: balances.BTC: 0.123456789: at most 8 decimals in units of the asset",
        ),
        (
            {"account_id": 999999, "balances": {"BTC": "184467440737.09551616"}},
            r"account 999999: balances.BTC: 184467440737.09551616: out of range, at most "
            r"184467440737.09551615 units of the asset",
        ),
        (
            {"account_id": 999999, "positions": {"BTC-PERP": 5}},
            r"account 999999: positions.BTC-PERP: expected a decimal number in units of the asset",
        ),
        ({"account_id": 999999, "balance": {}}, r"account 999999: balance: Extra inputs"),
        ({"account_id": 2**48}, r"account 281474976710656: account_id must be"),
        (
            {"account_id": 999999, "options": {"BTC-PERP": "1"}},
            r"account 999999: options.BTC-PERP: unknown option",
        ),
        (
            {"account_id": 999999, "subaccount": 1, "options": {"BTC-25DEC26-61200-C": "-1"}},
            r"account 999999/1: options\[0\] is not 0: options are held by the cross account",
        ),
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
    with pytest.raises(SnapshotError, match=r"market.json: assets.1.price: expected a decimal number in USD"):
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


def _write_market(folder: Path, change: Callable[[dict], None]) -> None:
    market = json.loads((folder / "market.json").read_text())
    change(market)
    (folder / "market.json").write_text(json.dumps(market))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda m: m["assets"][1]["tiers"][1].update(rate="100.5"),
            r"assets\[1\] \(BTC\)\.tiers\[1\]\.rate: must be a percentage from 0 to 100",
        ),
        (
            lambda m: m["markets"][0]["brackets"][1].update(mmr="101"),
            r"markets\[0\] \(BTC-PERP\)\.brackets\[1\]\.mmr: must be a percentage from 0 to 100",
        ),
        (
            lambda m: m["assets"][1]["tiers"][1].update({"from": "0"}),
            r"assets\[1\] \(BTC\)\.tiers\[1\]\.from: must be above the previous row's from",
        ),
        (lambda m: m["assets"][1].update(price="0"), r"assets\[1\] \(BTC\)\.price: must be above 0"),
        (
            lambda m: m["assets"][1].update(price="1.123456789"),
            r"assets.1.price: 1.123456789: at most 8 decimals in USD",
        ),
        (
            lambda m: m["markets"][0]["brackets"][1].update(imr="0.1"),
            r"markets\[0\] \(BTC-PERP\)\.brackets\[1\]\.imr: must be an initial margin rate at least the "
            "maintenance rate",
        ),
        (
            lambda m: m["options"][0].update(expiry="2026-11-28T07:59:59Z"),
            r"options\[0\] \(BTC-25DEC26-61200-C\)\.expiry: must be after the snapshot time",
        ),
        (lambda m: m["options"][0].update(type="future"), r"options.0.type: String should match pattern"),
        (
            lambda m: m["options"][0].update(underlying="USDT"),
            r"options\[0\].*\.underlying: must be an asset",
        ),
        (lambda m: m["options"][0].update(strike="0"), r"options\[0\].*\.strike: must be above 0"),
        (lambda m: m.update(time="2026-11-28T08:00:00+01:00"), r"time: .*give the time in UTC"),
        (lambda m: m.pop("time"), r"time: must be the snapshot time"),
        (lambda m: m["option_margin"].update(mm="12"), r"option_margin: must be 0 <= mm <= im_min"),
    ],
)
def test_market_errors_use_the_documented_names_and_units(
    snapshot: Path, change: Callable[[dict], None], message: str
) -> None:
    _write_market(snapshot, change)
    with pytest.raises(SnapshotError, match=message) as caught:
        read_snapshot(snapshot, CI)
    assert "ppm" not in str(caught.value) and ".floor" not in str(caught.value)


@pytest.fixture
def csv_snapshot(tmp_path: Path) -> Path:
    write_snapshot(tmp_path, sample_venue(12, seed=4, profile=CI), "csv")
    return tmp_path


def test_csv_from_a_spreadsheet_with_bom_and_trailing_blank_lines(csv_snapshot: Path) -> None:
    path = csv_snapshot / "accounts.csv"
    expected = read_snapshot(csv_snapshot, CI).accounts
    text = path.read_text()
    empty_row = "," * text.splitlines()[0].count(",")
    exported = "\ufeff" + text.replace("\n", "\r\n") + "\r\n\r\n" + empty_row + "\r\n"
    path.write_bytes(exported.encode())
    assert read_snapshot(csv_snapshot, CI).accounts == expected


def test_csv_unknown_column_is_named_on_the_header(csv_snapshot: Path) -> None:
    path = csv_snapshot / "accounts.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0] + ",DOGE", *(line + "," for line in lines[1:])]) + "\n")
    with pytest.raises(SnapshotError, match=r"accounts.csv:1: column 'DOGE': not an asset, market or option"):
        read_snapshot(csv_snapshot, CI)
    path.write_text("\n".join([lines[0] + ",BTC", *(line + "," for line in lines[1:])]) + "\n")
    with pytest.raises(SnapshotError, match=r"accounts.csv:1: column 'BTC' appears twice"):
        read_snapshot(csv_snapshot, CI)


def documented_market(tmp_path: Path, edit: Callable[[str], str] = lambda text: text) -> EpochParams:
    """The market.json example of docs/snapshot.md, through `edit`, read back as parameters."""
    text = (Path(__file__).parents[1] / "docs" / "snapshot.md").read_text()
    example = re.search(r"```json\n(\{.*?\n\})\n```", text, re.S)
    assert example is not None
    (tmp_path / "market.json").write_text(edit(example.group(1)))
    return read_market(tmp_path / "market.json").params()


def test_the_market_json_of_docs_snapshot_md_is_valid(tmp_path: Path) -> None:
    """The documented example passes every rule (its iv is its mark's implied volatility, its perpetual
    tracks its underlying), so a reader can start from it."""
    params = documented_market(tmp_path)
    params.validate(PROFILES["reference"])
    assert params.options[0].iv == 591_841 and params.markets[0].underlying == "BTC"


def test_an_iv_that_is_not_the_marks_own_is_refused_with_the_iv_that_fits(tmp_path: Path) -> None:
    params = documented_market(tmp_path, lambda text: text.replace('"iv": "59.1841"', '"iv": "55"'))
    with pytest.raises(ParamsError) as refused:
        params.validate(PROFILES["reference"])
    said = str(refused.value)
    assert said.startswith("options[0] (BTC-25DEC26-70000-C).iv: must be the mark's implied volatility")
    assert "iv 55% gives 995.31617411 USD against the mark 1200 (an iv of 59.1841% fits it)" in said

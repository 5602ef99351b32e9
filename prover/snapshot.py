"""Reading a venue's snapshot: the market file and the accounts, validated, with errors that say where.

Formats are in docs/snapshot.md. Amounts are decimal strings, converted exactly to the statement's
integer scales (more digits than a scale holds is an error, never a rounding). Accounts are read one
line at a time (JSON Lines or CSV); every error names the file, the line, the account and the field.
"""

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.amounts import format_scaled, parse_scaled
from zksolvency.verifier.field import AMOUNT_BITS, PPM, PRICE_SCALE, QUANTA_PER_UNIT, R
from zksolvency.verifier.params import (
    CALL,
    PUT,
    Asset,
    Bracket,
    CollateralTier,
    EpochParams,
    OptionMargin,
    OptionSeries,
    ParamsError,
    PerpMarket,
    PortfolioRules,
)
from zksolvency.verifier.profiles import Profile
from zksolvency.verifier.vocabulary import PORTFOLIO, STANDARD, field_hex

MARKET_FILE = "market.json"
ACCOUNT_FILES = ("accounts.jsonl", "accounts.csv")


class SnapshotError(ValueError):
    """A snapshot that cannot be proven; the message says where (file, line, account, field) and why."""


def _decimal(scale: int, unit: str) -> Any:
    """A decimal string read exactly at `scale`; the error speaks of the documented unit."""
    digits = len(str(scale)) - 1

    def parse(value: Any) -> int:
        try:
            scaled = parse_scaled(value, scale)
        except ValueError:
            if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
                raise ValueError(f"{value}: at most {digits} decimals in {unit}") from None
            raise ValueError(
                f'expected a decimal number in {unit} written as a string (like "12.5")'
            ) from None
        if abs(scaled) >= 2**AMOUNT_BITS:
            raise ValueError(
                f"{value}: out of range, at most {format_scaled(2**AMOUNT_BITS - 1, scale)} {unit}"
            )
        return scaled

    return BeforeValidator(parse)


def _holder(value: Any) -> int:
    """A holder commitment: 0x and 64 hex digits, a field element."""
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
        raise ValueError("expected the trader's holder commitment: 0x and 64 hex digits")
    if int(value, 16) >= R:
        raise ValueError(f"{value}: not a field element (at least the BN254 scalar order)")
    return int(value, 16)


Units = Annotated[int, _decimal(QUANTA_PER_UNIT, "units of the asset")]
Holder = Annotated[int, BeforeValidator(_holder)]
#: The optional CSV column of the holder commitment (docs/snapshot.md).
HOLDER_COLUMN = "holder"
#: The optional accounts column (and JSON Lines field) naming an account's margin regime.
MARGIN_COLUMN = "margin"
Usd = Annotated[int, _decimal(PRICE_SCALE, "USD")]
Percent = Annotated[int, _decimal(PPM // 100, "percent")]
#: The largest amount a field holds, in units (2^64 quanta); prices and USD floors are the same number.
MAX_UNITS = format_scaled(2**64 - 1, QUANTA_PER_UNIT)
#: The verifier's parameter rules name scaled fields; the market file's documented names and units.
_DOCUMENTED = (
    (re.compile(r"\.(tiers|brackets)\[(\d+)\]\.floor"), r".\1[\2].from"),
    (re.compile(r"\.brackets\[(\d+)\]\.rate"), r".brackets[\1].mmr"),
    (re.compile(r"a rate in ppm, 0\.\.\d+"), "a percentage from 0 to 100"),
    (re.compile(r"1 <= (price|mark|strike) < 2\^64"), f"above 0 and at most {MAX_UNITS} USD"),
    (re.compile(r"0 <= mark < 2\^64"), f"at least 0 and at most {MAX_UNITS} USD"),
    (re.compile(r"0 <= mm <= im_min <= im_max <= 100%"), "0 <= mm <= im_min <= im_max <= 100 (percent)"),
    (
        re.compile(r"above the previous floor and below 2\^64"),
        f"above the previous row's from, at most {MAX_UNITS}",
    ),
)


def _documented(message: str) -> str:
    """A parameter error in the market file's terms: `from`, `rate`/`mmr` in percent, prices in USD."""
    for pattern, replacement in _DOCUMENTED:
        message = pattern.sub(replacement, message)
    return message


_STRICT = ConfigDict(extra="forbid", frozen=True)


class TierSpec(BaseModel):
    """From `from_` units of the asset on, each further unit counts `rate` percent of its value."""

    model_config = _STRICT
    from_: Units = Field(alias="from")
    rate: Percent


class AssetSpec(BaseModel):
    """An asset: price in USD per unit, reserves and the insurance fund's holding in units, progressive
    collateral tiers."""

    model_config = _STRICT
    symbol: str = Field(min_length=1, max_length=31)
    price: Usd
    reserves: Units
    insurance: Units = 0
    tiers: list[TierSpec] = Field(min_length=1)


class BracketSpec(BaseModel):
    """From a notional of `from_` USD on, the maintenance margin rate is `mmr` percent and the initial
    margin rate `imr` percent (default: twice mmr, at most 100)."""

    model_config = _STRICT
    from_: Usd = Field(alias="from")
    mmr: Percent
    imr: Percent | None = None


def _utc(value: Any) -> int:
    """An ISO 8601 UTC time ("2026-11-28T08:00:00Z") as Unix seconds."""
    if not isinstance(value, str):
        raise ValueError('expected a UTC time written as a string (like "2026-11-28T08:00:00Z")')
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f'{value}: not an ISO 8601 time (like "2026-11-28T08:00:00Z")') from None
    if moment.utcoffset() is None or moment.utcoffset().total_seconds() != 0:
        raise ValueError(f"{value}: give the time in UTC, ending in Z")
    return int(moment.timestamp())


def utc_text(seconds: int) -> str:
    """Unix seconds as the market file writes a time."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Utc = Annotated[int, BeforeValidator(_utc)]


class OptionSpec(BaseModel):
    """A European option series on an asset of the epoch, USD-margined and settled in the first asset."""

    model_config = _STRICT
    symbol: str = Field(min_length=1, max_length=31)
    underlying: str
    strike: Usd
    expiry: Utc
    type: str = Field(pattern=f"^({CALL}|{PUT})$")
    mark: Usd
    iv: Percent


class OptionMarginSpec(BaseModel):
    """Standard-account option margin, percent of the underlying price (Deribit's by default)."""

    model_config = _STRICT
    im_max: Percent = OptionMargin.im_max
    im_min: Percent = OptionMargin.im_min
    mm: Percent = OptionMargin.mm


class MarketSpec(BaseModel):
    """A linear perpetual quoted and settled in the first asset, marked at `mark` USD per unit."""

    model_config = _STRICT
    symbol: str = Field(min_length=1, max_length=31)
    underlying: str | None = None
    mark: Usd
    brackets: list[BracketSpec] = Field(min_length=1)


class PortfolioSpec(BaseModel):
    """Portfolio margin: the public eligibility rule, a minimum haircut equity in USD. The scenario grid
    is Deribit's (docs/risk-arrays.md)."""

    model_config = _STRICT
    min_equity: Usd = PortfolioRules.min_equity


class MarketFile(BaseModel):
    """The epoch's market file: the settlement asset first."""

    model_config = _STRICT
    epoch_id: int = Field(ge=0, lt=2**64)
    assets: list[AssetSpec] = Field(min_length=1)
    markets: list[MarketSpec] = []
    time: Utc | None = None
    options: list[OptionSpec] = []
    option_margin: OptionMarginSpec = OptionMarginSpec()
    portfolio: PortfolioSpec = PortfolioSpec()

    def params(self) -> EpochParams:
        """The epoch parameters at the statement's scales."""
        rates = self.option_margin
        return EpochParams(
            tuple(
                Asset(a.symbol, a.price, tuple(CollateralTier(t.from_, t.rate) for t in a.tiers), a.insurance)
                for a in self.assets
            ),
            tuple(
                PerpMarket(
                    m.symbol, m.mark, tuple(Bracket(b.from_, b.mmr, b.imr) for b in m.brackets), m.underlying
                )
                for m in self.markets
            ),
            tuple(
                OptionSeries(o.symbol, o.underlying, o.strike, o.expiry, o.type, o.mark, o.iv)
                for o in self.options
            ),
            OptionMargin(rates.im_max, rates.im_min, rates.mm),
            self.time or 0,
            PortfolioRules(self.portfolio.min_equity),
        )


class AccountRow(BaseModel):
    """One account line: amounts in units by symbol; a symbol left out holds 0."""

    model_config = _STRICT
    account_id: int
    subaccount: int = 0
    holder: Holder = 0
    margin: str = Field(STANDARD, pattern=f"^({STANDARD}|{PORTFOLIO})$")
    balances: dict[str, Units] = {}
    positions: dict[str, Units] = {}
    options: dict[str, Units] = {}


@dataclass(frozen=True)
class Snapshot:
    """A validated snapshot, accounts sorted by key; `origin` maps a key to the "file:line" it came from."""

    epoch_id: int
    params: EpochParams
    reserves: tuple[int, ...]
    accounts: list[Account]
    origin: dict[int, str] = field(default_factory=dict)


def _where_pydantic(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(line)"
    return f"{field}: {first['msg'].removeprefix('Value error, ')}"


def read_market(path: Path) -> MarketFile:
    """Parse and validate the market file."""
    try:
        return MarketFile.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except ValidationError as exc:
        raise SnapshotError(f"{path}: {_where_pydantic(exc)}") from None


def _csv_header(path: Path, header: list[str] | None, symbols: set[str]) -> list[str]:
    """The CSV header, checked: account_id, subaccount, then known asset, market or series symbols (and
    optionally the holder column), once each."""
    if not header or header[:2] != ["account_id", "subaccount"]:
        raise SnapshotError(f"{path}:1: the header must start with account_id,subaccount")
    for column in header[2:]:
        if column not in symbols and column not in (HOLDER_COLUMN, MARGIN_COLUMN):
            raise SnapshotError(
                f"{path}:1: column {column!r}: not an asset, market or option symbol of market.json "
                f"(known: {', '.join(sorted(symbols))})"
            )
        if header.count(column) > 1:
            raise SnapshotError(f"{path}:1: column {column!r} appears twice")
    return header


def _rows(path: Path, symbols: set[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw row) for each account line, JSON Lines or CSV by suffix; blank lines skipped.

    A UTF-8 byte-order mark (as spreadsheets export) is read as nothing.
    """
    with path.open(newline="", encoding="utf-8-sig") as f:
        if path.suffix == ".csv":
            reader = csv.reader(f)
            header = _csv_header(path, next(reader, None), symbols)
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line, or a spreadsheet's row of empty cells
                if len(cells) != len(header):
                    raise SnapshotError(f"{path}:{number}: {len(cells)} cells, the header has {len(header)}")
                yield (
                    number,
                    {
                        "account_id": cells[0],
                        "subaccount": cells[1] or 0,
                        "amounts": dict(zip(header[2:], cells[2:], strict=True)),
                    },
                )
        else:
            for number, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise SnapshotError(f"{path}:{number}: not JSON: {exc.msg}") from None


def read_accounts(path: Path, params: EpochParams, profile: Profile) -> tuple[list[Account], dict[int, str]]:
    """Stream the accounts file; every account validated; sorted by key; duplicates refused.

    Returns the accounts and, for each key, the "file:line" it came from.
    """
    assets = {a.symbol: i for i, a in enumerate(params.assets)}
    markets = {m.symbol: i for i, m in enumerate(params.markets)}
    series = {o.symbol: i for i, o in enumerate(params.options)}
    seen: dict[int, int] = {}
    regimes: dict[int, tuple[str, int]] = {}
    accounts = []
    for number, raw in _rows(path, {*assets, *markets, *series}):
        if len(accounts) == profile.capacity:  # stop reading: a huge file is refused at its first extra line
            raise SnapshotError(
                f"{path}:{number}: more than {profile.capacity} accounts, "
                f"the capacity of profile {profile.name}"
            )
        if "amounts" in raw:  # CSV: split the symbol columns into balances and positions, skipping blanks
            amounts = {k: v for k, v in raw.pop("amounts").items() if v != ""}
            for column in (HOLDER_COLUMN, MARGIN_COLUMN):
                if column in amounts:
                    raw[column] = amounts.pop(column)
            raw["balances"] = {k: v for k, v in amounts.items() if k in assets}
            raw["positions"] = {k: v for k, v in amounts.items() if k in markets}
            raw["options"] = {k: v for k, v in amounts.items() if k in series}
        label = (
            f"{path}:{number}: account {raw.get('account_id', '?')}"
            if isinstance(raw, dict)
            else f"{path}:{number}"
        )
        try:
            row = AccountRow.model_validate(raw)
        except ValidationError as exc:
            raise SnapshotError(f"{label}: {_where_pydantic(exc)}") from None
        tables = (
            ("balances", row.balances, assets, "asset"),
            ("positions", row.positions, markets, "market"),
            ("options", row.options, series, "option series"),
        )
        for kind, table, known, noun in tables:
            for symbol in table:
                if symbol not in known:
                    raise SnapshotError(f"{label}: {kind}.{symbol}: unknown {noun}")
        held = []
        for _, table, known, _ in tables:
            amounts = [0] * len(known)
            for symbol, amount in table.items():
                amounts[known[symbol]] = amount
            held.append(tuple(amounts))
        account = Account(
            row.account_id, row.subaccount, *held, holder=row.holder, portfolio=row.margin == PORTFOLIO
        )
        try:
            account.validate(profile)
        except AccountError as exc:
            raise SnapshotError(f"{path}:{number}: {exc}") from None
        other = regimes.setdefault(account.account_id, (row.margin, number))
        if other[0] != row.margin:
            raise SnapshotError(
                f"{label}: margin: {row.margin}, but line {other[1]} holds the same account as {other[0]}: "
                "an account is margined under one regime"
            )
        if account.key in seen:
            raise SnapshotError(
                f"{label}: duplicate of line {seen[account.key]} (same account_id and subaccount)"
            )
        seen[account.key] = number
        accounts.append(account)
    accounts.sort(key=lambda a: a.key)
    return accounts, {key: f"{path}:{number}" for key, number in seen.items()}


def accounts_file(folder: Path) -> Path:
    """The accounts file of a snapshot folder (accounts.jsonl or accounts.csv)."""
    found = [folder / name for name in ACCOUNT_FILES if (folder / name).exists()]
    if len(found) != 1:
        raise SnapshotError(f"{folder}: expected exactly one of {', '.join(ACCOUNT_FILES)}")
    return found[0]


def read_snapshot(folder: Path, profile: Profile) -> Snapshot:
    """Read and validate a snapshot folder: market.json and the accounts file."""
    market = read_market(folder / MARKET_FILE)
    params = market.params()
    try:
        params.validate(profile)
    except ParamsError as exc:
        raise SnapshotError(f"{folder / MARKET_FILE}: {_documented(str(exc))}") from None
    for asset in market.assets:
        for name in ("reserves", "insurance"):
            amount = getattr(asset, name)
            if amount < 0:
                raise SnapshotError(
                    f"{folder / MARKET_FILE}: assets.{asset.symbol}.{name}: "
                    f"{format_scaled(amount, QUANTA_PER_UNIT)} is negative"
                )
    accounts, origin = read_accounts(accounts_file(folder), params, profile)
    return Snapshot(market.epoch_id, params, tuple(a.reserves for a in market.assets), accounts, origin)


def market_document(epoch_id: int, params: EpochParams, reserves: tuple[int, ...]) -> dict[str, Any]:
    """The market file of `params` and `reserves`, amounts as decimal strings (inverse of read_market)."""
    percent = PPM // 100
    document: dict[str, Any] = {
        "epoch_id": epoch_id,
        "assets": [
            {
                "symbol": a.symbol,
                "price": format_scaled(a.price, PRICE_SCALE),
                "reserves": format_scaled(r, QUANTA_PER_UNIT),
                "insurance": format_scaled(a.insurance, QUANTA_PER_UNIT),
                "tiers": [
                    {"from": format_scaled(t.floor, QUANTA_PER_UNIT), "rate": format_scaled(t.rate, percent)}
                    for t in a.tiers
                ],
            }
            for a, r in zip(params.assets, reserves, strict=True)
        ],
        "markets": [
            {
                "symbol": m.symbol,
                **({"underlying": m.underlying} if m.underlying else {}),
                "mark": format_scaled(m.mark, PRICE_SCALE),
                "brackets": [
                    {"from": format_scaled(b.floor, PRICE_SCALE), "mmr": format_scaled(b.rate, percent)}
                    | ({} if b.initial is None else {"imr": format_scaled(b.initial, percent)})
                    for b in m.brackets
                ],
            }
            for m in params.markets
        ],
    }
    if params.portfolio != PortfolioRules():
        document["portfolio"] = {"min_equity": format_scaled(params.portfolio.min_equity, PRICE_SCALE)}
    if params.options:
        rates = params.option_margin
        document["time"] = utc_text(params.time)
        document["option_margin"] = {
            k: format_scaled(getattr(rates, k), percent) for k in ("im_max", "im_min", "mm")
        }
        document["options"] = [
            {
                "symbol": o.symbol,
                "underlying": o.underlying,
                "strike": format_scaled(o.strike, PRICE_SCALE),
                "expiry": utc_text(o.expiry),
                "type": o.kind,
                "mark": format_scaled(o.mark, PRICE_SCALE),
                "iv": format_scaled(o.iv, percent),
            }
            for o in params.options
        ]
    return document


def write_snapshot(folder: Path, snapshot: Snapshot, fmt: str = "jsonl") -> None:
    """Write `snapshot` as market.json and accounts.jsonl (or accounts.csv with fmt="csv")."""
    folder.mkdir(parents=True, exist_ok=True)
    document = market_document(snapshot.epoch_id, snapshot.params, snapshot.reserves)
    (folder / MARKET_FILE).write_text(json.dumps(document, indent=2) + "\n")
    assets = [a.symbol for a in snapshot.params.assets]
    markets = [m.symbol for m in snapshot.params.markets]
    series = [o.symbol for o in snapshot.params.options]

    def units(v: int) -> str:
        return format_scaled(v, QUANTA_PER_UNIT)

    if fmt == "csv":
        with (folder / "accounts.csv").open("w", newline="") as f:
            writer = csv.writer(f)
            header = ["account_id", "subaccount", HOLDER_COLUMN, MARGIN_COLUMN, *assets, *markets, *series]
            writer.writerow(header)
            for a in snapshot.accounts:
                held = (*a.balances, *a.positions, *a.options)
                cells = [units(v) if v else "" for v in held] + [""] * (
                    len(assets + markets + series) - len(held)
                )
                holder = field_hex(a.holder) if a.holder else ""
                margin = PORTFOLIO if a.portfolio else ""
                writer.writerow([a.account_id, a.subaccount, holder, margin, *cells])
    elif fmt == "jsonl":
        with (folder / "accounts.jsonl").open("w") as f:
            for a in snapshot.accounts:
                row = {
                    "account_id": a.account_id,
                    "subaccount": a.subaccount,
                    **({"holder": field_hex(a.holder)} if a.holder else {}),
                    **({MARGIN_COLUMN: PORTFOLIO} if a.portfolio else {}),
                    "balances": {s: units(v) for s, v in zip(assets, a.balances, strict=True) if v},
                    "positions": {s: units(v) for s, v in zip(markets, a.positions, strict=True) if v},
                }
                if any(a.options):
                    row["options"] = {s: units(v) for s, v in zip(series, a.options, strict=False) if v}
                f.write(json.dumps(row) + "\n")
    else:
        raise ValueError(f"unknown accounts format {fmt!r}: jsonl or csv")

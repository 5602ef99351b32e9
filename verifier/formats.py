"""JSON forms of what zksolvency publishes and hands out: the public epoch and a trader's record.

Integers that may pass 2^53 (amounts, field elements) are decimal strings, as in snarkjs files.
Readers raise FormatError naming the field that is missing or malformed.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .account import Account
from .ceremonies import CeremonyReference, is_sha256
from .epoch import BatchProof, Epoch
from .groth16 import MalformedProof, Proof, UnreadableProof, key_hash
from .params import (
    Asset,
    Bracket,
    CollateralTier,
    EpochParams,
    OptionMargin,
    OptionSeries,
    PerpMarket,
    PortfolioRules,
)
from .profiles import Profile
from .records import InclusionRecord
from .state import ChainState
from .statements import BatchStatement
from .tree import MerklePath
from .vocabulary import PORTFOLIO, STANDARD

#: An epoch folder: the public document, the trader's margin-proof kit, the private records.
PUBLIC_EPOCH = Path("public") / "epoch.json"
MARGIN_KIT = Path("public") / "margin"
RECORDS = Path("private") / "records.jsonl"

EPOCH_FORMAT = "zksolvency-epoch/1"
RECORD_FORMAT = "zksolvency-record/1"

T = TypeVar("T")
Json = dict[str, Any]


class FormatError(ValueError):
    """A document that does not have the expected form; the message names the field."""


def _nums(values: Any) -> list[str]:
    return [str(v) for v in values]


def _read(doc: Any, path: str, convert: Callable[[Any], T]) -> T:
    node = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise FormatError(f"{path}: missing")
        node = node[part]
    try:
        return convert(node)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise FormatError(f"{path}: {exc}") from None


def _margin(value: Any) -> bool:
    """An account's margin regime, "standard" or "portfolio": True for a portfolio account."""
    if value not in (STANDARD, PORTFOLIO):
        raise ValueError(f'expected "{STANDARD}" or "{PORTFOLIO}"')
    return value == PORTFOLIO


def _int(value: Any) -> int:
    """An integer: a JSON number, or a string of decimal (or 0x hex) digits. Errors name the kind of
    value, never the value: a service that reads uploads must not echo them."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected an integer, got a {type(value).__name__}")
    if isinstance(value, int):
        return value
    try:
        return int(value, 0)
    except ValueError:
        raise ValueError("expected an integer: a string of decimal digits (or 0x and hex digits)") from None


def _object(value: Any) -> Json:
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def _ints(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list of integers")
    return tuple(_int(v) for v in value)


def params_to_json(params: EpochParams) -> Json:
    """Assets (settlement asset first), perpetual markets and option series, at the statement's integer
    scales."""
    rates = params.option_margin
    return {
        "assets": [
            {
                "symbol": a.symbol,
                "price": str(a.price),
                "tiers": [{"floor": str(t.floor), "rate": t.rate} for t in a.tiers],
                "insurance": str(a.insurance),
            }
            for a in params.assets
        ],
        "markets": [
            {
                "symbol": m.symbol,
                **({"underlying": m.underlying} if m.underlying else {}),
                "mark": str(m.mark),
                "brackets": [
                    {"floor": str(b.floor), "rate": b.rate}
                    | ({} if b.initial is None else {"initial": b.initial})
                    for b in m.brackets
                ],
            }
            for m in params.markets
        ],
        "time": params.time,
        "option_margin": {"im_max": rates.im_max, "im_min": rates.im_min, "mm": rates.mm},
        "options": [
            {
                "symbol": o.symbol,
                "underlying": o.underlying,
                "strike": str(o.strike),
                "expiry": o.expiry,
                "type": o.kind,
                "mark": str(o.mark),
                "iv": o.iv,
            }
            for o in params.options
        ],
        "portfolio": {"min_equity": str(params.portfolio.min_equity)},
    }


def params_from_json(doc: Json) -> EpochParams:
    """Inverse of params_to_json (validation against a profile is EpochParams.circuit's job)."""

    def asset(a: Json) -> Asset:
        tiers = tuple(CollateralTier(_int(t["floor"]), _int(t["rate"])) for t in a["tiers"])
        return Asset(str(a["symbol"]), _int(a["price"]), tiers, _int(a.get("insurance", 0)))

    def market(m: Json) -> PerpMarket:
        brackets = tuple(
            Bracket(_int(b["floor"]), _int(b["rate"]), _int(b["initial"]) if "initial" in b else None)
            for b in m["brackets"]
        )
        underlying = str(m["underlying"]) if m.get("underlying") is not None else None
        return PerpMarket(str(m["symbol"]), _int(m["mark"]), brackets, underlying)

    assets = _read(doc, "assets", lambda v: tuple(asset(a) for a in v))

    def series(o: Json) -> OptionSeries:
        fields = (str(o["symbol"]), str(o["underlying"]), _int(o["strike"]), _int(o["expiry"]))
        return OptionSeries(*fields, str(o["type"]), _int(o["mark"]), _int(o["iv"]))

    markets = _read(doc, "markets", lambda v: tuple(market(m) for m in v))
    options = _read(doc, "options", lambda v: tuple(series(o) for o in v)) if "options" in doc else ()
    rates = OptionMargin()
    if "option_margin" in doc:
        rates = _read(
            doc, "option_margin", lambda v: OptionMargin(*(_int(v[k]) for k in ("im_max", "im_min", "mm")))
        )
    time = _read(doc, "time", _int) if "time" in doc else 0
    portfolio = PortfolioRules()
    if "portfolio" in doc:
        portfolio = _read(doc, "portfolio", lambda v: PortfolioRules(_int(v["min_equity"])))
    return EpochParams(assets, markets, options, rates, time, portfolio)


def _profile(doc: Json) -> Profile:
    return Profile(**{k: (v if k == "name" else _int(v)) for k, v in doc.items()})


def _state_to_json(s: ChainState) -> Json:
    return {
        "equity": _nums(s.equity),
        "debt": _nums(s.debt),
        "long": _nums(s.long),
        "short": _nums(s.short),
        "healthy": s.healthy,
        "liquidatable": s.liquidatable,
        "bankrupt": s.bankrupt,
        "shortfall": str(s.shortfall),
        "bad_debt": str(s.bad_debt),
        "last_key": str(s.last_key),
        "held": s.held,
        "batches": s.batches,
        "blind": str(s.blind),
    }


def _state_from_json(doc: Json) -> ChainState:
    return ChainState(
        _ints(doc["equity"]), _ints(doc["debt"]), _ints(doc["long"]), _ints(doc["short"]),
        _int(doc["healthy"]), _int(doc["liquidatable"]), _int(doc["bankrupt"]),
        _int(doc["shortfall"]), _int(doc["bad_debt"]),
        _int(doc["last_key"]), _int(doc["held"]), _int(doc["batches"]), _int(doc["blind"]),
    )  # fmt: skip


def _setup_to_json(epoch: Epoch) -> Json:
    """Setup kind, the SHA-256 of each canonical verification key, and the ceremony transcript if any."""
    hashes = epoch.key_hashes
    if hashes is None:
        hashes = {kind: key_hash(key) for kind, key in epoch.verification_keys.items()}
    out: Json = {"kind": epoch.setup_kind, "unsafe": epoch.unsafe, "keys": dict(hashes)}
    if epoch.ceremony is not None:
        out["ceremony"] = {"transcript_sha256": epoch.ceremony.transcript_sha256}
    return out


def _key_hashes(doc: Any) -> dict[str, str]:
    if not isinstance(doc, dict) or not all(isinstance(k, str) and is_sha256(v) for k, v in doc.items()):
        raise ValueError("expected circuit kinds mapped to hex SHA-256 key hashes")
    return dict(doc)


def _ceremony(doc: Any) -> CeremonyReference:
    if not isinstance(doc, dict) or not is_sha256(doc.get("transcript_sha256")):
        raise ValueError("expected {transcript_sha256: a hex SHA-256}")
    return CeremonyReference(doc["transcript_sha256"])


def _proof(doc: Any) -> Proof:
    """The proof, or an UnreadableProof that the audit reports as this batch's malformed proof."""
    try:
        return Proof.from_snarkjs(doc)
    except MalformedProof as exc:
        return UnreadableProof.because(str(exc))


def batch_from_json(doc: Json) -> BatchProof:
    """One entry of an epoch's batches: its statement (five public inputs) and its snarkjs proof."""
    statement = _read(doc, "statement", _ints)
    if len(statement) != 5:
        raise FormatError(f"statement: expected 5 public inputs, got {len(statement)}")
    kind = _read(doc, "kind", _batch_kind) if "kind" in doc else False
    return BatchProof(BatchStatement(*statement), _read(doc, "proof", _proof), kind)


def _batch_kind(value: Any) -> bool:
    """A batch's circuit, "standard" or "portfolio": True for a portfolio batch."""
    if value not in (STANDARD, PORTFOLIO):
        raise ValueError(f'expected "{STANDARD}" or "{PORTFOLIO}"')
    return value == PORTFOLIO


def epoch_to_json(epoch: Epoch) -> Json:
    """The public epoch document."""
    return {
        "format": EPOCH_FORMAT,
        "epoch_id": epoch.epoch_id,
        "profile": vars(epoch.profile),
        "setup": _setup_to_json(epoch),
        "params": params_to_json(epoch.params),
        "params_hash": str(epoch.params_hash),
        "root": str(epoch.root),
        "batches": [
            {
                "kind": PORTFOLIO if b.portfolio else STANDARD,
                "statement": _nums(b.statement.public_inputs),
                "proof": b.proof.to_snarkjs(),
            }
            for b in epoch.batches
        ],
        "final_state": _state_to_json(epoch.final_state),
        "reserves": _nums(epoch.reserves),
        "verification_keys": epoch.verification_keys,
    }


def _batches(value: Any) -> tuple[BatchProof, ...]:
    if not isinstance(value, list):
        raise ValueError("expected a list of batches")
    out = []
    for i, b in enumerate(value):
        try:
            out.append(batch_from_json(b))
        except FormatError as exc:
            raise ValueError(f"[{i}].{exc}") from None
    return tuple(out)


def epoch_from_json(doc: Json, *, with_batches: bool = True) -> Epoch:
    """Parse a public epoch document; FormatError names the first bad field.

    with_batches=False leaves `batches` empty, for readers that need one batch (`batch_from_json`)
    and not the thousands of an epoch's.
    """
    if _read(doc, "format", str) != EPOCH_FORMAT:
        raise FormatError(f"format: expected {EPOCH_FORMAT}")
    setup = _read(doc, "setup", _object)
    return Epoch(
        epoch_id=_read(doc, "epoch_id", _int),
        profile=_read(doc, "profile", _profile),
        params=_read(doc, "params", params_from_json),
        params_hash=_read(doc, "params_hash", _int),
        root=_read(doc, "root", _int),
        batches=_read(doc, "batches", _batches) if with_batches else (),
        final_state=_read(doc, "final_state", _state_from_json),
        reserves=_read(doc, "reserves", _ints),
        verification_keys=_read(doc, "verification_keys", dict),
        setup_kind=_read(doc, "setup.kind", str),
        key_hashes=_read(doc, "setup.keys", _key_hashes) if "keys" in setup else {},
        ceremony=_read(doc, "setup.ceremony", _ceremony) if "ceremony" in setup else None,
    )


def record_to_json(record: InclusionRecord, profile: Profile) -> Json:
    """A trader's inclusion record."""
    a = record.account
    return {
        "format": RECORD_FORMAT,
        "epoch_id": record.epoch_id,
        "profile": profile.name,
        "account": {
            "account_id": a.account_id,
            "subaccount": a.subaccount,
            "holder": f"0x{a.holder:064x}",
            "margin": PORTFOLIO if a.portfolio else STANDARD,
            "balances": _nums(a.balances),
            "positions": _nums(a.positions),
            "options": _nums(a.options),
        },
        "salt": str(record.salt),
        "index": record.index,
        "path": [_nums(level) for level in record.path.siblings],
    }


def record_from_json(doc: Json) -> InclusionRecord:
    """Parse a trader's inclusion record; FormatError names the first bad field."""
    if _read(doc, "format", str) != RECORD_FORMAT:
        raise FormatError(f"format: expected {RECORD_FORMAT}")

    def siblings(levels: Any) -> tuple[tuple[int, int, int], ...]:
        out = []
        for level in levels:
            a, b, c = _ints(level)
            out.append((a, b, c))
        return tuple(out)

    account = Account(
        _read(doc, "account.account_id", _int),
        _read(doc, "account.subaccount", _int),
        _read(doc, "account.balances", _ints),
        _read(doc, "account.positions", _ints),
        _read(doc, "account.options", _ints) if "options" in doc.get("account", {}) else (),
        holder=_read(doc, "account.holder", _int),
        portfolio=_read(doc, "account.margin", _margin) if "margin" in doc.get("account", {}) else False,
    )
    path = MerklePath(_read(doc, "index", _int), _read(doc, "path", siblings))
    return InclusionRecord(_read(doc, "epoch_id", _int), account, _read(doc, "salt", _int), path)


def epoch_document(path: Path) -> Path:
    """The epoch.json of an epoch folder, or `path` itself when it is a file."""
    return path / PUBLIC_EPOCH if path.is_dir() else path

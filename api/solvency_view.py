"""What the public solvency page shows, read from the published epochs.

Nothing here reveals a balance, a position or the exact account count: accounts are given as an upper
bound (the proven batches times the batch size), and the healthy class counts the empty padding slots of
the last batch too, so the three classes add up to that bound.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from zksolvency.verifier.amounts import format_scaled
from zksolvency.verifier.field import PRICE_SCALE, QUANTA_PER_UNIT

from .charts import BarChart, LineChart, bar_chart, line_chart, percent
from .store import get_epoch, list_epochs
from .tables import EpochRow

#: Epochs listed on the page, newest first (all of them are in /v1/epochs).
EPOCHS_SHOWN = 50
#: Epochs in the coverage history chart.
HISTORY = 30
#: The book an epoch's stored audit carries (verifier.epoch.book_json): class counts, then USD amounts.
COUNTS = ("healthy_accounts", "liquidatable_accounts", "bankrupt_accounts")
AMOUNTS = ("maintenance_shortfall_usd", "bad_debt_usd", "insurance_usd")


def hex_root(value: str) -> str:
    """A root (decimal or 0x hex) as the chain shows it: 0x and 64 hex digits."""
    return f"0x{int(value, 0):064x}"


@dataclass(frozen=True)
class EpochLine:
    """One published epoch in the list."""

    epoch_id: int
    published_at: datetime
    profile: str
    root: str
    setup_kind: str
    unsafe: bool
    valid: bool
    batches: int
    batch_size: int
    coverage: list[dict[str, Any]]

    @property
    def published(self) -> str:
        """The publication time in UTC, to the second."""
        return self.published_at.strftime("%Y-%m-%d %H:%M:%S UTC")

    @property
    def max_accounts(self) -> int:
        """The most accounts the proven batches hold: the count published, to within a batch."""
        return self.batches * self.batch_size

    @property
    def covered(self) -> bool:
        """Every asset's net liabilities are covered by reserves."""
        return all(c["covered"] for c in self.coverage)

    @property
    def lowest(self) -> str:
        """The lowest coverage over the assets."""
        ratios = [float(c["ratio"]) for c in self.coverage if c["ratio"] is not None]
        return percent(min(ratios)) if ratios else percent(None)


@dataclass(frozen=True)
class Detail:
    """One epoch in detail (the newest unless another is asked for)."""

    line: EpochLine
    newest: bool
    chart: BarChart
    classes: dict[str, str | None]
    """Each class count and amount by name; None when the epoch does not report it."""
    insurance_covers: bool | None
    insurance: list[tuple[str, str]]
    """The insurance fund by asset, in units, where the parameters declare one."""
    keys: dict[str, str]
    ceremony: str | None
    prices: list[tuple[str, str]]
    marks: list[tuple[str, str]]
    checks: list[dict[str, Any]]


@dataclass(frozen=True)
class SolvencyView:
    """The whole page."""

    epochs: list[EpochLine]
    total: int
    detail: Detail | None
    history: LineChart | None
    any_unsafe: bool


def _line(row: EpochRow, header: dict[str, Any], audit: dict[str, Any]) -> EpochLine:
    batch_size = 4 ** header["profile"]["batch_levels"]
    return EpochLine(
        epoch_id=row.epoch_id,
        published_at=row.published_at.replace(tzinfo=row.published_at.tzinfo or UTC),
        profile=row.profile,
        root=hex_root(row.root),
        setup_kind=row.setup_kind,
        unsafe=row.unsafe,
        valid=row.valid,
        batches=row.batch_count,
        batch_size=batch_size,
        coverage=audit["coverage"],
    )


def _detail(row: EpochRow, newest: bool) -> Detail:
    header, audit = json.loads(row.header), json.loads(row.audit)
    line = _line(row, header, audit)
    setup = header.get("setup", {})
    params = header["params"]
    return Detail(
        line=line,
        newest=newest,
        chart=bar_chart(line.coverage),
        classes={name: _text(audit.get(name)) for name in COUNTS + AMOUNTS},
        insurance_covers=audit.get("insurance_covers_bad_debt"),
        insurance=[(a["symbol"], _units(a["insurance"])) for a in params["assets"] if _held(a)],
        keys=setup.get("keys", {}),
        ceremony=(setup.get("ceremony") or {}).get("transcript_sha256"),
        prices=[(a["symbol"], _usd(a["price"])) for a in params["assets"]],
        marks=[(m["symbol"], _usd(m["mark"])) for m in params["markets"]],
        checks=audit["checks"],
    )


def _held(asset: dict[str, Any]) -> bool:
    """The parameters declare an insurance fund holding of this asset."""
    return int(asset.get("insurance") or 0) > 0


def _units(quanta: str) -> str:
    return format_scaled(int(quanta), QUANTA_PER_UNIT)


def _usd(scaled: str) -> str:
    return format_scaled(int(scaled, 0), PRICE_SCALE)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def solvency_view(session: Session, epoch_id: int | None = None) -> SolvencyView | None:
    """The page's content: the newest epochs, one in detail (`epoch_id`, else the newest), the coverage
    history; None if `epoch_id` is not published."""
    rows, total = list_epochs(session, 0, EPOCHS_SHOWN)
    lines = [_line(row, json.loads(row.header), json.loads(row.audit)) for row in rows]
    chosen = rows[0] if rows and epoch_id is None else None
    if epoch_id is not None:
        chosen = get_epoch(session, epoch_id)
        if chosen is None:
            return None
    detail = _detail(chosen, newest=chosen.epoch_id == rows[0].epoch_id) if chosen is not None else None
    oldest_first = list(reversed(lines[:HISTORY]))
    history = line_chart([(e.epoch_id, e.coverage) for e in oldest_first]) if lines else None
    return SolvencyView(lines, total, detail, history, any(e.unsafe for e in lines))

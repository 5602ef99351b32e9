"""What each derivative position of a trader's record contributes: value, margin and Greeks.

Computed by the verifier from the epoch's public parameters and the trader's own record, never taken from
the venue. Value, initial and maintenance margin are the terms of the margin model (`margin.evaluate`),
exact; the Greeks are Black-76's at the series' mark volatility (`black76.greeks`), per position. A
portfolio account is margined as a whole by the scenario grid (`grid.py`): its positions have no margin of
their own (None), only value and Greeks.
"""

from dataclasses import dataclass
from typing import Any

from .account import Account
from .amounts import format_scaled
from .black76 import DELTA_SCALE, GAMMA_SCALE, VEGA_SCALE, greeks
from .field import QUANTA_PER_UNIT
from .margin import Terms, option_terms, perpetual_terms
from .params import CALL, CircuitParams, EpochParams
from .vocabulary import units, usd_decimal, usd_price

PERPETUAL = "perpetual"


@dataclass(frozen=True)
class PositionFigures:
    """One position: size in quanta (negative = short), mark in USD * 1e8, value and margins in USD * 1e22,
    Greeks of the whole position: delta in quanta of the underlying * DELTA_SCALE, gamma in quanta per USD *
    GAMMA_SCALE, vega in USD * 1e8 per volatility point * 1e8 (exact products, scaled on output)."""

    symbol: str
    kind: str
    """perpetual, call or put."""
    underlying: str | None
    """The option's underlying asset; None for a perpetual."""
    size: int
    mark: int
    value: int
    initial: int | None
    """None in a portfolio account: its margin is the account's scenario margin, not a sum of positions'."""
    maintenance: int | None
    delta: int
    gamma: int
    vega: int

    def to_json(self) -> dict[str, Any]:
        """The JSON vocabulary: units of the underlying, USD decimal strings, exact."""
        return {
            "symbol": self.symbol,
            "kind": self.kind,
            "underlying": self.underlying,
            "size": units(self.size),
            "mark_usd": usd_price(self.mark),
            "value_usd": usd_decimal(self.value),
            "initial_margin_usd": None if self.initial is None else usd_decimal(self.initial),
            "maintenance_margin_usd": None if self.maintenance is None else usd_decimal(self.maintenance),
            "delta": format_scaled(self.delta, QUANTA_PER_UNIT * DELTA_SCALE),
            "gamma": format_scaled(self.gamma, QUANTA_PER_UNIT * GAMMA_SCALE),
            "vega_usd": format_scaled(self.vega, QUANTA_PER_UNIT * VEGA_SCALE),
        }


def position_figures(account: Account, params: EpochParams, circuit: CircuitParams) -> list[PositionFigures]:
    """Every open perpetual and option position of `account`, in the epoch's order."""
    margins = _portfolio_margins if account.portfolio else _margins
    out = []
    for m, size in enumerate(account.positions):
        if size:
            market, terms = params.markets[m], perpetual_terms(m, size, circuit)
            delta = size * DELTA_SCALE
            out.append(
                PositionFigures(
                    market.symbol, PERPETUAL, None, size, market.mark, *margins(terms), delta, 0, 0
                )
            )
    for s, size in enumerate(account.options):
        if size:
            series, terms = params.options[s], option_terms(s, size, circuit)
            price, left = params.underlying_price(series), series.expiry - params.time
            g = greeks(price, series.strike, series.iv, left, series.kind == CALL)
            out.append(
                PositionFigures(
                    series.symbol,
                    series.kind,
                    series.underlying,
                    size,
                    series.mark,
                    *margins(terms),
                    size * g.delta,
                    size * g.gamma,
                    size * g.vega,
                )
            )
    return out


def _margins(terms: Terms) -> tuple[int, int, int]:
    return terms.value, terms.initial, terms.maintenance


def _portfolio_margins(terms: Terms) -> tuple[int, None, None]:
    return terms.value, None, None

"""A portfolio account's scenario grid as a trader reads it: each scenario's price move, volatility state,
counted fraction and loss, the worst cell, as JSON (docs/json.md) and as a compact text table.

The losses are `PortfolioMargin.losses` (USD * 1e16, loss_s = -sum_i q_i R[i][s]), exact; a negative loss
is a gain. The scenarios are the epoch's shock rules in their stable order (`ShockRules.scenarios`).
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from .amounts import format_scaled
from .field import PPM
from .scenarios import VOL_STATES, PortfolioMargin, Scenario, ShockRules

#: Scale of a scenario loss: quanta (1e8 a unit) times USD * 1e8 per unit.
LOSS_SCALE: Final = 10**16
#: ppm per percent.
PPM_PER_PERCENT: Final = PPM // 100


@dataclass(frozen=True)
class ScenarioGrid:
    """The scenarios of the epoch's grid, in order, with this account's loss in each (USD * 1e16)."""

    scenarios: tuple[Scenario, ...]
    losses: tuple[int, ...]
    worst: int
    """The first scenario with the largest loss (PortfolioMargin.worst)."""
    standard: int
    """How many scenarios are standard (price move x volatility state); the rest are extended."""
    mm_ratio_ppm: int

    def to_json(self) -> dict[str, Any]:
        """The JSON vocabulary: percents, ratios and exact USD as plain decimal strings."""
        return {
            "scenarios": [
                {
                    "index": i,
                    "price_move_percent": format_scaled(s.move_ppm, PPM_PER_PERCENT),
                    "volatility": s.vol,
                    "extended": i >= self.standard,
                    "fraction": format_scaled(s.fraction_ppm, PPM),
                    "loss_usd": loss_usd(loss),
                }
                for i, (s, loss) in enumerate(zip(self.scenarios, self.losses, strict=True))
            ],
            "worst": self.worst,
            "worst_loss_usd": loss_usd(self.losses[self.worst]),
            "mm_ratio": format_scaled(self.mm_ratio_ppm, PPM),
        }


def scenario_grid(margin: PortfolioMargin, rules: ShockRules) -> ScenarioGrid:
    """The grid of a portfolio account's scenario margin under the epoch's shock rules."""
    scenarios = rules.scenarios()
    if len(scenarios) != len(margin.losses):
        raise ValueError(f"{len(margin.losses)} losses for a grid of {len(scenarios)} scenarios")
    standard = len(rules.price_moves_ppm) * len(VOL_STATES)
    return ScenarioGrid(scenarios, margin.losses, margin.worst, standard, rules.mm_ratio_ppm)


def loss_usd(loss: int) -> str:
    """A scenario loss (USD * 1e16) as an exact decimal USD string; negative is a gain."""
    return format_scaled(loss, LOSS_SCALE)


def _move(move_ppm: int) -> str:
    return ("+" if move_ppm > 0 else "") + format_scaled(move_ppm, PPM_PER_PERCENT) + "%"


def _cell(grid: ScenarioGrid, i: int) -> str:
    """A loss in whole USD (rounded toward zero), `*` after the worst cell."""
    return f"{int(Fraction(grid.losses[i], LOSS_SCALE))}" + ("*" if i == grid.worst else " ")


def table_lines(grid: ScenarioGrid, indent: str = "  ") -> list[str]:
    """The grid as text: one row per volatility state over the standard price moves, then the extended
    moves (vol up) as their own row; losses in whole USD (rounded toward zero, negative = gain), the worst
    cell marked `*`."""
    moves = [_move(s.move_ppm) + " " for s in grid.scenarios[: grid.standard : len(VOL_STATES)]]
    extended = range(grid.standard, len(grid.scenarios))
    rows = [("price move", moves)]
    for j, vol in enumerate(VOL_STATES):
        rows.append((f"vol {vol}", [_cell(grid, k * len(VOL_STATES) + j) for k in range(len(moves))]))
    if extended:
        rows.append(("extended move", [_move(grid.scenarios[i].move_ppm) + " " for i in extended]))
        rows.append(
            ("counted fraction", [format_scaled(grid.scenarios[i].fraction_ppm, PPM) + " " for i in extended])
        )
        rows.append(("vol up, counted", [_cell(grid, i) for i in extended]))
    width = 1 + max(len(cell) for _, cells in rows for cell in cells)
    lines = [
        (indent + f"{label:<17}" + "".join(f"{c:>{width}}" for c in cells)).rstrip() for label, cells in rows
    ]
    worst = grid.scenarios[grid.worst]
    kind = "extended" if grid.worst >= grid.standard else "standard"
    lines.append(
        f"{indent}* worst: scenario {grid.worst} ({kind}, price {_move(worst.move_ppm)}, vol {worst.vol}), "
        f"loss {loss_usd(grid.losses[grid.worst])} USD"
        + ("" if grid.losses[grid.worst] > 0 else " (no scenario loses: no margin is due)")
    )
    return lines

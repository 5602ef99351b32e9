"""The portfolio-margin scenario grid as public rules, the risk arrays it gives and a portfolio's loss.

Deribit's model (shared/reference/margin-rules.md, "Portfolio margin: scenario grids"): 9 price moves
x 3 volatility states = 27 standard scenarios, then 8 extended price moves at vol up whose P&L counts
at a fraction. A risk array R holds, for one unit held LONG, the change of value in each scenario in
USD * 1e8 per unit; an account's loss in scenario s is -sum_i q_i R[i][s] (q in quanta), linear in the
positions, so a circuit can take the arrays as public parameters. Order, scales and rounding:
docs/risk-arrays.md.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Final

from .black76 import option_price
from .field import PPM
from .fixedpoint import FRAC_BITS, exp_fixed, ln_ratio

#: The volatility states of the standard scenarios, in grid order; the extended ones use VOL_UP.
VOL_UP: Final = "up"
VOL_UNCHANGED: Final = "unchanged"
VOL_DOWN: Final = "down"
VOL_STATES: Final = (VOL_UP, VOL_UNCHANGED, VOL_DOWN)
#: The largest price move, +1000%: a shocked price stays below 11 * 2^64 < 2^68.
MAX_MOVE_PPM: Final = 10 * PPM
#: Seconds per day, for the days to expiry (DTE) of the vol shock.
SECONDS_PER_DAY: Final = 86_400


class ScenarioError(ValueError):
    """Shock rules, an instrument or a portfolio out of the documented domain."""


@dataclass(frozen=True)
class ShockRules:
    """The shock rules a venue publishes; the defaults are Deribit's, the extended fractions Paradex's.

    vol_up = max(ceil(IV (1 + vol_up x)), vol_up_floor) and vol_down = max(floor(IV (1 - vol_down x)),
    vol_down_floor) with x = (reference_days / DTE)^p, p = short_power when DTE < reference_days, else
    long_power. All fractions are ppm; moves are signed ppm of the price (-160000 = -16%).
    """

    price_moves_ppm: tuple[int, ...] = (
        -160_000,
        -120_000,
        -80_000,
        -40_000,
        0,
        40_000,
        80_000,
        120_000,
        160_000,
    )
    """Standard price moves, ascending; each taken with vol up, unchanged and down."""
    extended_moves_ppm: tuple[int, ...] = (
        -660_000,
        -330_000,
        500_000,
        1_000_000,
        2_000_000,
        3_000_000,
        4_000_000,
        5_000_000,
    )
    """Extended price moves, ascending; each taken with vol up only."""
    extended_fractions_ppm: tuple[int, ...] = (
        242_424,
        484_848,
        320_000,
        160_000,
        80_000,
        53_333,
        40_000,
        32_000,
    )
    """The fraction of each extended scenario's P&L that counts, one per extended move. Deribit publishes
    that a fraction (and a dampener) applies but not its value; the default is Paradex's published weight
    0.16 / |move| (rounded down to whole ppm, at most 1 ppm below): a delta-one position then loses no
    more in an extended scenario than at the 16% edge of the standard grid, so the extended table bites
    only on convex exposure (short options far out of the money), which is what Deribit says it is for."""
    vol_up_ppm: int = 500_000
    """Deribit's volatility range up, 0.5."""
    vol_down_ppm: int = 250_000
    """Deribit's volatility range down, 0.25."""
    vol_up_floor_ppm: int = 500_000
    """Deribit's minimum shocked-up volatility, 50%."""
    vol_down_floor_ppm: int = 0
    """Floor of the shocked-down volatility: 0, where the option is worth its intrinsic value."""
    short_power_ppm: int = 300_000
    """p under reference_days to expiry, 0.3."""
    long_power_ppm: int = 130_000
    """p from reference_days to expiry on, 0.13."""
    reference_days: int = 30
    """The 30 of (30 / DTE)^p, also where p switches."""
    mm_ratio_ppm: int = 800_000
    """Maintenance margin as a fraction of initial margin, 0.8."""

    def validate(self) -> None:
        """Raise ScenarioError unless every rule is in its documented range."""
        for name, moves in (
            ("price_moves_ppm", self.price_moves_ppm),
            ("extended_moves_ppm", self.extended_moves_ppm),
        ):
            if not moves or any(type(m) is not int or not -PPM < m <= MAX_MOVE_PPM for m in moves):
                raise ScenarioError(
                    f"{name} must be non-empty integers in (-1000000, 10000000] ppm, got {moves}"
                )
            if list(moves) != sorted(set(moves)):
                raise ScenarioError(f"{name} must be strictly ascending, got {moves}")
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith(("moves_ppm", "fractions_ppm")):
                continue
            if type(value) is not int or not 0 <= value < 2**32:
                raise ScenarioError(f"{field.name} must be an integer in [0, 2^32), got {value!r}")
        if len(self.extended_fractions_ppm) != len(self.extended_moves_ppm) or any(
            type(f) is not int or not 0 <= f <= PPM for f in self.extended_fractions_ppm
        ):
            raise ScenarioError(
                f"extended_fractions_ppm must hold one integer in [0, 1000000] per extended move, "
                f"got {self.extended_fractions_ppm}"
            )
        for name, bound in _UPPER_BOUNDS.items():
            if getattr(self, name) > bound:
                raise ScenarioError(f"{name} must be at most {bound} ppm, got {getattr(self, name)}")
        if self.reference_days < 1:
            raise ScenarioError(f"reference_days must be at least 1, got {self.reference_days}")

    def to_ints(self) -> tuple[int, ...]:
        """The rules as non-negative integers below 2^32, for the parameter hash.

        [n, 1e6 + move_0 .. 1e6 + move_{n-1}, e, 1e6 + ext_0 .. 1e6 + ext_{e-1}, fraction_0 ..
        fraction_{e-1}, vol_up, vol_down, vol_up_floor, vol_down_floor, short_power, long_power,
        reference_days, mm_ratio]: moves as price multipliers in ppm, so that none is negative.
        """
        self.validate()
        return (
            len(self.price_moves_ppm),
            *(PPM + m for m in self.price_moves_ppm),
            len(self.extended_moves_ppm),
            *(PPM + m for m in self.extended_moves_ppm),
            *self.extended_fractions_ppm,
            self.vol_up_ppm,
            self.vol_down_ppm,
            self.vol_up_floor_ppm,
            self.vol_down_floor_ppm,
            self.short_power_ppm,
            self.long_power_ppm,
            self.reference_days,
            self.mm_ratio_ppm,
        )

    def scenarios(self) -> tuple["Scenario", ...]:
        """The grid in its stable order: each standard move (ascending) with vol up, unchanged, down
        (index 3 i + j), then each extended move (ascending) with vol up."""
        self.validate()
        standard = [Scenario(move, vol, PPM) for move in self.price_moves_ppm for vol in VOL_STATES]
        extended = [
            Scenario(move, VOL_UP, fraction)
            for move, fraction in zip(self.extended_moves_ppm, self.extended_fractions_ppm, strict=True)
        ]
        return tuple(standard + extended)


#: Upper bounds beyond [0, 2^32): they keep every shocked volatility below 2^57 ppm.
_UPPER_BOUNDS: Final = {
    "vol_up_ppm": 10 * PPM,
    "vol_down_ppm": PPM,
    "short_power_ppm": PPM,
    "long_power_ppm": PPM,
    "mm_ratio_ppm": PPM,
}

#: Deribit's rules (27 standard + 8 extended scenarios), with Paradex's extended fractions.
DERIBIT: Final = ShockRules()


@dataclass(frozen=True)
class Scenario:
    """One scenario: a price move (ppm), a volatility state, the fraction of its P&L that counts (ppm)."""

    move_ppm: int
    vol: str
    fraction_ppm: int


@dataclass(frozen=True)
class OptionInputs:
    """What the risk array of a European option series needs: strike and mark in USD * 1e8 per unit of
    the underlying, the time to expiry at the snapshot in seconds (expiry - snapshot time), the mark
    implied volatility `iv` in ppm (550000 = 55%), and whether it is a call."""

    strike: int
    seconds: int
    iv: int
    mark: int
    is_call: bool


@dataclass(frozen=True)
class PortfolioMargin:
    """A portfolio's scenario losses (USD * 1e16 = quanta * USD * 1e8) and its margins (USD * 1e22)."""

    losses: tuple[int, ...]
    """loss_s = -sum_i q_i R[i][s], in scenario order."""
    worst: int
    """The first scenario index with the largest loss."""
    initial: int
    """IM = max(0, max_s loss_s) * 1e6: USD * 1e22, the statement's requirement scale."""
    maintenance: int
    """MM = max(0, max_s loss_s) * mm_ratio_ppm: exactly mm_ratio * IM, no rounding."""


def shocked_price(price: int, move_ppm: int) -> int:
    """price * (1 + move), floored: floor(price * (1e6 + move_ppm) / 1e6)."""
    return price * (PPM + move_ppm) // PPM


def shocked_vols(iv_ppm: int, seconds: int, rules: ShockRules = DERIBIT) -> tuple[int, int, int]:
    """(vol up, unchanged, down) in ppm for a series `seconds` from expiry (see ShockRules).

    x = (reference_days * 86400 / t)^p = exp(floor(p_ppm * ln(reference_days * 86400 / t) / 1e6)) in
    fixed point; vol up is rounded up and vol down down to whole ppm, so both shocks are at least as
    wide as the exact ones. At t = 0 (expiring now) the volatility does not matter: (IV, IV, IV).
    """
    if seconds == 0:
        return iv_ppm, iv_ppm, iv_ppm
    reference = rules.reference_days * SECONDS_PER_DAY
    power = rules.short_power_ppm if seconds < reference else rules.long_power_ppm
    x = exp_fixed(power * ln_ratio(reference, seconds) // PPM)
    scale = PPM << FRAC_BITS
    up = -(-iv_ppm * (scale + rules.vol_up_ppm * x) // scale)
    down = iv_ppm * (scale - rules.vol_down_ppm * x) // scale
    return max(up, rules.vol_up_floor_ppm), iv_ppm, max(down, rules.vol_down_floor_ppm)


def spot_array(price: int, rules: ShockRules = DERIBIT) -> tuple[int, ...]:
    """R for one unit of a spot asset at oracle price `price`: shocked_price - price, per scenario."""
    _check_price("price", price)
    return tuple(_counted(shocked_price(price, s.move_ppm) - price, s) for s in rules.scenarios())


def perpetual_array(mark: int, rules: ShockRules = DERIBIT) -> tuple[int, ...]:
    """R for one unit long of a linear perpetual: its mark moves with the index, shocked_price(mark) - mark.

    The move applies to the mark because the account holds the perpetual at its mark (the statement's
    position value is mark * size); the scenario moves the market, mark and index alike, by the same
    fraction, and what the account gains or loses is the change of the mark.
    """
    _check_price("mark", mark)
    return tuple(_counted(shocked_price(mark, s.move_ppm) - mark, s) for s in rules.scenarios())


def option_array(underlying: int, series: OptionInputs, rules: ShockRules = DERIBIT) -> tuple[int, ...]:
    """R for one option held long: Black-76 at the shocked underlying and shocked vol, same expiry, minus
    the option's published mark, per scenario."""
    _check_price("underlying", underlying)
    _check_series(series)
    vols = dict(zip(VOL_STATES, shocked_vols(series.iv, series.seconds, rules), strict=True))
    return tuple(
        _counted(
            option_price(
                shocked_price(underlying, s.move_ppm),
                series.strike,
                vols[s.vol],
                series.seconds,
                series.is_call,
            )
            - series.mark,
            s,
        )
        for s in rules.scenarios()
    )


def portfolio_loss(
    positions: Sequence[int], arrays: Sequence[Sequence[int]], rules: ShockRules = DERIBIT
) -> PortfolioMargin:
    """Scenario losses and margins of signed positions (quanta) against their risk arrays, exactly.

    loss_s = -sum_i q_i R[i][s] in USD * 1e16; IM = max(0, max_s loss_s) * 1e6 and MM = the same times
    mm_ratio_ppm, both USD * 1e22. Contingencies are not included.
    """
    if len(positions) != len(arrays):
        raise ScenarioError(f"{len(positions)} positions but {len(arrays)} risk arrays")
    count = len(rules.price_moves_ppm) * len(VOL_STATES) + len(rules.extended_moves_ppm)
    for i, (quantity, array) in enumerate(zip(positions, arrays, strict=True)):
        if type(quantity) is not int:
            raise ScenarioError(
                f"position {i}: quantity must be an integer number of quanta, got {quantity!r}"
            )
        if len(array) != count or any(type(r) is not int for r in array):
            raise ScenarioError(f"position {i}: the risk array must hold {count} integers, got {len(array)}")
    losses = tuple(
        -sum(q * array[s] for q, array in zip(positions, arrays, strict=True)) for s in range(count)
    )
    worst_loss = max(losses)
    required = max(worst_loss, 0)
    return PortfolioMargin(
        losses=losses,
        worst=losses.index(worst_loss),
        initial=required * PPM,
        maintenance=required * rules.mm_ratio_ppm,
    )


def _counted(change: int, scenario: Scenario) -> int:
    """The part of a change that counts: change * fraction / 1e6, rounded toward zero (exact at 1e6)."""
    if scenario.fraction_ppm == PPM:
        return change
    counted = abs(change) * scenario.fraction_ppm // PPM
    return counted if change >= 0 else -counted


def _check_price(name: str, value: int) -> None:
    if type(value) is not int or not 1 <= value < 2**64:
        raise ScenarioError(f"{name} {value!r} is outside [1, 2^64) (USD * 1e8)")


def _check_series(series: OptionInputs) -> None:
    _check_price("strike", series.strike)
    if type(series.mark) is not int or not 0 <= series.mark < 2**64:
        raise ScenarioError(f"option mark {series.mark!r} is outside [0, 2^64) (USD * 1e8)")
    if type(series.iv) is not int or not 0 <= series.iv < 2**32:
        raise ScenarioError(f"option iv {series.iv!r} is outside [0, 2^32) (ppm)")
    if type(series.seconds) is not int or not 0 <= series.seconds < 2**32:
        raise ScenarioError(f"option seconds {series.seconds!r} is outside [0, 2^32)")
    if type(series.is_call) is not bool:
        raise ScenarioError(f"option is_call must be a boolean, got {series.is_call!r}")

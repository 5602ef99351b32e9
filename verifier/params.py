"""Epoch parameters: prices, collateral tiers, margin brackets, option series; their validation, circuit
view and hash.

Amounts are integers at the scales of `field`: quanta (1e-8 unit), USD * 1e8 prices, strikes and notional
floors, ppm rates, Unix seconds. Asset 0 is the settlement asset in which every perpetual and option is
quoted and settled.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .amounts import format_scaled
from .black76 import MAX_IV, implied_vol, option_price
from .field import FLOOR_SENTINEL, INITIAL_DOMAIN, PARAMS_DOMAIN, PPM, PRICE_SCALE, RISK_DOMAIN, R
from .poseidon import hash_vector
from .profiles import Profile
from .scenarios import (
    DERIBIT,
    OptionInputs,
    ScenarioError,
    ShockRules,
    option_array,
    perpetual_array,
    spot_array,
)

#: A symbol is at most 31 bytes of UTF-8, so that it is one field element.
SYMBOL_BYTES = 31
#: The smallest iv tolerance (USD * 1e8): Black-76 here is exact to 1 unit; 100 covers an iv rounded to ppm.
IV_FLOOR = 100
#: A perpetual that names an underlying is marked within 10% of its price (ppm): the label decides which
#: spot it nets against in portfolio margin, so it must be the asset the market tracks (red team).
PERP_BAND_PPM = 100_000


class ParamsError(ValueError):
    """Epoch parameters that break a rule; the message names the field."""


@dataclass(frozen=True)
class CollateralTier:
    """From `floor` quanta of the asset on, each further quantum counts `rate` ppm of its value."""

    floor: int
    rate: int


@dataclass(frozen=True)
class Asset:
    """A spot asset: its oracle price (USD * 1e8 per unit), its progressive collateral tiers, and the
    venue's insurance fund holding of it (quanta, apart from the reserves)."""

    symbol: str
    price: int
    tiers: tuple[CollateralTier, ...]
    insurance: int = 0


@dataclass(frozen=True)
class Bracket:
    """From a notional of `floor` (USD * 1e8) on, the maintenance margin rate is `rate` ppm and the
    initial margin rate `initial` ppm (None: twice the maintenance rate, at most 100%)."""

    floor: int
    rate: int
    initial: int | None = None

    @property
    def initial_rate(self) -> int:
        """The initial margin rate in ppm."""
        return min(2 * self.rate, PPM) if self.initial is None else self.initial


@dataclass(frozen=True)
class PerpMarket:
    """A linear perpetual quoted in the settlement asset, marked at `mark` (USD * 1e8 per unit)."""

    symbol: str
    mark: int
    brackets: tuple[Bracket, ...]
    underlying: str | None = None
    """The asset (other than the settlement asset) whose price the perpetual tracks; None: none of the
    epoch's, and the market is a scenario group of its own for portfolio margin."""


CALL, PUT = "call", "put"


@dataclass(frozen=True)
class OptionSeries:
    """A European call or put on an asset of the epoch, USD-margined and settled in the settlement asset:
    strike and mark in USD * 1e8 per unit of the underlying, expiry in Unix seconds, mark implied
    volatility in ppm (550000 = 55%)."""

    symbol: str
    underlying: str
    strike: int
    expiry: int
    kind: str
    mark: int
    iv: int


@dataclass(frozen=True)
class OptionMargin:
    """Standard-account option margin in Deribit's form, as fractions of the underlying price (ppm):
    a short call needs IM = max(im_max * U - OTM, im_min * U) + mark and MM = mm * U + mark; a short put
    IM = max(max(im_max * U - OTM, im_min * U) + mark, MM) and MM = max(mm * U, mm * mark) + mark."""

    im_max: int = 150_000
    im_min: int = 100_000
    mm: int = 75_000


def option_unit_margin(series: OptionSeries, underlying_price: int, rates: OptionMargin) -> tuple[int, int]:
    """(IM, MM) of one short unit of `series` at underlying price U, in USD * 1e14 (price * ppm), exact."""
    u, mark = underlying_price, series.mark * PPM
    if series.kind == CALL:
        otm = max(series.strike - u, 0)
        maintenance = rates.mm * u + mark
    else:
        otm = max(u - series.strike, 0)
        maintenance = max(rates.mm * u, rates.mm * series.mark) + mark
    initial = max(rates.im_max * u - otm * PPM, rates.im_min * u) + mark
    return max(initial, maintenance), maintenance


@dataclass(frozen=True)
class PortfolioRules:
    """How portfolio accounts are margined: the scenario grid's shock rules (Deribit's by default) and the
    public eligibility rule, a minimum haircut equity in USD * 1e8 (OKX's 10,000 USD by default)."""

    min_equity: int = 10_000 * PRICE_SCALE
    shocks: ShockRules = DERIBIT


@dataclass(frozen=True)
class CircuitParams:
    """The parameters as the circuits see them: padded to a profile, with derived tables."""

    profile: Profile
    labels: int
    """The labels hash: symbols and insurance fund, hashed off-circuit (`labels_hash`)."""
    price: tuple[int, ...]
    tier_floor: tuple[tuple[int, ...], ...]
    tier_rate: tuple[tuple[int, ...], ...]
    tier_base: tuple[tuple[int, ...], ...]
    mark: tuple[int, ...]
    size_floor: tuple[tuple[int, ...], ...]
    bracket_rate: tuple[tuple[int, ...], ...]
    bracket_cum: tuple[tuple[int, ...], ...]
    initial_rate: tuple[tuple[int, ...], ...]
    initial_cum: tuple[tuple[int, ...], ...]
    option_mark: tuple[int, ...]
    option_maintenance: tuple[int, ...]
    """Maintenance margin of one short unit per series, USD * 1e14."""
    option_initial: tuple[int, ...]
    """Initial margin of one short unit per series, USD * 1e14."""
    risk: tuple[tuple[int, ...], ...]
    """Risk arrays (USD * 1e8 per unit held long, per scenario) of the portfolio instruments: the tiered
    assets 1..A-1 (spot), the markets, then the option series; padding slots and assets that underlie no
    derivative are all 0 (collateral at its haircut only)."""
    groups: tuple[int, ...]
    """Scenario group of each portfolio instrument (`EpochParams.risk_groups`): a portfolio account's
    derivatives are all of one group, and only its spot in that group is shocked."""
    shocks: ShockRules
    """The scenario grid's rules, bound by their hash in the risk vector."""
    min_equity: int
    """Eligibility of a portfolio account: haircut equity at least this, USD * 1e8."""

    @cached_property
    def risk_vector(self) -> tuple[int, ...]:
        """RISK_DOMAIN, the shock rules' hash, min equity, mm ratio (ppm), each instrument's scenario group,
        then each instrument's risk array in scenario order (negative entries as field elements): what only
        the portfolio batch circuit needs, bound by its hash, the parameter vector's third element."""
        flat = [r % R for array in self.risk for r in array]
        shocks = hash_vector(self.shocks.to_ints())
        return (RISK_DOMAIN, shocks, self.min_equity, self.shocks.mm_ratio_ppm, *self.groups, *flat)

    @cached_property
    def initial_vector(self) -> tuple[int, ...]:
        """INITIAL_DOMAIN, then per market imr[0..K-1], imCum[1..K-1], then per series the short unit's IM:
        what only the margin circuit needs, bound by its hash, the parameter vector's second element."""
        out: list[int] = [INITIAL_DOMAIN]
        for m in range(self.profile.markets):
            out += [*self.initial_rate[m], *self.initial_cum[m][1:]]
        return (*out, *self.option_initial)

    @cached_property
    def vector(self) -> tuple[int, ...]:
        """The parameter vector, in the order docs/statement.md gives."""
        out: list[int] = [self.labels, hash_vector(self.initial_vector), hash_vector(self.risk_vector)]
        for a in range(self.profile.assets):
            out += [self.price[a], *self.tier_floor[a][1:], *self.tier_rate[a]]
        for m in range(self.profile.markets):
            out += [self.mark[m], *self.size_floor[m][1:], *self.bracket_rate[m], *self.bracket_cum[m][1:]]
        for s in range(self.profile.options):
            out += [self.option_mark[s], self.option_maintenance[s]]
        return tuple(out)

    @cached_property
    def hash(self) -> int:
        """paramsHash: the public input that binds every proof to these parameters."""
        return hash_vector(self.vector)


@dataclass(frozen=True)
class EpochParams:
    """What a venue publishes about an epoch's market: assets (settlement asset first), perpetuals and
    option series, the option margin rates and the snapshot time (Unix seconds; required with options)."""

    assets: tuple[Asset, ...]
    markets: tuple[PerpMarket, ...]
    options: tuple[OptionSeries, ...] = ()
    option_margin: OptionMargin = OptionMargin()
    time: int = 0
    portfolio: PortfolioRules = PortfolioRules()

    @property
    def symbols(self) -> list[str]:
        """Every symbol: assets, markets, option series."""
        return (
            [a.symbol for a in self.assets]
            + [m.symbol for m in self.markets]
            + [o.symbol for o in self.options]
        )

    def asset_price(self, symbol: str) -> int:
        """The price of the asset `symbol` (USD * 1e8)."""
        return next(a.price for a in self.assets if a.symbol == symbol)

    def underlying_price(self, series: OptionSeries) -> int:
        """The price of the asset a series is written on (USD * 1e8)."""
        return self.asset_price(series.underlying)

    def validate(self, profile: Profile) -> None:
        """Raise ParamsError naming the first field that breaks a rule of the statement."""
        _check(profile.assets >= 2, "profile", "a profile with a settlement asset and tiered assets")
        _check(1 <= len(self.assets) <= profile.assets, "assets", f"1 to {profile.assets} assets")
        _check(len(self.markets) <= profile.markets, "markets", f"at most {profile.markets} markets")
        _check(len(self.options) <= profile.options, "options", f"at most {profile.options} option series")
        symbols = self.symbols
        for i, symbol in enumerate(symbols):
            unique = bool(symbol) and symbols.index(symbol) == i
            _check(unique, f"symbol {symbol!r}", "a unique non-empty symbol")
        for a, asset in enumerate(self.assets):
            where = f"assets[{a}] ({asset.symbol})"
            _check(1 <= asset.price < FLOOR_SENTINEL, f"{where}.price", "1 <= price < 2^64")
            _check_table(where + ".tiers", asset.tiers, profile.tiers, decreasing=True)
            insured = 0 <= asset.insurance < FLOOR_SENTINEL
            _check(insured, f"{where}.insurance", "0 <= insurance < 2^64 quanta")
        settlement = self.assets[0]
        _check(
            len(settlement.tiers) == 1,
            f"assets[0] ({settlement.symbol}).tiers",
            "a single tier: the settlement asset counts at one rate, so no split of an account gains",
        )
        for symbol in symbols:
            fits = len(symbol.encode()) <= SYMBOL_BYTES and symbol.isprintable()
            _check(fits, f"symbol {symbol!r}", f"at most {SYMBOL_BYTES} bytes of printable UTF-8")
        for m, market in enumerate(self.markets):
            where = f"markets[{m}] ({market.symbol})"
            _check(1 <= market.mark < FLOOR_SENTINEL, f"{where}.mark", "1 <= mark < 2^64")
            _check_table(where + ".brackets", market.brackets, profile.brackets, decreasing=False)
            if market.underlying is not None:
                rule = "an asset of the epoch other than the settlement asset"
                _check(market.underlying in symbols[1 : len(self.assets)], f"{where}.underlying", rule)
                price = self.asset_price(market.underlying)
                rule = (
                    f"the asset the market tracks: its mark within {PERP_BAND_PPM // 10_000}% of "
                    f"{market.underlying}'s price"
                )
                _check(abs(market.mark - price) * PPM <= price * PERP_BAND_PPM, f"{where}.underlying", rule)
            for k, bracket in enumerate(market.brackets):
                rule = "an initial margin rate at least the maintenance rate and at most 100%"
                _check(bracket.rate <= bracket.initial_rate <= PPM, f"{where}.brackets[{k}].imr", rule)
                rising = not k or market.brackets[k - 1].initial_rate <= bracket.initial_rate
                _check(rising, f"{where}.brackets[{k}].imr", "at least the previous bracket's")
        self._validate_options()
        self._validate_portfolio(profile)

    def _validate_portfolio(self, profile: Profile) -> None:
        rules = self.portfolio
        _check(
            0 <= rules.min_equity < FLOOR_SENTINEL,
            "portfolio.min_equity",
            "0 <= min equity < 2^64 (USD * 1e8)",
        )
        try:
            count = len(rules.shocks.scenarios())
        except ScenarioError as exc:
            raise ParamsError(f"portfolio.shocks: {exc}") from None
        _check(count == profile.scenarios, "portfolio.shocks", f"a grid of {profile.scenarios} scenarios")

    def underlying_slot(self, symbol: str) -> int:
        """The asset index of an underlying symbol."""
        return [a.symbol for a in self.assets].index(symbol)

    def risk_groups(self, profile: Profile) -> tuple[int, ...]:
        """The scenario group of each portfolio instrument, in the order of `risk_arrays`: a derivative's
        group is the asset index of its underlying (a perpetual without one: A + m, its own); a spot asset
        that underlies a derivative is in its own group, any other (and every padding slot) in group 0,
        unshocked. Portfolio margin is per underlying (Deribit margins each currency apart): a scenario
        moves one underlying, so a long in one asset never offsets a short in another."""
        count = profile.assets
        markets = [
            self.underlying_slot(m.underlying) if m.underlying else count + i
            for i, m in enumerate(self.markets)
        ]
        markets += [count + i for i in range(len(self.markets), profile.markets)]
        series = [self.underlying_slot(o.underlying) for o in self.options]
        series += [0] * (profile.options - len(self.options))
        spot = [a if a in (*markets, *series) else 0 for a in range(1, count)]
        return (*spot, *markets, *series)

    def risk_arrays(self, profile: Profile) -> tuple[tuple[int, ...], ...]:
        """Every portfolio instrument's risk array, recomputed from the published prices, marks, series
        terms and shock rules: tiered assets 1..A-1 (spot; zero for an asset in group 0), markets,
        series, each padded with zero arrays to the profile's slots (CircuitParams.risk)."""
        shocks, zero = self.portfolio.shocks, (0,) * profile.scenarios
        groups = self.risk_groups(profile)
        spot = [spot_array(a.price, shocks) if groups[i] else zero for i, a in enumerate(self.assets[1:])]
        perps = [perpetual_array(m.mark, shocks) for m in self.markets]
        series = [
            option_array(
                self.underlying_price(o),
                OptionInputs(o.strike, o.expiry - self.time, o.iv, o.mark, o.kind == CALL),
                shocks,
            )
            for o in self.options
        ]
        return (
            *spot,
            *[zero] * (profile.assets - len(self.assets)),
            *perps,
            *[zero] * (profile.markets - len(self.markets)),
            *series,
            *[zero] * (profile.options - len(self.options)),
        )

    def _validate_options(self) -> None:
        rates = self.option_margin
        rule = "0 <= mm <= im_min <= im_max <= 100%"
        _check(0 <= rates.mm <= rates.im_min <= rates.im_max <= PPM, "option_margin", rule)
        if self.options:
            _check(0 < self.time < 2**40, "time", "the snapshot time, a positive Unix timestamp")
        underlyings = [a.symbol for a in self.assets[1:]]
        for s, series in enumerate(self.options):
            where = f"options[{s}] ({series.symbol})"
            _check(
                series.underlying in underlyings,
                f"{where}.underlying",
                "an asset of the epoch other than the settlement asset",
            )
            _check(1 <= series.strike < FLOOR_SENTINEL, f"{where}.strike", "1 <= strike < 2^64")
            _check(0 <= series.mark < FLOOR_SENTINEL, f"{where}.mark", "0 <= mark < 2^64")
            if series.underlying in underlyings and series.kind in (CALL, PUT):
                u = self.underlying_price(series)
                low = max(u - series.strike, 0) if series.kind == CALL else max(series.strike - u, 0)
                high = u if series.kind == CALL else series.strike
                rule = (
                    "within the no-arbitrage bounds: at least the intrinsic value (U - strike for a call, "
                    "strike - U for a put, or 0) and at most U (a call) or the strike (a put)"
                )
                _check(low <= series.mark <= high, f"{where}.mark", rule)
            _check(series.kind in (CALL, PUT), f"{where}.type", "call or put")
            _check(self.time < series.expiry < 2**40, f"{where}.expiry", "after the snapshot time")
            _check(0 < series.iv <= MAX_IV, f"{where}.iv", "an implied volatility above 0 and at most 10000%")
            if series.underlying in underlyings and series.kind in (CALL, PUT) and self.time < series.expiry:
                self._check_implied(where, series)

    def _check_implied(self, where: str, series: OptionSeries) -> None:
        """The published iv is the mark's implied volatility (the risk arrays shock it): Black-76 at iv
        gives the mark within 1% of its time value (mark - intrinsic value, all that the iv moves) or
        IV_FLOOR. A tolerance measured on anything larger (the mark, the underlying price) would leave a
        cheap or deep in-the-money option's iv free (red team: iv 95% on a 60% put, cheap puts as a hedge)."""
        u, seconds, call = self.underlying_price(series), series.expiry - self.time, series.kind == CALL
        model = option_price(u, series.strike, series.iv, seconds, call)
        intrinsic = max(u - series.strike, 0) if call else max(series.strike - u, 0)
        if abs(model - series.mark) <= max((series.mark - intrinsic) // 100, IV_FLOOR):
            return
        fits = implied_vol(u, series.strike, series.mark, seconds, call)
        hint = f"an iv of {format_scaled(fits, PPM // 100)}%" if fits else "no iv up to 10000%"
        raise ParamsError(
            f"{where}.iv: must be the mark's implied volatility: Black-76 at iv must give the mark within "
            "1% of its time value (mark - intrinsic value) or 0.000001 USD; iv "
            f"{format_scaled(series.iv, PPM // 100)}% gives {format_scaled(model, PRICE_SCALE)} USD against "
            f"the mark {format_scaled(series.mark, PRICE_SCALE)} ({hint} fits it)"
        )

    def labels_hash(self, profile: Profile) -> int:
        """HashVector(PARAMS_DOMAIN, asset symbols, market symbols, series symbols, insurance, time, option
        margin rates, then per series underlying slot, strike, expiry, put bit, iv): the first parameter
        element.

        Symbols are their UTF-8 bytes read as a big-endian integer, padded with 0 to the profile's slots,
        so relabelling a slot, declaring another insurance fund or restating a series changes the hash.
        """
        symbols = [a.symbol for a in self.assets] + [""] * (profile.assets - len(self.assets))
        symbols += [m.symbol for m in self.markets] + [""] * (profile.markets - len(self.markets))
        symbols += [o.symbol for o in self.options] + [""] * (profile.options - len(self.options))
        insurance = [a.insurance for a in self.assets] + [0] * (profile.assets - len(self.assets))
        encoded = [int.from_bytes(s.encode(), "big") for s in symbols]
        rates = self.option_margin
        terms = [0] * (5 * profile.options)
        asset_slots = [a.symbol for a in self.assets]
        for s, o in enumerate(self.options):
            put = int(o.kind == PUT)
            terms[5 * s : 5 * s + 5] = [asset_slots.index(o.underlying), o.strike, o.expiry, put, o.iv]
        head = [PARAMS_DOMAIN, *encoded, *insurance, self.time, rates.im_max, rates.im_min, rates.mm]
        return hash_vector([*head, *terms])

    def circuit(self, profile: Profile) -> CircuitParams:
        """Validate, then pad to `profile` and derive tier bases, size floors and cumulative amounts."""
        self.validate(profile)
        price, floors, rates, bases = [], [], [], []
        for a in range(profile.assets):
            asset = self.assets[a] if a < len(self.assets) else None
            tiers = asset.tiers if asset else (CollateralTier(0, 0),)
            price.append(asset.price if asset else 0)
            f = [t.floor for t in tiers] + [FLOOR_SENTINEL] * (profile.tiers - len(tiers))
            r = [t.rate for t in tiers] + [tiers[-1].rate] * (profile.tiers - len(tiers))
            b = [0]
            for j in range(1, profile.tiers):
                b.append(b[-1] + r[j - 1] * (f[j] - f[j - 1]))
            floors.append(tuple(f))
            rates.append(tuple(r))
            bases.append(tuple(b))
        mark, size_floors, mmrs, cums, imrs, im_cums = [], [], [], [], [], []
        for m in range(profile.markets):
            market = self.markets[m] if m < len(self.markets) else None
            brackets = market.brackets if market else (Bracket(0, 0, 0),)
            mark.append(market.mark if market else 0)
            sf, mmr, cum = [0], [brackets[0].rate], [0]
            imr, im_cum = [brackets[0].initial_rate], [0]
            for k in range(1, profile.brackets):
                if k < len(brackets):
                    notional = brackets[k].floor * PRICE_SCALE
                    sf.append(min(-(-notional // market.mark), FLOOR_SENTINEL) if market else FLOOR_SENTINEL)
                    mmr.append(brackets[k].rate)
                    cum.append(cum[-1] + notional * (mmr[-1] - mmr[-2]))
                    imr.append(brackets[k].initial_rate)
                    im_cum.append(im_cum[-1] + notional * (imr[-1] - imr[-2]))
                else:
                    sf.append(FLOOR_SENTINEL)
                    mmr.append(mmr[-1])
                    cum.append(cum[-1])
                    imr.append(imr[-1])
                    im_cum.append(im_cum[-1])
            size_floors.append(tuple(sf))
            mmrs.append(tuple(mmr))
            cums.append(tuple(cum))
            imrs.append(tuple(imr))
            im_cums.append(tuple(im_cum))
        unit = [option_unit_margin(o, self.underlying_price(o), self.option_margin) for o in self.options]
        spare = profile.options - len(self.options)
        return CircuitParams(
            profile,
            self.labels_hash(profile),
            tuple(price),
            tuple(floors),
            tuple(rates),
            tuple(bases),
            tuple(mark),
            tuple(size_floors),
            tuple(mmrs),
            tuple(cums),
            tuple(imrs),
            tuple(im_cums),
            tuple(o.mark for o in self.options) + (0,) * spare,
            tuple(mm for _, mm in unit) + (0,) * spare,
            tuple(im for im, _ in unit) + (0,) * spare,
            self.risk_arrays(profile),
            self.risk_groups(profile),
            self.portfolio.shocks,
            self.portfolio.min_equity,
        )


def _check(ok: bool, field: str, rule: str) -> None:
    if not ok:
        raise ParamsError(f"{field}: must be {rule}")


def _check_table(
    where: str, rows: Sequence[CollateralTier | Bracket], limit: int, *, decreasing: bool
) -> None:
    _check(1 <= len(rows) <= limit, where, f"1 to {limit} rows")
    _check(rows[0].floor == 0, f"{where}[0].floor", "0")
    for i, row in enumerate(rows):
        _check(0 <= row.rate <= PPM, f"{where}[{i}].rate", f"a rate in ppm, 0..{PPM}")
        if i:
            floor_rule = "above the previous floor and below 2^64"
            _check(rows[i - 1].floor < row.floor < FLOOR_SENTINEL, f"{where}[{i}].floor", floor_rule)
            previous = rows[i - 1].rate
            rule = "at most the previous rate" if decreasing else "at least the previous rate"
            _check(row.rate <= previous if decreasing else row.rate >= previous, f"{where}[{i}].rate", rule)

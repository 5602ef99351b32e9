"""Epoch parameters: prices, collateral tiers, margin brackets; their validation, circuit view and hash.

Amounts are integers at the scales of `field`: quanta (1e-8 unit), USD * 1e8 prices and notional
floors, ppm rates. Asset 0 is the settlement asset in which every perpetual is quoted and settled.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .field import FLOOR_SENTINEL, PARAMS_DOMAIN, PPM, PRICE_SCALE
from .poseidon import hash_vector
from .profiles import Profile

#: A symbol is at most 31 bytes of UTF-8, so that it is one field element.
SYMBOL_BYTES = 31


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
    """From a notional of `floor` (USD * 1e8) on, the maintenance margin rate is `rate` ppm."""

    floor: int
    rate: int


@dataclass(frozen=True)
class PerpMarket:
    """A linear perpetual quoted in the settlement asset, marked at `mark` (USD * 1e8 per unit)."""

    symbol: str
    mark: int
    brackets: tuple[Bracket, ...]


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

    @cached_property
    def vector(self) -> tuple[int, ...]:
        """The parameter vector, in the order docs/statement.md gives."""
        out: list[int] = [self.labels]
        for a in range(self.profile.assets):
            out += [self.price[a], *self.tier_floor[a][1:], *self.tier_rate[a]]
        for m in range(self.profile.markets):
            out += [self.mark[m], *self.size_floor[m][1:], *self.bracket_rate[m], *self.bracket_cum[m][1:]]
        return tuple(out)

    @cached_property
    def hash(self) -> int:
        """paramsHash: the public input that binds every proof to these parameters."""
        return hash_vector(self.vector)


@dataclass(frozen=True)
class EpochParams:
    """What a venue publishes about an epoch's market: assets (settlement asset first) and perpetuals."""

    assets: tuple[Asset, ...]
    markets: tuple[PerpMarket, ...]

    def validate(self, profile: Profile) -> None:
        """Raise ParamsError naming the first field that breaks a rule of the statement."""
        _check(profile.assets >= 2, "profile", "a profile with a settlement asset and tiered assets")
        _check(1 <= len(self.assets) <= profile.assets, "assets", f"1 to {profile.assets} assets")
        _check(len(self.markets) <= profile.markets, "markets", f"at most {profile.markets} markets")
        symbols = [a.symbol for a in self.assets] + [m.symbol for m in self.markets]
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

    def labels_hash(self, profile: Profile) -> int:
        """HashVector(PARAMS_DOMAIN, asset symbols, market symbols, insurance): the first parameter element.

        Symbols are their UTF-8 bytes read as a big-endian integer, padded with 0 to the profile's slots,
        so relabelling a slot or declaring another insurance fund changes the parameter hash.
        """
        symbols = [a.symbol for a in self.assets] + [""] * (profile.assets - len(self.assets))
        symbols += [m.symbol for m in self.markets] + [""] * (profile.markets - len(self.markets))
        insurance = [a.insurance for a in self.assets] + [0] * (profile.assets - len(self.assets))
        encoded = [int.from_bytes(s.encode(), "big") for s in symbols]
        return hash_vector([PARAMS_DOMAIN, *encoded, *insurance])

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
        mark, size_floors, mmrs, cums = [], [], [], []
        for m in range(profile.markets):
            market = self.markets[m] if m < len(self.markets) else None
            brackets = market.brackets if market else (Bracket(0, 0),)
            mark.append(market.mark if market else 0)
            sf, mmr, cum = [0], [brackets[0].rate], [0]
            for k in range(1, profile.brackets):
                if k < len(brackets):
                    notional = brackets[k].floor * PRICE_SCALE
                    sf.append(min(-(-notional // market.mark), FLOOR_SENTINEL) if market else FLOOR_SENTINEL)
                    mmr.append(brackets[k].rate)
                    cum.append(cum[-1] + notional * (mmr[-1] - mmr[-2]))
                else:
                    sf.append(FLOOR_SENTINEL)
                    mmr.append(mmr[-1])
                    cum.append(cum[-1])
            size_floors.append(tuple(sf))
            mmrs.append(tuple(mmr))
            cums.append(tuple(cum))
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

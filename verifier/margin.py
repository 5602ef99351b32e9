"""The reference model of the margin rules: the oracle for the circuits and the prover's pre-check.

It computes exactly what AccountHealth (circuits/lib/account.circom) computes, with Python integers.
"""

from dataclasses import dataclass

from .account import Account
from .field import FLOOR_SENTINEL, PPM, PRICE_SCALE, WEIGHTED_SCALE
from .params import CircuitParams
from .scenarios import PortfolioMargin, portfolio_loss
from .vocabulary import usd


@dataclass(frozen=True)
class AccountHealth:
    """A margin account's figures; money in USD * 1e22 (value * ppm)."""

    collateral_value: int
    """Sum over assets of price * tiered collateral of the positive balance (the settlement asset at its
    one rate)."""
    debt_value: int
    """Sum over assets of price * negative balance, at full value."""
    position_value: int
    """Sum over markets of mark * signed size (the dYdX quote-balance form of unrealised PnL) and over
    option series of mark * signed position (a long at its value, a short as a liability)."""
    maintenance: int
    """Sum over markets of the tiered maintenance margin and over short options of the series' unit MM."""
    initial: int
    """Sum over markets of the tiered initial margin and over short options of the series' unit IM."""
    net_value: int
    """Balances at full value plus position value: what the account is worth with no haircut."""
    tiers: tuple[int, ...]
    """Collateral tier of each asset's |balance| (the circuits place the magnitude, which range-checks it;
    only a positive balance counts as collateral)."""
    brackets: tuple[int, ...]
    """Maintenance bracket of each position (0 in a portfolio account)."""
    scenario: PortfolioMargin | None = None
    """A portfolio account's scenario losses, worst scenario and margins; None for a standard account."""
    groups: tuple[int, ...] = ()
    """A portfolio account's scenario groups (underlyings) of its derivatives: eligible with one or none."""

    @property
    def group(self) -> int:
        """The portfolio account's scenario group: its derivatives' (0 with none: no spot is shocked)."""
        return self.groups[0] if self.groups else 0

    @property
    def equity(self) -> int:
        """Haircut equity: collateral - debt + position value."""
        return self.collateral_value - self.debt_value + self.position_value

    @property
    def free(self) -> int:
        """Free collateral: haircut equity minus maintenance margin."""
        return self.equity - self.maintenance

    @property
    def available(self) -> int:
        """Haircut equity minus initial margin: what an account margin proof lends against."""
        return self.equity - self.initial

    @property
    def healthy(self) -> bool:
        """Haircut equity at least maintenance margin."""
        return self.free >= 0

    @property
    def margin_class(self) -> str:
        """healthy (equity >= MM), liquidatable (0 <= equity < MM) or bankrupt (equity < 0)."""
        return HEALTHY if self.free >= 0 else LIQUIDATABLE if self.equity >= 0 else BANKRUPT

    @property
    def shortfall(self) -> int:
        """Maintenance shortfall, MM - equity, for a liquidatable account; else 0 (USD * 1e22)."""
        return -self.free if self.margin_class == LIQUIDATABLE else 0

    @property
    def bad_debt(self) -> int:
        """Bad debt, -equity, for a bankrupt account; else 0 (USD * 1e22)."""
        return -self.equity if self.margin_class == BANKRUPT else 0

    @property
    def in_words(self) -> str:
        """The account's class and what it means, for the trader."""
        if self.margin_class == HEALTHY:
            return (
                f"healthy: haircut equity {usd(self.equity)} USD covers maintenance margin "
                f"{usd(self.maintenance)} USD"
            )
        if self.margin_class == LIQUIDATABLE:
            return (
                f"liquidatable: haircut equity {usd(self.equity)} USD is below maintenance margin "
                f"{usd(self.maintenance)} USD (short by {usd(self.shortfall)} USD); the venue may "
                "liquidate it"
            )
        return (
            f"bankrupt: haircut equity is {usd(self.equity)} USD, a loss of {usd(self.bad_debt)} USD "
            "beyond the account's funds that the venue's insurance fund must absorb"
        )


#: The three classes of a margin account (docs/statement.md, "Classes").
HEALTHY, LIQUIDATABLE, BANKRUPT = "healthy", "liquidatable", "bankrupt"
CLASSES = (HEALTHY, LIQUIDATABLE, BANKRUPT)


def tier_of(x: int, floors: tuple[int, ...]) -> int:
    """Index j with floors[j] <= x < floors[j+1] (floors[T] = 2^64)."""
    bounds = (*floors, FLOOR_SENTINEL)
    for j in range(len(floors)):
        if bounds[j] <= x < bounds[j + 1]:
            return j
    raise ValueError(f"{x} lies outside the table [0, 2^64)")


@dataclass(frozen=True)
class Terms:
    """One position's terms of the margin rule, USD * 1e22: value at mark, maintenance and initial margin,
    and the bracket of a perpetual (0 for an option)."""

    value: int
    maintenance: int
    initial: int
    bracket: int = 0


def perpetual_terms(m: int, size: int, params: CircuitParams) -> Terms:
    """A perpetual position of `size` quanta in market m: bracketed MM and IM on its notional."""
    k = tier_of(abs(size), params.size_floor[m])
    notional = abs(size) * params.mark[m]
    maintenance = notional * params.bracket_rate[m][k] - params.bracket_cum[m][k]
    initial = notional * params.initial_rate[m][k] - params.initial_cum[m][k]
    return Terms(params.mark[m] * size * PPM, maintenance, initial, k)


def option_terms(o: int, size: int, params: CircuitParams) -> Terms:
    """An option position of `size` quanta in series o: value at mark; a short needs the unit margins."""
    short = max(-size, 0)
    value = params.option_mark[o] * size * PPM
    return Terms(value, short * params.option_maintenance[o], short * params.option_initial[o])


def evaluate(account: Account, params: CircuitParams) -> AccountHealth:
    """The account's margin figures under the epoch's parameters (the account must be in range)."""
    balances, positions, options = account.padded(params.profile)
    collateral = debt = net = 0
    tiers = []
    for a, v in enumerate(balances):
        equity, owed = max(v, 0), max(-v, 0)
        j = tier_of(abs(v), params.tier_floor[a])
        tiers.append(j)
        haircut = (
            params.tier_base[a][j] + params.tier_rate[a][j] * (equity - params.tier_floor[a][j])
            if v >= 0
            else 0
        )
        collateral += params.price[a] * haircut
        debt += params.price[a] * owed * PPM
        net += params.price[a] * v * PPM
    terms = [perpetual_terms(m, s, params) for m, s in enumerate(positions)]
    brackets = [t.bracket for t in terms]
    terms += [option_terms(o, q, params) for o, q in enumerate(options)]
    position = sum(t.value for t in terms)
    if account.portfolio:
        spot = len(balances) - 1
        held = (*balances[1:], *positions, *options)
        groups = tuple(sorted({params.groups[i] for i in range(spot, len(held)) if held[i]}))
        group = groups[0] if groups else 0
        shocked = [q if i >= spot or params.groups[i] == group else 0 for i, q in enumerate(held)]
        grid = portfolio_loss(shocked, params.risk, params.shocks)
        return AccountHealth(
            collateral,
            debt,
            position,
            grid.maintenance,
            grid.initial,
            net + position,
            tuple(tiers),
            (0,) * len(brackets),
            grid,
            groups,
        )
    maintenance = sum(t.maintenance for t in terms)
    initial = sum(t.initial for t in terms)
    return AccountHealth(
        collateral, debt, position, maintenance, initial, net + position, tuple(tiers), tuple(brackets)
    )


def eligible(health: AccountHealth, params: CircuitParams) -> bool:
    """The public eligibility rule of a portfolio account: haircut equity at least the minimum, and its
    derivatives all on one underlying (one scenario group)."""
    return health.equity >= params.min_equity * (WEIGHTED_SCALE // PRICE_SCALE) and len(health.groups) <= 1

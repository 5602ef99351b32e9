"""Sample venues: realistic, reproducible snapshots for demos, tests and benchmarks.

Many small accounts and a few whales, sparse asset holdings, loans against collateral, leveraged
perpetual positions opened in matched pairs (so open interest balances), isolated positions as
subaccounts, an options book (market makers short volatility and delta-hedged with perpetuals, retail
long calls and puts, call spreads and straddles), a portfolio-margined desk (market makers short
volatility, delta-hedged with perpetuals and spot; retail spreads and straddles; every one above the
venue's portfolio minimum), and reserves above liabilities. Like a real book at any instant, some
leveraged accounts sit just above their maintenance margin, some are liquidatable and a few are
bankrupt, their loss covered by the venue's insurance fund; a stressed book (a crash day) has many more
of both.
Every sample trader has registered a holder commitment; their secrets (`sample_holder_secret`) derive
from the seed, so that tests and the demo can act as the traders (UNSAFE: real secrets are random).
"""

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from zksolvency.verifier.account import Account
from zksolvency.verifier.black76 import option_price
from zksolvency.verifier.field import PPM, PRICE_SCALE, QUANTA_PER_UNIT, WEIGHTED_SCALE, R
from zksolvency.verifier.holder import holder_commitment, write_holder_secret
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.params import (
    CALL,
    PUT,
    Asset,
    Bracket,
    CircuitParams,
    CollateralTier,
    EpochParams,
    OptionSeries,
    PerpMarket,
)
from zksolvency.verifier.poseidon import poseidon
from zksolvency.verifier.profiles import Profile
from zksolvency.verifier.state import ChainState

from .snapshot import Snapshot

UNIT = QUANTA_PER_UNIT
USD = PRICE_SCALE
#: Domain of the sample traders' holder secrets: the ASCII bytes of "zksolvency/sample-holder".
SAMPLE_HOLDER_DOMAIN = int.from_bytes(b"zksolvency/sample-holder", "big")

# symbol, USD price, collateral tiers as (floor in USD of value, rate in percent)
_ASSETS = [
    ("USDT", 1.0, [(0, 100)]),
    ("BTC", 61_250.0, [(0, 100), (100_000_000, 97.5), (200_000_000, 95), (500_000_000, 90)]),
    ("ETH", 3_180.5, [(0, 95), (50_000_000, 92.5), (100_000_000, 90), (300_000_000, 85)]),
    ("SOL", 142.37, [(0, 90), (10_000_000, 85), (30_000_000, 80)]),
    ("BNB", 588.1, [(0, 90), (10_000_000, 85), (50_000_000, 75)]),
    ("XRP", 0.5213, [(0, 85), (5_000_000, 80), (20_000_000, 70)]),
    ("DOGE", 0.12345, [(0, 80), (2_000_000, 70), (10_000_000, 50)]),
    ("USDC", 0.9998, [(0, 100)]),
]
# symbol, mark in USD, brackets as (notional floor in USD, MMR in percent, IMR in percent = 1 / max leverage)
_BINANCE_BTC = [
    (0, 0.4, 0.8), (50_000, 0.5, 1), (250_000, 1, 2), (1_000_000, 2.5, 5), (10_000_000, 5, 10),
    (20_000_000, 10, 20), (50_000_000, 12.5, 25), (100_000_000, 15, 33.3333), (200_000_000, 25, 50),
    (300_000_000, 50, 100),
]  # fmt: skip
_MARKETS = [
    ("BTC-PERP", 61_262.5, _BINANCE_BTC),
    (
        "ETH-PERP",
        3_181.2,
        [
            (0, 0.5, 1),
            (10_000, 0.65, 1.3333),
            (100_000, 1, 2),
            (500_000, 2, 4),
            (1_000_000, 5, 10),
            (5_000_000, 10, 20),
        ],
    ),
    ("SOL-PERP", 142.41, [(0, 1, 2), (5_000, 1.5, 3), (25_000, 2.5, 5), (100_000, 5, 10), (250_000, 10, 20)]),
    ("DOGE-PERP", 0.12351, [(0, 1, 2), (5_000, 1.5, 3), (25_000, 2.5, 5), (100_000, 5, 10)]),
]
#: The sample's snapshot time, 2026-11-28 08:00 UTC, and its option series: underlying asset, days to
#: expiry, strike as a multiple of spot, call or put, mark implied volatility in percent.
SAMPLE_TIME = 1_795_852_800
_DAY = 86_400
_OPTIONS = [
    ("BTC", 27, 1.0, CALL, 52), ("BTC", 27, 1.0, PUT, 53), ("BTC", 27, 1.15, CALL, 55),
    ("BTC", 27, 0.85, PUT, 58), ("ETH", 27, 1.0, CALL, 66), ("ETH", 27, 1.0, PUT, 67),
    ("BTC", 90, 1.3, CALL, 57), ("ETH", 90, 0.8, PUT, 70),
]  # fmt: skip


@dataclass(frozen=True)
class Stress:
    """Shares of leveraged margin accounts near, below and far below their maintenance margin."""

    near: float
    """Just above maintenance margin (healthy)."""
    liquidatable: float
    """Below maintenance margin with equity left."""
    bankrupt: float
    """Below zero equity: bad debt."""


#: An ordinary instant: a few accounts being liquidated, an occasional bankruptcy.
CALM = Stress(near=0.15, liquidatable=0.04, bankrupt=0.008)
#: A crash day (2025-10-10: about $19B liquidated across 1.6M traders within hours).
CRASH = Stress(near=0.25, liquidatable=0.30, bankrupt=0.05)


def _ppm(percent: float) -> int:
    return round(percent * PPM / 100)


def sample_params(profile: Profile) -> EpochParams:
    """The sample market, cut to the profile's numbers of assets, markets, tiers and brackets."""
    assets = []
    for symbol, price, tiers in _ASSETS[: profile.assets]:
        scaled = round(price * USD)
        rows = [CollateralTier(-(-round(floor * USD) * UNIT // scaled), _ppm(rate)) for floor, rate in tiers]
        assets.append(Asset(symbol, scaled, tuple(rows[: profile.tiers])))
    listed = {a.symbol for a in assets[1:]}
    markets = [  # each perpetual tracks its base asset, where the epoch lists it
        PerpMarket(
            symbol,
            round(mark * USD),
            tuple(Bracket(f * USD, _ppm(mm), _ppm(im)) for f, mm, im in rows[: profile.brackets]),
            base if (base := symbol.removesuffix("-PERP")) in listed else None,
        )
        for symbol, mark, rows in _MARKETS[: profile.markets]
    ]
    prices = {a.symbol: a.price for a in assets}
    listed = [row for row in _OPTIONS if row[0] in prices][: profile.options]
    options = [_series(underlying, prices[underlying], *row) for underlying, *row in listed]
    return EpochParams(tuple(assets), tuple(markets), tuple(options), time=SAMPLE_TIME if options else 0)


def _series(underlying: str, spot: int, days: int, moneyness: float, kind: str, iv: float) -> OptionSeries:
    """A series marked at its Black-76 value (`black76.option_price`) at its volatility, to 1 USD cent."""
    strike = (
        round(spot * moneyness / USD / 100) * 100 * USD if spot > 1_000 * USD else round(spot * moneyness)
    )
    expiry = SAMPLE_TIME + days * _DAY
    day = datetime.fromtimestamp(expiry, UTC).strftime("%d%b%y").upper()
    symbol = f"{underlying}-{day}-{strike // USD}-{kind[0].upper()}"
    value = option_price(spot, strike, _ppm(iv), days * _DAY, kind == CALL)
    intrinsic = max(spot - strike, 0) if kind == CALL else max(strike - spot, 0)
    mark = max(round(value, -6), intrinsic)
    return OptionSeries(symbol, underlying, strike, expiry, kind, mark, _ppm(iv))


class _Builder:
    def __init__(
        self,
        params: EpochParams,
        profile: Profile,
        rng: random.Random,
        stress: Stress,
        portfolio: bool = False,
    ) -> None:
        self.params, self.profile, self.rng, self.stress = params, profile, rng, stress
        self.portfolio = portfolio
        """Every account margined by the scenario grid (trading in its cross account only)."""
        self.circuit: CircuitParams = params.circuit(profile)
        self.balances: dict[tuple[int, int], list[int]] = {}
        self.positions: dict[tuple[int, int], list[int]] = {}
        self.options: dict[int, list[int]] = {}
        """account id -> option positions, held by the cross account."""
        self.holder: dict[tuple[int, int], int] = {}
        """(account id, market) -> the subaccount that holds the account's position in that market."""

    def account(self, account_id: int, sub: int = 0) -> tuple[list[int], list[int]]:
        key = (account_id, sub)
        if key not in self.balances:
            self.balances[key] = [0] * len(self.params.assets)
            self.positions[key] = [0] * len(self.params.markets)
        return self.balances[key], self.positions[key]

    def amount_worth(self, asset: int, usd: float) -> int:
        return max(1, round(usd * USD * UNIT / self.params.assets[asset].price))

    def spot(self, account_id: int, whale: bool) -> None:
        balances, _ = self.account(account_id)
        held = self.rng.sample(range(len(balances)), k=self.rng.randint(1, min(3, len(balances))))
        for asset in held:
            usd = self.rng.lognormvariate(7.5, 1.6) * (2_000 if whale else 1)
            balances[asset] += self.amount_worth(asset, usd)
        if len(balances) > 1 and self.rng.random() < 0.15:  # a loan of settlement asset against collateral
            collateral = sum(b * a.price for b, a in zip(balances, self.params.assets, strict=True)) / (
                USD * UNIT
            )
            balances[0] -= self.amount_worth(0, collateral * self.rng.uniform(0.1, 0.6))

    def trade(self, long_id: int, short_id: int, market: int, usd: float, isolated: int) -> None:
        """A matched trade at an entry near the mark; each side posts margin for 2x-25x leverage."""
        mark = self.params.markets[market].mark
        entry = round(mark * self.rng.uniform(0.97, 1.03))
        size = max(1, round(usd * USD * UNIT / mark))
        for account_id, sign in ((long_id, 1), (short_id, -1)):
            sub = self.holder.setdefault((account_id, market), isolated if sign == 1 else 0)
            balances, positions = self.account(account_id, sub)
            positions[market] += sign * size
            balances[0] -= sign * size * entry // self.params.assets[0].price
            balances[0] += self.amount_worth(0, usd / self.rng.uniform(2, 25))

    def option_trade(self, buyer: int, writer: int, series: int, units: float) -> None:
        """A matched option trade at a premium near the mark, paid in the settlement asset."""
        option = self.params.options[series]
        size = max(1, round(units * UNIT))
        premium = round(option.mark * self.rng.uniform(0.95, 1.05)) * size // self.params.assets[0].price
        for account_id, sign in ((buyer, 1), (writer, -1)):
            balances, _ = self.account(account_id)
            self.options.setdefault(account_id, [0] * len(self.params.options))[series] += sign * size
            balances[0] -= sign * premium

    def delta_hedge(self, account_id: int, counterparty: int, series: int, units: float) -> None:
        """The writer of `units` of a series buys (call) or sells (put) about half as much of the underlying's
        perpetual, from `counterparty`: a delta hedge of an at-the-money short."""
        option = self.params.options[series]
        perp = next(
            (
                m
                for m, market in enumerate(self.params.markets)
                if market.symbol == f"{option.underlying}-PERP"
            ),
            None,
        )
        if perp is None:
            return
        usd = units * 0.5 * self.params.underlying_price(option) / USD
        pair = (account_id, counterparty) if option.kind == CALL else (counterparty, account_id)
        self.trade(*pair, perp, usd, isolated=0)

    def spot_hedge(self, account_id: int, series: int, units: float) -> None:
        """The writer of `units` of a call buys about half as much of the underlying spot, paying the
        settlement asset: a delta hedge of an at-the-money short call."""
        option = self.params.options[series]
        asset = next(a for a, spot in enumerate(self.params.assets) if spot.symbol == option.underlying)
        balances, _ = self.account(account_id)
        amount = self.amount_worth(asset, units * 0.5 * self.params.assets[asset].price / USD)
        balances[asset] += amount
        balances[0] -= amount * self.params.assets[asset].price // self.params.assets[0].price

    def finish(self) -> list[Account]:
        """Accounts in key order, each leveraged one moved to the margin it is drawn for (a portfolio
        account at or above the venue's portfolio minimum)."""
        # One quantum of settlement asset, weighted: it counts at its one rate, or in full as a debt.
        quote_value = self.params.assets[0].price * PPM
        drawn = [self._drawn(account_id, sub) for account_id, sub in sorted(self.balances)]
        if self.portfolio:
            self._liquidate_one(drawn)
        accounts = []
        for account, target in drawn:
            balances = list(account.balances)
            if target is not None:
                balances[0] += int((target - evaluate(account, self.circuit).free) // quote_value) + 1
            accounts.append(replace(account, balances=tuple(balances)))
        return sorted(accounts, key=lambda a: a.key)

    def _drawn(self, account_id: int, sub: int) -> tuple[Account, float | None]:
        """The record and the free collateral (USD * 1e22) it is drawn to: bankrupt, liquidatable, near its
        margin, or None (left as it is).

        A portfolio account drawn bankrupt has fallen below the portfolio minimum, so the venue margins
        it as a standard account; one drawn liquidatable keeps at least the minimum; one below the minimum
        is drawn up to it (a trader who enables portfolio margin holds it).
        """
        none = [0] * len(self.params.options)
        account = Account(
            account_id,
            sub,
            tuple(self.balances[(account_id, sub)]),
            tuple(self.positions[(account_id, sub)]),
            tuple(self.options.get(account_id, none) if sub == 0 else none),
            portfolio=self.portfolio,
        )
        s, draw = self.stress, self.rng.random()
        if account.portfolio and draw < s.bankrupt:
            account = replace(account, portfolio=False)
        health = evaluate(account, self.circuit)
        mm = health.maintenance
        if account.portfolio:
            floor = self._minimum()
            if draw < s.bankrupt + s.liquidatable and mm > floor:
                return account, self._liquidatable(mm)
            if not health.healthy or health.equity < floor or draw < s.bankrupt + s.liquidatable + s.near:
                near = mm * self.rng.uniform(0.02, 0.5)
                return account, max(near, floor * self.rng.uniform(1.05, 1.5) - mm)
            return account, None
        if mm and draw < s.bankrupt:  # equity below zero: bad debt of 5-60% of the maintenance margin
            return account, -mm - mm * self.rng.uniform(0.05, 0.6)
        if mm and draw < s.bankrupt + s.liquidatable:  # equity between 5% and 95% of the margin
            return account, -mm * self.rng.uniform(0.05, 0.95)
        if not health.healthy or (mm and draw < s.bankrupt + s.liquidatable + s.near):
            return account, mm * self.rng.uniform(0.02, 0.5)
        return account, None

    def _minimum(self) -> int:
        """The portfolio minimum (haircut equity), USD * 1e22."""
        return self.circuit.min_equity * (WEIGHTED_SCALE // PRICE_SCALE)

    def _liquidatable(self, mm: int) -> float:
        """Free collateral of a liquidatable portfolio: equity 5-95% of the way from the minimum to MM."""
        return self._minimum() - mm + (mm - self._minimum()) * self.rng.uniform(0.05, 0.95)

    def _liquidate_one(self, drawn: list[tuple[Account, float | None]]) -> None:
        """Unless one is drawn so already, the portfolio with the largest maintenance margin (above 1.1
        times the minimum) is liquidatable: every sample shows the scenario grid biting."""
        candidates = []
        for i, (account, target) in enumerate(drawn):
            if account.portfolio and target is not None and target < 0:
                return
            if account.portfolio:
                candidates.append((evaluate(account, self.circuit).maintenance, i))
        mm, i = max(candidates, default=(0, -1))
        if mm > self._minimum() * 1.1:
            drawn[i] = (drawn[i][0], self._liquidatable(mm))


def sample_holder_secret(seed: int, account_id: int) -> int:
    """The holder secret of sample trader `account_id` (all their records): derived from the sample seed,
    so UNSAFE for anything but samples."""
    return 1 + poseidon([SAMPLE_HOLDER_DOMAIN, seed % R, account_id]) % (R - 1)


def sample_venue(
    accounts: int, seed: int, profile: Profile, epoch_id: int = 1, stress: Stress = CALM
) -> Snapshot:
    """About `accounts` accounts (isolated positions add subaccounts) and a portfolio desk of about one in
    ten more, reproducible from `seed`. The desk draws from its own generator and its ids follow the
    others', so the standard accounts are those of a venue without it."""
    if accounts < 2:
        raise ValueError("a sample venue needs at least 2 accounts")
    rng = random.Random(seed)
    params = sample_params(profile)
    builder = _Builder(params, profile, rng, stress)
    ids = sorted(rng.sample(range(10_000, 10_000 + 50 * accounts), accounts))
    for account_id in ids:
        builder.spot(account_id, whale=rng.random() < 0.01)
    for market in range(len(params.markets)):
        for _ in range(accounts // (3 * max(1, len(params.markets)))):
            long_id, short_id = rng.sample(ids, 2)
            isolated = rng.randint(1, 3) if rng.random() < 0.2 else 0
            builder.trade(long_id, short_id, market, rng.lognormvariate(8, 1.5), isolated)
    _options_book(builder, ids, accounts)
    desk = _Builder(params, profile, random.Random(f"zksolvency/portfolio/{seed}"), stress, portfolio=True)
    _portfolio_desk(desk, accounts)
    venue_accounts = [
        replace(a, holder=holder_commitment(sample_holder_secret(seed, a.account_id)))
        for a in builder.finish() + desk.finish()
    ]
    totals = ChainState.genesis(profile).after(venue_accounts, builder.circuit, blind=0)
    reserves = tuple(
        max(0, round((totals.equity[a] - totals.debt[a]) * rng.uniform(1.05, 1.3)))
        for a in range(len(params.assets))
    )
    # The insurance fund: settlement asset worth 1.5-4 times the bad debt, and never less than 0.2% of
    # the settlement asset's liabilities (a fund built up from liquidation fees).
    floor_usd = 0.002 * max(0, totals.equity[0] - totals.debt[0]) / UNIT
    fund_usd = max(floor_usd, totals.bad_debt / WEIGHTED_SCALE * rng.uniform(1.5, 4.0))
    settlement = params.assets[0]
    insured = replace(settlement, insurance=builder.amount_worth(0, fund_usd))
    params = replace(params, assets=(insured, *params.assets[1:]))
    return Snapshot(epoch_id, params, reserves, venue_accounts)


def _options_book(builder: _Builder, ids: list[int], accounts: int) -> None:
    """Market makers (1 in 50 accounts, at least 2) write the series retail buys: single calls and puts,
    call spreads (long the lower strike, short the higher) and straddles; each writer delta-hedges."""
    options = builder.params.options
    if not options:
        return
    rng = builder.rng
    makers = rng.sample(ids, max(2, accounts // 50))
    for maker in makers:  # market makers hold a deep settlement-asset balance
        builder.account(maker)[0][0] += builder.amount_worth(0, rng.uniform(2e5, 2e6))
    calls = [i for i, o in enumerate(options) if o.kind == CALL]
    puts = [i for i, o in enumerate(options) if o.kind == PUT]
    for _ in range(max(2, accounts // 6)):
        buyer, maker = rng.choice(ids), rng.choice(makers)
        if buyer in makers:
            continue
        units = round(rng.lognormvariate(-1, 1), 2) + 0.01
        shape = rng.random()
        if shape < 0.15 and len(calls) > 1:  # a call spread: long the lower strike, short the higher
            low, high = sorted(rng.sample(calls, 2), key=lambda i: options[i].strike)
            builder.option_trade(buyer, maker, low, units)
            builder.option_trade(maker, buyer, high, units)
        elif shape < 0.3 and calls and puts:  # a straddle
            builder.option_trade(buyer, maker, rng.choice(calls), units)
            builder.option_trade(buyer, maker, rng.choice(puts), units)
        else:
            series = rng.randrange(len(options))
            builder.option_trade(buyer, maker, series, units)
            if rng.random() < 0.5:
                builder.delta_hedge(maker, rng.choice(makers), series, units)


def _portfolio_desk(desk: _Builder, accounts: int) -> None:
    """Portfolio accounts (max(2, accounts // 10), a third of them market makers, at least one), with ids
    above every standard account's, trading the series on the first series' underlying (a portfolio is
    margined per underlying). Each maker holds a deep settlement-asset balance and writes a straddle of
    60,000-250,000 USD of underlying to a retail trader; each retail trader buys a straddle, a call spread
    or a single option from a maker, who delta-hedges a call with spot or the perpetual and a put with the
    perpetual (the retail trader takes the other side)."""
    if not desk.params.options:
        return
    underlying = desk.params.options[0].underlying
    options = {i: o for i, o in enumerate(desk.params.options) if o.underlying == underlying}
    rng = desk.rng
    count = max(2, accounts // 10)
    ids = sorted(rng.sample(range(10_000 + 50 * accounts, 10_000 + 60 * accounts), count))
    makers, retail = ids[: max(1, count // 3)], ids[max(1, count // 3) :]
    for account_id in ids:
        desk.spot(account_id, whale=False)
    for maker in makers:
        desk.account(maker)[0][0] += desk.amount_worth(0, rng.uniform(2e5, 2e6))
    calls = [i for i, o in options.items() if o.kind == CALL]
    straddles = [
        (c, p)
        for c in calls
        for p, put in options.items()
        if put.kind == PUT and (put.strike, put.expiry) == (options[c].strike, options[c].expiry)
    ]
    for maker in makers if straddles else []:  # short volatility
        call, put = rng.choice(straddles)
        units = rng.uniform(60_000, 250_000) * USD / desk.params.underlying_price(options[call])
        buyer = rng.choice(retail)
        desk.option_trade(buyer, maker, call, units)
        desk.option_trade(buyer, maker, put, units)
    for buyer in retail:
        maker, units, shape = rng.choice(makers), round(rng.lognormvariate(0, 0.8), 2) + 0.01, rng.random()
        if shape < 0.4 and len(calls) > 1:  # a call spread: long the lower strike, short the higher
            low, high = sorted(rng.sample(calls, 2), key=lambda i: options[i].strike)
            desk.option_trade(buyer, maker, low, units)
            desk.option_trade(maker, buyer, high, units)
        elif shape < 0.8 and straddles:
            call, put = rng.choice(straddles)
            desk.option_trade(buyer, maker, call, units)
            desk.option_trade(buyer, maker, put, units)
        else:
            series = rng.choice(list(options))
            desk.option_trade(buyer, maker, series, units)
            if options[series].kind == CALL and rng.random() < 0.5:
                desk.spot_hedge(maker, series, units)
            else:
                desk.delta_hedge(maker, buyer, series, units)


#: The sample's folder of the traders' own files: one holder secret per trader, ACCOUNT_ID.secret.
TRADERS = "traders"


def write_trader_secrets(folder: Path, venue: Snapshot, seed: int) -> Path:
    """Write each sample trader's holder secret to FOLDER/traders/ACCOUNT_ID.secret (mode 0600): the
    traders' own files, which a real venue never holds. Returns the folder."""
    traders = folder / TRADERS
    traders.mkdir()
    (traders / "README.txt").write_text(
        "UNSAFE sample secrets: each file is one sample trader's own holder secret\n"
        "(zksolvency holder-key), derived from the sample seed. A real trader makes theirs with\n"
        "`zksolvency holder-key new` and gives the venue only the commitment; a venue never holds these.\n"
    )
    for account_id in sorted({a.account_id for a in venue.accounts}):
        write_holder_secret(traders / f"{account_id}.secret", sample_holder_secret(seed, account_id))
    return traders

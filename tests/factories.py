"""Small handmade venues for the tests: Binance's published tables at the statement's scales."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from zksolvency.verifier.account import Account
from zksolvency.verifier.field import PPM, PRICE_SCALE, QUANTA_PER_UNIT
from zksolvency.verifier.margin import eligible, evaluate
from zksolvency.verifier.params import (
    CALL,
    PUT,
    Asset,
    Bracket,
    CollateralTier,
    EpochParams,
    OptionSeries,
    PerpMarket,
)
from zksolvency.verifier.profiles import Profile

UNIT = QUANTA_PER_UNIT
USD = PRICE_SCALE

#: Binance BTCUSDT leverage brackets (2021-03-18): notional floor in USD, MMR and IMR (1 / maximum leverage:
#: 125x, 100x, 50x, 20x, 10x, 5x, 4x, 3x, 2x, 1x) in percent.
BTCUSDT_BRACKETS = [
    (0, "0.40", "0.8"), (50_000, "0.5", "1"), (250_000, "1", "2"), (1_000_000, "2.5", "5"),
    (10_000_000, "5", "10"), (20_000_000, "10", "20"), (50_000_000, "12.5", "25"),
    (100_000_000, "15", "33.3333"), (200_000_000, "25", "50"), (300_000_000, "50", "100"),
]  # fmt: skip


def ppm(percent: str) -> int:
    """A percentage written as a decimal string, in parts per million."""
    whole, _, frac = percent.partition(".")
    return int(whole) * PPM // 100 + int(frac.ljust(4, "0")[:4]) * PPM // 1_000_000


def btcusdt(mark_usd: int | float, brackets: int = 10) -> PerpMarket:
    """BTCUSDT marked at `mark_usd`, with the first `brackets` of Binance's brackets."""
    table = tuple(Bracket(floor * USD, ppm(mmr), ppm(imr)) for floor, mmr, imr in BTCUSDT_BRACKETS[:brackets])
    return PerpMarket("BTC-PERP", round(mark_usd * USD), table, "BTC")


def venue(mark_usd: float = 55_000, brackets: int = 10, btc_price: float = 55_000) -> EpochParams:
    """USDT (settlement, 100%), BTC (100% up to 5,000 BTC, 97.5% above), ETH (90%), BTC-PERP."""
    btc_tiers = (CollateralTier(0, PPM), CollateralTier(5_000 * UNIT, 975_000))
    return EpochParams(
        assets=(
            Asset("USDT", 1 * USD, (CollateralTier(0, PPM),)),
            Asset("BTC", round(btc_price * USD), btc_tiers),
            Asset("ETH", 3_000 * USD, (CollateralTier(0, 900_000),)),
        ),
        markets=(btcusdt(mark_usd, brackets),),
    )


def worked_example(account_id: int = 1) -> Account:
    """margin-rules.md: long 10 BTC at 60,000 with a 60,000 USDT wallet (quote balance -540,000 USDT)."""
    return Account(account_id, 0, balances=((60_000 - 600_000) * UNIT, 0, 0), positions=(10 * UNIT,))


#: The snapshot time of the option venue (2026-11-28 08:00 UTC) and its series' expiry (2026-12-25 08:00 UTC).
EPOCH_TIME = 1_795_852_800
EXPIRY = 1_798_185_600
#: margin-rules.md's worked example: the BTC 70,000 call marked at 1,200 USD with BTC at 60,000; each iv is
#: its mark's implied volatility (Black-76, 27 days).
CALL_70K = OptionSeries("BTC-25DEC26-70000-C", "BTC", 70_000 * USD, EXPIRY, CALL, 1_200 * USD, 648_304)
PUT_50K = OptionSeries("BTC-25DEC26-50000-P", "BTC", 50_000 * USD, EXPIRY, PUT, 350 * USD, 515_994)


def option_venue(brackets: int = 3) -> EpochParams:
    """venue() with BTC at 60,000 and two BTC options: the 70,000 call and the 50,000 put."""
    base = venue(mark_usd=60_000, brackets=brackets, btc_price=60_000)
    return replace(base, options=(CALL_70K, PUT_50K), time=EPOCH_TIME)


def short_call(account_id: int, usdt: float) -> Account:
    """A cross account with `usdt` USDT, short one 70,000 call."""
    return Account(account_id, 0, (round(usdt * UNIT), 0, 0), (0,), (-UNIT, 0))


def with_portfolios(params: EpochParams, accounts: Sequence[Account], profile: Profile) -> list[Account]:
    """`accounts` with each eligible single-record account that holds a perpetual or an option margined by
    the scenario grid instead, in key order (portfolio accounts last)."""
    circuit = params.circuit(profile)
    records = Counter(a.account_id for a in accounts)

    def portfolio(a: Account) -> bool:
        flipped = replace(a, portfolio=True)
        held = any(a.positions) or any(a.options)
        return held and records[a.account_id] == 1 and eligible(evaluate(flipped, circuit), circuit)

    return sorted((replace(a, portfolio=portfolio(a)) for a in accounts), key=lambda a: a.key)

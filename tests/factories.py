"""Small handmade venues for the tests: Binance's published tables at the statement's scales."""

from zksolvency.verifier.account import Account
from zksolvency.verifier.field import PPM, PRICE_SCALE, QUANTA_PER_UNIT
from zksolvency.verifier.params import Asset, Bracket, CollateralTier, EpochParams, PerpMarket

UNIT = QUANTA_PER_UNIT
USD = PRICE_SCALE

#: Binance BTCUSDT maintenance brackets (2021-03-18): notional floor in USD, MMR in percent.
BTCUSDT_BRACKETS = [
    (0, "0.40"), (50_000, "0.5"), (250_000, "1"), (1_000_000, "2.5"), (10_000_000, "5"),
    (20_000_000, "10"), (50_000_000, "12.5"), (100_000_000, "15"), (200_000_000, "25"), (300_000_000, "50"),
]  # fmt: skip


def ppm(percent: str) -> int:
    """A percentage written as a decimal string, in parts per million."""
    whole, _, frac = percent.partition(".")
    return int(whole) * PPM // 100 + int(frac.ljust(4, "0")[:4]) * PPM // 1_000_000


def btcusdt(mark_usd: int | float, brackets: int = 10) -> PerpMarket:
    """BTCUSDT marked at `mark_usd`, with the first `brackets` of Binance's brackets."""
    table = tuple(Bracket(floor * USD, ppm(rate)) for floor, rate in BTCUSDT_BRACKETS[:brackets])
    return PerpMarket("BTC-PERP", round(mark_usd * USD), table)


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

"""Black-76 prices and Greeks of European options in deterministic integer arithmetic (docs/risk-arrays.md).

USD-margined options settled in the settlement asset, on a forward equal to the underlying index price
U, with zero rates: F = U and nothing is discounted. Prices are USD * 1e8 per whole unit of the
underlying (like every price of the statement), the implied volatility sigma is in ppm (550000 = 55%),
the time to expiry t in seconds, a year being 365 days = 31,536,000 s. Intermediates are 2^128 fixed
point (`fixedpoint.py`); no float is used.
"""

from dataclasses import dataclass
from typing import Final

from .field import PPM, PRICE_SCALE
from .fixedpoint import FRAC_BITS, HALF, ONE, ln_ratio, normal_cdf, normal_pdf, sqrt_ratio

#: Seconds in the year of the volatility: 365 days.
SECONDS_PER_YEAR: Final = 365 * 86_400
#: Prices (the underlying, strikes, marks and option values) are below this bound, shocked ones included.
PRICE_BOUND: Final = 2**72
#: Delta is reported in units of the underlying per unit held, times 1e8 (a call's delta is 0..1e8).
DELTA_SCALE: Final = 10**8
#: Gamma is the change of delta per 1 USD move of the underlying, times 1e16.
GAMMA_SCALE: Final = 10**16
#: Vega is the change of value for one volatility point (sigma + 1%), in USD * 1e8 per unit.
VEGA_SCALE: Final = PRICE_SCALE

#: The highest implied volatility an epoch may publish, in ppm (10000%).
MAX_IV: Final = 100 * PPM


class Black76Error(ValueError):
    """An input out of the documented domain."""


@dataclass(frozen=True)
class Greeks:
    """Delta (DELTA_SCALE), gamma (GAMMA_SCALE, per USD) and vega (USD * 1e8 per vol point), per unit."""

    delta: int
    gamma: int
    vega: int


def call_price(underlying: int, strike: int, sigma_ppm: int, seconds: int) -> int:
    """The Black-76 call value in USD * 1e8 per unit, rounded to the nearest unit (half up).

    C = U Phi(d1) - K Phi(d2), d1 = ln(U/K)/v + v/2, d2 = d1 - v, v = sigma sqrt(t / year). With U = 0,
    sigma = 0 or t = 0 the value is the intrinsic max(U - K, 0) exactly. The rounded value is clamped to
    the no-arbitrage range [max(U - K, 0), U], which the exact value always lies in.
    """
    _check(underlying, strike, sigma_ppm, seconds)
    intrinsic = max(underlying - strike, 0)
    if underlying == 0 or sigma_ppm == 0 or seconds == 0:
        return intrinsic
    d1, d2 = _d1_d2(underlying, strike, sigma_ppm, seconds)
    scaled = underlying * normal_cdf(d1) - strike * normal_cdf(d2)
    return min(max((scaled + HALF) >> FRAC_BITS, intrinsic), underlying)


def put_price(underlying: int, strike: int, sigma_ppm: int, seconds: int) -> int:
    """The Black-76 put value in USD * 1e8 per unit: by put-call parity, exactly C - U + K."""
    return call_price(underlying, strike, sigma_ppm, seconds) - underlying + strike


def option_price(underlying: int, strike: int, sigma_ppm: int, seconds: int, is_call: bool) -> int:
    """`call_price` or `put_price`."""
    return (call_price if is_call else put_price)(underlying, strike, sigma_ppm, seconds)


def implied_vol(underlying: int, strike: int, mark: int, seconds: int, is_call: bool) -> int | None:
    """The smallest iv in ppm, 1 .. MAX_IV, at which Black-76 reaches `mark` (bisection: the price rises with
    the vol); None if even 1e8 ppm (10000%) does not."""
    low, high = 1, MAX_IV
    if option_price(underlying, strike, high, seconds, is_call) < mark:
        return None
    while low < high:
        mid = (low + high) // 2
        if option_price(underlying, strike, mid, seconds, is_call) < mark:
            low = mid + 1
        else:
            high = mid
    return low


def greeks(underlying: int, strike: int, sigma_ppm: int, seconds: int, is_call: bool) -> Greeks:
    """Delta, gamma and vega per unit held long, each rounded to the nearest unit of its scale (half up).

    delta = Phi(d1) (call) or Phi(d1) - 1 (put), gamma = phi(d1) / (U v) per USD, vega = U phi(d1)
    sqrt(t / year) / 100 (one vol point). Where the value is intrinsic (U = 0, sigma = 0 or t = 0)
    delta is its limit (call: 1 in the money, 1/2 at the money, 0 out of it) and gamma = vega = 0.
    """
    _check(underlying, strike, sigma_ppm, seconds)
    if underlying == 0 or sigma_ppm == 0 or seconds == 0:
        limit = DELTA_SCALE if underlying > strike else DELTA_SCALE // 2 if underlying == strike else 0
        return Greeks(delta=limit - (0 if is_call else DELTA_SCALE), gamma=0, vega=0)
    d1, _ = _d1_d2(underlying, strike, sigma_ppm, seconds)
    v = _vol_root(sigma_ppm, seconds)
    density = normal_pdf(d1)
    delta = _round_div(normal_cdf(d1) * DELTA_SCALE, ONE)
    # gamma per USD = phi / (U_usd v), U_usd = U / 1e8: phi * 1e8 / (U v), then times GAMMA_SCALE.
    gamma = _round_div(density * PRICE_SCALE * GAMMA_SCALE, underlying * v)
    # vega per vol point in USD * 1e8 = U phi sqrt(t / year) / 100.
    vega = _round_div(underlying * density * sqrt_ratio(seconds, SECONDS_PER_YEAR), 100 * ONE * ONE)
    return Greeks(delta=delta - (0 if is_call else DELTA_SCALE), gamma=gamma, vega=vega)


def _d1_d2(underlying: int, strike: int, sigma_ppm: int, seconds: int) -> tuple[int, int]:
    """d1 = floor(ln(U/K) * 2^128 / v) + floor(v / 2) and d2 = d1 - v, in fixed point."""
    v = _vol_root(sigma_ppm, seconds)
    d1 = (ln_ratio(underlying, strike) << FRAC_BITS) // v + (v >> 1)
    return d1, d1 - v


def _vol_root(sigma_ppm: int, seconds: int) -> int:
    """v = sigma sqrt(t / year) in fixed point: exactly floor(sqrt(sigma^2 t / (1e12 year)) * 2^128)."""
    return sqrt_ratio(sigma_ppm * sigma_ppm * seconds, PPM * PPM * SECONDS_PER_YEAR)


def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves up (denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _check(underlying: int, strike: int, sigma_ppm: int, seconds: int) -> None:
    """Raise Black76Error unless 0 <= U < 2^72, 1 <= K < 2^72, 0 <= sigma < 2^64, t >= 0, all ints."""
    for name, value in (
        ("underlying", underlying),
        ("strike", strike),
        ("sigma_ppm", sigma_ppm),
        ("seconds", seconds),
    ):
        if type(value) is not int:
            raise Black76Error(f"{name} must be an integer, got {value!r}")
    if not 0 <= underlying < PRICE_BOUND:
        raise Black76Error(f"underlying {underlying} is outside [0, 2^72) (USD * 1e8)")
    if not 1 <= strike < PRICE_BOUND:
        raise Black76Error(f"strike {strike} is outside [1, 2^72) (USD * 1e8)")
    if not 0 <= sigma_ppm < 2**64:
        raise Black76Error(f"sigma_ppm {sigma_ppm} is outside [0, 2^64) (ppm)")
    if seconds < 0:
        raise Black76Error(f"seconds {seconds} is negative")

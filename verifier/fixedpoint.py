"""Deterministic binary fixed-point arithmetic for the risk arrays: ln, exp, sqrt, the normal pdf and cdf.

A real number x is the Python int X = x * 2^128 rounded as each function says (docs/risk-arrays.md,
"Fixed point"). Every step is an integer operation whose rounding is fixed: `>>` and `//` round toward
minus infinity (floor), `math.isqrt` is the exact floor square root. Every series runs on non-negative
operands and stops at a rule stated on integers, so two implementations that follow the text compute the
same bits. No float is used anywhere.
"""

from math import isqrt
from typing import Final

#: Fractional bits of every fixed-point value.
FRAC_BITS: Final = 128
#: 1.0 in fixed point.
ONE: Final = 1 << FRAC_BITS
#: 0.5 in fixed point.
HALF: Final = ONE >> 1
#: floor(ln 2 * 2^128).
LN2: Final = 235865763225513294137944142764154484399
#: floor(2^128 / sqrt(2 pi)): the normal density at 0.
INV_SQRT_2PI: Final = 135753023439836232162591007175785461951
#: A series stops at the first term t with t * 2^SERIES_STOP_BITS < the partial sum (relative 2^-124).
SERIES_STOP_BITS: Final = 124
#: |x| at or beyond which the normal cdf is taken as exactly 0 or 1; Phi(-10) < 7.62e-24 < 2^-76.
CDF_CUTOFF: Final = 10 * ONE


def ln_ratio(a: int, b: int) -> int:
    """ln(a / b) in fixed point for integers a, b >= 1; absolute error below 2^-120.

    a / b = 2^k * r with the integer k chosen (by exact integer comparisons) so that 1/sqrt(2) <= r <
    sqrt(2); then ln(a / b) = k ln 2 + 2 atanh(z), z = (r - 1) / (r + 1), |z| <= 3 - 2 sqrt(2) < 0.1716,
    and atanh(|z|) = |z| + |z|^3/3 + ... summed until the power |z|^(2j+1) floors to 0.
    """
    if a < 1 or b < 1:
        raise ValueError(f"ln_ratio needs integers >= 1, got {a} / {b}")
    k = a.bit_length() - b.bit_length()
    num, den = _scaled_pair(a, b, k)
    if num * num >= 2 * den * den:
        k += 1
    elif 2 * num * num < den * den:
        k -= 1
    num, den = _scaled_pair(a, b, k)
    z = (abs(num - den) << FRAC_BITS) // (num + den)
    z2 = (z * z) >> FRAC_BITS
    power, total, n = z, z, 1
    while power:
        power = (power * z2) >> FRAC_BITS
        n += 2
        total += power // n
    atanh2 = 2 * total
    return k * LN2 + (atanh2 if num >= den else -atanh2)


def _scaled_pair(a: int, b: int, k: int) -> tuple[int, int]:
    """(a', b') with a' / b' = a / (b * 2^k), both integers."""
    return (a << -k, b) if k < 0 else (a, b << k)


def exp_parts(y: int) -> tuple[int, int]:
    """(k, m) with e^y = 2^k * m / 2^128 for a fixed-point y of any sign; relative error (|k| + 30) 2^-128.

    k = floor(y / ln 2 + 1/2) (from the fixed-point LN2), r = y - k ln 2 (|r| <= ln 2 / 2 + 2^-120), and
    m = e^r = sum_n r^n / n!: each term is the previous times |r|, floored, then floor-divided by n, the
    terms alternate in sign when r < 0, and the sum stops when a term is 0.
    """
    k = (y + (LN2 >> 1)) // LN2
    r = y - k * LN2
    ar = abs(r)
    term, total, n = ONE, ONE, 0
    while term:
        n += 1
        term = ((term * ar) >> FRAC_BITS) // n
        total += -term if r < 0 and n % 2 else term
    return k, total


def exp_fixed(y: int) -> int:
    """e^y in fixed point: 2^k * m / 2^128 from `exp_parts`, floored."""
    k, m = exp_parts(y)
    return m << k if k >= 0 else m >> -k


def sqrt_ratio(a: int, b: int) -> int:
    """sqrt(a / b) in fixed point for integers a >= 0, b >= 1: exactly floor(sqrt(a / b) * 2^128)."""
    if a < 0 or b < 1:
        raise ValueError(f"sqrt_ratio needs a >= 0 and b >= 1, got {a} / {b}")
    return isqrt((a << (2 * FRAC_BITS)) // b)


def normal_pdf(x: int) -> int:
    """The standard normal density phi(x) = e^(-x^2/2) / sqrt(2 pi) in fixed point, floored."""
    k, m = _half_square_exp(abs(x))
    return (m * INV_SQRT_2PI) >> (FRAC_BITS - k)


def normal_cdf(x: int) -> int:
    """The standard normal cdf Phi(x) in fixed point; absolute error below 2^-118 for |x| < 10, 2^-76 beyond.

    |x| >= 10: exactly 1 (x > 0) or 0, an error of at most Phi(-10) < 2^-76. Otherwise Marsaglia's
    series (J. Stat. Softw. 11(4), 2004): Phi(x) = 1/2 + sign(x) phi(|x|) S, S = |x| + |x|^3/3 +
    |x|^5/(3*5) + ..., every term positive, each the previous times x^2 (floored to fixed point) then
    floor-divided by 2j+1, until a term t has t * 2^124 < S. phi(|x|) is kept as 2^k * m (`exp_parts`)
    so that its relative error stays below 2^-120 for every |x| < 10 (|k| <= 73): phi S (at most 1/2) is
    then within 2^-119 of its value even where the sum S is near 2^72.
    """
    ax = abs(x)
    if ax >= CDF_CUTOFF:
        return ONE if x > 0 else 0
    x2 = (ax * ax) >> FRAC_BITS
    term, total, n = ax, ax, 1
    while term and term << SERIES_STOP_BITS >= total:
        n += 2
        term = ((term * x2) >> FRAC_BITS) // n
        total += term
    k, m = _half_square_exp(ax)
    tail = (m * total * INV_SQRT_2PI) >> (2 * FRAC_BITS - k)
    return HALF + tail if x >= 0 else HALF - tail


def _half_square_exp(ax: int) -> tuple[int, int]:
    """exp_parts(-x^2/2) for a non-negative fixed-point x, x^2 / 2 floored once."""
    return exp_parts(-((ax * ax) >> (FRAC_BITS + 1)))

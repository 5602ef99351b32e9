"""Fixed-point ln, exp, sqrt and normal cdf, and Black-76 prices and Greeks, against a 110-digit reference."""

from decimal import Decimal, localcontext
from itertools import pairwise
from math import isqrt
from random import Random

import black76_reference as ref
import pytest

from zksolvency.verifier.black76 import (
    DELTA_SCALE,
    GAMMA_SCALE,
    SECONDS_PER_YEAR,
    Black76Error,
    call_price,
    greeks,
    implied_vol,
    option_price,
    put_price,
)
from zksolvency.verifier.fixedpoint import (
    CDF_CUTOFF,
    INV_SQRT_2PI,
    LN2,
    ONE,
    exp_parts,
    ln_ratio,
    normal_cdf,
    normal_pdf,
    sqrt_ratio,
)

USD = 10**8
HOUR, DAY = 3_600, 86_400
SPOT = 60_000 * USD
TWO_64 = 2**64


def fixed(value: Decimal) -> Decimal:
    """A reference value at the fixed-point scale (2^128)."""
    with localcontext() as ctx:
        ctx.prec = ref.DIGITS
        return value * ONE


def test_constants_are_the_floors_of_ln2_and_one_over_sqrt_2pi() -> None:
    with localcontext() as ctx:
        ctx.prec = ref.DIGITS
        assert int(Decimal(2).ln() * ONE) == LN2
        assert int(ONE / (2 * ref.PI).sqrt()) == INV_SQRT_2PI


@pytest.mark.parametrize(
    ("a", "b"),
    [(1, 1), (2, 1), (1, 2), (3, 7), (7, 3), (5, 4), (60_000, 70_000), (1, TWO_64 - 1), (TWO_64 - 1, 1),
     (10**19, 10**19 + 1), (2**71, 3), (99_999, 100_000)],
)  # fmt: skip
def test_ln_ratio_within_2_pow_minus_120(a: int, b: int) -> None:
    with localcontext() as ctx:
        ctx.prec = ref.DIGITS
        exact = fixed((Decimal(a) / Decimal(b)).ln())
    assert abs(ln_ratio(a, b) - exact) < 2**8


def test_ln_ratio_of_equal_numbers_is_exactly_zero_and_odd_in_its_argument() -> None:
    assert ln_ratio(12_345, 12_345) == 0
    for a, b in [(3, 7), (60_000, 70_000), (1, TWO_64 - 1)]:
        assert ln_ratio(a, b) == -ln_ratio(b, a)


@pytest.mark.parametrize(("a", "b"), [(0, 1), (1, 0), (-1, 1)])
def test_ln_ratio_refuses_non_positive_arguments(a: int, b: int) -> None:
    with pytest.raises(ValueError, match="ln_ratio needs integers >= 1"):
        ln_ratio(a, b)


@pytest.mark.parametrize("y", [0, 1, -1, 50, -50, 88, -88, 3, -7])
def test_exp_parts_relative_error_below_2_pow_minus_121(y: int) -> None:
    y_fixed = y * ONE // 7
    k, m = exp_parts(y_fixed)
    with localcontext() as ctx:
        ctx.prec = ref.DIGITS
        exact = (Decimal(y_fixed) / ONE).exp()
        got = Decimal(m) * Decimal(2) ** k / ONE
        assert abs(got / exact - 1) < Decimal(2) ** -121
    assert ONE * 7 // 10 < m < ONE * 15 // 10


@pytest.mark.parametrize(
    ("a", "b"), [(0, 1), (1, 1), (2, 1), (30 * DAY, SECONDS_PER_YEAR), (1, SECONDS_PER_YEAR)]
)
def test_sqrt_ratio_is_the_exact_floor(a: int, b: int) -> None:
    root = sqrt_ratio(a, b)
    assert root * root * b <= a * ONE * ONE < (root + 1) ** 2 * b
    assert root == isqrt(a * ONE * ONE // b)


def test_normal_cdf_and_pdf_within_2_pow_minus_118_inside_the_cutoff() -> None:
    worst = Decimal(0)
    for i in range(-99, 100, 3):
        for offset in (0, ONE // 3):
            x = i * ONE // 10 + offset
            if abs(x) >= CDF_CUTOFF:
                continue
            with localcontext() as ctx:
                ctx.prec = ref.DIGITS
                xd = Decimal(x) / ONE
                worst = max(
                    worst, abs(normal_cdf(x) - fixed(ref.cdf(xd))), abs(normal_pdf(x) - fixed(ref.pdf(xd)))
                )
    assert worst < 2**10


def test_normal_cdf_is_exactly_0_and_1_beyond_the_cutoff_and_half_at_0() -> None:
    assert normal_cdf(0) == ONE // 2
    assert normal_cdf(CDF_CUTOFF) == ONE
    assert normal_cdf(-CDF_CUTOFF) == 0
    assert normal_cdf(CDF_CUTOFF - 1) < ONE
    assert normal_cdf(-(CDF_CUTOFF - 1)) > 0
    assert fixed(ref.cdf(Decimal(-10))) < ONE >> 76  # the cutoff error


STRIKE_FACTORS = (Decimal("0.3"), Decimal("0.5"), Decimal("0.8"), Decimal("0.97"), 1, Decimal("1.03"),
                  Decimal("1.25"), Decimal("1.7"), Decimal("2.2"), 3)  # fmt: skip
VOLS = (50_000, 200_000, 550_000, 1_000_000, 1_800_000, 3_000_000)
EXPIRIES = (HOUR, DAY, 7 * DAY, 30 * DAY, 180 * DAY, 2 * 365 * DAY)


@pytest.mark.parametrize("factor", STRIKE_FACTORS)
def test_prices_round_to_the_nearest_unit_of_the_reference(factor: Decimal) -> None:
    """Strikes 0.3x..3x spot, vols 5%..300%, expiries 1 hour..2 years: within 1/2 unit (USD * 1e8)."""
    strike = int(SPOT * factor)
    for sigma in VOLS:
        for seconds in EXPIRIES:
            for is_call in (True, False):
                got = option_price(SPOT, strike, sigma, seconds, is_call)
                assert type(got) is int
                exact = ref.price(SPOT, strike, sigma, seconds, is_call)
                assert abs(got - exact) <= Decimal("0.5000001"), (strike, sigma, seconds, is_call, got, exact)


@pytest.mark.parametrize("underlying", [1, 3, 10**8, 2**40 + 7, TWO_64 - 1])
@pytest.mark.parametrize("strike", [1, 5, 10**8 + 1, 2**63, TWO_64 - 1])
def test_prices_at_the_extremes_of_2_pow_64(underlying: int, strike: int) -> None:
    for sigma, seconds in [(1, 1), (550_000, DAY), (100_000_000, 2 * 365 * DAY)]:
        got = call_price(underlying, strike, sigma, seconds)
        assert abs(got - ref.price(underlying, strike, sigma, seconds, True)) <= Decimal("0.5000001")
        assert max(underlying - strike, 0) <= got <= underlying


def test_textbook_at_the_money_value_with_zero_rates() -> None:
    """C = U (2 Phi(sigma sqrt(T) / 2) - 1): U = K = 100, sigma = 20%, T = 1 year gives 7.96556745540."""
    assert call_price(100 * USD, 100 * USD, 200_000, SECONDS_PER_YEAR) == 796_556_746
    assert put_price(100 * USD, 100 * USD, 200_000, SECONDS_PER_YEAR) == 796_556_746


def test_textbook_greeks_at_the_money() -> None:
    """delta = Phi(0.1) = 0.53982783727, gamma = phi(0.1) / 20 = 0.019847627373851 per USD, vega = phi(0.1)
    = 0.39695254748 USD per vol point (U = K = 100 USD, sigma = 20%, T = 1 year)."""
    call = greeks(100 * USD, 100 * USD, 200_000, SECONDS_PER_YEAR, is_call=True)
    assert call.delta == 53_982_784
    assert call.gamma == 198_476_273_738_506
    assert call.vega == 39_695_255
    put = greeks(100 * USD, 100 * USD, 200_000, SECONDS_PER_YEAR, is_call=False)
    assert put.delta == call.delta - DELTA_SCALE
    assert (put.gamma, put.vega) == (call.gamma, call.vega)


@pytest.mark.parametrize(
    ("strike", "sigma", "seconds"),
    [
        (70_000 * USD, 550_000, 30 * DAY),
        (20_000 * USD, 3_000_000, HOUR),
        (59_000 * USD, 50_000, 2 * 365 * DAY),
    ],
)
def test_greeks_against_the_reference(strike: int, sigma: int, seconds: int) -> None:
    got = greeks(SPOT, strike, sigma, seconds, is_call=True)
    with localcontext() as ctx:
        ctx.prec = ref.DIGITS
        d1, v = ref.d1_v(SPOT, strike, sigma, seconds)
        density = ref.pdf(d1)
        assert abs(got.delta - ref.cdf(d1) * DELTA_SCALE) <= Decimal("0.5000001")
        assert abs(got.gamma - density * USD / (SPOT * v) * GAMMA_SCALE) <= Decimal("0.5000001")
        root = (Decimal(seconds) / ref.YEAR).sqrt()
        assert abs(got.vega - SPOT * density * root / 100) <= Decimal("0.5000001")


def test_put_call_parity_holds_exactly() -> None:
    for factor in STRIKE_FACTORS:
        strike = int(SPOT * factor)
        for sigma in VOLS:
            for seconds in (0, HOUR, 30 * DAY):
                call, put = call_price(SPOT, strike, sigma, seconds), put_price(SPOT, strike, sigma, seconds)
                assert call - put == SPOT - strike
                assert put >= max(strike - SPOT, 0)


def test_call_rises_with_the_underlying_and_falls_with_the_strike() -> None:
    strike = 70_000 * USD
    by_underlying = [call_price(SPOT + i * 997 * USD, strike, 550_000, 30 * DAY) for i in range(-40, 41)]
    assert by_underlying == sorted(by_underlying)
    assert by_underlying[0] == 0 and _strictly_rising([p for p in by_underlying if p])
    by_strike = [call_price(SPOT, strike + i * 997 * USD, 550_000, 30 * DAY) for i in range(-40, 41)]
    assert _strictly_rising(by_strike[::-1])
    by_vol = [call_price(SPOT, strike, 50_000 * i, 30 * DAY) for i in range(1, 61)]
    assert by_vol == sorted(by_vol)
    by_time = [call_price(SPOT, strike, 550_000, i * DAY) for i in range(1, 731, 7)]
    assert by_time == sorted(by_time)


def _strictly_rising(values: list[int]) -> bool:
    return all(a < b for a, b in pairwise(values))


def test_same_inputs_give_the_same_ints() -> None:
    args = (SPOT, 70_000 * USD, 550_000, 30 * DAY)
    first = (
        call_price(*args),
        put_price(*args),
        greeks(*args, is_call=True),
        ln_ratio(7, 3),
        normal_cdf(ONE),
    )
    second = (
        call_price(*args),
        put_price(*args),
        greeks(*args, is_call=True),
        ln_ratio(7, 3),
        normal_cdf(ONE),
    )
    assert first == second
    for value in (*first[:2], first[2].delta, first[2].gamma, first[2].vega, *first[3:]):
        assert type(value) is int


@pytest.mark.parametrize(("sigma", "seconds"), [(0, 30 * DAY), (550_000, 0), (0, 0)])
def test_no_volatility_or_no_time_is_the_intrinsic_value(sigma: int, seconds: int) -> None:
    assert call_price(SPOT, 50_000 * USD, sigma, seconds) == 10_000 * USD
    assert call_price(SPOT, 70_000 * USD, sigma, seconds) == 0
    assert put_price(SPOT, 70_000 * USD, sigma, seconds) == 10_000 * USD
    assert put_price(SPOT, 50_000 * USD, sigma, seconds) == 0
    itm, atm, otm = (greeks(SPOT, k * USD, sigma, seconds, is_call=True) for k in (50_000, 60_000, 70_000))
    assert (itm.delta, atm.delta, otm.delta) == (DELTA_SCALE, DELTA_SCALE // 2, 0)
    assert itm.gamma == itm.vega == 0
    assert greeks(SPOT, 70_000 * USD, sigma, seconds, is_call=False).delta == -DELTA_SCALE


def test_underlying_zero_is_worth_nothing_as_a_call_and_the_strike_as_a_put() -> None:
    assert call_price(0, 70_000 * USD, 550_000, 30 * DAY) == 0
    assert put_price(0, 70_000 * USD, 550_000, 30 * DAY) == 70_000 * USD


def test_deep_in_and_out_of_the_money() -> None:
    assert call_price(SPOT, 1, 550_000, 30 * DAY) == SPOT - 1
    assert call_price(SPOT, 10 * SPOT, 550_000, 30 * DAY) == 0
    assert put_price(SPOT, 10 * SPOT, 550_000, 30 * DAY) == 9 * SPOT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((SPOT, 0, 550_000, DAY), "strike 0 is outside"),
        ((-1, SPOT, 550_000, DAY), "underlying -1 is outside"),
        ((2**72, SPOT, 550_000, DAY), "underlying .* is outside"),
        ((SPOT, SPOT, -1, DAY), "sigma_ppm -1 is outside"),
        ((SPOT, SPOT, 550_000, -5), "seconds -5 is negative"),
        ((6e12, SPOT, 550_000, DAY), "underlying must be an integer"),
        ((SPOT, SPOT, True, DAY), "sigma_ppm must be an integer"),
    ],
)
def test_bad_inputs_are_refused_by_name(args: tuple, message: str) -> None:
    with pytest.raises(Black76Error, match=message):
        call_price(*args)


def test_random_inputs_round_to_the_nearest_unit_of_the_reference() -> None:
    """300 seeded draws over the whole domain: U, K below 2^64, sigma 1 ppm..500%, t 1 s..3 years."""
    rng = Random(20261128)
    for _ in range(300):
        underlying = rng.choice(
            [rng.randint(1, TWO_64 - 1), rng.randint(USD, 10**14), 2 ** rng.randint(0, 63)]
        )
        strike = min(max(1, underlying * rng.randint(1, 10_000) // rng.randint(1, 10_000)), TWO_64 - 1)
        sigma = rng.choice([rng.randint(1, 5_000_000), rng.randint(1, 100)])
        seconds = rng.choice([rng.randint(1, 3 * SECONDS_PER_YEAR), rng.randint(1, HOUR)])
        got = call_price(underlying, strike, sigma, seconds)
        exact = ref.price(underlying, strike, sigma, seconds, True)
        assert abs(got - exact) <= Decimal("0.5000001"), (underlying, strike, sigma, seconds, got, exact)


@pytest.mark.parametrize(("strike_usd", "iv", "is_call"), [(70_000, 648_304, True), (50_000, 515_994, False)])
def test_implied_vol_is_the_smallest_ppm_reaching_the_mark(strike_usd: int, iv: int, is_call: bool) -> None:
    u, k, t = 60_000 * 10**8, strike_usd * 10**8, 27 * 86_400
    mark = option_price(u, k, iv, t, is_call)
    found = implied_vol(u, k, mark, t, is_call)
    assert found is not None and found <= iv and option_price(u, k, found, t, is_call) >= mark
    assert option_price(u, k, found - 1, t, is_call) < mark
    assert implied_vol(u, k, u + 1, t, True) is None  # above any call's value

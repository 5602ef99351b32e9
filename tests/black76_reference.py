"""A high-precision Black-76 reference for the tests, independent of verifier/fixedpoint.py.

Python's decimal module at 110 significant digits: its own ln, exp and sqrt, and the normal cdf from
the alternating Maclaurin series of erf (not Marsaglia's series that the verifier uses), which at this
precision keeps more than 70 correct digits for every |x| <= 12 (the largest term is about e^(x^2/2)).
"""

from decimal import Decimal, localcontext

DIGITS = 110
PI = Decimal(
    "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798214808651"
)
YEAR = Decimal(31_536_000)
CUTOFF = Decimal(12)


def erf(z: Decimal) -> Decimal:
    """erf(z) = 2/sqrt(pi) sum_n (-1)^n z^(2n+1) / (n! (2n+1))."""
    with localcontext() as ctx:
        ctx.prec = DIGITS
        total, power, n = Decimal(0), z, 0
        eps = Decimal(10) ** -(DIGITS + 5)
        while True:
            term = power / (2 * n + 1)
            total += term
            n += 1
            power = -power * z * z / n
            if abs(term) < eps and n > 2:
                return total * 2 / PI.sqrt()


def cdf(x: Decimal) -> Decimal:
    """Phi(x); 0 or 1 beyond |x| = 12, where Phi(-12) < 2e-33."""
    with localcontext() as ctx:
        ctx.prec = DIGITS
        if x <= -CUTOFF:
            return Decimal(0)
        if x >= CUTOFF:
            return Decimal(1)
        return (1 + erf(x / Decimal(2).sqrt())) / 2


def pdf(x: Decimal) -> Decimal:
    """phi(x) = e^(-x^2/2) / sqrt(2 pi)."""
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return (-x * x / 2).exp() / (2 * PI).sqrt()


def d1_v(underlying: int, strike: int, sigma_ppm: int, seconds: int) -> tuple[Decimal, Decimal]:
    """(d1, v): v = sigma sqrt(t / year), d1 = ln(U/K)/v + v/2."""
    with localcontext() as ctx:
        ctx.prec = DIGITS
        v = Decimal(sigma_ppm) / 10**6 * (Decimal(seconds) / YEAR).sqrt()
        return (Decimal(underlying) / Decimal(strike)).ln() / v + v / 2, v


def price(underlying: int, strike: int, sigma_ppm: int, seconds: int, is_call: bool) -> Decimal:
    """The exact Black-76 value (zero rates) in USD * 1e8 per unit, unrounded."""
    with localcontext() as ctx:
        ctx.prec = DIGITS
        if underlying == 0 or sigma_ppm == 0 or seconds == 0:
            call = Decimal(max(underlying - strike, 0))
        else:
            d1, v = d1_v(underlying, strike, sigma_ppm, seconds)
            call = underlying * cdf(d1) - strike * cdf(d1 - v)
        return call if is_call else call - underlying + strike

"""BN254 points as plain integers: field ranges, curve equations and the G2 subgroup, checked in Python.

G1 is y^2 = x^3 + 3 over F_Q (prime order R, cofactor 1: on the curve means in the group).
G2 is the sextic twist y^2 = x^3 + 3 / (9 + u) over F_Q2 = F_Q[u] / (u^2 + 1); its order is R times a
large cofactor, so a point on the twist need not be in the order-R subgroup. F_Q2 elements are
(c0, c1) = c0 + c1 * u. The point at infinity has no affine coordinates; callers that take affine
points refuse it (docs: `groth16.py`).
"""

from .field import Q, R

G1 = tuple[int, int]
Fq2 = tuple[int, int]
G2 = tuple[Fq2, Fq2]

#: The twist's constant 3 / (9 + u) as (c0, c1) (py_ecc's b2; tests/test_groth16.py compares them).
B2: Fq2 = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)


def in_field(x: int) -> bool:
    """x is a canonical element of F_Q (an int, not a bool, in [0, Q))."""
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < Q


def _mul2(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def on_g1(p: G1) -> bool:
    """p is an affine point of G1 (coordinates canonical; infinity has none)."""
    x, y = p
    return in_field(x) and in_field(y) and (y * y - x * x * x - 3) % Q == 0


def on_twist(p: G2) -> bool:
    """p is an affine point of the twist curve (coordinates canonical); not necessarily in G2."""
    x, y = p
    if not all(in_field(c) for c in (*x, *y)):
        return False
    lhs = _mul2(y, y)
    rhs = _mul2(_mul2(x, x), x)
    return lhs == ((rhs[0] + B2[0]) % Q, (rhs[1] + B2[1]) % Q)


def in_g2(p: G2) -> bool:
    """p is on the twist and in its order-R subgroup: [R]p is the point at infinity (about 30 ms)."""
    from py_ecc.optimized_bn128 import FQ2, is_inf, multiply  # slow to import; only this needs it

    if not on_twist(p):
        return False
    x, y = p
    return is_inf(multiply((FQ2(list(x)), FQ2(list(y)), FQ2.one()), R))

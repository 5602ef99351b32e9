"""The Groth16 pairing check in pure Python (py_ecc, optimized_bn128): a second, independent backend.

Same API and same answers as `groth16.verify`, about a second per proof. It shares the checks made
before pairing (`groth16.prepare`) and checks the G2 subgroup of B and of the key's G2 points itself,
as [r]P = O, since py_ecc does not.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from py_ecc.optimized_bn128 import FQ as PyFQ
from py_ecc.optimized_bn128 import FQ2, FQ12, add, final_exponentiate, multiply, neg, pairing

from .bn254 import G1, G2, in_g2
from .groth16 import NOT_IN_SUBGROUP, MalformedKey, MalformedProof, Proof, VerificationKey, prepare

Point1 = tuple[PyFQ, PyFQ, PyFQ]
Point2 = tuple[FQ2, FQ2, FQ2]


def _g1(p: G1) -> Point1:
    return PyFQ(p[0]), PyFQ(p[1]), PyFQ.one()


def _g2(p: G2) -> Point2:
    return FQ2(list(p[0])), FQ2(list(p[1])), FQ2.one()


@lru_cache(maxsize=32)
def _checked_key(key: VerificationKey) -> VerificationKey:
    for name in ("beta", "gamma", "delta"):
        if not in_g2(getattr(key, name)):
            raise MalformedKey(f"vk_{name}_2 is not in the prime-order subgroup of G2")
    return key


def verify(
    verification_key: "dict[str, Any] | VerificationKey", proof: Proof, public_inputs: Sequence[int]
) -> bool:
    """The Groth16 pairing check e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta), in Python.

    False for a well-formed proof that does not verify; MalformedProof (MalformedKey for the key) for
    anything that is not well formed, B outside the prime-order subgroup of G2 included.
    """
    key, inputs = prepare(verification_key, proof, public_inputs)
    _checked_key(key)
    if not in_g2(proof.b):
        raise MalformedProof(NOT_IN_SUBGROUP)
    vk_x: Point1 = _g1(key.ic[0])
    for x, point in zip(inputs, key.ic[1:], strict=True):
        vk_x = add(vk_x, multiply(_g1(point), x))
    pairs = (
        (_g2(proof.b), neg(_g1(proof.a))),
        (_g2(key.beta), _g1(key.alpha)),
        (_g2(key.gamma), vk_x),
        (_g2(key.delta), _g1(proof.c)),
    )
    product = FQ12.one()
    for q, p in pairs:  # py_ecc pairs a G1 point at infinity (vk_x may be one) to 1
        product = product * pairing(q, p, final_exponentiate=False)
    return bool(final_exponentiate(product) == FQ12.one())

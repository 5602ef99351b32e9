"""Both Groth16 backends, arkworks (groth16py) and pure Python (py_ecc), give the same answers.

Every test that takes `verify` runs on both paths, on the same real batch proofs: valid ones verify,
invalid ones return False, malformed ones raise MalformedProof (MalformedKey for a bad key).
"""

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import groth16py
import pytest
from conftest import Circuits
from factories import UNIT, venue, worked_example

from zksolvency.prover.inputs import batch_signals
from zksolvency.verifier import groth16, groth16_reference
from zksolvency.verifier.account import Account
from zksolvency.verifier.bn254 import B2, in_g2, on_twist
from zksolvency.verifier.field import Q, R
from zksolvency.verifier.groth16 import MalformedKey, MalformedProof, Proof, VerificationKey, key_hash
from zksolvency.verifier.state import ChainState

Verify = Callable[[Any, Proof, Sequence[int]], bool]


@pytest.fixture(params=["fast", "reference"])
def verify(request: pytest.FixtureRequest) -> Verify:
    """groth16.verify (arkworks) or groth16_reference.verify (py_ecc)."""
    return {"fast": groth16.verify, "reference": groth16_reference.verify}[request.param]


@dataclass(frozen=True)
class Real:
    """Two real batch proofs under one development key."""

    key: dict[str, Any]
    proof: Proof
    public: list[int]
    other_proof: Proof
    other_public: list[int]


@pytest.fixture(scope="module")
def real(ci: Circuits) -> Real:
    params = venue(brackets=3).circuit(ci.profile)
    pad = Account.padding(ci.profile)
    first = [worked_example(1), Account(2, 0, (-20_000 * UNIT, 1 * UNIT, 0)), pad, pad]
    second = [Account(4, 0, (0, 0, 2 * UNIT)), pad, pad, pad]
    s1, st1, state = batch_signals(first, [1, 2, 3, 4], ChainState.genesis(ci.profile), params, 71)
    s2, st2, _ = batch_signals(second, [5, 6, 7, 8], state, params, 72)
    return Real(
        ci.batch.verification_key,
        ci.batch_prover.prove(s1),
        st1.public_inputs,
        ci.batch_prover.prove(s2),
        st2.public_inputs,
    )


def _sqrt(n: int) -> int | None:
    s = pow(n, (Q + 1) // 4, Q)
    return s if s * s % Q == n % Q else None


def twist_point_outside_g2() -> tuple[tuple[int, int], tuple[int, int]]:
    """The point of the twist with x = 1 + 0u: on the curve, not in the order-r subgroup."""
    x = (1, 0)
    rhs = ((1 + B2[0]) % Q, B2[1])  # x^3 + b2
    norm = _sqrt((rhs[0] ** 2 + rhs[1] ** 2) % Q)
    assert norm is not None
    half = pow(2, Q - 2, Q)
    y0 = _sqrt((rhs[0] + norm) * half % Q) or _sqrt((rhs[0] - norm) * half % Q)
    assert y0
    point = (x, (y0, rhs[1] * pow(2 * y0, Q - 2, Q) % Q))
    assert on_twist(point) and not in_g2(point)
    return point


OUTSIDE = twist_point_outside_g2()


def test_twist_constant_is_py_eccs() -> None:
    from py_ecc.optimized_bn128 import b2

    assert tuple(int(c) for c in b2.coeffs) == B2


def test_valid_proof_verifies(verify: Verify, real: Real) -> None:
    assert verify(real.key, real.proof, real.public) is True
    assert verify(VerificationKey.from_snarkjs(real.key), real.other_proof, real.other_public) is True


def test_wrong_public_input_does_not_verify(verify: Verify, real: Real) -> None:
    assert verify(real.key, real.proof, [real.public[0], real.public[1] + 1, *real.public[2:]]) is False


def test_proof_of_another_statement_does_not_verify(verify: Verify, real: Real) -> None:
    assert verify(real.key, real.other_proof, real.public) is False


def test_negated_a_does_not_verify(verify: Verify, real: Real) -> None:
    a = (real.proof.a[0], Q - real.proof.a[1])  # on the curve, a different point
    assert verify(real.key, Proof(a, real.proof.b, real.proof.c), real.public) is False


def _proof(p: Proof, a: Any = None, b: Any = None, c: Any = None) -> Proof:
    return Proof(a if a is not None else p.a, b if b is not None else p.b, c if c is not None else p.c)


def _bx(p: Proof, i: int, delta: int) -> Any:
    (x0, x1), (y0, y1) = p.b
    words = [x0, x1, y0, y1]
    words[i] += delta
    return (words[0], words[1]), (words[2], words[3])


MALFORMED_PROOFS: dict[str, tuple[Callable[[Proof], Proof], str]] = {
    "A.x + q (non-canonical)": (lambda p: _proof(p, a=(p.a[0] + Q, p.a[1])), "base field modulus"),
    "A.x = q": (lambda p: _proof(p, a=(Q, p.a[1])), "base field modulus"),
    "A.y negative": (lambda p: _proof(p, a=(p.a[0], -p.a[1])), "base field modulus"),
    "A.x a string": (lambda p: _proof(p, a=(str(p.a[0]), p.a[1])), "base field modulus"),
    "C.y + q": (lambda p: _proof(p, c=(p.c[0], p.c[1] + Q)), "base field modulus"),
    "B.x.c1 + q": (lambda p: _proof(p, b=_bx(p, 1, Q)), "base field modulus"),
    "A not on the curve": (lambda p: _proof(p, a=(p.a[0], p.a[1] + 1)), "A is not on the curve"),
    "C not on the curve": (lambda p: _proof(p, c=(p.c[0] + 1, p.c[1])), "C is not on the curve"),
    "B not on the twist": (lambda p: _proof(p, b=_bx(p, 3, 1)), "B is not on the twist"),
    "B on the twist, outside G2": (lambda p: _proof(p, b=OUTSIDE), "prime-order subgroup"),
    "A at infinity (0, 0)": (lambda p: _proof(p, a=(0, 0)), "A is the point at infinity"),
    "B at infinity (0, 0)": (lambda p: _proof(p, b=((0, 0), (0, 0))), "B is the point at infinity"),
    "C at infinity (0, 0)": (lambda p: _proof(p, c=(0, 0)), "C is the point at infinity"),
}


@pytest.mark.parametrize("case", MALFORMED_PROOFS)
def test_malformed_proof_is_refused(verify: Verify, real: Real, case: str) -> None:
    change, message = MALFORMED_PROOFS[case]
    with pytest.raises(MalformedProof, match=message):
        verify(real.key, change(real.proof), real.public)


MALFORMED_INPUTS: dict[str, Callable[[list[int]], list[Any]]] = {
    "r": lambda x: [R, *x[1:]],
    "input + r (non-canonical)": lambda x: [x[0] + R, *x[1:]],
    "negative": lambda x: [-1, *x[1:]],
    "a bool": lambda x: [True, *x[1:]],
    "a string": lambda x: [str(x[0]), *x[1:]],
    "one too few": lambda x: x[:-1],
    "one too many": lambda x: [*x, 0],
    "none": lambda x: [],
}


@pytest.mark.parametrize("case", MALFORMED_INPUTS)
def test_malformed_public_inputs_are_refused(verify: Verify, real: Real, case: str) -> None:
    with pytest.raises(MalformedProof, match="public input"):
        verify(real.key, real.proof, MALFORMED_INPUTS[case](real.public))


def _key_with(key: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(key)
    changed[field] = value
    return changed


def test_malformed_keys_are_refused(verify: Verify, real: Real) -> None:
    alpha = real.key["vk_alpha_1"]
    outside = [[str(c) for c in OUTSIDE[0]], [str(c) for c in OUTSIDE[1]], ["1", "0"]]
    for key, message in (
        (_key_with(real.key, "vk_alpha_1", [alpha[0], str(int(alpha[1]) + 1), "1"]), "vk_alpha_1 is not on"),
        (_key_with(real.key, "vk_delta_2", outside), "subgroup"),
        (_key_with(real.key, "IC", real.key["IC"][:-1]), "IC"),
        (_key_with(real.key, "nPublic", 4), "IC"),
        (_key_with(real.key, "curve", "bls12381"), "curve"),
        (_key_with(real.key, "vk_alpha_1", ["0", "1", "0"]), "z must be 1"),
        ({"protocol": "groth16"}, "curve"),
        ("not a key", "JSON object"),
    ):
        with pytest.raises(MalformedKey, match=message):
            verify(key, real.proof, real.public)


def test_groth16py_checks_the_g2_subgroup_when_it_decodes(real: Real) -> None:
    """Pins the library behaviour the fast path relies on: arkworks refuses B outside G2 (no False)."""
    verifier = groth16py.Verifier(groth16py.VerifyingKey.from_snarkjs(json.dumps(real.key)))
    with pytest.raises(groth16py.EncodingError, match="subgroup"):
        verifier.verify(Proof(real.proof.a, OUTSIDE, real.proof.c).to_bytes(), real.public)


def test_snarkjs_round_trip(real: Real) -> None:
    assert Proof.from_snarkjs(real.proof.to_snarkjs()) == real.proof
    assert Proof.from_bytes(real.proof.to_bytes()) == real.proof


SNARKJS_SHAPES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "pi_a z = 0 (infinity)": lambda d: {**d, "pi_a": [*d["pi_a"][:2], "0"]},
    "pi_a z = 2": lambda d: {**d, "pi_a": [*d["pi_a"][:2], "2"]},
    "pi_c z = 0": lambda d: {**d, "pi_c": [*d["pi_c"][:2], "0"]},
    "pi_b z = [0, 0]": lambda d: {**d, "pi_b": [*d["pi_b"][:2], ["0", "0"]]},
    "pi_b z = [1, 1]": lambda d: {**d, "pi_b": [*d["pi_b"][:2], ["1", "1"]]},
    "pi_a of two": lambda d: {**d, "pi_a": d["pi_a"][:2]},
    "pi_a of four": lambda d: {**d, "pi_a": [*d["pi_a"], "1"]},
    "pi_b of two rows": lambda d: {**d, "pi_b": d["pi_b"][:2]},
    "pi_b row of three": lambda d: {**d, "pi_b": [[*d["pi_b"][0], "0"], *d["pi_b"][1:]]},
    "pi_b flat": lambda d: {**d, "pi_b": [c for row in d["pi_b"] for c in row]},
    "pi_c missing": lambda d: {k: v for k, v in d.items() if k != "pi_c"},
    "hex coordinate": lambda d: {**d, "pi_a": [hex(int(d["pi_a"][0])), *d["pi_a"][1:]]},
    "negative coordinate": lambda d: {**d, "pi_a": ["-" + d["pi_a"][0], *d["pi_a"][1:]]},
    "float coordinate": lambda d: {**d, "pi_a": [1.5, *d["pi_a"][1:]]},
    "null coordinate": lambda d: {**d, "pi_a": [None, *d["pi_a"][1:]]},
    "padded coordinate": lambda d: {**d, "pi_a": [" " + d["pi_a"][0], *d["pi_a"][1:]]},
    "protocol plonk": lambda d: {**d, "protocol": "plonk"},
    "curve bls12381": lambda d: {**d, "curve": "bls12381"},
    "a list": lambda d: [d["pi_a"], d["pi_b"], d["pi_c"]],
    "a string": lambda d: json.dumps(d),
}


@pytest.mark.parametrize("case", SNARKJS_SHAPES)
def test_snarkjs_proof_of_the_wrong_shape_is_refused(real: Real, case: str) -> None:
    with pytest.raises(MalformedProof):
        Proof.from_snarkjs(SNARKJS_SHAPES[case](real.proof.to_snarkjs()))


@pytest.mark.parametrize("data", [b"", b"\0" * 255, b"\0" * 257, "00" * 256])
def test_proof_bytes_of_the_wrong_length_are_refused(data: Any) -> None:
    with pytest.raises(MalformedProof, match="256 bytes"):
        Proof.from_bytes(data)


def test_flipped_bytes_never_crash_and_never_verify(real: Real) -> None:
    """Every single-bit flip of the 256 bytes: refused as malformed or not verified, never an error."""
    data = real.proof.to_bytes()
    outcomes = set()
    for i in range(0, 256, 7):
        flipped = bytearray(data)
        flipped[i] ^= 1 << (i % 8)
        try:
            outcomes.add(groth16.verify(real.key, Proof.from_bytes(bytes(flipped)), real.public))
        except MalformedProof:
            outcomes.add("malformed")
    assert True not in outcomes and "malformed" in outcomes


def test_key_hash_is_canonical(real: Real) -> None:
    key = copy.deepcopy(real.key)
    digest = key_hash(key)
    assert len(digest) == 64 and digest == VerificationKey.from_snarkjs(key).sha256
    restyled = {**key, "nPublic": str(key["nPublic"]), "vk_alphabeta_12": [], "IC": copy.deepcopy(key["IC"])}
    restyled["IC"][0][0] = "000" + restyled["IC"][0][0]
    assert key_hash(restyled) == digest
    other = copy.deepcopy(key)
    other["IC"][1], other["IC"][2] = other["IC"][2], other["IC"][1]
    assert key_hash(other) != digest

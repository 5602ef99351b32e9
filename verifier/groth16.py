"""Groth16 proofs on BN254: encodings, well-formedness, and the pairing check (arkworks, through groth16py).

Everything handed to `verify` is untrusted. Before any pairing, `prepare` refuses, with MalformedProof:
a verification key of the wrong shape, a public input that is not an integer in [0, r) or a wrong number
of them, a coordinate that is not an integer in [0, q), a point not on its curve, and a point at
infinity. Points at infinity are refused everywhere (A, B, C and every key point): an honest proof or
key has one only with negligible probability, snarkjs JSON cannot carry one here (z must be 1), and
the 256-byte form would write it as (0, 0), which is not on either curve. The G2 subgroup (G2 has a
cofactor) is checked by each backend before its pairing: groth16py checks it when it decodes B and the
key's G2 points (tests/test_groth16.py pins this); the py_ecc reference path checks [r]P = O itself.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import groth16py

from .bn254 import G1, G2, in_field, on_g1, on_twist
from .field import R

_DIGITS = re.compile(r"[0-9]{1,80}")
_PROOF_BYTES = 256
#: Keys with more public inputs are refused as implausible (zksolvency's circuits take 5).
MAX_PUBLIC_INPUTS = 1024
NOT_IN_SUBGROUP = "B is not in the prime-order subgroup of G2"


class MalformedProof(ValueError):
    """A proof, public input or key that is not well formed: wrong shape, not canonical, not on the curve."""


class MalformedKey(MalformedProof):
    """A verification key that is not well formed (a MalformedProof, so one except clause catches both)."""


def _number(value: Any, where: str, error: type[MalformedProof]) -> int:
    """A decimal string (as snarkjs writes) or a JSON integer; the range is checked by the caller."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise error(f"{where}: expected a decimal integer, got a {type(value).__name__}")


def _list(value: Any, length: int, where: str, error: type[MalformedProof]) -> list[Any]:
    if not isinstance(value, list) or len(value) != length:
        got = f"a list of {len(value)}" if isinstance(value, list) else f"a {type(value).__name__}"
        raise error(f"{where}: expected a list of {length}, got {got}")
    return value


def _g1_json(value: Any, where: str, error: type[MalformedProof]) -> G1:
    x, y, z = (_number(v, f"{where}[{i}]", error) for i, v in enumerate(_list(value, 3, where, error)))
    if z != 1:
        raise error(f"{where}: z must be 1 (affine), got {z}")
    return x, y


def _g2_json(value: Any, where: str, error: type[MalformedProof]) -> G2:
    pairs = []
    for i, row in enumerate(_list(value, 3, where, error)):
        c0, c1 = (_number(v, f"{where}[{i}][{j}]", error) for j, v in enumerate(_list(row, 2, where, error)))
        pairs.append((c0, c1))
    x, y, z = pairs
    if z != (1, 0):
        raise error(f"{where}: z must be [1, 0] (affine), got {list(z)}")
    return (x[0], x[1]), (y[0], y[1])


def _g1_out(p: G1) -> list[str]:
    return [str(p[0]), str(p[1]), "1"]


def _g2_out(p: G2) -> list[list[str]]:
    (x0, x1), (y0, y1) = p
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def _check_g1(p: Any, name: str, error: type[MalformedProof]) -> None:
    if not (isinstance(p, tuple) and len(p) == 2 and all(in_field(c) for c in p)):
        raise error(f"{name}: a coordinate is not an integer below the base field modulus q")
    if p == (0, 0):
        raise error(f"{name} is the point at infinity (encoded (0, 0)), which is refused")
    if not on_g1(p):
        raise error(f"{name} is not on the curve G1")


def _check_g2(p: Any, name: str, error: type[MalformedProof]) -> None:
    shaped = isinstance(p, tuple) and len(p) == 2 and all(isinstance(c, tuple) and len(c) == 2 for c in p)
    if not (shaped and all(in_field(c) for xy in p for c in xy)):
        raise error(f"{name}: a coordinate is not an integer below the base field modulus q")
    if p == ((0, 0), (0, 0)):
        raise error(f"{name} is the point at infinity (encoded (0, 0)), which is refused")
    if not on_twist(p):
        raise error(f"{name} is not on the twist curve of G2")


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (A in G1, B in G2, C in G1), affine coordinates; G2 coordinates as (c0, c1)."""

    a: G1
    b: G2
    c: G1

    @classmethod
    def from_bytes(cls, data: bytes) -> "Proof":
        """Parse the 256-byte Ethereum layout: A.x A.y B.x.c1 B.x.c0 B.y.c1 B.y.c0 C.x C.y."""
        if not isinstance(data, bytes | bytearray) or len(data) != _PROOF_BYTES:
            size = len(data) if isinstance(data, bytes | bytearray) else type(data).__name__
            raise MalformedProof(f"a Groth16 proof is {_PROOF_BYTES} bytes, got {size}")
        w = [int.from_bytes(data[i : i + 32], "big") for i in range(0, _PROOF_BYTES, 32)]
        return cls((w[0], w[1]), ((w[3], w[2]), (w[5], w[4])), (w[6], w[7]))

    def to_bytes(self) -> bytes:
        """The 256-byte Ethereum layout (G2 coordinates swapped to c1, c0 here and only here)."""
        (bx0, bx1), (by0, by1) = self.b
        words = [*self.a, bx1, bx0, by1, by0, *self.c]
        return b"".join(w.to_bytes(32, "big") for w in words)

    def to_snarkjs(self) -> dict[str, Any]:
        """snarkjs proof.json."""
        return {
            "pi_a": _g1_out(self.a),
            "pi_b": _g2_out(self.b),
            "pi_c": _g1_out(self.c),
            "protocol": "groth16",
            "curve": "bn128",
        }

    @classmethod
    def from_snarkjs(cls, proof: Any) -> "Proof":
        """Parse snarkjs proof.json: pi_a, pi_c [x, y, 1]; pi_b [[x0, x1], [y0, y1], [1, 0]] (affine).

        MalformedProof for any other shape, a z other than 1, or another protocol or curve; whether the
        points are on their curves is `check`'s job (called by `verify`).
        """
        if not isinstance(proof, dict):
            raise MalformedProof("a snarkjs proof is a JSON object")
        for field, expected in (("protocol", "groth16"), ("curve", "bn128")):
            if field in proof and proof[field] != expected:
                raise MalformedProof(f"{field}: expected {expected!r}")
        for field in ("pi_a", "pi_b", "pi_c"):
            if field not in proof:
                raise MalformedProof(f"{field}: missing")
        return cls(
            _g1_json(proof["pi_a"], "pi_a", MalformedProof),
            _g2_json(proof["pi_b"], "pi_b", MalformedProof),
            _g1_json(proof["pi_c"], "pi_c", MalformedProof),
        )

    def coordinates_in_range(self) -> bool:
        """Every coordinate is a canonical element of F_Q."""
        (bx0, bx1), (by0, by1) = self.b
        return all(in_field(x) for x in (*self.a, bx0, bx1, by0, by1, *self.c))

    def check(self) -> None:
        """MalformedProof unless A and C are points of G1 and B a point of the twist, none at infinity.

        B's subgroup is left to the backend, which checks it before pairing.
        """
        _check_g1(self.a, "A", MalformedProof)
        _check_g2(self.b, "B", MalformedProof)
        _check_g1(self.c, "C", MalformedProof)


@dataclass(frozen=True)
class UnreadableProof(Proof):
    """Stands in for a proof whose encoding could not be read, so the audit names it: `check` refuses it."""

    reason: str = ""

    @classmethod
    def because(cls, reason: str) -> "UnreadableProof":
        """A placeholder carrying why the proof could not be read."""
        return cls((0, 0), ((0, 0), (0, 0)), (0, 0), reason)

    def check(self) -> None:
        """Always MalformedProof, with the reason."""
        raise MalformedProof(self.reason)


@dataclass(frozen=True)
class VerificationKey:
    """A Groth16 verification key: alpha in G1; beta, gamma, delta in G2; IC: n_public + 1 points of G1."""

    alpha: G1
    beta: G2
    gamma: G2
    delta: G2
    ic: tuple[G1, ...]

    @property
    def n_public(self) -> int:
        """How many public inputs the key takes."""
        return len(self.ic) - 1

    @classmethod
    def from_snarkjs(cls, doc: Any) -> "VerificationKey":
        """Parse snarkjs verification_key.json (protocol groth16, curve bn128, affine points, z = 1).

        MalformedKey for another shape, a point off its curve or at infinity. Derived fields that
        snarkjs adds (vk_alphabeta_12) are ignored. G2 subgroups are the backends' to check
        (`check_key_subgroups`, which the epoch audit's key check calls for every key).
        """
        if not isinstance(doc, dict):
            raise MalformedKey("a verification key is a JSON object")
        for field, expected in (("protocol", "groth16"), ("curve", "bn128")):
            if doc.get(field) != expected:
                raise MalformedKey(f"{field}: expected {expected!r}")
        for field in ("nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC"):
            if field not in doc:
                raise MalformedKey(f"{field}: missing")
        n = _number(doc["nPublic"], "nPublic", MalformedKey)
        if not 0 <= n <= MAX_PUBLIC_INPUTS:
            raise MalformedKey(f"nPublic: {n} is not in [0, {MAX_PUBLIC_INPUTS}]")
        ic = _list(doc["IC"], n + 1, "IC (nPublic + 1 points)", MalformedKey)
        key = cls(
            _g1_json(doc["vk_alpha_1"], "vk_alpha_1", MalformedKey),
            _g2_json(doc["vk_beta_2"], "vk_beta_2", MalformedKey),
            _g2_json(doc["vk_gamma_2"], "vk_gamma_2", MalformedKey),
            _g2_json(doc["vk_delta_2"], "vk_delta_2", MalformedKey),
            tuple(_g1_json(p, f"IC[{i}]", MalformedKey) for i, p in enumerate(ic)),
        )
        _check_g1(key.alpha, "vk_alpha_1", MalformedKey)
        for name in ("beta", "gamma", "delta"):
            _check_g2(getattr(key, name), f"vk_{name}_2", MalformedKey)
        for i, p in enumerate(key.ic):
            _check_g1(p, f"IC[{i}]", MalformedKey)
        return key

    def to_snarkjs(self) -> dict[str, Any]:
        """The canonical snarkjs form: exactly these fields, decimal strings without leading zeros."""
        return {
            "protocol": "groth16",
            "curve": "bn128",
            "nPublic": self.n_public,
            "vk_alpha_1": _g1_out(self.alpha),
            "vk_beta_2": _g2_out(self.beta),
            "vk_gamma_2": _g2_out(self.gamma),
            "vk_delta_2": _g2_out(self.delta),
            "IC": [_g1_out(p) for p in self.ic],
        }

    @cached_property
    def canonical_json(self) -> str:
        """to_snarkjs() as JSON with sorted keys and no whitespace: what `sha256` hashes."""
        return json.dumps(self.to_snarkjs(), sort_keys=True, separators=(",", ":"))

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the canonical JSON: how epochs and ceremonies name a key."""
        return hashlib.sha256(self.canonical_json.encode()).hexdigest()


@lru_cache(maxsize=32)
def _parse_key(text: str) -> VerificationKey:
    return VerificationKey.from_snarkjs(json.loads(text))


def parse_key(verification_key: "dict[str, Any] | VerificationKey") -> VerificationKey:
    """The parsed key (cached by content); MalformedKey if it is not well formed."""
    if isinstance(verification_key, VerificationKey):
        return verification_key
    try:
        text = json.dumps(verification_key, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise MalformedKey(f"not a JSON document: {exc}") from None
    return _parse_key(text)


def key_hash(verification_key: "dict[str, Any] | VerificationKey") -> str:
    """SHA-256 (hex) of a verification key's canonical JSON; MalformedKey if it is not well formed."""
    return parse_key(verification_key).sha256


def check_inputs(key: VerificationKey, public_inputs: Sequence[int]) -> list[int]:
    """The public inputs as a list; MalformedProof unless there are n_public integers, each in [0, r)."""
    if not isinstance(public_inputs, Sequence) or isinstance(public_inputs, str | bytes):
        raise MalformedProof("the public inputs are a sequence of integers")
    if len(public_inputs) != key.n_public:
        raise MalformedProof(f"the key takes {key.n_public} public inputs, got {len(public_inputs)}")
    for i, x in enumerate(public_inputs):
        if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x < R:
            raise MalformedProof(f"public input {i} is not an integer below the scalar field order r")
    return list(public_inputs)


def prepare(
    verification_key: "dict[str, Any] | VerificationKey", proof: Proof, public_inputs: Sequence[int]
) -> tuple[VerificationKey, list[int]]:
    """Every check both backends make before pairing, in the same order: key, inputs, proof points."""
    key = parse_key(verification_key)
    inputs = check_inputs(key, public_inputs)
    if not isinstance(proof, Proof):
        raise MalformedProof(f"expected a Proof, got {type(proof).__name__}")
    proof.check()
    return key, inputs


@lru_cache(maxsize=32)
def _verifier(key: VerificationKey) -> groth16py.Verifier:
    """The prepared groth16py verifier of `key`; MalformedKey if groth16py refuses the key, a G2 point
    (beta, gamma, delta) outside the prime-order subgroup included."""
    try:
        return groth16py.Verifier(groth16py.VerifyingKey.from_snarkjs(key.canonical_json))
    except groth16py.EncodingError as exc:
        raise MalformedKey(f"groth16py refuses the key: {exc}") from None


def check_key_subgroups(key: VerificationKey) -> None:
    """MalformedKey unless beta, gamma and delta lie in the prime-order subgroup of G2 (groth16py checks
    them when it prepares the key, which is cached for the pairings that follow)."""
    _verifier(key)


def verify(
    verification_key: "dict[str, Any] | VerificationKey", proof: Proof, public_inputs: Sequence[int]
) -> bool:
    """The Groth16 pairing check (arkworks, through groth16py; a prepared key is cached per key).

    False for a well-formed proof that does not verify; MalformedProof (MalformedKey for the key) for
    anything that is not well formed, B outside the prime-order subgroup of G2 included.
    """
    key, inputs = prepare(verification_key, proof, public_inputs)
    verifier = _verifier(key)
    try:
        return bool(verifier.verify(proof.to_bytes(), inputs))
    except groth16py.EncodingError as exc:
        if "subgroup" in str(exc):
            raise MalformedProof(NOT_IN_SUBGROUP) from None
        raise MalformedProof(f"groth16py refuses the proof: {exc}") from None
    except (groth16py.VerificationError, OverflowError, TypeError, ValueError) as exc:
        raise MalformedProof(f"groth16py refuses the proof: {exc}") from None

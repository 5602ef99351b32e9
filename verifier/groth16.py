"""Groth16 proofs on BN254: the proof encoding and its pairing check against a verification key."""

import json
from dataclasses import dataclass
from typing import Any

import groth16py

from .field import Q, R

G1 = tuple[int, int]
G2 = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (A in G1, B in G2, C in G1), affine coordinates; G2 coordinates as (c0, c1)."""

    a: G1
    b: G2
    c: G1

    @classmethod
    def from_bytes(cls, data: bytes) -> "Proof":
        """Parse the 256-byte Ethereum layout: A.x A.y B.x.c1 B.x.c0 B.y.c1 B.y.c0 C.x C.y."""
        if len(data) != 256:
            raise ValueError(f"a Groth16 proof is 256 bytes, got {len(data)}")
        w = [int.from_bytes(data[i : i + 32], "big") for i in range(0, 256, 32)]
        return cls((w[0], w[1]), ((w[3], w[2]), (w[5], w[4])), (w[6], w[7]))

    def to_bytes(self) -> bytes:
        """The 256-byte Ethereum layout (G2 coordinates swapped to c1, c0 here and only here)."""
        (bx0, bx1), (by0, by1) = self.b
        words = [*self.a, bx1, bx0, by1, by0, *self.c]
        return b"".join(w.to_bytes(32, "big") for w in words)

    def to_snarkjs(self) -> dict[str, Any]:
        """snarkjs proof.json."""
        (bx0, bx1), (by0, by1) = self.b
        return {
            "pi_a": [str(self.a[0]), str(self.a[1]), "1"],
            "pi_b": [[str(bx0), str(bx1)], [str(by0), str(by1)], ["1", "0"]],
            "pi_c": [str(self.c[0]), str(self.c[1]), "1"],
            "protocol": "groth16",
            "curve": "bn128",
        }

    @classmethod
    def from_snarkjs(cls, proof: dict[str, Any]) -> "Proof":
        """Parse snarkjs proof.json (affine, z = 1)."""
        a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
        return cls(
            (int(a[0]), int(a[1])),
            ((int(b[0][0]), int(b[0][1])), (int(b[1][0]), int(b[1][1]))),
            (int(c[0]), int(c[1])),
        )

    def coordinates_in_range(self) -> bool:
        """Every coordinate is a canonical element of F_Q."""
        (bx0, bx1), (by0, by1) = self.b
        return all(0 <= x < Q for x in (*self.a, bx0, bx1, by0, by1, *self.c))


class MalformedProof(ValueError):
    """A proof or public input that is not well formed: wrong length, not canonical, not on the curve."""


def verify(verification_key: dict[str, Any], proof: Proof, public_inputs: list[int]) -> bool:
    """The Groth16 pairing check (arkworks, through groth16py).

    False for a well-formed proof that does not verify; MalformedProof for one that is not well formed.
    """
    expected = int(verification_key["nPublic"])
    if len(public_inputs) != expected:
        raise MalformedProof(f"the key takes {expected} public inputs, got {len(public_inputs)}")
    if not all(0 <= x < R for x in public_inputs):
        raise MalformedProof("a public input is not below the scalar field order")
    if not proof.coordinates_in_range():
        raise MalformedProof("a proof coordinate is not below the base field modulus")
    key = groth16py.VerifyingKey.from_snarkjs(json.dumps(verification_key))
    try:
        return bool(groth16py.Verifier(key).verify(proof.to_bytes(), public_inputs))
    except groth16py.EncodingError as exc:
        raise MalformedProof(str(exc)) from None
    except groth16py.VerificationError:
        return False

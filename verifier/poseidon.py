"""Poseidon over BN254 as circomlib computes it, and the statement's vector hash."""

from collections.abc import Sequence
from functools import cache

from light_poseidon_python import Hasher

from .field import R

#: circomlib's Poseidon(n) is implemented here for 1 <= n <= MAX_WIDTH inputs.
MAX_WIDTH = 12


@cache
def _hasher(width: int) -> Hasher:
    return Hasher(width)


def poseidon(inputs: Sequence[int]) -> int:
    """circomlib Poseidon(len(inputs)) of field elements."""
    if not 1 <= len(inputs) <= MAX_WIDTH:
        raise ValueError(f"Poseidon takes 1..{MAX_WIDTH} inputs, got {len(inputs)}")
    for x in inputs:
        if not 0 <= x < R:
            raise ValueError(f"Poseidon input {x} is not a field element")
    return int(_hasher(len(inputs)).hash_bytes_be([x.to_bytes(32, "big") for x in inputs]), 16)


def hash_vector(values: Sequence[int]) -> int:
    """HashVector of the statement: Poseidon for up to 12 elements, else a chain of Poseidon(<=12)."""
    if len(values) <= MAX_WIDTH:
        return poseidon(values)
    running = poseidon(values[:MAX_WIDTH])
    for start in range(MAX_WIDTH, len(values), MAX_WIDTH - 1):
        running = poseidon([running, *values[start : start + MAX_WIDTH - 1]])
    return running

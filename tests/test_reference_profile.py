"""The full-size `reference` profile compiles inspect-clean within the constraint budget per account."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from zksolvency.prover.circuits import Circuit, build
from zksolvency.verifier.profiles import PROFILES

REFERENCE = PROFILES["reference"]


@pytest.fixture(scope="module")
def circuits() -> dict[str, Circuit]:
    """Both reference circuits, compiled at once (circom --O2 --inspect: any warning fails the build)."""
    kinds = ("batch", "margin")
    with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
        return dict(zip(kinds, pool.map(lambda kind: build(kind, REFERENCE), kinds), strict=True))


def test_reference_batch_circuit_costs_at_most_4000_constraints_per_account(
    circuits: dict[str, Circuit],
) -> None:
    circuit = circuits["batch"]
    assert REFERENCE.batch_size == 64 and circuit.info.public_inputs == 5
    assert circuit.info.constraints / REFERENCE.batch_size <= 4_000, circuit.info


def test_reference_margin_circuit_compiles(circuits: dict[str, Circuit]) -> None:
    circuit = circuits["margin"]
    assert circuit.info.public_inputs == 6 and circuit.info.constraints < 25_000, circuit.info

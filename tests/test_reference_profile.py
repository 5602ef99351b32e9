"""The full-size `reference` profile compiles inspect-clean within the constraint budget per account."""

from zksolvency.prover.circuits import build
from zksolvency.verifier.profiles import PROFILES

REFERENCE = PROFILES["reference"]


def test_reference_batch_circuit_costs_at_most_4000_constraints_per_account() -> None:
    circuit = build("batch", REFERENCE)  # circom --O2 --inspect: any warning fails the build
    assert REFERENCE.batch_size == 64 and circuit.info.public_inputs == 5
    assert circuit.info.constraints / REFERENCE.batch_size <= 4_000, circuit.info


def test_reference_margin_circuit_compiles() -> None:
    circuit = build("margin", REFERENCE)
    assert circuit.info.public_inputs == 5 and circuit.info.constraints < 25_000, circuit.info

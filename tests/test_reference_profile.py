"""The full-size `reference` profile compiles inspect-clean within its measured constraint sizes."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from zksolvency.prover.circuits import Circuit, build
from zksolvency.verifier.profiles import PROFILES

REFERENCE = PROFILES["reference"]
#: The measured sizes (docs/statement.md 10) as regression guards. With eight option series in every
#: record the batch circuit costs 4,602.1 constraints per record: over the 4,000 of issue 10's bar, which
#: this guard does not claim to meet (section 10 says where the 623.6 added constraints go).
BATCH_PER_RECORD = 4_610
MARGIN_PER_PROOF = 29_000


@pytest.fixture(scope="module")
def circuits() -> dict[str, Circuit]:
    """Both reference circuits, compiled at once (circom --O2 --inspect: any warning fails the build)."""
    kinds = ("batch", "margin")
    with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
        return dict(zip(kinds, pool.map(lambda kind: build(kind, REFERENCE), kinds), strict=True))


def test_reference_batch_circuit_stays_within_its_measured_size(circuits: dict[str, Circuit]) -> None:
    circuit = circuits["batch"]
    assert REFERENCE.batch_size == 64 and circuit.info.public_inputs == 5
    assert circuit.info.constraints / REFERENCE.batch_size <= BATCH_PER_RECORD, circuit.info


def test_reference_margin_circuit_compiles(circuits: dict[str, Circuit]) -> None:
    circuit = circuits["margin"]
    assert circuit.info.public_inputs == 6 and circuit.info.constraints <= MARGIN_PER_PROOF, circuit.info

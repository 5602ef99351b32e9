"""The full-size `reference` profile compiles inspect-clean within its measured constraint sizes, and both
batch circuits meet issue 10's bar."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from zksolvency.prover.circuits import Circuit, build
from zksolvency.verifier.profiles import PROFILES

REFERENCE = PROFILES["reference"]
#: The measured sizes (docs/statement.md 10, `bench/constraints.py --profile reference`) as regression
#: guards, a few constraints above them: the standard batch circuit 249,997 constraints for 64 records
#: (3,906.2 per record), the portfolio batch circuit 535,117 (8,361.2 per record), the margin circuit 28,070.
PER_RECORD = {"batch": 3_910, "portfolio_batch": 8_370}
MARGIN_PER_PROOF = 28_100
#: Issue 10's bar, reference profile: constraints per account of each batch circuit. Both are met
#: (3,906.2 <= 4,000 and 8,361.2 <= 10,000).
BAR = {"batch": 4_000, "portfolio_batch": 10_000}


@pytest.fixture(scope="module")
def circuits() -> dict[str, Circuit]:
    """The three reference circuits, compiled at once (circom --O2 --inspect: any warning fails the build)."""
    kinds = ("batch", "portfolio_batch", "margin")
    with ThreadPoolExecutor(max_workers=len(kinds)) as pool:
        return dict(zip(kinds, pool.map(lambda kind: build(kind, REFERENCE), kinds), strict=True))


@pytest.mark.parametrize("kind", sorted(PER_RECORD))
def test_reference_batch_circuit_stays_within_its_measured_size(
    circuits: dict[str, Circuit], kind: str
) -> None:
    circuit = circuits[kind]
    assert REFERENCE.batch_size == 64 and circuit.info.public_inputs == 5
    assert circuit.info.constraints / REFERENCE.batch_size <= PER_RECORD[kind], circuit.info


@pytest.mark.parametrize("kind", sorted(BAR))
def test_reference_batch_circuit_meets_the_bar(circuits: dict[str, Circuit], kind: str) -> None:
    per_record = circuits[kind].info.constraints / REFERENCE.batch_size
    assert per_record <= BAR[kind], f"{kind}: {per_record:,.1f} constraints per record, bar {BAR[kind]:,}"


def test_reference_margin_circuit_compiles(circuits: dict[str, Circuit]) -> None:
    circuit = circuits["margin"]
    assert circuit.info.public_inputs == 6 and circuit.info.constraints <= MARGIN_PER_PROOF, circuit.info

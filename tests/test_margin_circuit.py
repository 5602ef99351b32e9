"""The account margin circuit: a trader proves haircut equity less initial margin above a threshold, bound to
one recipient."""

import copy

import pytest
from conftest import Circuits
from factories import UNIT, USD, venue, worked_example

from zksolvency.prover.inputs import Signals, margin_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.statements import binding
from zksolvency.verifier.tree import QuadTree

RECIPIENT = 0x00000000000000000000000000000000DEADBEEF
CHAIN_ID = 10


def epoch(ci: Circuits) -> tuple[list[Account], list[int], QuadTree]:
    """Two batches' worth of accounts in a depth-3 tree; the worked example sits at index 5."""
    accounts = [Account(i + 1, 0, (1_000 * UNIT, 0, 0)) for i in range(5)]
    accounts += [worked_example(6), Account(7, 0, (0, 2 * UNIT, 0)), Account.padding(ci.profile)]
    salts = [1_000 + i for i in range(len(accounts))]
    leaves = [leaf_hash(a, s, ci.profile) for a, s in zip(accounts, salts, strict=True)]
    return accounts, salts, QuadTree(leaves, ci.profile.tree_depth)


def signals_for(ci: Circuits, index: int, threshold: int) -> tuple[Signals, list[int]]:
    accounts, salts, tree = epoch(ci)
    params = venue(brackets=3).circuit(ci.profile)
    signals, statement = margin_signals(
        accounts[index], salts[index], tree.path(index), params, threshold, RECIPIENT, CHAIN_ID
    )
    assert statement.root == tree.root
    return signals, statement.public_inputs


def rejected(ci: Circuits, signals: Signals, check: str) -> None:
    with pytest.raises(WitnessError, match=rf"Error in template {check}_\d+ "):
        ci.margin_prover.witness(signals)


def test_margin_proof_verifies_and_is_bound_to_recipient_and_chain(ci: Circuits) -> None:
    signals, public = signals_for(ci, 5, 1_500 * USD)
    proof = ci.margin_prover.prove(signals)
    assert verify(ci.margin.verification_key, proof, public)
    for other in (binding(RECIPIENT + 1, CHAIN_ID), binding(RECIPIENT, CHAIN_ID + 1)):
        assert not verify(ci.margin.verification_key, proof, [*public[:3], other, public[4]])
    assert not verify(ci.margin.verification_key, proof, [public[0], public[1], 1_501 * USD, *public[3:]])


def test_worked_example_lends_exactly_1600_usd_against_initial_margin(ci: Circuits) -> None:
    """Equity 10,000 - initial margin 8,400 (550,000 notional at 2% less 2,600) = 1,600.00000000 USD: the
    circuit agrees to the last unit."""
    signals, _ = signals_for(ci, 5, 1_600 * USD)
    ci.margin_prover.witness(signals)
    signals, _ = signals_for(ci, 5, 1_600 * USD + 1)
    rejected(ci, signals, "AvailableAboveThreshold")


def test_margin_proof_against_maintenance_instead_of_initial_margin_fails(ci: Circuits) -> None:
    """Free collateral over maintenance margin is 5,800 USD; credit is lent against initial margin only."""
    signals, _ = signals_for(ci, 5, 5_800 * USD)
    rejected(ci, signals, "AvailableAboveThreshold")


def test_initial_margin_vector_must_be_the_committed_one(ci: Circuits) -> None:
    """A prover who lowers the initial margin rates (here to the maintenance rates) has no witness."""
    signals, _ = signals_for(ci, 5, 1_600 * USD)
    params = venue(brackets=3).circuit(ci.profile)
    signals["initialParams"] = [
        params.initial_vector[0],
        *params.bracket_rate[0],
        *params.bracket_cum[0][1:],
        *params.initial_vector[1 + 2 * ci.profile.brackets - 1 :],
    ]
    rejected(ci, signals, "InitialParameters")


def test_threshold_of_2_pow_64_is_out_of_range(ci: Circuits) -> None:
    signals, _ = signals_for(ci, 0, 0)
    signals["threshold"] = 2**64
    rejected(ci, signals, "AvailableAboveThreshold")


def test_padding_account_cannot_make_a_margin_proof(ci: Circuits) -> None:
    signals, _ = signals_for(ci, 7, 0)
    rejected(ci, signals, "NonZero")


@pytest.mark.parametrize(
    ("field", "change"),
    [("balanceMagnitude", lambda v: [v[0] + 1, *v[1:]]), ("salt", lambda s: s + 1), ("key", lambda k: k + 1)],
)
def test_record_that_is_not_in_the_tree(ci: Circuits, field: str, change: object) -> None:
    signals, _ = signals_for(ci, 2, 0)
    signals[field] = change(copy.deepcopy(signals[field]))  # type: ignore[operator]
    rejected(ci, signals, "Inclusion")


def test_sibling_swapped_in_the_path(ci: Circuits) -> None:
    signals, _ = signals_for(ci, 2, 0)
    signals["siblings"][0][0], signals["siblings"][0][1] = (
        signals["siblings"][0][1],
        signals["siblings"][0][0],
    )
    rejected(ci, signals, "Inclusion")


def test_nullifier_must_come_from_the_account(ci: Circuits) -> None:
    signals, _ = signals_for(ci, 2, 0)
    signals["nullifier"] += 1
    rejected(ci, signals, "Nullifier")


def test_margin_proof_uses_the_committed_prices(ci: Circuits) -> None:
    signals, _ = signals_for(ci, 5, 0)
    signals["params"][6] += 10 * USD  # a higher BTC price would flatter the account
    rejected(ci, signals, "EpochParameters")

"""The account margin circuit: a trader proves haircut equity less initial margin above a threshold, bound to
one recipient, with the holder secret only the trader knows and a nullifier scoped to the gate that spends
it."""

import copy
import dataclasses

import pytest
from conftest import Circuits
from factories import UNIT, USD, venue, worked_example

from zksolvency.prover.inputs import Signals, margin_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.holder import holder_commitment
from zksolvency.verifier.leaf import leaf_hash, nullifier
from zksolvency.verifier.statements import binding, scope
from zksolvency.verifier.tree import QuadTree

RECIPIENT = 0x00000000000000000000000000000000DEADBEEF
CHAIN_ID = 10
GATE = 0x000000000000000000000000000000000000CAFE
OTHER_GATE = 0x000000000000000000000000000000000000F00D


def secret_of(index: int) -> int:
    """The holder secret of the trader at `index` (index 6 registered none)."""
    return 7_000_000 + index


def epoch(ci: Circuits) -> tuple[list[Account], list[int], QuadTree]:
    """Two batches' worth of accounts in a depth-3 tree; the worked example sits at index 5; the account
    at index 6 has no holder commitment."""
    accounts = [Account(i + 1, 0, (1_000 * UNIT, 0, 0)) for i in range(5)]
    accounts += [worked_example(6), Account(7, 0, (0, 2 * UNIT, 0)), Account.padding(ci.profile)]
    accounts = [
        a if a.is_padding or i == 6 else dataclasses.replace(a, holder=holder_commitment(secret_of(i)))
        for i, a in enumerate(accounts)
    ]
    salts = [1_000 + i for i in range(len(accounts))]
    leaves = [leaf_hash(a, s, ci.profile) for a, s in zip(accounts, salts, strict=True)]
    return accounts, salts, QuadTree(leaves, ci.profile.tree_depth)


def signals_for(
    ci: Circuits, index: int, threshold: int, secret: int | None = None, gate: int = GATE
) -> tuple[Signals, list[int]]:
    accounts, salts, tree = epoch(ci)
    params = venue(brackets=3).circuit(ci.profile)
    signals, statement = margin_signals(
        accounts[index],
        salts[index],
        tree.path(index),
        params,
        threshold,
        RECIPIENT,
        CHAIN_ID,
        secret_of(index) if secret is None else secret,
        gate,
    )
    assert statement.root == tree.root
    return signals, statement.public_inputs


def rejected(ci: Circuits, signals: Signals, check: str) -> None:
    with pytest.raises(WitnessError, match=rf"Error in template {check}_\d+ "):
        ci.margin_prover.witness(signals)


def test_margin_proof_verifies_and_is_bound_to_recipient_chain_and_scope(ci: Circuits) -> None:
    signals, public = signals_for(ci, 5, 1_500 * USD)
    proof = ci.margin_prover.prove(signals)
    assert verify(ci.margin.verification_key, proof, public)
    assert public[4] == scope(GATE, CHAIN_ID)
    for other in (binding(RECIPIENT + 1, CHAIN_ID), binding(RECIPIENT, CHAIN_ID + 1)):
        assert not verify(ci.margin.verification_key, proof, [*public[:3], other, *public[4:]])
    assert not verify(ci.margin.verification_key, proof, [public[0], public[1], 1_501 * USD, *public[3:]])
    # The same proof presented at another gate (same nullifier, that gate's scope) does not verify.
    elsewhere = [*public[:4], scope(OTHER_GATE, CHAIN_ID), public[5]]
    assert not verify(ci.margin.verification_key, proof, elsewhere)


def test_venue_without_the_traders_secret_cannot_make_a_margin_proof(ci: Circuits) -> None:
    """The venue knows key, salt, balances, path and the holder commitment, but not the secret."""
    signals, _ = signals_for(ci, 5, 0, secret=secret_of(5) + 1)
    rejected(ci, signals, "Holder")


def test_record_without_a_holder_commitment_cannot_back_a_margin_proof(ci: Circuits) -> None:
    """Holder 0: no secret opens it (any guess is refused, 0 included)."""
    for guess in (0, 1, secret_of(6)):
        signals, _ = signals_for(ci, 6, 0, secret=guess)
        rejected(ci, signals, "Holder")


def test_one_nullifier_cannot_serve_two_scopes(ci: Circuits) -> None:
    signals_a, public_a = signals_for(ci, 2, 0, gate=GATE)
    _, public_b = signals_for(ci, 2, 0, gate=OTHER_GATE)
    assert public_a[5] != public_b[5]  # two gates see unrelated nullifiers for one record
    # Scope B with the nullifier of scope A (to spend A's nullifier at B, or B's at A): no witness.
    signals = copy.deepcopy(signals_a)
    signals["scope"] = public_b[4]
    rejected(ci, signals, "Nullifier")
    # A nullifier computed for another scope cannot be claimed for this one.
    signals = copy.deepcopy(signals_a)
    signals["nullifier"] = public_b[5]
    rejected(ci, signals, "Nullifier")


def test_scope_must_be_below_2_pow_224(ci: Circuits) -> None:
    accounts, salts, _ = epoch(ci)
    signals, _ = signals_for(ci, 2, 0)
    signals["scope"] = 2**224 + signals["scope"]  # type: ignore[operator]
    signals["nullifier"] = nullifier(accounts[2], salts[2], secret_of(2), signals["scope"])  # type: ignore[arg-type]
    rejected(ci, signals, "RangeCheck")


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
    [
        ("balanceMagnitude", lambda v: [v[0] + 1, *v[1:]]),
        ("salt", lambda s: s + 1),
        ("key", lambda k: k + 1),
        ("holder", lambda h: h + 1),
    ],
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

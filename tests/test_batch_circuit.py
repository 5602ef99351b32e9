"""The batch circuit proves honest batches, chains them, and agrees with the reference model."""

import random

import pytest
from conftest import Circuits
from factories import UNIT, venue, worked_example

from zksolvency.prover.inputs import batch_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.state import ChainState

PARAMS = venue(brackets=3)


def honest_batch(ci: Circuits) -> list[Account]:
    """The worked example, a spot loan against BTC, a short, and one padding account."""
    return [
        worked_example(1),
        Account(2, 0, (-20_000 * UNIT, 1 * UNIT, 0)),
        Account(3, 0, (105_000 * UNIT, 0, 0), (-1 * UNIT,)),
        Account.padding(ci.profile),
    ]


def test_honest_batch_proves_and_verifies(ci: Circuits) -> None:
    params = PARAMS.circuit(ci.profile)
    accounts = honest_batch(ci)
    signals, statement, after = batch_signals(
        accounts, [5, 6, 7, 8], ChainState.genesis(ci.profile), params, 77
    )
    proof = ci.batch_prover.prove(signals)
    assert verify(ci.batch.verification_key, proof, statement.public_inputs)
    assert after.equity == (105_000 * UNIT, 1 * UNIT, 0)
    assert after.debt == (560_000 * UNIT, 0, 0)
    assert (after.long, after.short, after.last_key, after.batches) == (
        (10 * UNIT, 0),
        (1 * UNIT, 0),
        3 << 16,
        1,
    )
    for i in range(5):
        wrong = list(statement.public_inputs)
        wrong[i] += 1
        assert not verify(ci.batch.verification_key, proof, wrong), f"public input {i} is not bound"


def test_batches_chain_through_the_state(ci: Circuits) -> None:
    params = PARAMS.circuit(ci.profile)
    pad = Account.padding(ci.profile)
    first = [
        Account(1, 0, (10 * UNIT, 0, 0)),
        Account(1, 1, (1_000 * UNIT, 0, 0), (-1 * UNIT // 100,)),
        pad,
        pad,
    ]
    second = [Account(4, 0, (0, 0, 2 * UNIT)), pad, pad, pad]
    s1, st1, state = batch_signals(first, [1, 2, 3, 4], ChainState.genesis(ci.profile), params, 71)
    s2, st2, final = batch_signals(second, [5, 6, 7, 8], state, params, 72)
    assert st2.prev_state == st1.next_state and st2.batch_index == 1
    for signals, statement in ((s1, st1), (s2, st2)):
        assert verify(ci.batch.verification_key, ci.batch_prover.prove(signals), statement.public_inputs)
    assert final.equity == (1_010 * UNIT, 0, 2 * UNIT) and final.last_key == 4 << 16


def test_circuit_agrees_with_the_reference_model(ci: Circuits) -> None:
    """Random accounts near the margin boundary: the witness exists exactly when the model says healthy."""
    rng = random.Random(20261126)
    params = PARAMS.circuit(ci.profile)
    pad = Account.padding(ci.profile)
    outcomes = set()
    for n in range(40):
        btc = rng.choice([0, rng.randrange(1, 10 * UNIT), rng.randrange(4_000 * UNIT, 7_000 * UNIT)])
        size = rng.choice([0, rng.randrange(-30 * UNIT, 30 * UNIT)])
        value = btc * 55_000 + size * 55_000
        cushion = abs(value) // 20
        quote = -value + rng.randrange(-cushion // 2 - UNIT, cushion + UNIT)
        account = Account(n + 1, 0, (quote, btc, rng.randrange(0, 3 * UNIT)), (size,))
        healthy = evaluate(account, params).healthy
        signals, _, _ = batch_signals(
            [account, pad, pad, pad], [1, 2, 3, 4], ChainState.genesis(ci.profile), params, 73
        )
        try:
            ci.batch_prover.witness(signals)
            proven = True
        except WitnessError:
            proven = False
        assert proven == healthy, account
        outcomes.add(healthy)
    assert outcomes == {True, False}


@pytest.mark.parametrize(("mark", "healthy"), [(54_414.15, True), (54_414.14, False)])
def test_worked_example_liquidation_boundary_in_circuit(ci: Circuits, mark: float, healthy: bool) -> None:
    params = venue(mark_usd=mark, brackets=3).circuit(ci.profile)
    pad = Account.padding(ci.profile)
    signals, _, _ = batch_signals(
        [worked_example(), pad, pad, pad], [1, 2, 3, 4], ChainState.genesis(ci.profile), params, 74
    )
    if healthy:
        ci.batch_prover.witness(signals)
    else:
        with pytest.raises(WitnessError):
            ci.batch_prover.witness(signals)

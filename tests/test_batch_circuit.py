"""The batch circuit proves honest batches, chains them, and agrees with the reference model."""

import copy
import random

import pytest
from conftest import Circuits
from factories import UNIT, USD, venue, worked_example

from zksolvency.prover.inputs import batch_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.field import PPM, WEIGHTED_SCALE
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.params import Asset, Bracket, CircuitParams, CollateralTier, EpochParams, PerpMarket
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
        (10 * UNIT, 0, 0, 0),
        (1 * UNIT, 0, 0, 0),
        3 << 16,
        1,
    )
    assert (after.healthy, after.liquidatable, after.bankrupt, after.bad_debt) == (4, 0, 0, 0)
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


def _classes_in_circuit(ci: Circuits, accounts: list[Account], params: CircuitParams) -> list[str]:
    """The classes the circuit accepts for `accounts` (one batch): only the model's class has a witness."""
    signals, _, _ = batch_signals(accounts, [1, 2, 3, 4], ChainState.genesis(ci.profile), params, 73)
    ci.batch_prover.witness(signals)
    out = []
    for i in range(len(accounts)):
        accepted = []
        for name, healthy, solvent in CLAIMS:
            claim = copy.deepcopy(signals)
            claim["healthy"][i], claim["solvent"][i] = healthy, solvent
            try:
                ci.batch_prover.witness(claim)
                accepted.append(name)
            except WitnessError:
                pass
        assert len(accepted) == 1, (accounts[i], accepted)
        out.append(accepted[0])
    return out


#: The class a prover claims, as the circuit's two bits.
CLAIMS = (("healthy", 1, 1), ("liquidatable", 0, 1), ("bankrupt", 0, 0))


def test_circuit_classes_agree_with_the_reference_model(ci: Circuits) -> None:
    """Random accounts around both boundaries: the circuit accepts exactly the model's class."""
    rng = random.Random(20261126)
    params = PARAMS.circuit(ci.profile)
    outcomes = set()
    for n in range(10):
        batch = []
        for j in range(4):
            btc = rng.choice([0, rng.randrange(1, 10 * UNIT), rng.randrange(4_000 * UNIT, 7_000 * UNIT)])
            size = rng.choice([0, rng.randrange(-30 * UNIT, 30 * UNIT)])
            value = btc * 55_000 + size * 55_000
            cushion = abs(value) // 20
            quote = -value + rng.randrange(-cushion - UNIT, cushion + UNIT)
            batch.append(Account(4 * n + j + 1, 0, (quote, btc, rng.randrange(0, 3 * UNIT)), (size,)))
        expected = [evaluate(a, params).margin_class for a in batch]
        assert _classes_in_circuit(ci, batch, params) == expected
        outcomes.update(expected)
    assert outcomes == {"healthy", "liquidatable", "bankrupt"}


@pytest.mark.parametrize(("mark", "expected"), [(54_414.15, "healthy"), (54_414.14, "liquidatable")])
def test_worked_example_liquidation_boundary_in_circuit(ci: Circuits, mark: float, expected: str) -> None:
    params = venue(mark_usd=mark, brackets=3).circuit(ci.profile)
    pad = Account.padding(ci.profile)
    assert _classes_in_circuit(ci, [worked_example(), pad, pad, pad], params)[0] == expected


def test_shortfall_5000_and_bad_debt_1000_in_circuit(ci: Circuits) -> None:
    """Equity 5,000 against MM 10,000 and equity -1,000: the proven state carries both to the quantum."""
    params = EpochParams(
        (
            Asset("USDT", USD, (CollateralTier(0, PPM),)),
            Asset("BTC", 50_000 * USD, (CollateralTier(0, PPM),)),
            Asset("ETH", 3_000 * USD, (CollateralTier(0, PPM),)),
        ),
        (PerpMarket("BTC-PERP", 50_000 * USD, (Bracket(0, 20_000),)),),
    ).circuit(ci.profile)
    liquidatable = Account(1, 0, ((5_000 - 500_000) * UNIT, 0, 0), (10 * UNIT,))
    bankrupt = Account(2, 0, (-1_000 * UNIT, 0, 0))
    pad = Account.padding(ci.profile)
    signals, statement, after = batch_signals(
        [liquidatable, bankrupt, pad, pad], [1, 2, 3, 4], ChainState.genesis(ci.profile), params, 75
    )
    proof = ci.batch_prover.prove(signals)
    assert verify(ci.batch.verification_key, proof, statement.public_inputs)
    assert (after.healthy, after.liquidatable, after.bankrupt) == (2, 1, 1)
    assert (after.shortfall, after.bad_debt) == (5_000 * WEIGHTED_SCALE, 1_000 * WEIGHTED_SCALE)

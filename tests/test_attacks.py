"""A dishonest prover cannot get a valid batch proof: one test per attack of prior-art.md and per rule.

Each test starts from an honest batch (which proves), changes what a cheating venue would change,
and shows that no witness exists (the circuit's constraints fail) or that the proof does not verify.
"""

import copy

import pytest
from conftest import Circuits
from factories import UNIT, venue, worked_example

from zksolvency.prover.inputs import Signals, batch_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.field import R
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.state import ChainState

SALTS = [11, 12, 13, 14]
BLIND = 4242


def batch(ci: Circuits, accounts: list[Account], state: ChainState | None = None) -> Signals:
    """Signals of an honest batch of `accounts`, padded to the batch size."""
    padded = accounts + [Account.padding(ci.profile)] * (ci.profile.batch_size - len(accounts))
    params = venue(brackets=3).circuit(ci.profile)
    signals, _, _ = batch_signals(padded, SALTS, state or ChainState.genesis(ci.profile), params, BLIND)
    return signals


def rejected(ci: Circuits, signals: Signals, check: str) -> None:
    """No witness satisfies the batch circuit for `signals`: the constraints of template `check` fail."""
    with pytest.raises(WitnessError, match=rf"Error in template {check}_\d+ "):
        ci.batch_prover.witness(signals)


@pytest.fixture
def honest(ci: Circuits) -> Signals:
    """Spot collateral, a BTC loan position and the worked example: proves as it stands."""
    signals = batch(
        ci,
        [Account(1, 0, (1_000 * UNIT, 6_000 * UNIT, 0)), worked_example(2), Account(3, 0, (0, 2 * UNIT, 0))],
    )
    ci.batch_prover.witness(signals)
    return copy.deepcopy(signals)


def test_balance_of_2_pow_64_is_out_of_range(ci: Circuits, honest: Signals) -> None:
    honest["balanceMagnitude"][0][0] = 2**64
    rejected(ci, honest, "SignedAmount")


def test_balance_just_below_2_pow_64_is_in_range(ci: Circuits) -> None:
    ci.batch_prover.witness(batch(ci, [Account(1, 0, (2**64 - 1, 0, 0))]))


def test_p_minus_1_posing_as_a_negative_balance(ci: Circuits, honest: Signals) -> None:
    # A debt of 1 written as the field element r - 1 with the sign bit clear.
    honest["balanceMagnitude"][2][0] = R - 1
    rejected(ci, honest, "SignedAmount")


def test_sign_bit_must_be_a_bit(ci: Circuits, honest: Signals) -> None:
    honest["balanceSign"][0][1] = 2
    rejected(ci, honest, "SignedAmount")


def test_overflow_through_leaf_packing(ci: Circuits, honest: Signals) -> None:
    # Move 2^65 out of word 0 into word 1: the packed leaf element stays the same, the values do not.
    honest["balanceMagnitude"][0][0] += 2**65
    honest["balanceMagnitude"][0][1] -= 1
    rejected(ci, honest, "SignedAmount")


def test_prover_chosen_collateral_tier_must_match_the_amount(ci: Circuits, honest: Signals) -> None:
    # 6,000 BTC lies in tier 1 (97.5%); tier 0 (100%) would inflate the collateral.
    assert honest["tierSel"][0][1] == [0, 1, 0]
    honest["tierSel"][0][1] = [1, 0, 0]
    rejected(ci, honest, "TieredCollateral")


def test_prover_chosen_bracket_must_match_the_notional(ci: Circuits, honest: Signals) -> None:
    # 10 BTC at 55,000 is in bracket 2 (1%); bracket 0 (0.4%) would shrink the maintenance margin.
    assert honest["bracketSel"][1][0] == [0, 0, 1]
    honest["bracketSel"][1][0] = [1, 0, 0]
    rejected(ci, honest, "TieredMaintenance")


@pytest.mark.parametrize("selector", [[0, 0, 0], [1, 1, 0], [(R + 1) // 2, (R + 1) // 2, 0]])
def test_selector_must_be_one_hot(ci: Circuits, honest: Signals, selector: list[int]) -> None:
    honest["tierSel"][2][1] = selector
    rejected(ci, honest, "OneHot")


def test_undermargined_account_cannot_be_proven(ci: Circuits) -> None:
    # The worked example with 5,800.01 USD less quote balance: free collateral is -0.01 USD.
    account = worked_example()
    short = Account(1, 0, (account.balances[0] - 5_800 * UNIT - UNIT // 100, 0, 0), account.positions)
    rejected(ci, batch(ci, [short]), "CrossMarginHolds")


def test_negative_net_value_cannot_be_proven(ci: Circuits) -> None:
    rejected(ci, batch(ci, [Account(1, 0, (-1, 0, 0))]), "CrossMarginHolds")


def test_dummy_user_with_high_cap_debt_against_haircut_collateral(ci: Circuits) -> None:
    # ETH counts 90%: 1 ETH (3,000 USD) cannot carry a 2,700.01 USDT debt (attack 9).
    rejected(ci, batch(ci, [Account(1, 0, (-2_700 * UNIT - UNIT // 100, 0, 1 * UNIT))]), "CrossMarginHolds")


def test_isolated_subaccount_is_checked_outside_the_cross_pool(ci: Circuits) -> None:
    # Together the two would be healthy; the isolated position alone is under water.
    cross = Account(1, 0, (100_000 * UNIT, 0, 0))
    isolated = Account(1, 1, (-550_000 * UNIT + 4_000 * UNIT, 0, 0), (10 * UNIT,))
    rejected(ci, batch(ci, [cross, isolated]), "CrossMarginHolds")


def test_duplicated_account_in_a_batch(ci: Circuits) -> None:
    account = Account(5, 0, (1 * UNIT, 0, 0))
    rejected(ci, batch(ci, [account, account]), "KeyOrder")


def test_duplicated_account_across_batches(ci: Circuits) -> None:
    account = Account(5, 0, (1 * UNIT, 0, 0))
    state = ChainState.genesis(ci.profile).after([account], ci.profile, BLIND)
    rejected(ci, batch(ci, [account], state), "KeyOrder")


def test_keys_must_increase(ci: Circuits, honest: Signals) -> None:
    honest["key"][0], honest["key"][1] = honest["key"][1], honest["key"][0]
    rejected(ci, honest, "KeyOrder")


def test_key_gap_cannot_wrap_around_the_field(ci: Circuits, honest: Signals) -> None:
    # A key below the last one, justified by a "gap" of r - 2 (attack 8: wrap-around modulo p).
    honest["key"][1] = honest["key"][0] - 1
    honest["keyGap"][1] = R - 2
    rejected(ci, honest, "KeyOrder")


@pytest.mark.parametrize("field", ["balanceMagnitude", "positionMagnitude"])
def test_padding_account_carrying_value(ci: Circuits, honest: Signals, field: str) -> None:
    honest[field][3][0] = 5  # healthy on its own, but a padding account must hold nothing
    rejected(ci, honest, "PaddingIsEmpty")


def test_prices_must_be_the_committed_parameters(ci: Circuits, honest: Signals) -> None:
    honest["params"][2 * 3] += 1  # BTC's price (asset 1 starts at index 2 * tiers)
    rejected(ci, honest, "EpochParameters")


def test_tier_tables_must_be_the_committed_parameters(ci: Circuits, honest: Signals) -> None:
    honest["params"][2 * 3 + 3 + 1] = 1_000_000  # BTC's tier-1 rate, 97.5% -> 100%
    rejected(ci, honest, "EpochParameters")


def test_totals_must_open_the_previous_state(ci: Circuits, honest: Signals) -> None:
    honest["prevDebt"][0] = 1  # start the chain from other totals than the committed ones
    rejected(ci, honest, "StateOpening")


def test_batch_index_cannot_be_skipped_or_repeated(ci: Circuits, honest: Signals) -> None:
    honest["batchIndex"] = 1  # the genesis state commits to index 0
    rejected(ci, honest, "StateOpening")


def test_next_state_must_commit_to_the_real_totals(ci: Circuits, honest: Signals) -> None:
    honest["nextState"] = (honest["nextState"] + 1) % R
    rejected(ci, honest, "StateOpening")


def test_subtree_root_must_commit_to_the_leaves(ci: Circuits, honest: Signals) -> None:
    honest["salt"][0] += 1  # the published root no longer matches the leaves
    rejected(ci, honest, "SubtreeRoot")


def test_forged_witness_yields_no_valid_proof(ci: Circuits, honest: Signals) -> None:
    """A prover who skips the witness generator and edits the witness directly gets a proof that fails."""
    calculator = ci.batch_prover._witness
    witness = calculator.calculate(honest)
    public = witness[1:6]
    assert verify(
        ci.batch.verification_key, ci.batch_prover.prove_wtns(calculator.wtns_bytes(witness)), public
    )
    forged = list(witness)
    forged[4] = (forged[4] + 1) % R  # claim other totals in nextState
    proof = ci.batch_prover.prove_wtns(calculator.wtns_bytes(forged))
    assert not verify(ci.batch.verification_key, proof, forged[1:6])

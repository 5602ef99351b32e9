"""A dishonest prover cannot get a valid batch proof: one test per attack of prior-art.md and per rule.

Each test starts from an honest batch (which proves), changes what a cheating venue would change,
and shows that no witness exists (the circuit's constraints fail) or that the proof does not verify.
"""

import copy
from dataclasses import replace

import pytest
from conftest import Circuits
from factories import UNIT, USD, venue, worked_example

from zksolvency.prover.inputs import Signals, batch_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.field import PPM, WEIGHTED_SCALE, R
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.params import Asset, Bracket, CollateralTier, EpochParams, PerpMarket
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
    honest["balanceSign"][0][1] = 2  # BTC, a tiered asset: SignedParts checks its sign bit
    rejected(ci, honest, "SignedParts")


def test_overflow_through_leaf_packing(ci: Circuits, honest: Signals) -> None:
    # Move 2^65 out of word 0 into word 1: the packed leaf element stays the same, the values do not.
    honest["balanceMagnitude"][0][0] += 2**65
    honest["balanceMagnitude"][0][1] -= 1
    rejected(ci, honest, "SignedAmount")


def test_prover_chosen_collateral_tier_must_match_the_amount(ci: Circuits, honest: Signals) -> None:
    # 6,000 BTC lies in tier 1 (97.5%); tier 0 (100%) would inflate the collateral.
    assert honest["tierSel"][0][0] == [0, 1, 0]  # account 0, asset 1 (BTC): the settlement asset has none
    honest["tierSel"][0][0] = [1, 0, 0]
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


def claim(signals: Signals, i: int, margin_class: str) -> Signals:
    """`signals` with account i claimed to be of `margin_class` (the circuit's healthy and solvent bits)."""
    bits = {"healthy": (1, 1), "liquidatable": (0, 1), "bankrupt": (0, 0)}[margin_class]
    signals["healthy"][i], signals["solvent"][i] = bits
    return signals


def test_undermargined_account_counted_healthy(ci: Circuits) -> None:
    # The worked example with 5,800.01 USD less quote balance: free collateral is -0.01 USD.
    account = worked_example()
    short = Account(1, 0, (account.balances[0] - 5_800 * UNIT - UNIT // 100, 0, 0), account.positions)
    signals = batch(ci, [short])
    assert (signals["healthy"][0], signals["solvent"][0]) == (0, 1)
    ci.batch_prover.witness(signals)
    rejected(ci, claim(signals, 0, "healthy"), "MarginClass")


@pytest.mark.parametrize("pretended", ["healthy", "liquidatable"])
def test_bankrupt_account_counted_healthier(ci: Circuits, pretended: str) -> None:
    signals = batch(ci, [Account(1, 0, (-1, 0, 0))])
    assert (signals["healthy"][0], signals["solvent"][0]) == (0, 0)
    rejected(ci, claim(signals, 0, pretended), "MarginClass")


def test_healthy_account_cannot_be_counted_liquidatable(ci: Circuits, honest: Signals) -> None:
    rejected(ci, claim(honest, 1, "liquidatable"), "MarginClass")


def test_class_bits_must_be_bits(ci: Circuits, honest: Signals) -> None:
    honest["healthy"][0], honest["solvent"][0] = 2, 1
    rejected(ci, honest, "MarginClass")


def test_dummy_user_with_high_cap_debt_against_haircut_collateral(ci: Circuits) -> None:
    # ETH counts 90%: 1 ETH (3,000 USD) cannot carry a 2,700.01 USDT debt (attack 9): it is counted bankrupt.
    signals = batch(ci, [Account(1, 0, (-2_700 * UNIT - UNIT // 100, 0, 1 * UNIT))])
    rejected(ci, claim(signals, 0, "liquidatable"), "MarginClass")


def test_isolated_subaccount_is_classified_outside_the_cross_pool(ci: Circuits) -> None:
    # Together the two would be healthy; the isolated position alone is under water: bankrupt.
    cross = Account(1, 0, (100_000 * UNIT, 0, 0))
    isolated = Account(1, 1, (-550_000 * UNIT + 4_000 * UNIT, 0, 0), (10 * UNIT,))
    signals = batch(ci, [cross, isolated])
    rejected(ci, claim(signals, 1, "healthy"), "MarginClass")


@pytest.mark.parametrize(("field", "delta"), [("bad_debt", -1), ("shortfall", -1), ("bankrupt", -1)])
def test_understated_book_cannot_open_the_next_state(ci: Circuits, field: str, delta: int) -> None:
    liquidatable = worked_example(1)
    liquidatable = Account(1, 0, (liquidatable.balances[0] - 6_000 * UNIT, 0, 0), liquidatable.positions)
    params = venue(brackets=3).circuit(ci.profile)
    accounts = [liquidatable, Account(2, 0, (-1, 0, 0))]
    padded = accounts + [Account.padding(ci.profile)] * 2
    signals, _, after = batch_signals(padded, SALTS, ChainState.genesis(ci.profile), params, BLIND)
    assert after.liquidatable == 1 and after.bankrupt == 1 and after.shortfall > 0 and after.bad_debt > 0
    signals["nextState"] = replace(after, **{field: getattr(after, field) + delta}).hash
    rejected(ci, signals, "StateOpening")


def _split_venue() -> EpochParams:
    """margin-rules.md's split example: BTC at 20,000 counts 100% up to 5,000 BTC and 50% above."""
    btc = Asset("BTC", 20_000 * USD, (CollateralTier(0, PPM), CollateralTier(5_000 * UNIT, PPM // 2)))
    usdt = Asset("USDT", USD, (CollateralTier(0, PPM),))
    eth = Asset("ETH", 3_000 * USD, (CollateralTier(0, PPM),))
    brackets = (Bracket(0, PPM // 100), Bracket(100_000 * USD, PPM // 10))
    return EpochParams((usdt, btc, eth), (PerpMarket("BTC-PERP", 20_000 * USD, brackets),))


def test_split_collateral_over_subaccounts(ci: Circuits) -> None:
    """6,000 BTC against 115M USDT is bankrupt as one account; halves in two subaccounts are refused."""
    params = _split_venue().circuit(ci.profile)
    whole = Account(1, 0, (-115_000_000 * UNIT, 6_000 * UNIT, 0))
    health = evaluate(whole, params)
    assert (health.margin_class, health.bad_debt) == ("bankrupt", 5_000_000 * WEIGHTED_SCALE)
    halves = [
        Account(1, 0, (-57_500_000 * UNIT, 3_000 * UNIT, 0)),
        Account(1, 1, (-57_500_000 * UNIT, 3_000 * UNIT, 0)),
    ]
    assert all(evaluate(h, params).healthy for h in halves)  # what a per-record rule would have said
    padded = halves + [Account.padding(ci.profile)] * 2
    signals, _, _ = batch_signals(padded, SALTS, ChainState.genesis(ci.profile), params, BLIND)
    rejected(ci, signals, "OneRecordPerHolding")
    # Claiming the second half opens a new account does not help: its id is the first one's.
    signals["newAccount"][1] = 1
    rejected(ci, signals, "AccountOrder")


def test_split_position_over_isolated_subaccounts(ci: Circuits) -> None:
    """A 10 BTC long carries 11,000 USD of MM as one position; as two 5 BTC isolated halves it is refused."""
    params = _split_venue().circuit(ci.profile)
    whole = evaluate(Account(1, 1, (-190_000 * UNIT, 0, 0), (10 * UNIT,)), params)
    assert whole.maintenance == 11_000 * WEIGHTED_SCALE
    halves = [Account(1, s, (-95_000 * UNIT, 0, 0), (5 * UNIT,)) for s in (1, 2)]
    assert sum(evaluate(h, params).maintenance for h in halves) == 2_000 * WEIGHTED_SCALE
    padded = halves + [Account.padding(ci.profile)] * 2
    signals, _, _ = batch_signals(padded, SALTS, ChainState.genesis(ci.profile), params, BLIND)
    rejected(ci, signals, "OneRecordPerHolding")


def test_split_position_across_two_batches(ci: Circuits) -> None:
    params = _split_venue().circuit(ci.profile)
    first, second = (Account(1, s, (-95_000 * UNIT, 0, 0), (5 * UNIT,)) for s in (1, 2))
    state = ChainState.genesis(ci.profile).after([first], params, BLIND)
    assert state.held == 1
    padded = [second] + [Account.padding(ci.profile)] * 3
    signals, _, _ = batch_signals(padded, SALTS, state, params, BLIND)
    rejected(ci, signals, "OneRecordPerHolding")


def test_padding_between_two_records_of_one_account_resets_nothing(ci: Circuits) -> None:
    params = _split_venue().circuit(ci.profile)
    first, second = (Account(1, s, (-95_000 * UNIT, 0, 0), (5 * UNIT,)) for s in (1, 2))
    pad = Account.padding(ci.profile)
    signals, _, _ = batch_signals(
        [first, pad, second, pad], SALTS, ChainState.genesis(ci.profile), params, BLIND
    )
    rejected(ci, signals, "OneRecordPerHolding")
    signals["newAccount"][1] = 1  # padding posing as a new account, to forget what the account holds
    rejected(ci, signals, "AccountOrder")


def test_isolated_subaccount_holding_a_tiered_asset(ci: Circuits, honest: Signals) -> None:
    honest["subaccount"][2] = 1  # account 3 holds 2 BTC: not allowed outside the cross subaccount
    rejected(ci, honest, "OneRecordPerHolding")


def test_duplicated_account_in_a_batch(ci: Circuits) -> None:
    account = Account(5, 0, (1 * UNIT, 0, 0))
    rejected(ci, batch(ci, [account, account]), "AccountOrder")


def test_duplicated_account_across_batches(ci: Circuits) -> None:
    account = Account(5, 0, (1 * UNIT, 0, 0))
    params = venue(brackets=3).circuit(ci.profile)
    state = ChainState.genesis(ci.profile).after([account], params, BLIND)
    rejected(ci, batch(ci, [account], state), "AccountOrder")


def test_keys_must_increase(ci: Circuits, honest: Signals) -> None:
    honest["accountId"][0], honest["accountId"][1] = honest["accountId"][1], honest["accountId"][0]
    rejected(ci, honest, "AccountOrder")


def test_key_gap_cannot_wrap_around_the_field(ci: Circuits, honest: Signals) -> None:
    # An id below the last one, whose gap of -2 wraps around the field (attack 8: wrap-around modulo p).
    honest["accountId"][1] = honest["accountId"][0] - 1
    rejected(ci, honest, "AccountOrder")


def test_subaccount_must_be_16_bits(ci: Circuits, honest: Signals) -> None:
    # Key 2 * 2^16 written as account 1, subaccount 2^16: the subaccount must be below 2^16.
    honest["accountId"][1], honest["subaccount"][1], honest["newAccount"][1] = 1, 2**16, 0
    rejected(ci, honest, "AccountOrder")


@pytest.mark.parametrize("field", ["balanceMagnitude", "positionMagnitude"])
def test_padding_account_carrying_value(ci: Circuits, honest: Signals, field: str) -> None:
    honest[field][3][0] = 5  # healthy on its own, but a padding account must hold nothing
    rejected(ci, honest, "PaddingIsEmpty")


def test_prices_must_be_the_committed_parameters(ci: Circuits, honest: Signals) -> None:
    honest["params"][1 + 2 * 3] += 1  # BTC's price (asset 1 starts at index 1 + 2 * tiers)
    rejected(ci, honest, "EpochParameters")


def test_tier_tables_must_be_the_committed_parameters(ci: Circuits, honest: Signals) -> None:
    honest["params"][3 + 2 * 3 + 3 + 1] = 1_000_000  # BTC's tier-1 rate, 97.5% -> 100%
    rejected(ci, honest, "EpochParameters")


def test_symbols_and_insurance_must_be_the_committed_labels(ci: Circuits, honest: Signals) -> None:
    relabelled = venue(brackets=3)
    relabelled = replace(
        relabelled,
        assets=(*relabelled.assets[:2], replace(relabelled.assets[2], symbol="ETH2")),
    )
    honest["params"][0] = relabelled.circuit(ci.profile).labels
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

"""Options in standard accounts: Deribit's short-option margin, exact in the model and in both circuits, and
the dishonest prover's ways to make an options book look healthier."""

import copy
from dataclasses import replace

import pytest
from conftest import Circuits, rejected
from factories import CALL_70K, PUT_50K, UNIT, USD, option_venue, short_call

from zksolvency.prover.inputs import Signals, batch_signals, margin_signals
from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.epoch import net_liabilities
from zksolvency.verifier.field import THRESHOLD_TO_WEIGHTED, WEIGHTED_SCALE
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.holder import holder_commitment
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import BANKRUPT, HEALTHY, LIQUIDATABLE, evaluate
from zksolvency.verifier.params import OptionMargin, ParamsError, option_unit_margin
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.tree import QuadTree

CI = PROFILES["ci"]
SALTS = [21, 22, 23, 24]
BLIND = 777


def test_worked_example_short_call_im_7200_mm_5700() -> None:
    """margin-rules.md: short 1 BTC 70,000 call, U = 60,000, mark 1,200: IM 7,200, MM 5,700, exactly."""
    im, mm = option_unit_margin(CALL_70K, 60_000 * USD, OptionMargin())
    assert (im, mm) == (7_200 * USD * 10**6, 5_700 * USD * 10**6)
    health = evaluate(short_call(1, 10_000), option_venue().circuit(CI))
    assert health.maintenance == 5_700 * WEIGHTED_SCALE and health.initial == 7_200 * WEIGHTED_SCALE
    assert health.equity == (10_000 - 1_200) * WEIGHTED_SCALE  # the short is a liability at its mark
    assert health.available == 1_600 * WEIGHTED_SCALE


def test_short_put_needs_at_least_its_maintenance_margin() -> None:
    """Put, OTM 10,000: IM = max(9,000 - 10,000, 6,000) + 350 = 6,350; MM = max(4,500, 26.25) + 350."""
    im, mm = option_unit_margin(PUT_50K, 60_000 * USD, OptionMargin())
    assert (im, mm) == (6_350 * USD * 10**6, 4_850 * USD * 10**6)
    deep = OptionMargin(im_max=150_000, im_min=10_000, mm=75_000)  # an IM floor below MM: IM rises to MM
    assert (
        option_unit_margin(PUT_50K, 60_000 * USD, deep)[0]
        == option_unit_margin(PUT_50K, 60_000 * USD, deep)[1]
    )


def test_long_option_counts_at_mark_and_needs_no_margin() -> None:
    long_put = Account(1, 0, (0, 0, 0), (0,), (0, 2 * UNIT))
    health = evaluate(long_put, option_venue().circuit(CI))
    assert health.equity == 700 * WEIGHTED_SCALE and health.maintenance == health.initial == 0


def batch(ci: Circuits, accounts: list[Account]) -> Signals:
    padded = accounts + [Account.padding(ci.profile)] * (ci.profile.batch_size - len(accounts))
    params = option_venue().circuit(ci.profile)
    signals, _, _ = batch_signals(padded, SALTS, ChainState.genesis(ci.profile), params, BLIND)
    return signals


def test_the_maintenance_boundary_of_a_short_call_is_exact_in_the_circuit(ci: Circuits) -> None:
    """6,900 USDT short one call: equity 5,700 = MM, healthy; one quantum of USDT less: liquidatable."""
    params = option_venue().circuit(ci.profile)
    at, below = short_call(1, 6_900), Account(2, 0, (6_900 * UNIT - 1, 0, 0), (0,), (-UNIT, 0))
    assert [evaluate(a, params).margin_class for a in (at, below)] == [HEALTHY, LIQUIDATABLE]
    signals = batch(ci, [at, below])
    ci.batch_prover.witness(signals)
    signals["healthy"][1] = 1  # the liquidatable one claimed healthy
    rejected(ci.batch_prover, signals, "MarginClass")


def test_short_option_valued_as_a_long(ci: Circuits) -> None:
    """A bankrupt short-call writer (500 USDT) whose short is flipped to a long in the witness: the totals and
    the leaf the statement commits to no longer open, so the batch has no witness (and a venue that
    published the flipped leaf shows the trader a record that is not theirs)."""
    account = short_call(1, 500)
    assert evaluate(account, option_venue().circuit(ci.profile)).margin_class == BANKRUPT
    signals = batch(ci, [account])
    signals["optionSign"][0][0] = 0
    signals["healthy"][0], signals["solvent"][0] = 1, 1
    rejected(ci.batch_prover, signals, "(StateOpening|SubtreeRoot)")


def test_option_position_left_out(ci: Circuits) -> None:
    signals = batch(ci, [short_call(1, 10_000)])
    signals["optionMagnitude"][0][0] = 0
    rejected(ci.batch_prover, signals, "(StateOpening|SubtreeRoot)")


def test_option_sign_must_be_a_bit(ci: Circuits) -> None:
    signals = batch(ci, [short_call(1, 10_000)])
    signals["optionSign"][0][0] = 2
    rejected(ci.batch_prover, signals, "SignedAmount")


def test_series_margin_must_be_the_committed_parameters(ci: Circuits) -> None:
    """Halving the call's unit maintenance margin in the parameter vector breaks the parameter hash."""
    signals = batch(ci, [short_call(1, 10_000)])
    p = ci.profile
    slot = 3 + p.assets * 2 * p.tiers + p.markets * (3 * p.brackets - 1) + 1
    assert signals["params"][slot] == 5_700 * USD * 10**6
    signals["params"][slot] //= 2
    rejected(ci.batch_prover, signals, "EpochParameters")


def test_isolated_subaccount_cannot_hold_an_option(ci: Circuits) -> None:
    """Options belong to the cross account; the model refuses the record and the circuit has no witness."""
    with pytest.raises(AccountError, match="options are held by the cross account"):
        Account(1, 1, (10_000 * UNIT, 0, 0), (0,), (-UNIT, 0)).validate(ci.profile)
    signals = batch(ci, [Account(1, 0, (10_000 * UNIT, 0, 0)), Account(1, 1, (10_000 * UNIT, 0, 0))])
    signals["optionSign"][1][0], signals["optionMagnitude"][1][0] = 1, UNIT
    rejected(ci.batch_prover, signals, "OneRecordPerHolding")


def test_padding_cannot_hold_an_option(ci: Circuits) -> None:
    signals = batch(ci, [short_call(1, 10_000)])
    signals["optionMagnitude"][3][1] = UNIT
    rejected(ci.batch_prover, signals, "PaddingIsEmpty")


def test_option_open_interest_is_in_the_state_and_owed_at_mark(ci: Circuits) -> None:
    """A long call with no short on the book is owed by the venue: its mark value joins USDT's liabilities."""
    params = option_venue()
    accounts = [Account(1, 0, (1_000 * UNIT, 0, 0), (0,), (3 * UNIT, 0))]
    padded = accounts + [Account.padding(ci.profile)] * 3
    signals, statement, after = batch_signals(
        padded, SALTS, ChainState.genesis(ci.profile), params.circuit(ci.profile), BLIND
    )
    proof = ci.batch_prover.prove(signals)
    assert verify(ci.batch.verification_key, proof, statement.public_inputs)
    assert after.long == (0, 0, 3 * UNIT, 0) and after.short == (0, 0, 0, 0)
    assert net_liabilities(params, after, ci.profile)[0] == 1_000 * UNIT + 3 * 1_200 * UNIT


def test_margin_proof_lends_against_the_short_calls_initial_margin(ci: Circuits) -> None:
    """10,000 USDT short one call: 10,000 - 1,200 - 7,200 = 1,600 USD available; 1,600 + 1e-8 is refused, and
    so is 10,000 - 1,200 - 5,700 = 3,100 measured against maintenance margin."""
    params = option_venue().circuit(ci.profile)
    secret = 9_999
    accounts = [replace(short_call(1, 10_000), holder=holder_commitment(secret))]
    accounts += [Account.padding(ci.profile)] * 3
    tree = QuadTree(
        [leaf_hash(a, s, ci.profile) for a, s in zip(accounts, SALTS, strict=True)], ci.profile.tree_depth
    )

    def signals(threshold: int) -> Signals:
        return copy.deepcopy(
            margin_signals(accounts[0], SALTS[0], tree.path(0), params, threshold, 0xBEEF, 1, secret, 0xCAFE)[
                0
            ]
        )

    assert evaluate(accounts[0], params).available == 1_600 * USD * THRESHOLD_TO_WEIGHTED
    ci.margin_prover.witness(signals(1_600 * USD))
    rejected(ci.margin_prover, signals(1_600 * USD + 1), "AvailableAboveThreshold")
    rejected(ci.margin_prover, signals(3_100 * USD), "AvailableAboveThreshold")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"underlying": "USDT"}, "underlying"),
        ({"underlying": "DOGE"}, "underlying"),
        ({"kind": "straddle"}, "type"),
        ({"expiry": 1_795_852_800}, "expiry"),
        ({"strike": 0}, "strike"),
        ({"iv": 0}, "iv"),
        ({"strike": 10_000 * USD, "mark": 0}, "mark"),  # a deep call at 0: below its intrinsic 50,000
        ({"mark": 60_001 * USD}, "mark"),  # a call worth more than its underlying
    ],
)
def test_series_rules(change: dict, field: str) -> None:
    params = option_venue()
    bad = replace(params, options=(replace(CALL_70K, **change),))
    with pytest.raises(ParamsError, match=rf"options\[0\] \(BTC-25DEC26-70000-C\)\.{field}"):
        bad.validate(CI)


def test_options_need_a_snapshot_time_and_sane_rates() -> None:
    with pytest.raises(ParamsError, match="time"):
        replace(option_venue(), time=0).validate(CI)
    with pytest.raises(ParamsError, match="option_margin"):
        replace(option_venue(), option_margin=OptionMargin(im_max=50_000)).validate(CI)


def test_series_initial_margin_must_be_the_committed_one(ci: Circuits) -> None:
    """Lowering the call's unit IM in the initial-margin vector (to lend more against a short) breaks the hash
    the parameter vector carries as its second element."""
    params = option_venue().circuit(ci.profile)
    secret = 9_999
    accounts = [replace(short_call(1, 10_000), holder=holder_commitment(secret))]
    accounts += [Account.padding(ci.profile)] * 3
    leaves = [leaf_hash(a, s, ci.profile) for a, s in zip(accounts, SALTS, strict=True)]
    tree = QuadTree(leaves, ci.profile.tree_depth)
    signals, _ = margin_signals(
        accounts[0], SALTS[0], tree.path(0), params, 3_000 * USD, 0xBEEF, 1, secret, 0xCAFE
    )
    slot = 1 + ci.profile.markets * (2 * ci.profile.brackets - 1)
    assert signals["initialParams"][slot] == 7_200 * USD * 10**6
    signals["initialParams"][slot] = 5_700 * USD * 10**6
    rejected(ci.margin_prover, signals, "InitialParameters")

"""Red team after options, initial margin, the sealed holder and scoped nullifiers: a dishonest venue (who
chooses every private input) or trader tries to get a false statement through a circuit or the audit.

Each test is one attack with real witness generation on the ci circuits. A test that ends in a rejection is
a negative result kept for what it pins down; the two nullifier tests document what the constraints allow
(see their docstrings)."""

import copy
from dataclasses import replace

import pytest
from conftest import Circuits, rejected
from factories import CALL_70K, UNIT, USD, option_venue, short_call

from zksolvency.prover.inputs import Signals, batch_signals, margin_signals
from zksolvency.verifier.account import Account
from zksolvency.verifier.black76 import call_price, option_price
from zksolvency.verifier.epoch import BatchProof, Epoch, verify_epoch
from zksolvency.verifier.field import CLASS_BITS, PPM, WEIGHTED_SCALE
from zksolvency.verifier.groth16 import verify
from zksolvency.verifier.holder import holder_commitment
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import BANKRUPT, evaluate
from zksolvency.verifier.params import OptionMargin, ParamsError, option_unit_margin
from zksolvency.verifier.poseidon import hash_vector
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.statements import BatchStatement
from zksolvency.verifier.tree import QuadTree

SALTS = [31, 32, 33, 34]
BLIND = 4242
SECRET = 123_456_789
RECIPIENT, CHAIN_ID, GATE = 0xBEEF, 1, 0xCAFE


def batch(ci: Circuits, accounts: list[Account], params: object = None) -> tuple[Signals, BatchStatement]:
    padded = accounts + [Account.padding(ci.profile)] * (ci.profile.batch_size - len(accounts))
    circuit = (params or option_venue()).circuit(ci.profile)  # type: ignore[attr-defined]
    signals, statement, _ = batch_signals(padded, SALTS, ChainState.genesis(ci.profile), circuit, BLIND)
    return signals, statement


def margin(
    ci: Circuits, account: Account, salt: int, threshold: int, gate: int = GATE
) -> tuple[Signals, list]:
    """The margin signals of `account` (index 0 of a one-record tree) for the trader holding SECRET."""
    accounts = [account] + [Account.padding(ci.profile)] * 3
    salts = [salt, *SALTS[1:]]
    leaves = [leaf_hash(a, s, ci.profile) for a, s in zip(accounts, salts, strict=True)]
    tree = QuadTree(leaves, ci.profile.tree_depth)
    params = option_venue().circuit(ci.profile)
    signals, statement = margin_signals(
        account, salt, tree.path(0), params, threshold, RECIPIENT, CHAIN_ID, SECRET, gate
    )
    return copy.deepcopy(signals), statement.public_inputs


def writer(usdt: float = 10_000) -> Account:
    """A cross account short one 70,000 call, with the trader's holder commitment."""
    return replace(short_call(1, usdt), holder=holder_commitment(SECRET))


def test_unit_initial_margin_must_be_the_committed_one(ci: Circuits) -> None:
    """Halve the short call's unit IM (7,200 USD) in the initial-margin vector: the vector no longer opens
    params[1]; re-hashing it into params[1] breaks paramsHash instead (statement 3.8: no test did this)."""
    p = ci.profile
    signals, _ = margin(ci, writer(), SALTS[0], 1_600 * USD)
    ci.margin_prover.witness(signals)
    slot = 1 + p.markets * (2 * p.brackets - 1)  # the first series' unit IM
    assert signals["initialParams"][slot] == 7_200 * USD * PPM
    signals["initialParams"][slot] //= 2
    signals["threshold"] = 5_200 * USD  # what the halved IM would lend
    rejected(ci.margin_prover, signals, "InitialParameters")
    signals["params"][1] = hash_vector(signals["initialParams"])
    rejected(ci.margin_prover, signals, "EpochParameters")


def test_initial_vector_cannot_drop_its_domain(ci: Circuits) -> None:
    """A venue that publishes a parameter vector whose second element hashes an all-zero initial-margin
    vector (no domain, no IM) gets a consistent paramsHash, and still no witness: the domain constraint
    refuses it."""
    signals, _ = margin(ci, writer(), SALTS[0], 1_600 * USD)
    signals["initialParams"] = [0] * len(signals["initialParams"])
    signals["params"][1] = hash_vector(signals["initialParams"])
    signals["paramsHash"] = hash_vector(signals["params"])
    signals["threshold"] = 8_800 * USD  # value with no initial margin at all
    rejected(ci.margin_prover, signals, "InitialParameters")


def test_option_magnitude_of_2_pow_64_cannot_pose_as_a_short_of_zero(ci: Circuits) -> None:
    """Leaf word magnitude + 2^64 * sign: a magnitude of 2^64 with sign 0 packs like sign 1 with magnitude 0,
    and 2^65 would carry into the next option's word. The 64-bit range check stops both."""
    signals, _ = batch(ci, [short_call(1, 10_000)])
    for magnitude in (2**64, 2**65 + UNIT):
        s = copy.deepcopy(signals)
        s["optionSign"][0][0], s["optionMagnitude"][0][0] = 0, magnitude
        rejected(ci.batch_prover, s, "SignedAmount")


def test_short_option_book_beyond_2_pow_128_has_no_class_at_all(ci: Circuits) -> None:
    """CLASS_BITS near its edge: a call marked near 2^63 (a legal 64-bit mark, on BTC priced at 2^63 - 1)
    and a writer short 2^62 quanta with 1,000 USDT has haircut equity about -2^145 USD * 1e22: beyond
    -2^128, within 2^157. No choice of class bits has a witness, so a venue cannot call it healthy or
    liquidatable (nor even bankrupt: completeness stops at 2^128, which the prover's pre-check reports)."""
    venue = option_venue()
    assets = (venue.assets[0], replace(venue.assets[1], price=2**63 - 1), *venue.assets[2:])
    markets = (replace(venue.markets[0], mark=2**63 - 1),)  # BTC-PERP tracks BTC
    mark = option_price(2**63 - 1, CALL_70K.strike, CALL_70K.iv, CALL_70K.expiry - venue.time, True)
    big = replace(venue, assets=assets, markets=markets, options=(replace(CALL_70K, mark=mark),))
    account = Account(1, 0, (1_000 * UNIT, 0, 0), (0,), (-(2**62),))
    health = evaluate(account, big.circuit(ci.profile))
    assert health.margin_class == BANKRUPT
    assert -(2**157) < health.equity < -(2**CLASS_BITS)
    signals, _ = batch(ci, [account], big)
    for healthy, solvent in ((1, 1), (0, 1), (0, 0)):
        signals["healthy"][0], signals["solvent"][0] = healthy, solvent
        rejected(ci.batch_prover, signals, "MarginClass")


def test_unused_market_slot_below_m_counts_for_nothing_and_the_audit_refuses_it(ci: Circuits) -> None:
    """With options every market slot is 'in use' on-chain (chain.instrument_slots = M + series), so the
    registry only asks the spare perpetual slot to balance. A venue books +1,000,000 BTC and -1,000,000 BTC in
    that slot (mark 0): the batch proof verifies, the positions carry no value and no margin, and the
    off-chain audit's check 9 still refuses the epoch. No false statement; the registry and audit disagree."""
    params = option_venue()
    huge = 1_000_000 * UNIT
    accounts = [
        Account(1, 0, (1_000 * UNIT, 0, 0), (0, huge), (0, 0)),
        Account(2, 0, (1_000 * UNIT, 0, 0), (0, -huge), (0, 0)),
    ]
    circuit = params.circuit(ci.profile)
    assert all(evaluate(a, circuit).equity == 1_000 * WEIGHTED_SCALE for a in accounts)
    assert all(evaluate(a, circuit).maintenance == 0 for a in accounts)
    padded = accounts + [Account.padding(ci.profile)] * 2
    signals, statement, after = batch_signals(padded, SALTS, ChainState.genesis(ci.profile), circuit, BLIND)
    proof = ci.batch_prover.prove(signals)
    assert verify(ci.batch.verification_key, proof, statement.public_inputs)
    assert after.long[1] == after.short[1] == huge
    epoch = Epoch(
        epoch_id=1,
        profile=ci.profile,
        params=params,
        params_hash=circuit.hash,
        root=QuadTree(
            [leaf_hash(a, s, ci.profile) for a, s in zip(padded, SALTS, strict=True)], ci.profile.tree_depth
        ).root,
        batches=(BatchProof(statement, proof),),
        final_state=after,
        reserves=(2_000 * UNIT, 0, 0),
        verification_keys={kind: keys.verification_key for kind, keys in ci.keys.by_kind().items()},
        setup_kind=ci.batch.setup_kind,
    )
    audit = verify_epoch(epoch)
    assert audit.failed_check == "padding slots", audit.failure


def test_margin_proof_with_a_doctored_holder_or_salt_does_not_open_the_leaf(ci: Circuits) -> None:
    """The trader's leaf seals Poseidon(salt, holder). A prover who keeps the leaf but swaps in its own holder
    (whose secret it knows), or a second salt to mint a second nullifier, no longer opens the root."""
    other = 987_654_321
    signals, _ = margin(ci, writer(), SALTS[0], 1_000 * USD)
    s = copy.deepcopy(signals)
    s["holder"], s["secret"] = holder_commitment(other), other
    rejected(ci.margin_prover, s, "Inclusion")
    s = copy.deepcopy(signals)
    s["salt"] += 1
    rejected(ci.margin_prover, s, "Inclusion")


def test_nullifier_is_epoch_bound_only_by_the_venue_chosen_salt(ci: Circuits) -> None:
    """WEAKNESS (linking): the nullifier hashes (key, salt, secret, scope) and not the root or epoch. Two
    epochs with different books under different roots, in which a venue reuses a record's salt, give the same
    nullifier at the same gate: the gate links the trader's two credits even when the trader uses a fresh
    recipient address per epoch. Both proofs are valid. (prover/salts.py derives a fresh salt per epoch, but
    nothing in the circuit or the audit requires it, and the trader is never told to compare salts.)"""
    first, inputs_1 = margin(ci, writer(10_000), SALTS[0], 1_000 * USD)
    second, inputs_2 = margin(ci, writer(20_000), SALTS[0], 1_000 * USD)
    ci.margin_prover.witness(first)
    ci.margin_prover.witness(second)
    assert inputs_1[0] != inputs_2[0]  # two roots: two epochs
    assert inputs_1[5] == inputs_2[5]  # one nullifier


def test_one_record_backs_concurrent_credits_in_consecutive_epochs(ci: Circuits) -> None:
    """WEAKNESS (double use): with the honest fresh salt per epoch, the same record, unchanged, gets an
    unrelated nullifier in the next epoch. MarginGate keys nullifiers by epoch and credits by msg.sender,
    and a credit lives MAX_AGE after its epoch's finalisation; so the trader claims epoch n's credit at
    address X and epoch n+1's at address Y, and both count at once against one record's margin. Both
    proofs are valid and the gate cannot tell they are one record."""
    first, inputs_1 = margin(ci, writer(), SALTS[0], 1_600 * USD)
    second, inputs_2 = margin(ci, writer(), SALTS[0] + 1, 1_600 * USD)
    ci.margin_prover.witness(first)
    ci.margin_prover.witness(second)
    assert inputs_1[5] != inputs_2[5]


def test_zero_option_fractions_pass_validation_and_leave_a_short_call_only_its_mark() -> None:
    """Audit path of the unit margins: the verifier derives them from market.json, so a venue cannot publish a
    lower unit MM than its own fractions give; but the fractions themselves have no floor: mm = im_min =
    im_max = 0 passes check 1, and a short call then needs only its mark as margin (statement 3.8 publishes
    the fractions; nothing in the audit report flags a zero)."""
    zero = replace(option_venue(), option_margin=OptionMargin(0, 0, 0))
    circuit = zero.circuit(PROFILES["ci"])
    im, mm = option_unit_margin(CALL_70K, 60_000 * USD, OptionMargin(0, 0, 0))
    assert im == mm == CALL_70K.mark * PPM
    assert circuit.option_maintenance[0] == mm


def test_option_mark_below_its_intrinsic_value_is_refused(ci: Circuits) -> None:
    """Found by this review, now closed: a deep in-the-money call (K = 10,000, U = 60,000) published with mark
    0 would have let a writer short one with 5,000 USDT pass as healthy (value 5,000 >= MM 4,500) while it
    owes about 45,000 USD more than it holds. Marks must lie within the no-arbitrage bounds (intrinsic value
    to U for a call, to K for a put): the parameters are refused, so no epoch, audit or proof can use them.
    (A mark within the bounds but far from Black-76 at the published iv stays the venue's published input.)"""
    itm = replace(CALL_70K, symbol="BTC-25DEC26-10000-C", strike=10_000 * USD, mark=0)
    params = replace(option_venue(), options=(itm,))
    fair = call_price(60_000 * USD, itm.strike, itm.iv, itm.expiry - params.time)
    assert fair >= 50_000 * USD  # the intrinsic value, to the cent
    with pytest.raises(ParamsError, match=r"options\[0\] \(BTC-25DEC26-10000-C\)\.mark: must be within the "):
        params.circuit(ci.profile)

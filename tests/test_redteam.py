"""Red-team review (helper H6): attacks on the batch circuit, the margin circuit and the audit.

Each test shows an attack that is rejected, by the template named. Attacks already in tests/test_attacks.py
and tests/test_margin_circuit.py are not repeated. The weaknesses the review found that the circuits cannot
rule out (one customer written as two account ids, empty records, omitted debtors) are in docs/statement.md.
"""

import copy
import re

import pytest
from conftest import Circuits
from factories import UNIT, venue, worked_example

from zksolvency.prover.inputs import Signals, batch_signals, margin_signals
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.field import SUBACCOUNT_BITS, R
from zksolvency.verifier.holder import holder_commitment
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.tree import QuadTree

SALTS = [21, 22, 23, 24]
BLIND = 777
SECRET = 13579


def _params(ci: Circuits):
    return venue(brackets=3).circuit(ci.profile)


def _batch(
    ci: Circuits, accounts: list[Account], state: ChainState | None = None
) -> tuple[Signals, ChainState]:
    padded = accounts + [Account.padding(ci.profile)] * (ci.profile.batch_size - len(accounts))
    signals, _, after = batch_signals(
        padded, SALTS, state or ChainState.genesis(ci.profile), _params(ci), BLIND
    )
    return signals, after


def _rejected(ci: Circuits, signals: Signals, check: str) -> None:
    with pytest.raises(WitnessError, match=rf"Error in template {check}_\d+ "):
        ci.batch_prover.witness(signals)


# --- Batch circuit: classes -----------------------------------------------------------------------------


def test_zero_equity_record_cannot_be_called_bankrupt(ci: Circuits) -> None:
    # Long 10 BTC at 55,000 against a quote balance of -550,000 USDT: value exactly 0, MM > 0: liquidatable
    # with a shortfall. Calling it bankrupt would turn the shortfall into a bad debt of 0.
    account = Account(1, 0, (-550_000 * UNIT, 0, 0), (10 * UNIT,))
    health = evaluate(account, _params(ci))
    assert health.equity == 0 and health.margin_class == "liquidatable"
    signals, _ = _batch(ci, [account])
    ci.batch_prover.witness(signals)
    signals["healthy"][0], signals["solvent"][0] = 0, 0
    _rejected(ci, signals, "MarginClass")


# --- Batch circuit: chain-state opening -----------------------------------------------------------------


def test_last_key_cannot_be_reopened_with_a_17_bit_subaccount(ci: Circuits) -> None:
    # lastKey = 3 * 2^16 + 0 reopened as (2, 2^16): the same packed key, but account 2 instead of 3, so
    # account 3 could open again with newAccount = 1 (a duplicate) and forget its held markets.
    first = Account(3, 0, (UNIT, 0, 0), (UNIT,))
    params = _params(ci)
    state = ChainState.genesis(ci.profile).after([first], params, BLIND)
    assert state.last_key == 3 << SUBACCOUNT_BITS
    signals, _ = _batch(ci, [Account(3, 1, (0, 0, 0), (UNIT,))], state)
    signals["prevLastId"], signals["prevLastSub"] = 2, 2**16
    signals["newAccount"][0] = 1
    _rejected(ci, signals, "StateOpening")


def test_held_markets_cannot_be_forgotten_at_a_batch_boundary(ci: Circuits) -> None:
    params = _params(ci)
    first = Account(1, 1, (-50_000 * UNIT, 0, 0), (5 * UNIT,))
    state = ChainState.genesis(ci.profile).after([first], params, BLIND)
    assert state.held == 1
    signals, _ = _batch(ci, [Account(1, 2, (-50_000 * UNIT, 0, 0), (5 * UNIT,))], state)
    signals["prevHeld"] = [0] * ci.profile.markets  # the opening forgets that subaccount 1 holds BTC-PERP
    _rejected(ci, signals, "StateOpening")


# --- Batch circuit: padding aliases ---------------------------------------------------------------------

#: An account id whose key id * 2^16 + 1 is 0 in the field: a record with subaccount 1 posing as padding.
ALIAS_ID = (-pow(2**SUBACCOUNT_BITS, -1, R)) % R


def test_padding_alias_with_a_nonzero_subaccount_holds_nothing(ci: Circuits) -> None:
    """key = ALIAS_ID * 2^16 + 1 = 0 mod r makes a record with subaccount 1 count as padding. Empty, it is
    harmless (same leaf key 0, healthy, changes no last record); holding anything or opening an account, it
    is rejected."""
    signals, _ = _batch(ci, [Account(1, 0, (UNIT, 0, 0))])
    signals["accountId"][1], signals["subaccount"][1] = ALIAS_ID, 1
    ci.batch_prover.witness(signals)  # accepted, and the same public statement as honest padding
    carrying = copy.deepcopy(signals)
    carrying["balanceMagnitude"][1][0] = 10 * UNIT
    _rejected(ci, carrying, "PaddingIsEmpty")
    opening = copy.deepcopy(signals)
    opening["newAccount"][1] = 1  # padding posing as a new account to reset the held markets
    _rejected(ci, opening, "AccountOrder")


def test_account_id_of_2_pow_48_cannot_end_a_batch(ci: Circuits) -> None:
    # gap = 2^48 - 0 - 1 passes AccountOrder's RangeCheck(48), and key = 2^64 would leave the key space;
    # with every other signal consistent (nextState and subtreeRoot computed for it), the standard batch's
    # 47-bit bound on its last id refuses it (as the next state's opening would, lastId = 2^48).
    signals, after = _batch(ci, [Account(2**48, 0, (UNIT, 0, 0))])
    assert after.last_key == 2**64
    with pytest.raises(WitnessError) as failure:
        ci.batch_prover.witness(signals)
    assert re.search(
        r"Error in template RangeCheck_\d+ line: \d+\nError in template BatchSolvency_", str(failure.value)
    )
    assert "AccountOrder" not in str(failure.value)


# --- Margin circuit -------------------------------------------------------------------------------------


def test_liquidatable_record_cannot_make_a_margin_proof_at_threshold_zero(ci: Circuits) -> None:
    trader = 4321  # the trader's holder secret: the proof is the trader's own, refused for its margin alone
    holder = holder_commitment(trader)
    accounts = [Account(1, 0, (-550_000 * UNIT, 0, 0), (10 * UNIT,), holder=holder), worked_example(2)]
    accounts += [Account.padding(ci.profile)] * 2
    leaves = [leaf_hash(a, s, ci.profile) for a, s in zip(accounts, SALTS, strict=True)]
    tree = QuadTree(leaves, ci.profile.tree_depth)
    signals, _ = margin_signals(
        accounts[0], SALTS[0], tree.path(0), _params(ci), 0, 0xBEEF, 1, trader, 0xCAFE
    )
    with pytest.raises(WitnessError, match=r"Error in template AvailableAboveThreshold_\d+ "):
        ci.margin_prover.witness(signals)

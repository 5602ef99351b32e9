"""SolvencyRegistry on an anvil node: a real ci epoch verified and finalised; every refusal named."""

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Circuits
from test_contracts_support import (
    World,
    deployed_world,
    one_batch_epoch,
    reset_after,
    sample_epoch,
    with_reserves,
)
from web3.logs import DISCARD

from zksolvency.contracts.chain import (
    ContractReverted,
    finalize_epoch,
    fold_tree,
    open_epoch,
    publish_epoch,
    submit_batch,
)
from zksolvency.prover.sample import sample_params
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import BatchProof, Epoch, insurance_value
from zksolvency.verifier.field import QUANTA_PER_UNIT
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.statements import BatchStatement
from zksolvency.verifier.tree import empty_root, root_of

UNIT = QUANTA_PER_UNIT


@pytest.fixture(scope="module")
def world(ci: Circuits) -> Iterator[World]:
    with deployed_world(ci) as deployed:
        yield deployed


w = pytest.fixture(reset_after, name="w")


@pytest.fixture(scope="module")
def epoch1(ci: Circuits) -> Epoch:
    return sample_epoch(ci, 1)[0]


@pytest.fixture(scope="module")
def epoch2(ci: Circuits) -> Epoch:
    """The same venue proved again under epoch id 2: other salts and blinds, the same parameters."""
    return sample_epoch(ci, 2)[0]


def refused(w: World, fn: Any, error: str, sender: str | None = None) -> None:
    with pytest.raises(ContractReverted, match=error):
        w.chain.send(fn, sender or w.venue, 1_500_000)


def submit(w: World, epoch: Epoch, index: int, batch: BatchProof | None = None) -> Any:
    return submit_batch(w.chain, w.registry, epoch.epoch_id, batch or epoch.batches[index], w.venue)


def test_constructor_constants_match_the_verifier(w: World, ci: Circuits) -> None:
    registry, profile = w.registry, ci.profile
    assert registry.functions.GENESIS_STATE().call() == ChainState.genesis(profile).hash
    height = profile.tree_depth - profile.batch_levels
    assert [registry.functions.emptyRoots(h).call() for h in range(height)] == [
        empty_root(profile.batch_levels + h) for h in range(height)
    ]
    assert registry.functions.MAX_BATCHES().call() == profile.max_batches
    assert registry.functions.venue().call() == w.venue


def test_epoch_is_chained_verified_and_finalised(w: World, epoch1: Epoch, epoch2: Epoch) -> None:
    registry = w.registry
    receipts = publish_epoch(w.chain, registry, epoch1, w.venue)
    assert len(epoch1.batches) == 6  # a complete group of four subtrees and two more (a portfolio batch)
    opened = registry.events.EpochOpened().process_receipt(receipts[0])[0]["args"]
    assert (opened.epochId, opened.paramsHash, tuple(opened.reserves)) == (
        1,
        epoch1.params_hash,
        epoch1.reserves,
    )
    submitted = [registry.events.BatchSubmitted().process_receipt(r, errors=DISCARD) for r in receipts[1:-1]]
    events = [e[0]["args"] for e in submitted if e]
    for i, event in enumerate(events):
        s = epoch1.batches[i].statement
        assert (event.batchIndex, event.nextState, event.subtreeRoot) == (i, s.next_state, s.subtree_root)
    assert len(events) == 6
    folded = registry.events.TreeFolded().process_receipt(receipts[5])[0]["args"]
    assert (folded.epochId, folded.group) == (1, 0)
    final = registry.events.EpochFinalized().process_receipt(receipts[-1], errors=DISCARD)[0]["args"]
    state = epoch1.final_state
    assert final.root == epoch1.root and final.lastKey == state.last_key
    assert list(final.totals) == [*state.equity, *state.debt, *state.long, *state.short]
    assert list(final.book) == list(state.classes)  # classes, shortfall and bad debt, as proven
    assert opened.insurance == insurance_value(epoch1.params)
    root, params_hash, finalized_at = registry.functions.finalizedEpoch(1).call()
    assert (root, params_hash) == (epoch1.root, epoch1.params_hash) and finalized_at > 0
    record = registry.functions.getEpoch(1).call()
    assert (
        record[2] == state.hash and list(record[3:6]) == [6, 6, 1] and record[7] == 2
    )  # final state, counts, Final
    assert record[11] == insurance_value(epoch1.params) and list(record[12]) == list(state.classes)
    assert registry.functions.latestFinalizedEpoch().call() == 1
    assert registry.functions.openEpochId().call() == 0
    publish_epoch(w.chain, registry, epoch2, w.venue)
    assert registry.functions.finalizedEpoch(2).call()[0] == epoch2.root != epoch1.root


def test_only_the_venue_writes(w: World, epoch1: Epoch) -> None:
    fns = w.registry.functions
    refused(w, fns.openEpoch(1, epoch1.params_hash, [1], 2, 5, 0), "TwoStepOwnable__NotOwner", w.outsider)
    open_epoch(w.chain, w.registry, epoch1, w.venue)
    batch = epoch1.batches[0]
    calls = [
        fns.submitBatch(1, False, batch.statement.public_inputs, batch.proof.to_bytes()),
        fns.finalize(1, [0] * 10, [0] * 5, 0, 0, 0),
        fns.abandonEpoch(1),
    ]
    for fn in calls:
        refused(w, fn, "TwoStepOwnable__NotOwner", w.outsider)


def test_venue_moves_in_two_steps(w: World) -> None:
    fns = w.registry.functions
    w.chain.send(fns.transferOwnership(w.outsider), w.venue)
    assert fns.venue().call() == w.venue and fns.pendingOwner().call() == w.outsider
    refused(w, fns.acceptOwnership(), "TwoStepOwnable__NotPendingOwner", w.venue)
    w.chain.send(fns.acceptOwnership(), w.outsider)
    assert fns.venue().call() == w.outsider
    refused(w, fns.transferOwnership(w.venue), "TwoStepOwnable__NotOwner", w.venue)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"reserves": []}, "SolvencyRegistry__BadReserveCount"),
        ({"reserves": [1, 2, 3, 4]}, "SolvencyRegistry__BadReserveCount"),
        (
            {"instruments": 1 << 4},
            "SolvencyRegistry__BadInstrumentSlots",
        ),  # ci: slots 0-3 (2 markets, 2 series)
        ({"batches": 0}, "SolvencyRegistry__BadBatchCount"),
        ({"batches": 17}, "SolvencyRegistry__BadBatchCount"),
        ({"params_hash": 0}, "SolvencyRegistry__BadParamsHash"),
        ({"epoch_id": 0}, "SolvencyRegistry__EpochIdNotIncreasing"),
    ],
)
def test_opening_rules(w: World, epoch1: Epoch, change: dict[str, Any], error: str) -> None:
    args = {
        "epoch_id": 1,
        "params_hash": epoch1.params_hash,
        "reserves": [1, 2],
        "instruments": 0b11,
        "batches": 5,
        "insurance": 0,
    }
    args |= change
    refused(w, w.registry.functions.openEpoch(*args.values()), error)


def test_one_epoch_at_a_time_and_ids_increase(w: World, epoch1: Epoch, epoch2: Epoch) -> None:
    open_epoch(w.chain, w.registry, epoch2, w.venue)
    refused(
        w,
        w.registry.functions.openEpoch(3, epoch1.params_hash, [1], 2, 1, 0),
        "SolvencyRegistry__EpochStillOpen",
    )
    w.chain.send(w.registry.functions.abandonEpoch(2), w.venue)
    assert list(w.registry.functions.finalizedEpoch(2).call()) == [0, 0, 0]
    refused(w, w.registry.functions.openEpoch(1, epoch1.params_hash, [1], 2, 1, 0), "EpochIdNotIncreasing")
    refused(w, w.registry.functions.abandonEpoch(2), "SolvencyRegistry__EpochNotOpen")


def test_batches_come_in_order_once_each(w: World, epoch1: Epoch, epoch2: Epoch) -> None:
    open_epoch(w.chain, w.registry, epoch1, w.venue)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__BatchOutOfOrder") as error:
        submit(w, epoch1, 1)
    assert error.value.error_args == (0, 1)
    submit(w, epoch1, 0)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__BatchAlreadySubmitted"):
        submit(w, epoch1, 0)
    # Batch 1 of another epoch of the same venue: its previous state is that epoch's, not this one's.
    with pytest.raises(ContractReverted, match="SolvencyRegistry__PrevStateMismatch"):
        submit(w, epoch1, 1, epoch2.batches[1])
    with pytest.raises(ContractReverted, match="SolvencyRegistry__EpochNotOpen"):
        submit_batch(w.chain, w.registry, 2, epoch1.batches[1], w.venue)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__EpochIncomplete"):
        finalize_epoch(w.chain, w.registry, epoch1, w.venue)


def test_a_proof_for_other_parameters_is_refused(w: World, ci: Circuits, epoch1: Epoch) -> None:
    params = sample_params(ci.profile)
    cheaper = dataclasses.replace(params.assets[2], price=params.assets[2].price // 2)  # ETH: no option on it
    eth_perp = dataclasses.replace(params.markets[1], mark=params.markets[1].mark // 2)  # it tracks ETH
    other = dataclasses.replace(
        params, assets=(*params.assets[:2], cheaper), markets=(params.markets[0], eth_perp)
    )
    foreign = one_batch_epoch(ci, other, [Account(7, 0, (UNIT, 0, 0))], 9, (UNIT,))
    assert foreign.params_hash != epoch1.params_hash
    open_epoch(w.chain, w.registry, epoch1, w.venue)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__ParamsHashMismatch"):
        submit(w, epoch1, 0, foreign.batches[0])


def test_a_proof_that_does_not_verify_is_refused(w: World, epoch1: Epoch) -> None:
    open_epoch(w.chain, w.registry, epoch1, w.venue)
    batch = epoch1.batches[0]
    s = batch.statement
    forged = BatchStatement(s.params_hash, s.batch_index, s.prev_state, s.next_state + 1, s.subtree_root)
    data = bytearray(batch.proof.to_bytes())
    data[40] ^= 1
    for bad in (BatchProof(forged, batch.proof), BatchProof(s, Proof.from_bytes(bytes(data)))):
        with pytest.raises(ContractReverted, match="SolvencyRegistry__InvalidBatchProof"):
            submit(w, epoch1, 0, bad)
    assert w.registry.functions.getEpoch(1).call()[4] == 0


def test_declared_batch_count_is_enforced(w: World, epoch1: Epoch) -> None:
    shorter = dataclasses.replace(epoch1, batches=epoch1.batches[:4])
    open_epoch(w.chain, w.registry, shorter, w.venue)
    for i in range(4):
        submit(w, epoch1, i)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__TooManyBatches"):
        submit(w, epoch1, 4)


def test_each_group_of_four_is_folded_before_the_next_batch(w: World, epoch1: Epoch) -> None:
    open_epoch(w.chain, w.registry, epoch1, w.venue)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__NothingToFold"):
        fold_tree(w.chain, w.registry, 1, w.outsider)
    for i in range(4):
        submit(w, epoch1, i)
    with pytest.raises(ContractReverted, match=r"SolvencyRegistry__FoldPending\(0,\)"):
        submit(w, epoch1, 4)
    fold_tree(w.chain, w.registry, 1, w.outsider)  # anyone may: the result is fixed by the roots
    with pytest.raises(ContractReverted, match="SolvencyRegistry__NothingToFold"):
        fold_tree(w.chain, w.registry, 1, w.outsider)
    for i in (4, 5):
        submit(w, epoch1, i)
    finalize_epoch(w.chain, w.registry, epoch1, w.venue)
    assert w.registry.functions.finalizedEpoch(1).call()[0] == epoch1.root


def test_finalise_folds_a_last_complete_group(w: World, ci: Circuits) -> None:
    four, _ = sample_epoch(ci, 3, accounts=11, seed=3)
    assert len(four.batches) == 4 and four.batches[3].portfolio  # 12 standard records, the desk's 2
    open_epoch(w.chain, w.registry, four, w.venue)
    for i in range(4):
        submit(w, four, i)
    finalize_epoch(w.chain, w.registry, four, w.venue)
    root = root_of(
        [b.statement.subtree_root for b in four.batches], ci.profile.tree_depth, ci.profile.batch_levels
    )
    assert w.registry.functions.finalizedEpoch(3).call()[0] == root == four.root


def finalised_with(w: World, epoch: Epoch, error: str, opening: ChainState | None = None) -> None:
    """Publish every batch of `epoch`, then finalise it with `opening` (default: the true one): refused."""
    open_epoch(w.chain, w.registry, epoch, w.venue)
    for i in range(len(epoch.batches)):
        submit(w, epoch, i)
        if i % 4 == 3:
            fold_tree(w.chain, w.registry, epoch.epoch_id, w.venue)
    changed = dataclasses.replace(epoch, final_state=opening or epoch.final_state)
    with pytest.raises(ContractReverted, match=error):
        finalize_epoch(w.chain, w.registry, changed, w.venue)


def test_finalise_needs_the_opening_of_the_last_state(w: World, epoch1: Epoch) -> None:
    s = epoch1.final_state
    finalised_with(
        w, epoch1, "SolvencyRegistry__OpeningMismatch", dataclasses.replace(s, debt=(0, *s.debt[1:]))
    )


def test_reserves_below_net_liabilities_are_refused(w: World, epoch1: Epoch) -> None:
    s = epoch1.final_state
    asset = next(a for a in range(len(epoch1.reserves)) if s.equity[a] > s.debt[a])
    short = list(epoch1.reserves)
    short[asset] = s.equity[asset] - s.debt[asset] - 1
    finalised_with(w, with_reserves(epoch1, tuple(short)), "SolvencyRegistry__ReservesShort")


def test_undeclared_asset_market_or_series_slot_must_be_empty(w: World, epoch1: Epoch) -> None:
    assert epoch1.final_state.equity[2] > 0 and epoch1.final_state.long[1] > 0
    finalised_with(w, with_reserves(epoch1, epoch1.reserves[:2]), r"PaddingSlotNotEmpty\(2,\)")
    w.reset()
    one_market = dataclasses.replace(epoch1.params, markets=epoch1.params.markets[:1])
    finalised_with(w, dataclasses.replace(epoch1, params=one_market), r"PaddingSlotNotEmpty\(7,\)")
    w.reset()
    assert epoch1.final_state.long[epoch1.profile.markets + 1] > 0  # the second option series is held
    one_series = dataclasses.replace(epoch1.params, options=epoch1.params.options[:1])
    finalised_with(w, dataclasses.replace(epoch1, params=one_series), r"PaddingSlotNotEmpty\(9,\)")


def test_bad_debt_beyond_the_declared_fund_is_refused(w: World, ci: Circuits) -> None:
    """The registry's check 12: a bankrupt account's bad debt must be covered by the insurance fund."""
    params = sample_params(ci.profile)
    uninsured = dataclasses.replace(
        params, assets=tuple(dataclasses.replace(a, insurance=0) for a in params.assets)
    )
    bankrupt = Account(3, 0, (-5 * UNIT, 0, 0))  # owes 5 USDT, holds nothing
    epoch = one_batch_epoch(ci, uninsured, [bankrupt], 5, (0, 0, 0))
    assert epoch.final_state.bankrupt == 1 and epoch.final_state.bad_debt > 0
    finalised_with(w, epoch, r"SolvencyRegistry__InsuranceShort\(0, 50000000000000000000000\)")


def test_open_interest_must_balance(w: World, ci: Circuits) -> None:
    params = sample_params(ci.profile)
    lone_long = Account(3, 0, (100_000 * UNIT, 0, 0), (UNIT, 0))
    epoch = one_batch_epoch(ci, params, [lone_long], 5, (10**6 * UNIT, 0, 0))
    finalised_with(w, epoch, r"SolvencyRegistry__OpenInterestImbalanced\(0, 100000000, 0\)")

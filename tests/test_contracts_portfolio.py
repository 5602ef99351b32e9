"""SolvencyRegistry with both kinds of batch on an anvil node: standard and portfolio batches of one real ci
epoch, each accepted by the verifier of its kind and refused by the other."""

from collections.abc import Iterator

import pytest
from conftest import Circuits
from test_contracts_support import World, deployed_world, mixed_epoch, reset_after
from web3.logs import DISCARD

from zksolvency.contracts.chain import (
    ContractReverted,
    fold_tree,
    open_epoch,
    publish_epoch,
    submit_batch,
    verifier_name,
)
from zksolvency.verifier.epoch import BatchProof, Epoch


@pytest.fixture(scope="module")
def world(ci: Circuits) -> Iterator[World]:
    with deployed_world(ci) as deployed:
        yield deployed


w = pytest.fixture(reset_after, name="w")


@pytest.fixture(scope="module")
def epoch(ci: Circuits) -> Epoch:
    """Standard batches, then portfolio batches, chained into one state and one root."""
    return mixed_epoch(ci, 1)[0]


def submit_as(w: World, epoch: Epoch, index: int, portfolio: bool) -> None:
    """submitBatch of batch `index` under the kind `portfolio`, whatever its own kind."""
    routed = BatchProof(epoch.batches[index].statement, epoch.batches[index].proof, portfolio)
    submit_batch(w.chain, w.registry, epoch.epoch_id, routed, w.venue)


def first_portfolio(epoch: Epoch) -> int:
    return next(i for i, b in enumerate(epoch.batches) if b.portfolio)


def test_the_registry_holds_both_verifiers(w: World, ci: Circuits) -> None:
    code, fns = w.chain.w3.eth.get_code, w.registry.functions
    batch, portfolio = fns.BATCH_VERIFIER().call(), fns.PORTFOLIO_VERIFIER().call()
    assert batch != portfolio
    assert code(batch) == code(w.chain.deploy(verifier_name(ci.profile, "batch"), sender=w.venue)[0].address)
    generated = w.chain.deploy(verifier_name(ci.profile, "portfolio_batch"), sender=w.venue)[0]
    assert code(portfolio) == code(generated.address)


def test_a_mixed_epoch_is_verified_kind_by_kind_and_finalised(w: World, epoch: Epoch) -> None:
    kinds = [b.portfolio for b in epoch.batches]
    assert kinds == sorted(kinds) and False in kinds and True in kinds  # standard batches first
    receipts = publish_epoch(w.chain, w.registry, epoch, w.venue)
    events = [w.registry.events.BatchSubmitted().process_receipt(r, errors=DISCARD) for r in receipts[1:-1]]
    submitted = [e[0]["args"] for e in events if e]
    assert [(e.batchIndex, e.portfolio) for e in submitted] == list(enumerate(kinds))
    assert [e.subtreeRoot for e in submitted] == [b.statement.subtree_root for b in epoch.batches]
    root, params_hash, _ = w.registry.functions.finalizedEpoch(epoch.epoch_id).call()
    assert (root, params_hash) == (epoch.root, epoch.params_hash)


def test_a_portfolio_batch_is_refused_by_the_standard_route(w: World, epoch: Epoch) -> None:
    index = first_portfolio(epoch)
    open_epoch(w.chain, w.registry, epoch, w.venue)
    for i in range(index):
        submit_as(w, epoch, i, False)
        if i % 4 == 3:
            fold_tree(w.chain, w.registry, epoch.epoch_id, w.venue)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__InvalidBatchProof") as refused:
        submit_as(w, epoch, index, False)
    assert refused.value.error_args == (index, False)
    assert w.registry.functions.getEpoch(epoch.epoch_id).call()[4] == index  # nothing recorded
    submit_as(w, epoch, index, True)
    assert w.registry.functions.chainState().call() == epoch.batches[index].statement.next_state


def test_a_standard_batch_is_refused_by_the_portfolio_route(w: World, epoch: Epoch) -> None:
    assert not epoch.batches[0].portfolio
    open_epoch(w.chain, w.registry, epoch, w.venue)
    with pytest.raises(ContractReverted, match="SolvencyRegistry__InvalidBatchProof") as refused:
        submit_as(w, epoch, 0, True)
    assert refused.value.error_args == (0, True)
    assert w.registry.functions.getEpoch(epoch.epoch_id).call()[4] == 0
    submit_as(w, epoch, 0, False)
    assert w.registry.functions.getEpoch(epoch.epoch_id).call()[4] == 1


def test_a_verifier_without_code_is_refused(w: World, ci: Circuits) -> None:
    fns = w.registry.functions
    hashers = (fns.NODE_HASH().call(), fns.STATE_HEAD().call(), fns.STATE_TAIL().call())
    batch, _ = w.chain.deploy(verifier_name(ci.profile, "batch"), sender=w.venue)
    shape = (ci.profile.assets, ci.profile.instruments, ci.profile.batch_levels, ci.profile.tree_depth)
    nobody = w.chain.w3.eth.accounts[5]
    for verifiers in ((batch.address, nobody), (nobody, batch.address)):
        with pytest.raises(ContractReverted, match="SolvencyRegistry__BadVerifier") as refused:
            w.chain.deploy("SolvencyRegistry", w.venue, shape, *verifiers, *hashers, sender=w.venue)
        assert refused.value.error_args == (nobody.lower(),)

"""MarginGate: a trader's real margin proof against a finalised epoch root, bound to sender and chain, its
nullifier scoped to the gate."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Circuits
from test_contracts_support import artifacts, margin_proof, sample_epoch
from web3.contract import Contract

from zksolvency.contracts.anvil import Anvil
from zksolvency.contracts.chain import (
    Chain,
    ContractReverted,
    claim_credit,
    deploy_gate,
    deploy_hashers,
    deploy_registry,
    publish_epoch,
)
from zksolvency.verifier.epoch import Epoch
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.statements import MarginStatement, scope

MAX_AGE = 3 * 24 * 3600


@dataclass
class World:
    """Epochs 1 and 2 of the sample venue final in a registry; a gate over it; `base` snapshots that."""

    chain: Chain
    node: Anvil
    registry: Contract
    gate: Contract
    other_gate: Contract
    trader: str
    outsider: str
    epochs: dict[int, tuple[Epoch, list[InclusionRecord]]]
    base: str

    def proof(
        self,
        ci: Circuits,
        epoch_id: int,
        chain_id: int | None = None,
        trader: str | None = None,
        gate: Contract | None = None,
    ) -> tuple[MarginStatement, Proof]:
        """A margin proof for the richest account of the epoch, bound to `trader` on `chain_id`, at `gate`."""
        epoch, records = self.epochs[epoch_id]
        record = max(records, key=lambda r: r.account.balances[0])
        chain_id = chain_id or self.chain.chain_id
        return margin_proof(ci, epoch, record, trader or self.trader, chain_id, (gate or self.gate).address)

    def claim(
        self,
        epoch_id: int,
        proof: tuple[MarginStatement, Proof],
        sender: str | None = None,
        gate: Contract | None = None,
    ) -> Any:
        return claim_credit(self.chain, gate or self.gate, epoch_id, *proof, sender or self.trader)


@pytest.fixture(scope="module")
def world(ci: Circuits) -> Iterator[World]:
    with Anvil() as node:
        chain = node.chain(artifacts(ci))
        venue, trader, outsider = chain.w3.eth.accounts[:3]
        registry = deploy_registry(chain, ci.profile, venue, deploy_hashers(chain, ci.profile, venue))
        gate = deploy_gate(chain, ci.profile, registry.address, MAX_AGE, venue)
        other_gate = deploy_gate(chain, ci.profile, registry.address, MAX_AGE, venue)
        epochs = {i: sample_epoch(ci, i) for i in (1, 2)}
        for epoch, _ in epochs.values():
            publish_epoch(chain, registry, epoch, venue)
        yield World(chain, node, registry, gate, other_gate, trader, outsider, epochs, node.snapshot())


@pytest.fixture
def w(world: World) -> Iterator[World]:
    yield world
    world.node.revert(world.base)
    world.base = world.node.snapshot()


@pytest.fixture(scope="module")
def proof1(world: World, ci: Circuits) -> tuple[MarginStatement, Proof]:
    return world.proof(ci, 1)


def test_credit_goes_to_the_bound_sender_once(w: World, proof1: tuple[MarginStatement, Proof]) -> None:
    statement = proof1[0]
    assert statement.threshold > 0
    receipt = w.claim(1, proof1)
    event = w.gate.events.CreditGranted().process_receipt(receipt)[0]["args"]
    assert (event.account, event.epochId, event.amount) == (w.trader, 1, statement.threshold)
    assert list(w.gate.functions.creditOf(w.trader).call()) == [statement.threshold, 1]
    assert list(w.gate.functions.creditOf(w.outsider).call()) == [0, 0]
    with pytest.raises(ContractReverted, match="MarginGate__NullifierUsed"):
        w.claim(1, proof1)


def test_proof_bound_to_another_sender_is_refused(w: World, proof1: tuple[MarginStatement, Proof]) -> None:
    with pytest.raises(ContractReverted, match="MarginGate__BoundToOtherSender") as error:
        w.claim(1, proof1, sender=w.outsider)
    assert error.value.error_args == (w.trader.lower(),)


def test_proof_bound_to_another_chain_is_refused(w: World, ci: Circuits) -> None:
    proof = w.proof(ci, 1, chain_id=w.chain.chain_id + 1)
    with pytest.raises(ContractReverted, match="MarginGate__BoundToOtherChain"):
        w.claim(1, proof)


def test_gate_computes_its_own_scope(w: World) -> None:
    assert w.gate.functions.scope().call() == scope(int(w.gate.address, 16), w.chain.chain_id)


def test_proof_scoped_to_another_gate_is_refused(
    w: World, ci: Circuits, proof1: tuple[MarginStatement, Proof]
) -> None:
    """One nullifier, two scopes: a proof made for gate A is refused at gate B (same chain, same registry),
    also with B's scope put in its statement; B accepts the record's own proof for B, whose nullifier
    differs, and A still accepts A's."""
    statement, proof = proof1
    with pytest.raises(ContractReverted, match="MarginGate__ScopedToOtherGate") as error:
        w.claim(1, proof1, gate=w.other_gate)
    assert error.value.error_args == (statement.scope,)
    s = statement.public_inputs
    at_b = MarginStatement(*s[:4], scope(int(w.other_gate.address, 16), w.chain.chain_id), s[5])
    with pytest.raises(ContractReverted, match="MarginGate__InvalidProof"):
        w.claim(1, (at_b, proof), gate=w.other_gate)
    for_b = w.proof(ci, 1, gate=w.other_gate)
    assert for_b[0].nullifier != statement.nullifier
    w.claim(1, for_b, gate=w.other_gate)
    w.claim(1, proof1)
    assert w.gate.functions.nullifierUsed(1, statement.nullifier).call()
    assert not w.gate.functions.nullifierUsed(1, for_b[0].nullifier).call()


def test_stale_epoch_is_refused_and_credit_lapses(w: World, proof1: tuple[MarginStatement, Proof]) -> None:
    w.claim(1, proof1)
    finalized_at = w.registry.functions.finalizedEpoch(1).call()[2]
    w.node.set_next_timestamp(finalized_at + MAX_AGE + 1)
    w.node.mine(1)
    assert list(w.gate.functions.creditOf(w.trader).call()) == [0, 1]
    with pytest.raises(ContractReverted, match="MarginGate__EpochStale"):
        w.claim(1, proof1)


def test_epoch_must_be_final_and_match_the_proof(w: World, proof1: tuple[MarginStatement, Proof]) -> None:
    with pytest.raises(ContractReverted, match=r"MarginGate__EpochNotFinal\(3,\)"):
        w.claim(3, proof1)
    with pytest.raises(ContractReverted, match="MarginGate__RootMismatch"):
        w.claim(2, proof1)
    statement, proof = proof1
    other = MarginStatement(statement.root, statement.params_hash + 1, *statement.public_inputs[2:])
    with pytest.raises(ContractReverted, match="MarginGate__ParamsHashMismatch"):
        w.claim(1, (other, proof))


def test_forged_threshold_does_not_verify(w: World, proof1: tuple[MarginStatement, Proof]) -> None:
    statement, proof = proof1
    s = statement.public_inputs
    with pytest.raises(ContractReverted, match="MarginGate__InvalidProof"):
        w.claim(1, (MarginStatement(s[0], s[1], s[2] + 1, *s[3:]), proof))


def test_a_newer_credit_is_not_replaced_by_an_older_epoch(
    w: World, ci: Circuits, proof1: tuple[MarginStatement, Proof]
) -> None:
    proof2 = w.proof(ci, 2)
    assert proof2[0].nullifier != proof1[0].nullifier  # salts change with the epoch id
    w.claim(2, proof2)
    assert w.gate.functions.creditOf(w.trader).call()[1] == 2
    with pytest.raises(ContractReverted, match="MarginGate__OlderThanCredit"):
        w.claim(1, proof1)

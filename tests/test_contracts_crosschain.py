"""Two anvil nodes with distinct chain ids: a RootMirror on the second fed by a relayer from the first
chain's registry, and a MarginGate over it."""

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
    deploy_mirror,
    deploy_registry,
    publish_epoch,
    relay_epoch,
)
from zksolvency.verifier.epoch import Epoch
from zksolvency.verifier.records import InclusionRecord

FIRST_CHAIN_ID = 31337
SECOND_CHAIN_ID = 10
MAX_AGE = 24 * 3600


@dataclass
class Chains:
    """Chain 1: registry with epoch 1 final, gate. Chain 2: mirror (owner, relayer), gate over it."""

    one: Chain
    two: Chain
    node_two: Anvil
    registry: Contract
    gate_one: Contract
    mirror: Contract
    gate_two: Contract
    owner: str
    relayer: str
    trader: str
    epoch: Epoch
    records: list[InclusionRecord]
    base: str

    def relay(self, epoch_id: int = 1, relayer: str | None = None) -> Any:
        """Relay, first moving chain 2's clock past chain 1's finalisation time (clocks differ)."""
        finalized_at = self.registry.functions.finalizedEpoch(epoch_id).call()[2]
        if self.two.w3.eth.get_block("latest")["timestamp"] < finalized_at:
            self.node_two.set_next_timestamp(finalized_at)
            self.node_two.mine(1)  # calls run against the latest block's time
        return relay_epoch(self.registry, self.mirror, self.two, epoch_id, relayer or self.relayer)


@pytest.fixture(scope="module")
def chains(ci: Circuits) -> Iterator[Chains]:
    compiled = artifacts(ci)
    with Anvil(FIRST_CHAIN_ID) as node_one, Anvil(SECOND_CHAIN_ID) as node_two:
        one, two = node_one.chain(compiled), node_two.chain(compiled)
        assert (two.chain_id, two.w3.eth.chain_id) == (SECOND_CHAIN_ID, SECOND_CHAIN_ID)
        assert one.w3.eth.chain_id == FIRST_CHAIN_ID
        venue, trader = one.w3.eth.accounts[:2]
        owner, relayer = two.w3.eth.accounts[2:4]
        registry = deploy_registry(one, ci.profile, venue, deploy_hashers(one, ci.profile, venue))
        epoch, records = sample_epoch(ci, 1)
        publish_epoch(one, registry, epoch, venue)
        gate_one = deploy_gate(one, ci.profile, registry.address, MAX_AGE, venue)
        mirror = deploy_mirror(two, owner, relayer, one.chain_id, registry.address)
        gate_two = deploy_gate(two, ci.profile, mirror.address, MAX_AGE, owner)
        contracts = (registry, gate_one, mirror, gate_two)
        yield Chains(
            one, two, node_two, *contracts, owner, relayer, trader, epoch, records, node_two.snapshot()
        )


@pytest.fixture
def c(chains: Chains) -> Iterator[Chains]:
    yield chains
    chains.node_two.revert(chains.base)
    chains.base = chains.node_two.snapshot()


def test_relayed_root_serves_the_gate_on_the_second_chain(c: Chains, ci: Circuits) -> None:
    receipt = c.relay()
    event = c.mirror.events.EpochRelayed().process_receipt(receipt)[0]["args"]
    assert (event.epochId, event.root, event.paramsHash) == (1, c.epoch.root, c.epoch.params_hash)
    assert c.mirror.functions.finalizedEpoch(1).call() == c.registry.functions.finalizedEpoch(1).call()
    assert c.mirror.functions.latestFinalizedEpoch().call() == 1
    record = max(c.records, key=lambda r: r.account.balances[0])
    on_two = margin_proof(ci, c.epoch, record, c.trader, SECOND_CHAIN_ID, c.gate_two.address)
    claim_credit(c.two, c.gate_two, 1, *on_two, c.trader)
    assert c.gate_two.functions.creditOf(c.trader).call()[0] == on_two[0].threshold
    # The proof for chain 2 is refused on chain 1; a proof for chain 1 works there: one credit per chain.
    with pytest.raises(ContractReverted, match="MarginGate__BoundToOtherChain"):
        claim_credit(c.one, c.gate_one, 1, *on_two, c.trader)
    on_one = margin_proof(ci, c.epoch, record, c.trader, c.one.chain_id, c.gate_one.address)
    # Scoped nullifiers: the two gates cannot tell that both credits come from one record.
    assert on_one[0].nullifier != on_two[0].nullifier
    with pytest.raises(ContractReverted, match="MarginGate__BoundToOtherChain"):
        claim_credit(c.two, c.gate_two, 1, *on_one, c.trader)
    claim_credit(c.one, c.gate_one, 1, *on_one, c.trader)
    assert c.gate_one.functions.creditOf(c.trader).call()[0] == on_one[0].threshold


def test_gate_refuses_an_epoch_not_relayed(c: Chains, ci: Circuits) -> None:
    proof = margin_proof(ci, c.epoch, c.records[0], c.trader, SECOND_CHAIN_ID, c.gate_two.address)
    with pytest.raises(ContractReverted, match="MarginGate__EpochNotFinal"):
        claim_credit(c.two, c.gate_two, 1, *proof, c.trader)


def test_only_the_relayer_posts_and_the_owner_appoints_it(c: Chains) -> None:
    with pytest.raises(ContractReverted, match="RootMirror__NotRelayer"):
        c.relay(relayer=c.trader)
    with pytest.raises(ContractReverted, match="TwoStepOwnable__NotOwner"):
        c.two.send(c.mirror.functions.setRelayer(c.trader), c.relayer)
    c.two.send(c.mirror.functions.setRelayer(c.trader), c.owner)
    with pytest.raises(ContractReverted, match="RootMirror__NotRelayer"):
        c.relay()
    c.relay(relayer=c.trader)


def test_relayed_epochs_are_checked(c: Chains) -> None:
    fns = c.mirror.functions
    now = c.two.w3.eth.get_block("latest")["timestamp"]
    with pytest.raises(ContractReverted, match="RootMirror__BadFinalizationTime"):
        c.two.send(fns.relayEpoch(1, 5, 6, now + 3600), c.relayer)
    with pytest.raises(ContractReverted, match="RootMirror__BadFinalizationTime"):
        c.two.send(fns.relayEpoch(1, 5, 6, 0), c.relayer)
    with pytest.raises(ContractReverted, match="RootMirror__EmptyRoot"):
        c.two.send(fns.relayEpoch(1, 0, 6, now), c.relayer)
    c.relay()
    with pytest.raises(ContractReverted, match="RootMirror__EpochIdNotIncreasing"):
        c.relay()

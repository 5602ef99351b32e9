"""SolvencyRegistry's custody on anvil: holdings registered by signature, balances read at finalize."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from conftest import Circuits
from test_contracts_support import artifacts, sample_epoch
from web3.contract import Contract
from web3.logs import DISCARD

from zksolvency.contracts.anvil import Anvil, dev_account
from zksolvency.contracts.chain import (
    Chain,
    ContractReverted,
    deploy_hashers,
    deploy_registry,
    finalize_epoch,
    publish_epoch,
)
from zksolvency.contracts.custody import (
    ZERO,
    CustodyWallets,
    custody_signature,
    provision_custody,
    register_custody,
)
from zksolvency.verifier.epoch import Epoch
from zksolvency.verifier.reserves import NATIVE_DECIMALS, to_quanta


@dataclass
class World:
    """A registry and the sample venue's custody wallets funded with its declared reserves."""

    node: Anvil
    chain: Chain
    registry: Contract
    venue: str
    epoch: Epoch
    custody: CustodyWallets
    base: str


@pytest.fixture(scope="module")
def world(ci: Circuits) -> Iterator[World]:
    epoch = sample_epoch(ci, 1)[0]
    with Anvil() as node:
        chain = node.chain(artifacts(ci))
        venue = chain.w3.eth.accounts[0]
        registry = deploy_registry(chain, ci.profile, venue, deploy_hashers(chain, ci.profile, venue))
        custody = provision_custody(node, chain, epoch, epoch.reserves, 0, venue)
        yield World(node, chain, registry, venue, epoch, custody, node.snapshot())


@pytest.fixture
def w(world: World) -> Iterator[World]:
    yield world
    world.node.revert(world.base)
    world.base = world.node.snapshot()


def register_all(w: World) -> None:
    for i, asset in enumerate(w.epoch.params.assets):
        token = w.custody.tokens[asset.symbol]
        holder = w.custody.reserve[asset.symbol]
        register_custody(w.chain, w.registry, w.venue, holder, i, token.address if token else None)


def balance_quanta(w: World, symbol: str) -> int:
    token, holder = w.custody.tokens[symbol], w.custody.reserve[symbol].address
    if token is None:
        return to_quanta(w.chain.w3.eth.get_balance(holder), NATIVE_DECIMALS)
    return to_quanta(token.functions.balanceOf(holder).call(), token.functions.decimals().call())


def test_finalize_reads_every_custody_balance_and_records_the_sums(w: World) -> None:
    register_all(w)
    listed = w.registry.functions.custodyList().call()
    assert [(h, a) for h, _, a, _ in listed] == [
        (w.custody.reserve[a.symbol].address, i) for i, a in enumerate(w.epoch.params.assets)
    ]
    receipt = publish_epoch(w.chain, w.registry, w.epoch, w.venue)[-1]
    event = w.registry.events.ReservesProven().process_receipt(receipt, errors=DISCARD)[0]["args"]
    expected = [balance_quanta(w, a.symbol) for a in w.epoch.params.assets]
    assert list(event.proven) == expected and event.seenMask == 0b111
    s = w.epoch.final_state
    assert list(event.liabilities) == [max(e - d, 0) for e, d in zip(s.equity, s.debt, strict=True)]
    assert all(p >= d for p, d in zip(expected, w.epoch.reserves, strict=True))
    amounts, mask = w.registry.functions.provenReserves(1).call()
    assert (list(amounts), mask) == (expected, 0b111)


def test_an_uncovered_asset_it_can_see_does_not_finalise(w: World) -> None:
    s = w.epoch.final_state
    index = next(
        i for i, a in enumerate(w.epoch.params.assets) if s.equity[i] > s.debt[i] and a.symbol != "ETH"
    )
    symbol = w.epoch.params.assets[index].symbol
    token, holder = w.custody.tokens[symbol], w.custody.reserve[symbol]
    assert token is not None
    register_custody(w.chain, w.registry, w.venue, holder, index, token.address)
    keep = (s.equity[index] - s.debt[index] - 1) * 10 ** token.functions.decimals().call() // 10**8
    drain = token.functions.balanceOf(holder.address).call() - keep
    w.chain.send(token.functions.transfer(w.venue, drain), holder.address)
    with pytest.raises(ContractReverted, match="CustodyReserves__ProvenReservesShort") as error:
        publish_epoch(w.chain, w.registry, w.epoch, w.venue)
    assert error.value.error_args[0] == index and error.value.error_args[1] < error.value.error_args[2]
    # The venue tops the wallet up again: the same opening now finalises.
    w.chain.send(token.functions.transfer(holder.address, drain), w.venue)
    finalize_epoch(w.chain, w.registry, w.epoch, w.venue)
    assert w.registry.functions.finalizedEpoch(1).call()[0] == w.epoch.root


def test_registration_needs_the_holders_signature(w: World) -> None:
    holder, other = w.custody.reserve["BTC"], dev_account(8)
    token = w.custody.tokens["BTC"]
    assert token is not None
    fns = w.registry.functions
    forged = custody_signature(w.registry, other, 1, token.address)
    with pytest.raises(ContractReverted, match="CustodyReserves__BadSignature"):
        w.chain.send(fns.addCustody(holder.address, 1, token.address, forged), w.venue)
    for_another_asset = custody_signature(w.registry, holder, 0, token.address)
    with pytest.raises(ContractReverted, match="CustodyReserves__BadSignature"):
        w.chain.send(fns.addCustody(holder.address, 1, token.address, for_another_asset), w.venue)
    with pytest.raises(ContractReverted, match="CustodyReserves__BadSignature"):
        w.chain.send(fns.addCustody(holder.address, 1, token.address, b""), w.venue)
    signature = custody_signature(w.registry, holder, 1, token.address)
    with pytest.raises(ContractReverted, match="TwoStepOwnable__NotOwner"):
        w.chain.send(fns.addCustody(holder.address, 1, token.address, signature), holder.address)
    w.chain.send(fns.addCustody(holder.address, 1, token.address, signature), w.venue)
    with pytest.raises(ContractReverted, match="CustodyReserves__Duplicate"):
        w.chain.send(fns.addCustody(holder.address, 1, token.address, signature), w.venue)


def test_without_custody_nothing_is_read_or_recorded(w: World) -> None:
    receipt = publish_epoch(w.chain, w.registry, w.epoch, w.venue)[-1]
    assert not w.registry.events.ReservesProven().process_receipt(receipt, errors=DISCARD)
    assert w.registry.functions.provenReserves(1).call() == [[], 0]


def test_the_venue_registers_its_own_address_by_calling(w: World) -> None:
    fns = w.registry.functions
    w.chain.send(fns.addCustody(w.venue, 2, ZERO, b""), w.venue)
    assert tuple(w.registry.functions.custodyList().call()[0][:3]) == (w.venue, ZERO, 2)
    with pytest.raises(ContractReverted, match=r"CustodyReserves__BadAsset\(7,\)"):
        w.chain.send(fns.addCustody(w.venue, 7, ZERO, b""), w.venue)
    with pytest.raises(ContractReverted, match="CustodyReserves__BadToken"):
        w.chain.send(fns.addCustody(w.venue, 0, w.venue, b""), w.venue)
    w.chain.send(fns.removeCustody(0), w.venue)
    assert w.registry.functions.custodyList().call() == []
    with pytest.raises(ContractReverted, match="CustodyReserves__NoSuchCustody"):
        w.chain.send(fns.removeCustody(0), w.venue)


def test_a_holder_that_cannot_sign_accepts_by_calling(w: World) -> None:
    holder = w.chain.w3.eth.accounts[7]  # stands for a multisig contract: it only sends calls
    fns = w.registry.functions
    with pytest.raises(ContractReverted, match="CustodyReserves__NotProposed"):
        w.chain.send(fns.acceptCustody(2, ZERO), holder)
    with pytest.raises(ContractReverted, match="TwoStepOwnable__NotOwner"):
        w.chain.send(fns.proposeCustody(holder, 2, ZERO), holder)
    w.chain.send(fns.proposeCustody(holder, 2, ZERO), w.venue)
    with pytest.raises(ContractReverted, match="CustodyReserves__NotProposed"):
        w.chain.send(fns.acceptCustody(1, ZERO), holder)  # another asset than proposed
    w.chain.send(fns.acceptCustody(2, ZERO), holder)
    assert tuple(fns.custodyList().call()[0][:3]) == (holder, ZERO, 2)
    with pytest.raises(ContractReverted, match="CustodyReserves__NotProposed"):
        w.chain.send(fns.acceptCustody(2, ZERO), holder)  # a proposal is used once

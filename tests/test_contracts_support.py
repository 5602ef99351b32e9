"""Shared builders for the contract tests (test_contracts*.py): compiled artifacts and proved epochs.

Everything here is cached per process, so the modules that need the same epoch prove it once.
"""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from conftest import Circuits
from web3.contract import Contract

from zksolvency.contracts import chain
from zksolvency.contracts.anvil import Anvil
from zksolvency.contracts.chain import Chain, deploy_hashers, deploy_registry
from zksolvency.contracts.solidity import Artifact, compile_solidity, poseidon_source, solidity_sources
from zksolvency.prover.epoch import prove_epoch
from zksolvency.prover.inputs import batch_signals, margin_signals
from zksolvency.prover.sample import sample_holder_secret, sample_venue
from zksolvency.verifier.account import Account
from zksolvency.verifier.epoch import BatchProof, Epoch
from zksolvency.verifier.field import QUANTA_PER_UNIT, THRESHOLD_TO_WEIGHTED
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.params import EpochParams
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.statements import MarginStatement
from zksolvency.verifier.tree import root_of

SECRET = 424242
_cache: dict[str, object] = {}


def artifacts(ci: Circuits) -> dict[str, Artifact]:
    """contracts/src with the ci profile's generated verifiers (batch, portfolio batch, margin) and hashers,
    compiled once."""
    if "artifacts" not in _cache:
        _cache["artifacts"] = chain.build(ci.profile, ci.batch, ci.portfolio, ci.margin)
    return _cache["artifacts"]  # type: ignore[return-value]


@cache
def poseidon_artifacts() -> dict[str, Artifact]:
    """Poseidon1 .. Poseidon12, compiled once."""
    return compile_solidity(
        solidity_sources({f"generated/Poseidon{n}.sol": poseidon_source(n) for n in range(1, 13)})
    )


def sample_epoch(
    ci: Circuits, epoch_id: int, accounts: int = 18, seed: int = 5
) -> tuple[Epoch, list[InclusionRecord]]:
    """A sample venue proved as `epoch_id`; by default 18 accounts (19 records with a subaccount: 5 standard
    batches) and the sample's portfolio desk (2 records: a portfolio batch)."""
    key = f"sample-{epoch_id}-{accounts}-{seed}"
    if key not in _cache:
        venue = sample_venue(accounts, seed=seed, profile=ci.profile)
        keys = ci.keys
        _cache[key] = prove_epoch(
            venue.params, venue.accounts, venue.reserves, ci.profile, keys, epoch_id, SECRET
        )
    return _cache[key]  # type: ignore[return-value]


def mixed_epoch(ci: Circuits, epoch_id: int, seed: int = 5) -> tuple[Epoch, list[InclusionRecord]]:
    """The 18-account sample venue with four more portfolio accounts (long and short the first market,
    the quote balance carrying the entry at the mark, 50,000 USD of equity each): standard batches, then a
    portfolio batch."""
    key = f"mixed-{epoch_id}-{seed}"
    if key not in _cache:
        venue = sample_venue(18, seed=seed, profile=ci.profile)
        mark, unit, none = venue.params.markets[0].mark, QUANTA_PER_UNIT, (0,) * len(venue.params.options)
        portfolio = [
            Account(i, 0, (50_000 * unit - side * mark, 0, 0), (side * unit, 0), none, portfolio=True)
            for i, side in ((1, 1), (2, -1), (3, 2), (4, -2))
        ]
        reserves = (venue.reserves[0] + 400_000 * unit, *venue.reserves[1:])
        accounts = sorted([*venue.accounts, *portfolio], key=lambda a: a.key)
        _cache[key] = prove_epoch(venue.params, accounts, reserves, ci.profile, ci.keys, epoch_id, SECRET)
    return _cache[key]  # type: ignore[return-value]


def one_batch_epoch(
    ci: Circuits, params: EpochParams, accounts: list[Account], epoch_id: int, reserves: tuple[int, ...]
) -> Epoch:
    """An epoch of one batch proved directly from the circuit inputs (no snapshot checks: accounts the
    venue software would refuse go through)."""
    profile = ci.profile
    padded = accounts + [Account.padding(profile)] * (profile.batch_size - len(accounts))
    circuit = params.circuit(profile)
    salts = [1_000 + i for i in range(len(padded))]
    signals, statement, final = batch_signals(padded, salts, ChainState.genesis(profile), circuit, 77)
    proof = ci.batch_prover.prove(signals)
    root = root_of([statement.subtree_root], profile.tree_depth, profile.batch_levels)
    batches = (BatchProof(statement, proof),)
    return Epoch(epoch_id, profile, params, circuit.hash, root, batches, final, reserves, {}, "development")


def margin_proof(
    ci: Circuits,
    epoch: Epoch,
    record: InclusionRecord,
    recipient: str,
    chain_id: int,
    gate: str,
    share: int = 2,
    seed: int = 5,
) -> tuple[MarginStatement, Proof]:
    """A margin proof for `record`'s account of a sample epoch (`seed`), made with its trader's holder
    secret for `gate` on `chain_id`: threshold = its free collateral / share, in USD * 1e8."""
    circuit = epoch.params.circuit(ci.profile)
    threshold = evaluate(record.account, circuit).free // THRESHOLD_TO_WEIGHTED // share
    secret = sample_holder_secret(seed, record.account.account_id)
    signals, statement = margin_signals(
        record.account,
        record.salt,
        record.path,
        circuit,
        threshold,
        int(recipient, 16),
        chain_id,
        secret,
        int(gate, 16),
    )
    return statement, ci.margin_prover.prove(signals)


def with_reserves(epoch: Epoch, reserves: tuple[int, ...]) -> Epoch:
    """The same epoch declaring other reserves."""
    return dataclasses.replace(epoch, reserves=reserves)


@dataclass
class World:
    """One chain with a registry, the venue and an outsider; `base` is the snapshot right after deployment."""

    chain: Chain
    node: Anvil
    registry: Contract
    venue: str
    outsider: str
    base: str

    def reset(self) -> None:
        """Back to the state right after deployment (anvil forgets a snapshot it reverts to)."""
        self.node.revert(self.base)
        self.base = self.node.snapshot()


@contextmanager
def deployed_world(ci: Circuits) -> Iterator[World]:
    """An anvil node with the registry (both batch verifiers) deployed by the venue."""
    with Anvil() as node:
        chain = node.chain(artifacts(ci))
        venue, outsider = chain.w3.eth.accounts[:2]
        registry = deploy_registry(chain, ci.profile, venue, deploy_hashers(chain, ci.profile, venue))
        yield World(chain, node, registry, venue, outsider, node.snapshot())


def reset_after(world: World) -> Iterator[World]:
    """The world as deployed, reset after the test: each module's `w` fixture."""
    yield world
    world.reset()

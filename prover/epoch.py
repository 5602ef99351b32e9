"""Proving an epoch: from a venue's snapshot to the public epoch and one inclusion record per account."""

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.epoch import BatchProof, Epoch
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.params import CircuitParams, EpochParams, ParamsError
from zksolvency.verifier.profiles import Profile
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.tree import QuadTree

from .inputs import Signals, batch_signals
from .keys import CircuitKeys
from .proving import Prover
from .salts import account_salt, padding_salt, state_blind
from .snapshot import SnapshotError

#: on_progress(phase, done, total): phases "tree", "witness" and "prove".
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EpochKeys:
    """The keys of a profile's two circuits."""

    batch: CircuitKeys
    margin: CircuitKeys


def check_snapshot(
    params: EpochParams, accounts: Sequence[Account], profile: Profile, origin: dict[int, str] | None = None
) -> CircuitParams:
    """Everything the circuits would refuse, found before any proving, with every unhealthy account named.

    `origin` maps an account's key to the "file:line" it came from, for the messages.
    """
    try:
        circuit = params.circuit(profile)
    except ParamsError as exc:
        raise SnapshotError(f"market parameters: {exc}") from None
    if len(accounts) > profile.capacity:
        raise SnapshotError(f"{len(accounts)} accounts exceed the profile's tree of {profile.capacity}")
    previous = 0
    unhealthy = []
    for account in accounts:
        try:
            account.validate(profile)
        except AccountError as exc:
            raise SnapshotError(str(exc)) from None
        if account.is_padding:
            raise SnapshotError("account 0/0 is reserved for padding")
        if len(account.balances) != len(params.assets) or len(account.positions) != len(params.markets):
            raise SnapshotError(
                f"{account.label}: {len(params.assets)} balances and {len(params.markets)} positions expected"
            )
        if account.key <= previous:
            raise SnapshotError(
                f"{account.label}: accounts must be unique and sorted by (account_id, subaccount)"
            )
        previous = account.key
        failures = evaluate(account, circuit).failures
        if failures:
            where = f"{origin[account.key]}: " if origin and account.key in origin else ""
            unhealthy.append(f"{where}{account.label}: {'; '.join(failures)}")
    if unhealthy:
        raise SnapshotError(f"{len(unhealthy)} accounts break the margin rules:\n" + "\n".join(unhealthy))
    return circuit


_worker: Prover | None = None


def _start_worker(keys: CircuitKeys) -> None:
    global _worker
    _worker = Prover(keys)


def _prove_in_worker(signals: Signals) -> bytes:
    if _worker is None:
        raise RuntimeError("the proving worker was not started")
    return _worker.prove(signals).to_bytes()


def prove_epoch(
    params: EpochParams,
    accounts: Sequence[Account],
    reserves: Sequence[int],
    profile: Profile,
    keys: EpochKeys,
    epoch_id: int,
    secret: int,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
) -> tuple[Epoch, list[InclusionRecord]]:
    """Prove every batch of the snapshot and build the epoch; a bad snapshot fails before any proving."""
    progress = on_progress or (lambda phase, done, total: None)
    circuit = check_snapshot(params, accounts, profile)
    size = profile.batch_size
    count = max(1, -(-len(accounts) // size))
    padded = list(accounts) + [Account.padding(profile)] * (count * size - len(accounts))
    salts = [
        account_salt(secret, epoch_id, a.key) if not a.is_padding else padding_salt(secret, epoch_id, i)
        for i, a in enumerate(padded)
    ]
    leaves = []
    for i, (account, salt) in enumerate(zip(padded, salts, strict=True)):
        leaves.append(leaf_hash(account, salt, profile))
        if i % 256 == 255 or i == len(padded) - 1:
            progress("tree", i + 1, len(padded))
    tree = QuadTree(leaves, profile.tree_depth)

    state = ChainState.genesis(profile)
    jobs = []
    for b in range(count):
        chunk = slice(b * size, (b + 1) * size)
        signals, statement, state = batch_signals(
            padded[chunk], salts[chunk], state, circuit, state_blind(secret, epoch_id, b)
        )
        jobs.append((signals, statement))
        progress("witness", b + 1, count)
    proofs = _prove_all(keys.batch, [signals for signals, _ in jobs], workers, progress)

    epoch = Epoch(
        epoch_id=epoch_id,
        profile=profile,
        params=params,
        params_hash=circuit.hash,
        root=tree.root,
        batches=tuple(
            BatchProof(statement, proof) for (_, statement), proof in zip(jobs, proofs, strict=True)
        ),
        final_state=state,
        reserves=tuple(reserves),
        verification_keys={"batch": keys.batch.verification_key, "margin": keys.margin.verification_key},
        setup_kind=keys.batch.setup_kind,
    )
    records = [
        InclusionRecord(epoch_id, account, salts[i], tree.path(i)) for i, account in enumerate(accounts)
    ]
    return epoch, records


def _prove_all(
    keys: CircuitKeys, batches: list[Signals], workers: int, progress: ProgressCallback
) -> list[Proof]:
    if workers <= 1 or len(batches) == 1:
        prover = Prover(keys)
        proofs = []
        for i, signals in enumerate(batches):
            proofs.append(prover.prove(signals))
            progress("prove", i + 1, len(batches))
        return proofs
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(keys,)) as pool:
        proofs = []
        for i, data in enumerate(pool.map(_prove_in_worker, batches)):
            proofs.append(Proof.from_bytes(data))
            progress("prove", i + 1, len(batches))
        return proofs

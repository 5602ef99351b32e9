"""Proving an epoch: from a venue's snapshot to the public epoch and one inclusion record per account."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from zksolvency.verifier.account import Account, AccountError
from zksolvency.verifier.amounts import format_scaled
from zksolvency.verifier.epoch import BatchProof, Epoch
from zksolvency.verifier.field import CLASS_BITS, PRICE_SCALE, SCENARIO_BITS, SUBACCOUNT_BITS
from zksolvency.verifier.groth16 import Proof
from zksolvency.verifier.leaf import leaf_hash
from zksolvency.verifier.margin import AccountHealth, eligible, evaluate
from zksolvency.verifier.params import CircuitParams, EpochParams, ParamsError
from zksolvency.verifier.profiles import Profile
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.state import ChainState
from zksolvency.verifier.statements import BatchStatement
from zksolvency.verifier.tree import QuadTree
from zksolvency.verifier.vocabulary import usd

from .coverage import check_coverage
from .inputs import Signals, batch_signals
from .keys import CircuitKeys
from .pool import prove_all
from .salts import account_salt, padding_salt, state_blind
from .snapshot import SnapshotError

#: on_progress(phase, done, total): phases "tree", "witness" and "prove".
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EpochKeys:
    """The keys of a profile's three circuits."""

    batch: CircuitKeys
    margin: CircuitKeys
    portfolio: CircuitKeys
    """The portfolio batch circuit's."""

    @classmethod
    def of(cls, by_kind: dict[str, CircuitKeys]) -> "EpochKeys":
        """From keys by circuit kind ("batch", "portfolio_batch", "margin")."""
        return cls(by_kind["batch"], by_kind["margin"], by_kind["portfolio_batch"])

    def by_kind(self) -> dict[str, CircuitKeys]:
        """The keys by circuit kind."""
        return {"batch": self.batch, "portfolio_batch": self.portfolio, "margin": self.margin}


def check_snapshot(
    params: EpochParams, accounts: Sequence[Account], profile: Profile, origin: dict[int, str] | None = None
) -> CircuitParams:
    """Everything the circuits would refuse, found before any proving, the account and field named.

    `origin` maps an account's key to the "file:line" it came from, for the messages.
    """
    try:
        circuit = params.circuit(profile)
    except ParamsError as exc:
        raise SnapshotError(f"market parameters: {exc}") from None
    batches = len(batch_kinds(accounts, profile))
    if batches > profile.max_batches:
        raise SnapshotError(
            f"{len(accounts)} accounts need {batches} batches (standard and portfolio accounts are batched "
            f"apart), beyond the profile's tree of {profile.max_batches} batches ({profile.capacity} leaves)"
        )
    previous = 0
    held: dict[int, int] = {}
    standard_ids = {a.account_id for a in accounts if not a.portfolio}
    for account in accounts:
        where = f"{origin[account.key]}: " if origin and account.key in origin else ""
        if account.portfolio and account.account_id in standard_ids:
            raise SnapshotError(
                f"{where}{account.label}: margin: portfolio, but the same account also has standard records: "
                "an account is margined under one regime"
            )
        try:
            account.validate(profile)
        except AccountError as exc:
            raise SnapshotError(f"{where}{exc}") from None
        if account.is_padding:
            raise SnapshotError(f"{where}account 0/0 is reserved for padding")
        sizes = (len(account.balances), len(account.positions), len(account.options))
        if sizes != (len(params.assets), len(params.markets), len(params.options)):
            raise SnapshotError(
                f"{where}{account.label}: {len(params.assets)} balances, {len(params.markets)} positions and "
                f"{len(params.options)} option positions expected"
            )
        health = evaluate(account, circuit)
        if max(abs(health.equity), abs(health.free), abs(health.available)) >= 2**CLASS_BITS:
            raise SnapshotError(
                f"{where}{account.label}: haircut equity {usd(health.equity)} USD (free collateral "
                f"{usd(health.free)} USD) is beyond what the circuits classify: |equity|, |free| and "
                f"|equity - initial margin| must be below 2^{CLASS_BITS} USD * 1e22 (about 3.4e16 USD)"
            )
        if account.portfolio:
            _check_portfolio(where, account, health, circuit)
        if account.key <= previous:
            raise SnapshotError(
                f"{where}{account.label}: accounts must be unique and sorted by (account_id, subaccount)"
            )
        if account.account_id != previous >> SUBACCOUNT_BITS:
            held = {}
        for m, size in enumerate(account.positions):
            if size and m in held:
                raise SnapshotError(
                    f"{where}{account.label}: positions[{m}] ({params.markets[m].symbol}) is also held by "
                    f"subaccount {held[m]} of account {account.account_id}: an account holds each market in "
                    "one record, so its margin bracket applies to the whole position"
                )
            if size:
                held[m] = account.subaccount
        previous = account.key
    return circuit


def batch_kinds(accounts: Sequence[Account], profile: Profile) -> list[bool]:
    """The kind of each batch of the epoch (True: portfolio): the standard accounts' batches, then the
    portfolio accounts', each kind padded to whole batches; one standard batch for an empty snapshot."""
    size = profile.batch_size
    portfolio = sum(a.portfolio for a in accounts)
    standard = len(accounts) - portfolio
    return [False] * max(0 if portfolio else 1, -(-standard // size)) + [True] * -(-portfolio // size)


def _check_portfolio(where: str, account: Account, health: AccountHealth, circuit: CircuitParams) -> None:
    """A portfolio account passes the public eligibility rule and its scenario losses fit the circuit."""
    if len(health.groups) > 1:
        raise SnapshotError(
            f"{where}{account.label}: margin: portfolio, but it holds derivatives on more than one "
            "underlying: a portfolio account is margined per underlying (one scenario group), so the "
            "eligibility rule excludes it"
        )
    if not eligible(health, circuit):
        raise SnapshotError(
            f"{where}{account.label}: margin: portfolio, but its haircut equity {usd(health.equity)} USD is "
            f"below the portfolio minimum {format_scaled(circuit.min_equity, PRICE_SCALE)} USD "
            "(market.json portfolio.min_equity): the venue's eligibility rule excludes it"
        )
    grid = health.scenario
    assert grid is not None
    required = max(grid.losses[grid.worst], 0)  # the circuit also compares it with the "no loss" cell, 0
    if required - min(0, *grid.losses) >= 2**SCENARIO_BITS:
        raise SnapshotError(
            f"{where}{account.label}: its scenario losses span more than the circuit compares: each must lie "
            f"within 2^{SCENARIO_BITS} USD * 1e16 (about 1.3e14 USD) of the requirement max(0, worst loss)"
        )


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
    cache: Path | None = None,
    ray_address: str | None = None,
) -> tuple[Epoch, list[InclusionRecord]]:
    """Prove every batch of the snapshot and build the epoch; a bad snapshot fails before any proving.

    With `cache`, each batch proof is kept there as it is made, and a rerun with the same snapshot,
    secret and keys reuses the proofs whose statements are unchanged. With `ray_address`, batches
    are proven on that Ray cluster instead of a local pool of `workers` processes.
    """
    progress = on_progress or (lambda phase, done, total: None)
    circuit = check_snapshot(params, accounts, profile)
    size = profile.batch_size
    standard = [a for a in accounts if not a.portfolio]
    portfolio = [a for a in accounts if a.portfolio]
    kinds = batch_kinds(accounts, profile)
    padding = [Account.padding(profile)]
    padded = standard + padding * (kinds.count(False) * size - len(standard))
    padded += portfolio + padding * (kinds.count(True) * size - len(portfolio))
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
    for b, kind in enumerate(kinds):
        chunk = slice(b * size, (b + 1) * size)
        signals, statement, state = batch_signals(
            padded[chunk], salts[chunk], state, circuit, state_blind(secret, epoch_id, b), kind
        )
        jobs.append((signals, statement, kind))
        progress("witness", b + 1, len(kinds))
    check_coverage(params, state, reserves, profile)
    proofs = _prove_cached(keys, jobs, progress, cache, workers, ray_address)

    epoch = Epoch(
        epoch_id=epoch_id,
        profile=profile,
        params=params,
        params_hash=circuit.hash,
        root=tree.root,
        batches=tuple(
            BatchProof(statement, proof, kind)
            for (_, statement, kind), proof in zip(jobs, proofs, strict=True)
        ),
        final_state=state,
        reserves=tuple(reserves),
        verification_keys={kind: k.verification_key for kind, k in keys.by_kind().items()},
        setup_kind=keys.batch.setup_kind,
        ceremony=keys.batch.ceremony,
    )
    where = {a.key: i for i, a in enumerate(padded) if not a.is_padding}
    records = [
        InclusionRecord(epoch_id, account, salts[where[account.key]], tree.path(where[account.key]))
        for account in accounts
    ]
    return epoch, records


def _prove_cached(
    keys: EpochKeys,
    jobs: list[tuple[Signals, BatchStatement, bool]],
    progress: ProgressCallback,
    cache: Path | None,
    workers: int,
    ray_address: str | None,
) -> list[Proof]:
    """Proofs of every job, reusing and filling `cache` (one JSON file per batch)."""
    found: dict[int, Proof] = {}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for i, (_, statement, _) in enumerate(jobs):
            path = cache / f"batch-{i:06d}.json"
            if path.exists():
                kept = json.loads(path.read_text())
                if kept["statement"] == [str(x) for x in statement.public_inputs]:
                    found[i] = Proof.from_snarkjs(kept["proof"])
    missing = [i for i in range(len(jobs)) if i not in found]
    if found:
        progress("reused", len(found), len(jobs))

    def keep(i: int, proof: Proof) -> None:
        found[i] = proof
        if cache is not None:
            document = {"statement": [str(x) for x in jobs[i][1].public_inputs], "proof": proof.to_snarkjs()}
            partial = cache / f".batch-{i:06d}.json.partial"
            partial.write_text(json.dumps(document))
            partial.rename(cache / f"batch-{i:06d}.json")
        progress("prove", len(found), len(jobs))

    kinds = [
        (circuit_keys, [(i, jobs[i][0]) for i in missing if jobs[i][2] == kind])
        for kind, circuit_keys in ((False, keys.batch), (True, keys.portfolio))
    ]
    if ray_address:
        from .cluster import prove_on_ray  # Ray is an optional dependency, needed only here

        for circuit_keys, todo in kinds:
            prove_on_ray(ray_address, circuit_keys, todo, keep)
    else:
        prove_all(kinds, workers, keep)
    return [found[i] for i in range(len(jobs))]

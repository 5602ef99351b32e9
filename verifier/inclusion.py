"""A trader's check of their own account against a published epoch, without auditing the whole epoch.

From the record the trader received (account, salt, leaf index, Merkle path) it recomputes the leaf,
climbs the path to the batch level and compares the node with the subtree root of the batch that
holds the index, checks that batch's proof, climbs on to the epoch root, and evaluates the account
under the epoch's parameters. It reads one batch of the epoch and hashes DEPTH + 1 times: no tree is
rebuilt. What it does not do is the exchange-wide audit (`verify_epoch`): the chain of batches, the
totals and the reserves.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .ceremonies import KnownCeremony, pinned
from .epoch import CheckFailed, Epoch, check_keys, check_setup
from .field import R
from .formats import FormatError, batch_from_json
from .groth16 import MalformedProof, verify
from .holder import holder_commitment
from .leaf import leaf_hash
from .margin import AccountHealth, evaluate
from .margin_proof import MarginProofFile, check_margin_proof
from .params import CircuitParams
from .profiles import PROFILES, Profile
from .records import InclusionRecord
from .tree import MerklePath, node_hash
from .vocabulary import field_hex


@dataclass
class AccountCheck:
    """The outcome of verify_account: checks passed in order, the first failure, and the account's figures."""

    passed: list[str] = field(default_factory=list)
    failure: str | None = None
    failed_check: str | None = None
    batch: int | None = None
    params: CircuitParams | None = None
    health: AccountHealth | None = None
    margin_proof: MarginProofFile | None = None

    @property
    def valid(self) -> bool:
        """True when every check passed."""
        return self.failure is None


def _climb(node: int, path: MerklePath, levels: range) -> int:
    positions = path.positions()
    for level in levels:
        children = list(path.siblings[level])
        children.insert(positions[level], node)
        node = node_hash(children)
    return node


def verify_account(
    epoch: Epoch,
    batches: Sequence[Any],
    record: InclusionRecord,
    *,
    record_profile: str | None = None,
    margin_proof: MarginProofFile | None = None,
    secret: int | None = None,
    ceremonies: Sequence[KnownCeremony] | None = None,
    profiles: Mapping[str, Profile] = PROFILES,
) -> AccountCheck:
    """Check `record` against `epoch` (read without its batches) and the epoch's raw `batches` list.

    With the trader's holder `secret`, also that the leaf holds the trader's holder commitment and that
    the margin proof, if any, is about this record.

    Only the batch that holds the record's index is parsed (FormatError if it cannot be). Never raises
    on malformed values: whatever cannot be used fails the check that was using it.
    """
    result = AccountCheck(margin_proof=margin_proof)
    current = ["start"]

    def check(name: str, ok: bool, why: str) -> None:
        current[0] = name
        if not ok:
            raise CheckFailed(name, why)
        result.passed.append(name)

    known = pinned() if ceremonies is None else ceremonies
    try:
        _verify(epoch, batches, record, record_profile, known, profiles, check, result, secret)
    except CheckFailed as failure:
        result.failure, result.failed_check = str(failure), failure.check
    except FormatError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        name = f"after {current[0]}" if result.passed else "record"
        result.failure, result.failed_check = f"{name}: malformed input ({exc})", name
    return result


def _verify(
    epoch: Epoch,
    batches: Sequence[Any],
    record: InclusionRecord,
    record_profile: str | None,
    ceremonies: Sequence[KnownCeremony],
    profiles: Mapping[str, Profile],
    check: Callable[[str, bool, str], None],
    result: AccountCheck,
    secret: int | None,
) -> None:
    profile = epoch.profile
    check(
        "profile",
        profiles.get(profile.name) == profile and record_profile in (None, profile.name),
        "the epoch's profile is not a known profile, or the record is of another profile",
    )
    keys = check_keys(epoch)
    check("verification keys", True, "")
    check_setup(epoch, keys, ceremonies)
    check("setup", True, "")
    check(
        "epoch id",
        record.epoch_id == epoch.epoch_id,
        f"the record is of epoch {record.epoch_id}, the published epoch is {epoch.epoch_id}",
    )
    try:
        params = epoch.params.circuit(profile)
    except ValueError as exc:
        raise CheckFailed("parameters", str(exc)) from None
    check("parameters", True, "")
    check(
        "parameter hash",
        params.hash == epoch.params_hash,
        f"the published parameters hash to {field_hex(params.hash)}, not to params_hash "
        f"{field_hex(epoch.params_hash)}",
    )
    result.params = params
    account = record.account
    try:
        account.validate(profile)
    except ValueError as exc:
        raise CheckFailed("account", str(exc)) from None
    check(
        "account",
        not account.is_padding
        and len(account.balances) == len(epoch.params.assets)
        and len(account.positions) == len(epoch.params.markets)
        and len(account.options) <= len(epoch.params.options),
        f"the record is not an account with {len(epoch.params.assets)} balances, "
        f"{len(epoch.params.markets)} positions and at most {len(epoch.params.options)} option positions",
    )
    n = len(batches)
    size = profile.batch_size
    path = record.path
    check(
        "batch count",
        1 <= n <= profile.max_batches,
        f"{n} batches; the tree holds 1 to {profile.max_batches}",
    )
    check(
        "path",
        len(path.siblings) == profile.tree_depth
        and all(isinstance(x, int) and 0 <= x < R for level in path.siblings for x in level),
        f"the path must have {profile.tree_depth} levels of three field elements",
    )
    check(
        "index",
        0 <= path.index < n * size,
        f"leaf {path.index} is not in the {n} proven batches (indices 0 to {n * size - 1})",
    )
    b = path.index // size
    result.batch = b
    batch = batch_from_json(batches[b])
    # The pairing comes first: nothing the batch claims is used before its proof verifies. A portfolio
    # batch is proven by the portfolio batch circuit, under its key.
    try:
        valid, why = (
            verify(keys[batch.circuit], batch.proof, batch.statement.public_inputs),
            "the pairing check fails",
        )
    except MalformedProof as exc:
        valid, why = False, f"malformed: {exc}"
    check(f"batch {b} proof", valid, why)
    check(
        f"batch {b} index",
        batch.statement.batch_index == b,
        f"it claims index {batch.statement.batch_index}, not {b}",
    )
    check(
        f"batch {b} parameters",
        batch.statement.params_hash == epoch.params_hash,
        f"it was proven with parameters {field_hex(batch.statement.params_hash)}, not "
        f"{field_hex(epoch.params_hash)}",
    )
    node = _climb(leaf_hash(account, record.salt, profile), path, range(profile.batch_levels))
    check(
        "batch subtree",
        node == batch.statement.subtree_root,
        f"your leaf and path lead to {field_hex(node)}, not to the subtree root of batch {b}, "
        f"{field_hex(batch.statement.subtree_root)}: the record is not the one proven",
    )
    root = _climb(node, path, range(profile.batch_levels, profile.tree_depth))
    check(
        "epoch root",
        root == epoch.root,
        f"your path leads to {field_hex(root)}, not to the published epoch root {field_hex(epoch.root)}",
    )
    result.health = evaluate(account, params)
    if secret is not None:
        check(
            "holder",
            account.holder == holder_commitment(secret),
            "the leaf does not hold your holder commitment: ask the venue to register yours",
        )
    if result.margin_proof is not None:
        opening = (record, secret) if secret is not None else None
        for name in check_margin_proof(result.margin_proof, epoch, keys["margin"], opening):
            check(name, True, "")

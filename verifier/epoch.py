"""An epoch's public data and the exchange-wide audit of it.

The audit trusts nothing it is given: it checks every batch proof's pairing before it uses the
batch's statement, recomputes the parameter hash, the chain of states and the account root, and
compares the proven totals with the declared reserves.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .field import AMOUNT_BITS
from .groth16 import MalformedProof, Proof, verify
from .params import CircuitParams, EpochParams
from .profiles import Profile
from .state import ChainState
from .statements import BatchStatement
from .tree import root_of


@dataclass(frozen=True)
class BatchProof:
    """One batch's statement and its Groth16 proof."""

    statement: BatchStatement
    proof: Proof


@dataclass(frozen=True)
class Epoch:
    """What a venue publishes for an epoch; nothing in it reveals an account."""

    epoch_id: int
    profile: Profile
    params: EpochParams
    params_hash: int
    root: int
    batches: tuple[BatchProof, ...]
    final_state: ChainState
    reserves: tuple[int, ...]
    verification_keys: dict[str, dict[str, Any]]
    setup_kind: str


@dataclass(frozen=True)
class Coverage:
    """Reserves against net liabilities for one asset, in quanta."""

    symbol: str
    reserves: int
    liabilities: Fraction

    @property
    def covered(self) -> bool:
        """Reserves at least the net liabilities."""
        return self.reserves >= self.liabilities

    @property
    def ratio(self) -> float | None:
        """reserves / liabilities; None when nothing is owed."""
        return float(self.reserves / self.liabilities) if self.liabilities > 0 else None


@dataclass
class Audit:
    """The outcome of verify_epoch: checks passed in order, and the first failure if any."""

    passed: list[str] = field(default_factory=list)
    failure: str | None = None
    coverage: list[Coverage] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when every check passed."""
        return self.failure is None


class _Failed(Exception):
    pass


def net_liabilities(params: EpochParams, state: ChainState) -> list[Fraction]:
    """Per asset, equity - debt; the settlement asset also owes the open interest imbalance at mark."""
    out = [Fraction(state.equity[a] - state.debt[a]) for a in range(len(params.assets))]
    settlement_price = params.assets[0].price
    for m, market in enumerate(params.markets):
        out[0] += Fraction((state.long[m] - state.short[m]) * market.mark, settlement_price)
    return out


def verify_epoch(epoch: Epoch) -> Audit:
    """Run every check of docs/statement.md section 1.3 in order; stop at the first failure."""
    audit = Audit()

    def check(name: str, ok: bool, why: str) -> None:
        if not ok:
            raise _Failed(f"{name}: {why}")
        audit.passed.append(name)

    try:
        _verify(epoch, check, audit)
    except _Failed as failure:
        audit.failure = str(failure)
    return audit


def _verify(epoch: Epoch, check: Callable[[str, bool, str], None], audit: Audit) -> None:
    profile = epoch.profile
    try:
        params: CircuitParams = epoch.params.circuit(profile)
    except ValueError as exc:
        raise _Failed(f"parameters: {exc}") from None
    check(
        "parameter hash", params.hash == epoch.params_hash, "the published parameters hash to another value"
    )
    n = len(epoch.batches)
    check(
        "batch count",
        1 <= n <= profile.max_batches,
        f"{n} batches; the tree holds 1 to {profile.max_batches}",
    )
    key = epoch.verification_keys["batch"]
    state = ChainState.genesis(profile).hash
    for i, batch in enumerate(epoch.batches):
        s = batch.statement
        # The pairing comes first: nothing a batch claims is used before its proof verifies.
        try:
            valid, why = verify(key, batch.proof, s.public_inputs), "the pairing check fails"
        except MalformedProof as exc:
            valid, why = False, f"malformed: {exc}"
        check(f"batch {i} proof", valid, why)
        check(f"batch {i} index", s.batch_index == i, f"it claims index {s.batch_index}")
        check(
            f"batch {i} parameters", s.params_hash == epoch.params_hash, "it was proven with other parameters"
        )
        check(
            f"batch {i} chain",
            s.prev_state == state,
            "its previous state is not the state the batch before left",
        )
        state = s.next_state
    final = epoch.final_state
    check("final state", final.hash == state, "the published totals do not open the last batch's state")
    check("final batch count", final.batches == n, f"the final state counts {final.batches} batches, not {n}")
    check("key bound", final.last_key < 2 ** (AMOUNT_BITS), "the last key is not below 2^64")
    real_assets, real_markets = len(epoch.params.assets), len(epoch.params.markets)
    empty = all(final.equity[a] == final.debt[a] == 0 for a in range(real_assets, profile.assets)) and all(
        final.long[m] == final.short[m] == 0 for m in range(real_markets, profile.markets)
    )
    check("padding slots", empty, "an unused asset or market slot carries a total")
    roots = [b.statement.subtree_root for b in epoch.batches]
    check("account root", root_of(roots, profile.tree_depth, profile.batch_levels) == epoch.root, "mismatch")
    check("reserves listed", len(epoch.reserves) == real_assets, "one reserve amount per asset is required")
    for asset, reserve, owed in zip(
        epoch.params.assets, epoch.reserves, net_liabilities(epoch.params, final), strict=True
    ):
        audit.coverage.append(Coverage(asset.symbol, reserve, owed))
    for c in audit.coverage:
        check(
            f"reserves {c.symbol}",
            c.covered,
            f"reserves {c.reserves} are below net liabilities {float(c.liabilities):.0f}",
        )

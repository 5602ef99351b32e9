"""An epoch's public data and the exchange-wide audit of it.

The audit trusts nothing it is given: it checks every batch proof's pairing before it uses the
batch's statement, recomputes the parameter hash, the chain of states and the account root, and
compares the proven totals with the declared reserves.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .ceremonies import CEREMONY, CIRCUIT_KINDS, SETUP_KINDS, CeremonyReference, KnownCeremony, find, pinned
from .field import AMOUNT_BITS, R
from .groth16 import (
    MalformedKey,
    MalformedProof,
    Proof,
    VerificationKey,
    check_key_subgroups,
    parse_key,
    verify,
)
from .params import CircuitParams, EpochParams
from .profiles import PROFILES, Profile
from .state import ChainState
from .statements import BatchStatement
from .tree import root_of
from .vocabulary import field_hex, units, usd_decimal

#: Public inputs of each circuit (docs/statement.md sections 6 and 7).
PUBLIC_INPUTS = {"batch": 5, "portfolio_batch": 5, "margin": 6}


@dataclass(frozen=True)
class BatchProof:
    """One batch's statement and its Groth16 proof."""

    statement: BatchStatement
    proof: Proof
    portfolio: bool = False
    """Proven by the portfolio batch circuit (portfolio accounts) rather than the standard batch circuit."""

    @property
    def circuit(self) -> str:
        """The circuit kind whose key checks this batch: "portfolio_batch" or "batch"."""
        return "portfolio_batch" if self.portfolio is True else "batch"


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
    key_hashes: dict[str, str] | None = None
    """SHA-256 of each canonical verification key as the epoch document publishes it (`groth16.key_hash`);
    None for an epoch built in memory, whose keys have no published hash to compare with."""
    ceremony: CeremonyReference | None = None
    """For setup kind "ceremony": the transcript of the ceremony that made the keys."""

    @property
    def unsafe(self) -> bool:
        """True unless the keys claim to come from a ceremony (development keys are UNSAFE)."""
        return self.setup_kind != CEREMONY


@dataclass(frozen=True)
class Coverage:
    """Reserves against net liabilities for one asset, in quanta."""

    symbol: str
    reserves: int
    liabilities: Fraction
    insurance: int = 0
    """The insurance fund's holding of the asset, held in addition to the reserves."""

    @property
    def holdings(self) -> int:
        """What the venue must hold of the asset: reserves plus the insurance fund."""
        return self.reserves + self.insurance

    @property
    def covered(self) -> bool:
        """Reserves at least the net liabilities."""
        return self.reserves >= self.liabilities


@dataclass(frozen=True)
class Book:
    """What the final state proves about the venue's book: classes, shortfall, bad debt, the fund.

    Amounts in USD * 1e22. healthy counts the padding slots of the last batch too (they hold nothing),
    so that the number of accounts stays hidden within a batch.
    """

    healthy: int
    liquidatable: int
    bankrupt: int
    shortfall: int
    bad_debt: int
    insurance: int
    """The insurance fund's value at the epoch's prices."""

    @property
    def covered(self) -> bool:
        """The insurance fund covers the bad debt."""
        return self.insurance >= self.bad_debt


def book_json(book: Book | None) -> dict[str, str | int | bool | None]:
    """The book's figures in the report vocabulary: counts as integers, USD amounts as decimal strings."""
    if book is None:
        return {name: None for name in BOOK_FIELDS}
    return {
        "healthy_accounts": book.healthy,
        "liquidatable_accounts": book.liquidatable,
        "bankrupt_accounts": book.bankrupt,
        "maintenance_shortfall_usd": usd_decimal(book.shortfall),
        "bad_debt_usd": usd_decimal(book.bad_debt),
        "insurance_usd": usd_decimal(book.insurance),
        "insurance_covers_bad_debt": book.covered,
    }


BOOK_FIELDS = (
    "healthy_accounts",
    "liquidatable_accounts",
    "bankrupt_accounts",
    "maintenance_shortfall_usd",
    "bad_debt_usd",
    "insurance_usd",
    "insurance_covers_bad_debt",
)


def book_lines(book: Book) -> list[str]:
    """The book in words, for text reports."""
    return [
        f"accounts by class: {book.healthy} healthy (empty padding slots included), "
        f"{book.liquidatable} liquidatable, {book.bankrupt} bankrupt",
        f"maintenance shortfall of liquidatable accounts {usd_decimal(book.shortfall)} USD",
        f"bad debt of bankrupt accounts {usd_decimal(book.bad_debt)} USD, insurance fund "
        f"{usd_decimal(book.insurance)} USD: " + ("covered" if book.covered else "NOT covered"),
    ]


def insurance_value(params: EpochParams) -> int:
    """The declared insurance fund at the epoch's prices and each asset's first collateral rate, USD * 1e22.

    The fund is held apart from the reserves: the holdings an auditor verifies per asset are reserves plus
    insurance (a fund that is declared and not held could otherwise cover the bad debt of a fake debtor
    whose debt lowered the net liabilities).
    """
    return sum(a.insurance * a.price * a.tiers[0].rate for a in params.assets)


@dataclass
class Audit:
    """The outcome of verify_epoch: checks passed in order, and the first failure if any."""

    passed: list[str] = field(default_factory=list)
    failure: str | None = None
    """"check: why" for the first failed check."""
    failed_check: str | None = None
    """The name of the first failed check."""
    coverage: list[Coverage] = field(default_factory=list)
    book: Book | None = None
    """Classes, shortfall, bad debt and insurance, once the final state has been opened."""

    @property
    def valid(self) -> bool:
        """True when every check passed."""
        return self.failure is None


class CheckFailed(Exception):
    """A named check failed; str() is "check: why"."""

    def __init__(self, check: str, why: str) -> None:
        super().__init__(f"{check}: {why}")
        self.check = check


def net_liabilities(params: EpochParams, state: ChainState, profile: Profile) -> list[Fraction]:
    """Per asset, equity - debt; the settlement asset also owes the open interest imbalance of every
    perpetual and option series at its mark."""
    out = [Fraction(state.equity[a] - state.debt[a]) for a in range(len(params.assets))]
    settlement_price = params.assets[0].price
    slots = [(m, market.mark) for m, market in enumerate(params.markets)]
    slots += [(profile.markets + s, series.mark) for s, series in enumerate(params.options)]
    for i, mark in slots:
        out[0] += Fraction((state.long[i] - state.short[i]) * mark, settlement_price)
    return out


def verify_epoch(epoch: Epoch, ceremonies: Sequence[KnownCeremony] | None = None) -> Audit:
    """Run every check of docs/statement.md section 1.3 in order; stop at the first failure.

    Before them: the profile is a known one, the verification keys are well formed and hash to the
    published hashes, and a "ceremony" setup is one of `ceremonies` (default: the pinned list). Never
    raises on malformed input: whatever cannot be read fails the check that was reading it.
    """
    audit = Audit()
    current = ["start"]

    def check(name: str, ok: bool, why: str) -> None:
        current[0] = name
        if not ok:
            raise CheckFailed(name, why)
        audit.passed.append(name)

    try:
        _verify(epoch, pinned() if ceremonies is None else ceremonies, check, audit)
    except CheckFailed as failure:
        audit.failure, audit.failed_check = str(failure), failure.check
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        name = f"after {current[0]}" if audit.passed else "epoch"
        audit.failure, audit.failed_check = f"{name}: malformed input ({exc})", name
    return audit


def check_keys(epoch: Epoch) -> dict[str, VerificationKey]:
    """The epoch's verification keys, parsed; CheckFailed("verification keys", ...) if one is wrong."""
    name = "verification keys"
    keys = {}
    for kind in CIRCUIT_KINDS:
        if not isinstance(epoch.verification_keys, dict) or kind not in epoch.verification_keys:
            raise CheckFailed(name, f"no {kind} key")
        try:
            key = parse_key(epoch.verification_keys[kind])
            check_key_subgroups(key)
        except MalformedKey as exc:
            raise CheckFailed(name, f"the {kind} key is malformed: {exc}") from None
        if key.n_public != PUBLIC_INPUTS[kind]:
            raise CheckFailed(
                name, f"the {kind} key takes {key.n_public} public inputs, not {PUBLIC_INPUTS[kind]}"
            )
        if epoch.key_hashes is not None and epoch.key_hashes.get(kind) != key.sha256:
            raise CheckFailed(
                name,
                f"the {kind} key hashes to 0x{key.sha256}, not to the published {kind} key hash",
            )
        keys[kind] = key
    return keys


def check_setup(epoch: Epoch, keys: dict[str, VerificationKey], ceremonies: Sequence[KnownCeremony]) -> None:
    """CheckFailed("setup", ...) unless the setup kind is known and a "ceremony" is a known ceremony's."""
    if epoch.setup_kind not in SETUP_KINDS:
        raise CheckFailed("setup", f"unknown setup kind; known: {', '.join(SETUP_KINDS)}")
    if epoch.setup_kind != CEREMONY:
        return
    if epoch.ceremony is None:
        raise CheckFailed(
            "setup", "the keys are said to come from a ceremony, but no ceremony transcript is named"
        )
    known = find(epoch.ceremony, ceremonies)
    if known is None:
        raise CheckFailed(
            "setup",
            f"ceremony transcript {epoch.ceremony.transcript_sha256} is not a known ceremony "
            "(not pinned in ceremonies.json, and no --ceremony folder has it)",
        )
    if known.profile != epoch.profile.name:
        raise CheckFailed(
            "setup", f"the ceremony's keys are for profile {known.profile}, not {epoch.profile.name}"
        )
    for kind in CIRCUIT_KINDS:
        if known.keys.get(kind) != keys[kind].sha256:
            raise CheckFailed(
                "setup", f"the {kind} verification key is not the key of ceremony {known.source}"
            )


def _well_formed_state(state: ChainState, profile: Profile) -> bool:
    sizes = (len(state.equity), len(state.debt), len(state.long), len(state.short))
    in_field = all(isinstance(x, int) and 0 <= x < R for x in state.vector)
    slots = (profile.assets, profile.assets, profile.instruments, profile.instruments)
    return sizes == slots and in_field


def _verify(
    epoch: Epoch,
    ceremonies: Sequence[KnownCeremony],
    check: Callable[[str, bool, str], None],
    audit: Audit,
) -> None:
    profile = epoch.profile
    check(
        "profile",
        PROFILES.get(profile.name) == profile,
        f"not a known profile ({', '.join(PROFILES)}), or its sizes are not that profile's",
    )
    keys = check_keys(epoch)
    check("verification keys", True, "")
    check_setup(epoch, keys, ceremonies)
    check("setup", True, "")
    try:
        params: CircuitParams = epoch.params.circuit(profile)
    except ValueError as exc:
        raise CheckFailed("parameters", str(exc)) from None
    check("parameters", True, "")
    check(
        "parameter hash",
        params.hash == epoch.params_hash,
        f"the published parameters hash to {field_hex(params.hash)}, not to params_hash "
        f"{field_hex(epoch.params_hash)}",
    )
    n = len(epoch.batches)
    check(
        "batch count",
        1 <= n <= profile.max_batches,
        f"{n} batches; the tree holds 1 to {profile.max_batches}",
    )
    state = ChainState.genesis(profile).hash
    for i, batch in enumerate(epoch.batches):
        s = batch.statement
        # The pairing comes first: nothing a batch claims is used before its proof verifies. The circuits
        # keep the kinds apart (a standard batch holds no portfolio key, a portfolio batch only such keys).
        key = keys[batch.circuit]
        try:
            valid, why = verify(key, batch.proof, s.public_inputs), "the pairing check fails"
        except MalformedProof as exc:
            valid, why = False, f"malformed: {exc}"
        check(f"batch {i} proof", valid, why)
        check(f"batch {i} index", s.batch_index == i, f"it claims index {s.batch_index}, not {i}")
        check(
            f"batch {i} parameters",
            s.params_hash == epoch.params_hash,
            f"it was proven with parameters {field_hex(s.params_hash)}, not {field_hex(epoch.params_hash)}",
        )
        check(
            f"batch {i} chain",
            s.prev_state == state,
            f"its previous state {field_hex(s.prev_state)} is not the state the batch before left, "
            f"{field_hex(state)}",
        )
        state = s.next_state
    final = epoch.final_state
    check(
        "final state",
        _well_formed_state(final, profile) and final.hash == state,
        f"the published totals do not open the last batch's state {field_hex(state)}",
    )
    check("final batch count", final.batches == n, f"the final state counts {final.batches} batches, not {n}")
    check("key bound", final.last_key < 2 ** (AMOUNT_BITS), "the last key is not below 2^64")
    real_assets, real_markets = len(epoch.params.assets), len(epoch.params.markets)
    unused = [*range(real_markets, profile.markets)]
    unused += [profile.markets + s for s in range(len(epoch.params.options), profile.options)]
    empty = all(final.equity[a] == final.debt[a] == 0 for a in range(real_assets, profile.assets)) and all(
        final.long[i] == final.short[i] == 0 for i in unused
    )
    check("padding slots", empty, "an unused asset, market or option slot carries a total")
    audit.book = Book(*final.classes, insurance_value(epoch.params))
    roots = [b.statement.subtree_root for b in epoch.batches]
    root = root_of(roots, profile.tree_depth, profile.batch_levels)
    check(
        "account root",
        root == epoch.root,
        f"the batches' subtree roots give {field_hex(root)}, the published root is {field_hex(epoch.root)}",
    )
    check(
        "reserves listed",
        len(epoch.reserves) == real_assets and all(r >= 0 for r in epoch.reserves),
        "one non-negative reserve amount per asset is required",
    )
    for asset, reserve, owed in zip(
        epoch.params.assets, epoch.reserves, net_liabilities(epoch.params, final, profile), strict=True
    ):
        audit.coverage.append(Coverage(asset.symbol, reserve, owed, asset.insurance))
    for c in audit.coverage:
        check(
            f"reserves {c.symbol}",
            c.covered,
            f"reserves {units(c.reserves)} {c.symbol} are below net liabilities "
            f"{units(c.liabilities)} {c.symbol}",
        )
    book = audit.book
    check(
        "insurance fund",
        book.covered,
        f"the insurance fund of {usd_decimal(book.insurance)} USD does not cover the proven bad debt of "
        f"{usd_decimal(book.bad_debt)} USD",
    )

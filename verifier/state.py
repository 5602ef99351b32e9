"""The state that chains batch proofs: running totals, classes, the last record and the batch count."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .account import Account
from .field import STATE_DOMAIN, SUBACCOUNT_BITS
from .margin import BANKRUPT, HEALTHY, LIQUIDATABLE, evaluate
from .params import CircuitParams
from .poseidon import hash_vector
from .profiles import Profile


@dataclass(frozen=True)
class ChainState:
    """Totals over every record proven so far.

    equity[a] and debt[a] sum the positive and negative parts of balances in asset a; long[i] and
    short[i] sum the positive and negative parts of positions in instrument i (quanta): the perpetual
    markets, then the option series. healthy,
    liquidatable and bankrupt count margin accounts by class (padding slots count as healthy, so the
    number of accounts stays hidden within a batch); shortfall and bad_debt sum the maintenance
    shortfall of liquidatable and the bad debt of bankrupt accounts (USD * 1e22). held has bit m set when
    the account of last_key already holds market m in one of its records.
    """

    equity: tuple[int, ...]
    debt: tuple[int, ...]
    long: tuple[int, ...]
    short: tuple[int, ...]
    healthy: int
    liquidatable: int
    bankrupt: int
    shortfall: int
    bad_debt: int
    last_key: int
    held: int
    batches: int
    blind: int
    """A random field element that hides intermediate states; 0 in the genesis state."""

    @classmethod
    def genesis(cls, profile: Profile) -> "ChainState":
        """The all-zero state the first batch starts from."""
        a, m = (0,) * profile.assets, (0,) * profile.instruments
        return cls(a, a, m, m, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    @property
    def classes(self) -> tuple[int, int, int, int, int]:
        """healthy, liquidatable, bankrupt, shortfall, bad_debt: the order of the state vector."""
        return (self.healthy, self.liquidatable, self.bankrupt, self.shortfall, self.bad_debt)

    @property
    def vector(self) -> list[int]:
        """STATE_DOMAIN, equity, debt, long, short, classes, last_key, held, batches, blind."""
        return [
            STATE_DOMAIN,
            *self.equity,
            *self.debt,
            *self.long,
            *self.short,
            *self.classes,
            self.last_key,
            self.held,
            self.batches,
            self.blind,
        ]

    @property
    def hash(self) -> int:
        """The state commitment, a public input of the batch proofs on both sides of this state."""
        return hash_vector(self.vector)

    def after(self, accounts: Iterable[Account], params: CircuitParams, blind: int) -> "ChainState":
        """The state once `accounts` (one batch, in key order) are added, hidden by the fresh `blind`."""
        profile = params.profile
        equity, debt = list(self.equity), list(self.debt)
        long, short = list(self.long), list(self.short)
        counts = {HEALTHY: self.healthy, LIQUIDATABLE: self.liquidatable, BANKRUPT: self.bankrupt}
        shortfall, bad_debt = self.shortfall, self.bad_debt
        last_key, held = self.last_key, self.held
        for account in accounts:
            balances, positions, options = account.padded(profile)
            for a, v in enumerate(balances):
                equity[a] += max(v, 0)
                debt[a] += max(-v, 0)
            for i, s in enumerate((*positions, *options)):
                long[i] += max(s, 0)
                short[i] += max(-s, 0)
            health = evaluate(account, params)
            counts[health.margin_class] += 1
            shortfall += health.shortfall
            bad_debt += health.bad_debt
            if not account.is_padding:
                same = account.key >> SUBACCOUNT_BITS == last_key >> SUBACCOUNT_BITS
                held = (held if same else 0) | sum(1 << m for m, s in enumerate(positions) if s)
                last_key = account.key
        return replace(
            self,
            equity=tuple(equity),
            debt=tuple(debt),
            long=tuple(long),
            short=tuple(short),
            healthy=counts[HEALTHY],
            liquidatable=counts[LIQUIDATABLE],
            bankrupt=counts[BANKRUPT],
            shortfall=shortfall,
            bad_debt=bad_debt,
            last_key=last_key,
            held=held,
            batches=self.batches + 1,
            blind=blind,
        )

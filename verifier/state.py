"""The state that chains batch proofs: running per-asset and per-market totals, last key, batch count."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .account import Account
from .poseidon import hash_vector
from .profiles import Profile


@dataclass(frozen=True)
class ChainState:
    """Totals over every account proven so far, in quanta.

    equity[a] and debt[a] sum the positive and negative parts of balances in asset a; long[m] and
    short[m] sum the positive and negative parts of positions in market m.
    """

    equity: tuple[int, ...]
    debt: tuple[int, ...]
    long: tuple[int, ...]
    short: tuple[int, ...]
    last_key: int
    batches: int
    blind: int
    """A random field element that hides intermediate states; 0 in the genesis state."""

    @classmethod
    def genesis(cls, profile: Profile) -> "ChainState":
        """The all-zero state the first batch starts from."""
        a, m = (0,) * profile.assets, (0,) * profile.markets
        return cls(a, a, m, m, 0, 0, 0)

    @property
    def vector(self) -> list[int]:
        """equity, debt, long, short, last_key, batches, blind."""
        return [*self.equity, *self.debt, *self.long, *self.short, self.last_key, self.batches, self.blind]

    @property
    def hash(self) -> int:
        """The state commitment, a public input of the batch proofs on both sides of this state."""
        return hash_vector(self.vector)

    def after(self, accounts: Iterable[Account], profile: Profile, blind: int) -> "ChainState":
        """The state once `accounts` (one batch) are added, hidden by the fresh `blind`."""
        equity, debt = list(self.equity), list(self.debt)
        long, short = list(self.long), list(self.short)
        last_key = self.last_key
        for account in accounts:
            balances, positions = account.padded(profile)
            for a, v in enumerate(balances):
                equity[a] += max(v, 0)
                debt[a] += max(-v, 0)
            for m, s in enumerate(positions):
                long[m] += max(s, 0)
                short[m] += max(-s, 0)
            if not account.is_padding:
                last_key = account.key
        return replace(
            self,
            equity=tuple(equity),
            debt=tuple(debt),
            long=tuple(long),
            short=tuple(short),
            last_key=last_key,
            batches=self.batches + 1,
            blind=blind,
        )

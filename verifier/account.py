"""A venue account (or isolated subaccount) as the statement sees it."""

from dataclasses import dataclass

from .field import AMOUNT_BITS, PORTFOLIO_FLAG, SUBACCOUNT_BITS, R
from .profiles import Profile


class AccountError(ValueError):
    """An account record that cannot enter a tree; the message names the account and the field."""


@dataclass(frozen=True)
class Account:
    """Net balance per asset, signed perpetual size per market and signed option position per series, in
    quanta.

    Subaccount 0 is the cross-margin account; each isolated position is a subaccount of its own
    (numbers 1 and up), with its own settlement balance and its own margin check, as in dYdX v4. An
    isolated subaccount holds only the settlement asset besides its positions, and an account holds each
    market in one of its records; options are held by the cross account (docs/statement.md, "One account, one
    check").
    A negative balance is a debt to the venue; for the settlement asset (asset 0) the balance is
    the quote balance, which already carries -size * entry price of every position.
    """

    account_id: int
    subaccount: int
    balances: tuple[int, ...]
    positions: tuple[int, ...] = ()
    options: tuple[int, ...] = ()
    """Signed option positions per series of the epoch's option table, in quanta (negative = short)."""
    holder: int = 0
    """The trader's holder commitment registered with the venue (0: none), kept in the leaf."""
    portfolio: bool = False
    """Margined by the epoch's scenario grid (one record, subaccount 0) instead of the standard rules."""

    @property
    def key_id(self) -> int:
        """The id in the key: account_id, with PORTFOLIO_FLAG for a portfolio account."""
        return self.account_id | (PORTFOLIO_FLAG if self.portfolio else 0)

    @property
    def key(self) -> int:
        """The ordering key in the tree: key_id * 2^16 + subaccount; 0 marks padding. Portfolio accounts
        sort after every standard one."""
        return (self.key_id << SUBACCOUNT_BITS) | self.subaccount

    @property
    def label(self) -> str:
        """How errors and reports name the account."""
        return f"account {self.account_id}" + (f"/{self.subaccount}" if self.subaccount else "")

    @property
    def is_padding(self) -> bool:
        """True for the all-zero filler accounts that complete a batch."""
        return self.key == 0

    @classmethod
    def padding(cls, profile: Profile) -> "Account":
        """An all-zero filler account."""
        return cls(0, 0, (0,) * profile.assets, (0,) * profile.markets, (0,) * profile.options)

    def validate(self, profile: Profile) -> None:
        """Raise AccountError naming the account and the field that is out of range."""
        if self.is_padding and any((*self.balances, *self.positions, *self.options, self.holder)):
            raise AccountError("a padding account (id 0, subaccount 0) must hold nothing")
        if not 0 <= self.holder < R:
            raise AccountError(f"{self.label}: holder must be a field element (below the BN254 scalar order)")
        if not self.is_padding and not 1 <= self.account_id < PORTFOLIO_FLAG:
            raise AccountError(f"{self.label}: account_id must be 1 <= id < 2^47")
        if self.portfolio and self.subaccount:
            raise AccountError(
                f"{self.label}: a portfolio account is one record, subaccount 0 (its isolated positions "
                "belong in its portfolio)"
            )
        if not 0 <= self.subaccount < 2**SUBACCOUNT_BITS:
            raise AccountError(f"{self.label}: subaccount must be 0 <= n < 2^{SUBACCOUNT_BITS}")
        sizes = (len(self.balances), len(self.positions), len(self.options))
        if any(
            n > limit
            for n, limit in zip(sizes, (profile.assets, profile.markets, profile.options), strict=True)
        ):
            raise AccountError(
                f"{self.label}: at most {profile.assets} balances, {profile.markets} positions and "
                f"{profile.options} option positions in profile {profile.name}"
            )
        if self.subaccount and any(self.balances[1:]):
            first = next(i for i, v in enumerate(self.balances) if i and v)
            raise AccountError(
                f"{self.label}: balances[{first}] is not 0: an isolated subaccount holds only the settlement "
                "asset (balances[0]) besides its positions"
            )
        if self.subaccount and any(self.options):
            first = next(i for i, v in enumerate(self.options) if v)
            raise AccountError(
                f"{self.label}: options[{first}] is not 0: options are held by the cross account "
                "(subaccount 0)"
            )
        kinds = (("balances", self.balances), ("positions", self.positions), ("options", self.options))
        for kind, values in kinds:
            for i, v in enumerate(values):
                if not -(2**AMOUNT_BITS) < v < 2**AMOUNT_BITS:
                    raise AccountError(f"{self.label}: {kind}[{i}] = {v} is out of range (|v| < 2^64)")

    def padded(self, profile: Profile) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """Balances, positions and option positions extended with zeros to the profile's sizes."""
        return (
            self.balances + (0,) * (profile.assets - len(self.balances)),
            self.positions + (0,) * (profile.markets - len(self.positions)),
            self.options + (0,) * (profile.options - len(self.options)),
        )

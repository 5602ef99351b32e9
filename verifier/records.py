"""A trader's private inclusion record: everything needed to find, check and prove their own account."""

from dataclasses import dataclass

from .account import Account
from .leaf import leaf_hash
from .profiles import Profile
from .tree import MerklePath


@dataclass(frozen=True)
class InclusionRecord:
    """The leaf preimage (account and salt), the leaf's index and its Merkle path in epoch `epoch_id`."""

    epoch_id: int
    account: Account
    salt: int
    path: MerklePath

    @property
    def index(self) -> int:
        """The leaf's position in the epoch tree."""
        return self.path.index

    def root(self, profile: Profile) -> int:
        """The root that this record's leaf and path lead to."""
        return self.path.root(leaf_hash(self.account, self.salt, profile))

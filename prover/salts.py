"""Per-epoch salts and state blinds, derived from a venue secret so that a rerun reproduces them.

salt(key)    = Poseidon(SALT_DOMAIN, secret, epoch_id, key)            for a real account
salt(index)  = Poseidon(SALT_DOMAIN, secret, epoch_id, 2^64 + index)   for the padding leaf at index
blind(batch) = Poseidon(BLIND_DOMAIN, secret, epoch_id, batch)
A new epoch id gives every account a new salt, so leaves cannot be linked across epochs.
"""

import secrets

from zksolvency.verifier.field import R
from zksolvency.verifier.poseidon import poseidon

SALT_DOMAIN = int.from_bytes(b"zksolvency/salt", "big")
BLIND_DOMAIN = int.from_bytes(b"zksolvency/blind", "big")


def new_secret() -> int:
    """A fresh venue secret: a uniformly random field element."""
    return secrets.randbelow(R)


def account_salt(secret: int, epoch_id: int, key: int) -> int:
    """The salt of the account with `key` in epoch `epoch_id`."""
    return poseidon([SALT_DOMAIN, secret, epoch_id, key])


def padding_salt(secret: int, epoch_id: int, index: int) -> int:
    """The salt of the padding leaf at tree index `index`."""
    return poseidon([SALT_DOMAIN, secret, epoch_id, 2**64 + index])


def state_blind(secret: int, epoch_id: int, batch: int) -> int:
    """The blind of the state after batch `batch`."""
    return poseidon([BLIND_DOMAIN, secret, epoch_id, batch])

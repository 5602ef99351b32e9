"""The account leaf: the Poseidon commitment to one account in the epoch tree."""

from .account import Account
from .field import AMOUNT_BITS, LEAF_DOMAIN, NULLIFIER_DOMAIN
from .poseidon import hash_vector, poseidon
from .profiles import Profile

WORD_BITS = AMOUNT_BITS + 1
WORDS_PER_ELEMENT = 3


def signed_word(v: int) -> int:
    """magnitude + 2^64 * sign: how a signed amount enters the leaf."""
    return abs(v) + (2**AMOUNT_BITS if v < 0 else 0)


def sealed_salt(salt: int, holder: int) -> int:
    """Poseidon(2)(salt, holder): the leaf's second element, which seals the trader's holder commitment
    into the leaf (docs/statement.md 5.5)."""
    return poseidon([salt, holder])


def leaf_preimage(account: Account, salt: int, profile: Profile) -> list[int]:
    """[key + 2^64 * LEAF_DOMAIN, Poseidon(salt, holder), packed_0, ...]: the words of all balances, then all
    positions, then all option positions, three to an element."""
    balances, positions, options = account.padded(profile)
    words = [signed_word(v) for v in (*balances, *positions, *options)]
    packed = [
        sum(w << (WORD_BITS * i) for i, w in enumerate(words[g : g + WORDS_PER_ELEMENT]))
        for g in range(0, len(words), WORDS_PER_ELEMENT)
    ]
    return [account.key + (LEAF_DOMAIN << AMOUNT_BITS), sealed_salt(salt, account.holder), *packed]


def leaf_hash(account: Account, salt: int, profile: Profile) -> int:
    """The account's leaf in the epoch tree."""
    return hash_vector(leaf_preimage(account, salt, profile))


def nullifier(account: Account, salt: int, secret: int, scope: int) -> int:
    """The account margin proof's nullifier: one credit per record per epoch (the salt) per scope (the
    gate and chain that spend it); only the holder of `secret` can compute it."""
    return poseidon([NULLIFIER_DOMAIN, account.key, salt, secret, scope])

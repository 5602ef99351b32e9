"""The trader's holder secret and its commitment, kept in the account's leaf (docs/statement.md,
"Holder commitment").

The trader makes a uniformly random secret s in [1, r) and gives the venue h = HashVector(HOLDER_DOMAIN, s).
Only a prover who knows s can make or spend a margin proof of a record whose leaf holds h.
A secret file holds one line: 0x and 64 hex digits.
"""

import os
import re
import secrets
from pathlib import Path

from .field import HOLDER_DOMAIN, R
from .poseidon import hash_vector
from .vocabulary import field_hex


class HolderKeyError(ValueError):
    """A secret file that cannot be read or written; the message names the file."""


def new_holder_secret() -> int:
    """A fresh holder secret: a uniformly random field element in [1, r)."""
    return 1 + secrets.randbelow(R - 1)


def holder_commitment(secret: int) -> int:
    """HashVector(HOLDER_DOMAIN, secret): what the trader registers with the venue."""
    if not 0 < secret < R:
        raise ValueError("a holder secret is a field element in [1, r)")
    return hash_vector([HOLDER_DOMAIN, secret])


def write_holder_secret(path: Path, secret: int) -> None:
    """Write `secret` to a new file `path` (mode 0600); HolderKeyError if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HolderKeyError(f"{path}: exists; a holder secret is never overwritten") from None
    except OSError as exc:
        raise HolderKeyError(f"{path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w") as f:
        f.write(field_hex(secret) + "\n")


def read_holder_secret(path: Path) -> int:
    """The secret in `path`; HolderKeyError naming the file if it is missing or not a secret."""
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise HolderKeyError(f"{path}: cannot read the holder secret ({exc})") from None
    if not re.fullmatch(r"0x[0-9a-fA-F]{64}", text) or not 0 < int(text, 16) < R:
        raise HolderKeyError(f"{path}: not a holder secret (0x and 64 hex digits, a field element in [1, r))")
    return int(text, 16)

"""The one JSON vocabulary of the CLI and the API (docs/json.md): how each kind of value is written.

Amounts and ratios are plain decimal strings (no thousands separator, no exponent); roots, hashes and
nullifiers are 0x and 64 lowercase hex digits; addresses are EIP-55 checksummed. The CLI's `--json`,
its text output and every API response write values with the functions here (the reports themselves
are built in `reports.py`), so a value has one form everywhere. The published documents
(zksolvency-epoch/1, -record/1, -margin-proof/1) keep their snarkjs-style decimal strings: they are
formats, not reports (their readers take an integer as decimal digits or as 0x hex).
"""

import re
from fractions import Fraction

from Crypto.Hash import keccak

from .amounts import format_scaled
from .field import PRICE_SCALE, QUANTA_PER_UNIT, WEIGHTED_SCALE

#: Decimal places of a ratio (rounded toward zero: coverage is never overstated).
RATIO_DECIMALS = 6
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def units(quanta: int | Fraction) -> str:
    """An amount in quanta as a decimal number of units of the asset ("313144.25")."""
    return format_scaled(quanta, QUANTA_PER_UNIT)


def usd(weighted: int) -> str:
    """A USD * 1e22 margin figure as a decimal USD string with cents, rounded toward zero ("313144.25")."""
    cents = int(Fraction(weighted, WEIGHTED_SCALE // 100))
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def usd_decimal(weighted: int) -> str:
    """A USD * 1e22 amount as an exact plain decimal string in USD ("5000", "-0.25")."""
    sign = "-" if weighted < 0 else ""
    whole, frac = divmod(abs(weighted), WEIGHTED_SCALE)
    digits = f"{frac:022d}".rstrip("0")
    return f"{sign}{whole}" + (f".{digits}" if digits else "")


def usd_price(scaled: int) -> str:
    """A USD * 1e8 amount (a price, a threshold) as an exact decimal USD string ("5000", "0.5")."""
    return format_scaled(scaled, PRICE_SCALE)


def ratio(numerator: int | Fraction, denominator: int | Fraction) -> str | None:
    """numerator / denominator as a decimal string of at most 6 decimals; None when the denominator is 0."""
    if not denominator:
        return None
    scale = 10**RATIO_DECIMALS
    return format_scaled(Fraction(numerator) / Fraction(denominator) * scale, scale)


def field_hex(value: int) -> str:
    """A field element, root, Poseidon hash or nullifier: 0x and 64 lowercase hex digits."""
    return f"0x{value:064x}"


def sha256_hex(digest: str) -> str:
    """A SHA-256 hex digest in the same form as every other hash: 0x and 64 lowercase hex digits."""
    return "0x" + digest.removeprefix("0x").lower()


def _keccak(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def checksum_address(value: int) -> str:
    """The EIP-55 mixed-case form of a 20-byte address."""
    lower = f"{value:040x}"
    digest = _keccak(lower.encode()).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True)
    )


def parse_address(text: str, name: str = "address") -> int:
    """A 0x address as an integer; ValueError unless it has 40 hex digits and, if mixed-case, a valid
    EIP-55 checksum (all-lowercase and all-uppercase carry no checksum and are accepted, as EIP-55 says)."""
    if not isinstance(text, str) or not _ADDRESS.fullmatch(text):
        raise ValueError(f"{name}: expected 0x and 40 hex digits")
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and checksum_address(int(text, 16)) != text:
        raise ValueError(
            f"{name}: {text} has a wrong EIP-55 checksum (mistyped?); the checksummed form of these digits "
            f"is {checksum_address(int(text, 16))}"
        )
    return int(text, 16)


def selector(signature: str) -> bytes:
    """The 4-byte Solidity function selector of `signature` ("f(uint64,bytes)")."""
    return _keccak(signature.encode())[:4]


#: The two margin regimes, as accounts, records and batches name them.
STANDARD, PORTFOLIO = "standard", "portfolio"

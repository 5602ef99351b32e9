"""Proof of reserves: custody declarations signed by each address, balances read from the auditor's nodes.

A venue publishes `reserves.json` beside its epoch (docs/statement.md section 1.4): its custody wallets
(the reserves and the insurance fund), each with the EIP-191 message it signed (venue, epoch id, parameter
hash, role) and the assets it holds (native coin or ERC-20 token, by chain id and token address), and one
pinned block per chain. `prove_reserves` recovers every signer, reads every balance at the pinned block
through JSON-RPC from the node the auditor names for that chain, and sums the proven amounts per asset.
web3 is imported only when a node is read, so `zksolvency verify-account` never loads it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from .amounts import format_scaled
from .documents import read_json
from .epoch import Audit, Epoch
from .field import QUANTA_PER_UNIT
from .formats import FormatError

RESERVES_FORMAT = "zksolvency-reserves/1"
PUBLIC_RESERVES = Path("public") / "reserves.json"
ROLES = ("reserve", "insurance")
NATIVE_DECIMALS = 18
#: ERC-20 balanceOf(address) and decimals() selectors.
BALANCE_OF = "0x70a08231"
DECIMALS = "0x313ce567"


class ReservesInputError(ValueError):
    """The declarations or a node cannot be used (exit 2): the message names the file, address or chain."""


class ReservesInvalid(Exception):
    """A declaration is false (exit 1): `check` names the check, str() is "check: why"."""

    def __init__(self, check: str, why: str) -> None:
        super().__init__(f"{check}: {why}")
        self.check = check


def declaration_message(venue: str, epoch_id: int, params_hash: int, role: str) -> str:
    """The text each custody address signs (EIP-191 personal_sign): bound to venue, epoch and parameters."""
    return (
        "zksolvency custody declaration\n"
        f"venue: {venue}\n"
        f"epoch: {epoch_id}\n"
        f"parameter hash: {params_hash}\n"
        f"role: {role}"
    )


@dataclass(frozen=True)
class Holding:
    """An asset a wallet holds on one chain: the native coin (token None) or an ERC-20 token."""

    asset: str
    chain_id: int
    token: str | None


@dataclass(frozen=True)
class Wallet:
    """A custody address, its role, the message it signed and what it holds."""

    address: str
    role: str
    message: str
    signature: str
    holdings: tuple[Holding, ...]


@dataclass(frozen=True)
class Declarations:
    """A venue's reserves.json."""

    venue: str
    epoch_id: int
    params_hash: int
    blocks: dict[int, int]
    wallets: tuple[Wallet, ...]
    source: str = "reserves.json"


def _address(value: Any, where: str) -> str:
    from eth_utils import is_address, to_checksum_address

    if not isinstance(value, str) or not is_address(value):
        raise FormatError(f"{where}: not an EVM address: {str(value)[:60]!r}")
    return to_checksum_address(value)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise FormatError(f"{where}: expected a non-negative integer (a number or a decimal string)")
    return int(value)


def _field(doc: Any, key: str, where: str) -> Any:
    if not isinstance(doc, dict) or key not in doc:
        raise FormatError(f"{where}: missing field {key!r}")
    return doc[key]


def declarations_from_json(doc: Any, source: str = "reserves.json") -> Declarations:
    """Parse reserves.json; FormatError naming the file, wallet and field on anything malformed."""
    if _field(doc, "format", source) != RESERVES_FORMAT:
        raise FormatError(f"{source}: format must be {RESERVES_FORMAT!r}")
    venue = _field(doc, "venue", source)
    if not isinstance(venue, str) or not venue or "\n" in venue:
        raise FormatError(f"{source}: venue must be a non-empty one-line string")
    blocks_doc = _field(doc, "blocks", source)
    if not isinstance(blocks_doc, dict):
        raise FormatError(f"{source}: blocks must map chain ids to block numbers")
    blocks = {_int(k, f"{source}: blocks"): _int(v, f"{source}: blocks[{k}]") for k, v in blocks_doc.items()}
    wallets_doc = _field(doc, "wallets", source)
    if not isinstance(wallets_doc, list) or not wallets_doc:
        raise FormatError(f"{source}: wallets must be a non-empty list")
    wallets, seen = [], set()
    for i, w in enumerate(wallets_doc):
        where = f"{source}: wallets[{i}]"
        address = _address(_field(w, "address", where), f"{where}.address")
        where = f"{source}: wallet {address}"
        role = _field(w, "role", where)
        if role not in ROLES:
            raise FormatError(f"{where}: role must be one of {', '.join(ROLES)}")
        message, signature = _field(w, "message", where), _field(w, "signature", where)
        if not isinstance(message, str) or not isinstance(signature, str):
            raise FormatError(f"{where}: message and signature must be strings")
        holdings = []
        items = _field(w, "holdings", where)
        if not isinstance(items, list) or not items:
            raise FormatError(f"{where}: holdings must be a non-empty list")
        for j, h in enumerate(items):
            at = f"{where} holdings[{j}]"
            asset = _field(h, "asset", at)
            chain_id = _int(_field(h, "chain_id", at), f"{at}.chain_id")
            token = _field(h, "token", at)
            token = None if token is None else _address(token, f"{at}.token")
            if chain_id not in blocks:
                raise FormatError(f"{at}: chain {chain_id} has no pinned block in blocks")
            key = (address, chain_id, token)
            if key in seen:
                raise FormatError(f"{at}: {token or 'native coin'} on chain {chain_id} is declared twice")
            seen.add(key)
            holdings.append(Holding(str(asset), chain_id, token))
        wallets.append(Wallet(address, role, message, signature, tuple(holdings)))
    return Declarations(
        venue,
        _int(_field(doc, "epoch_id", source), f"{source}: epoch_id"),
        _int(_field(doc, "params_hash", source), f"{source}: params_hash"),
        blocks,
        tuple(wallets),
        source,
    )


def declarations_to_json(d: Declarations) -> dict[str, Any]:
    """reserves.json (inverse of declarations_from_json); hashes and block numbers as decimal strings."""
    return {
        "format": RESERVES_FORMAT,
        "venue": d.venue,
        "epoch_id": d.epoch_id,
        "params_hash": str(d.params_hash),
        "blocks": {str(k): str(v) for k, v in sorted(d.blocks.items())},
        "wallets": [
            {
                "address": w.address,
                "role": w.role,
                "message": w.message,
                "signature": w.signature,
                "holdings": [
                    {"asset": h.asset, "chain_id": h.chain_id, "token": h.token} for h in w.holdings
                ],
            }
            for w in d.wallets
        ],
    }


def read_declarations(path: Path) -> Declarations:
    """reserves.json at `path` (FormatError naming it)."""
    return declarations_from_json(read_json(path), str(path))


def recover_signer(message: str, signature: str) -> str | None:
    """The address whose key made the EIP-191 `signature` of `message`; None if it is malformed."""
    from eth_account import Account
    from eth_account.messages import encode_defunct

    try:
        return str(Account.recover_message(encode_defunct(text=message), signature=signature))
    except Exception:  # eth_account raises several types for a malformed signature
        return None


def _differs(message: str, expected: str) -> str:
    """Which line of the signed message is not what this epoch needs: venue, epoch, parameter hash, role."""
    got = dict(line.split(": ", 1) for line in message.splitlines()[1:] if ": " in line)
    want = dict(line.split(": ", 1) for line in expected.splitlines()[1:])
    for key in ("venue", "epoch", "parameter hash", "role"):
        if got.get(key) != want[key]:
            return f"it is for another {key} ({got.get(key, 'none')!r}, this epoch needs {want[key]!r})"
    return "it is not the declaration text"


def check_signatures(d: Declarations, epoch: Epoch) -> None:
    """Every wallet signed this venue's declaration for this epoch, parameters and role (ReservesInvalid)."""
    if d.epoch_id != epoch.epoch_id:
        raise ReservesInvalid(
            "custody declarations", f"{d.source} is for epoch {d.epoch_id}, not {epoch.epoch_id}"
        )
    if d.params_hash != epoch.params_hash:
        raise ReservesInvalid("custody declarations", f"{d.source} is for another parameter hash")
    for w in d.wallets:
        expected = declaration_message(d.venue, epoch.epoch_id, epoch.params_hash, w.role)
        if w.message != expected:
            raise ReservesInvalid(
                "custody signatures", f"the message signed by {w.address}: {_differs(w.message, expected)}"
            )
        signer = recover_signer(w.message, w.signature)
        if signer is None:
            raise ReservesInvalid("custody signatures", f"the signature of {w.address} is malformed")
        if signer != w.address:
            raise ReservesInvalid(
                "custody signatures", f"the signature of {w.address} is by another key ({signer})"
            )


# Balances ---------------------------------------------------------------------------------------------

#: Reads (address, token or None) at the chain's pinned block: (balance in the token's base units, decimals).
BalanceReader = Callable[[str, str | None], tuple[int, int]]
#: More decimals than any real token has; a token that claims more is refused rather than trusted.
MAX_DECIMALS = 36


def rpc_reader(chain_id: int, url: str, block: int) -> BalanceReader:
    """A reader on the node at `url`, after checking that it serves chain `chain_id` and that `block` is
    final there (ReservesInputError naming the chain otherwise)."""
    from web3 import HTTPProvider, Web3

    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 30}))
    try:
        answered = w3.eth.chain_id
        finalized = w3.eth.get_block("finalized")["number"]
    except Exception as exc:
        raise ReservesInputError(
            f"chain {chain_id}: the node at {url} cannot be read ({type(exc).__name__})"
        ) from None
    if answered != chain_id:
        raise ReservesInputError(f"chain {chain_id}: the node at {url} serves chain {answered}")
    if block > finalized:
        raise ReservesInputError(
            f"chain {chain_id}: block {block} is not final on the node at {url} (finalized: {finalized})"
        )

    def call(to: str, data: str) -> int:
        result = w3.eth.call({"to": to, "data": data}, block_identifier=block)  # type: ignore[typeddict-item]
        if len(result) < 32:
            raise ReservesInputError(
                f"chain {chain_id}: token {to} does not answer {data[:10]} at block {block}"
            )
        return int.from_bytes(result[:32], "big")

    def read(address: str, token: str | None) -> tuple[int, int]:
        try:
            if token is None:
                return int(w3.eth.get_balance(address, block_identifier=block)), NATIVE_DECIMALS  # type: ignore[arg-type]
            decimals = call(token, DECIMALS)
            if decimals > MAX_DECIMALS:
                raise ReservesInputError(f"chain {chain_id}: token {token} claims {decimals} decimals")
            return call(token, BALANCE_OF + address[2:].lower().rjust(64, "0")), decimals
        except ReservesInputError:
            raise
        except Exception as exc:
            what = f"token {token}" if token else "the native balance"
            raise ReservesInputError(
                f"chain {chain_id}: reading {what} of {address} at block {block} failed ({exc})"
            ) from None

    return read


def _units(quanta: int | Fraction) -> str:
    return format_scaled(quanta, QUANTA_PER_UNIT)


def to_quanta(balance: int, decimals: int) -> int:
    """A token amount in base units as quanta (10^-8 units), rounded down: never more than is held."""
    return balance * QUANTA_PER_UNIT // 10**decimals


# The report -------------------------------------------------------------------------------------------


@dataclass
class AssetReserves:
    """One asset: declared reserves (market.json), proven reserves and insurance (quanta), liabilities."""

    symbol: str
    declared: int
    liabilities: Fraction
    proven: int = 0
    insurance_proven: int = 0
    wallets: list[dict[str, str]] = field(default_factory=list)

    @property
    def unproven(self) -> int:
        """Declared but not proven: shown apart, never counted."""
        return max(self.declared - self.proven, 0)

    @property
    def covered(self) -> bool:
        """Proven reserves at least the net liabilities."""
        return self.proven >= self.liabilities


def reserves_report(
    epoch: Epoch,
    liabilities: list[Fraction],
    declarations: Declarations | None,
    readers: Mapping[int, BalanceReader] | None = None,
) -> list[AssetReserves]:
    """Per asset, declared and proven reserves: every balance of checked `declarations` (check_signatures)
    read at its chain's pinned block with `readers[chain_id]` (ReservesInputError if one is missing)."""
    rows = {
        a.symbol: AssetReserves(a.symbol, declared, owed)
        for a, declared, owed in zip(epoch.params.assets, epoch.reserves, liabilities, strict=True)
    }
    if declarations is None:
        return list(rows.values())
    for w in declarations.wallets:
        for h in w.holdings:
            if h.asset not in rows:
                raise ReservesInputError(
                    f"{declarations.source}: wallet {w.address} holds {h.asset!r}, not an asset of the epoch"
                )
            if readers is None or h.chain_id not in readers:
                raise ReservesInputError(f"chain {h.chain_id}: no node given for it (--rpc {h.chain_id}=URL)")
            balance, decimals = readers[h.chain_id](w.address, h.token)
            quanta = to_quanta(balance, decimals)
            row = rows[h.asset]
            if w.role == "reserve":
                row.proven += quanta
            else:
                row.insurance_proven += quanta
            row.wallets.append(
                {
                    "address": w.address,
                    "role": w.role,
                    "chain_id": str(h.chain_id),
                    "token": h.token or "native",
                    "amount": _units(quanta),
                }
            )
    return list(rows.values())


def connect(declarations: Declarations | None, rpc: Mapping[int, str]) -> dict[int, BalanceReader]:
    """A checked reader per chain the declarations use, from the auditor's `rpc` URLs."""
    if declarations is None:
        return {}
    readers = {}
    for chain_id, block in sorted(declarations.blocks.items()):
        if chain_id not in rpc:
            raise ReservesInputError(f"chain {chain_id}: no node given for it (--rpc {chain_id}=URL)")
        readers[chain_id] = rpc_reader(chain_id, rpc[chain_id], block)
    return readers


def parse_rpc(values: list[str] | None) -> dict[int, str]:
    """--rpc CHAIN_ID=URL, repeatable; ReservesInputError naming a malformed one."""
    out: dict[int, str] = {}
    for value in values or []:
        chain, sep, url = value.partition("=")
        if not sep or not chain.strip().isdigit() or not url.startswith(("http://", "https://")):
            raise ReservesInputError(f"--rpc {value!r}: expected CHAIN_ID=http(s)://host:port")
        if int(chain) in out:
            raise ReservesInputError(f"--rpc: chain {int(chain)} is given twice")
        out[int(chain)] = url
    return out


def audit_reserves(
    epoch: Epoch, audit: Audit, path: Path, rpc: list[str] | None, *, required: bool = False
) -> list[AssetReserves]:
    """The reserve proof of `zksolvency verify`, after the epoch audit: reads the declarations at `path`
    (none if the file does not exist and is not `required`: nothing is proven), checks them, reads the
    balances and records in `audit` a failure for a false declaration or an asset whose proven reserves
    do not cover its net liabilities.
    ReservesInputError or FormatError for what cannot be used (exit 2)."""
    urls = parse_rpc(rpc)
    declarations = read_declarations(path) if required or path.exists() else None
    declared = [(c.symbol, c.reserves, c.liabilities) for c in audit.coverage]
    if not audit.valid:
        return [AssetReserves(*row) for row in declared]
    try:
        if declarations is not None:
            check_signatures(declarations, epoch)
            audit.passed.append("custody signatures")
        rows = reserves_report(
            epoch, [c.liabilities for c in audit.coverage], declarations, connect(declarations, urls)
        )
    except ReservesInvalid as exc:
        audit.failure, audit.failed_check = str(exc), exc.check
        return [AssetReserves(*row) for row in declared]
    for row in rows:
        name = f"proven reserves {row.symbol}"
        if row.covered:
            audit.passed.append(name)
        elif audit.valid:
            audit.failure, audit.failed_check = (
                f"{name}: proven reserves {_units(row.proven)} are below net liabilities "
                f"{_units(row.liabilities)} (declared {_units(row.declared)}, "
                f"{_units(row.unproven)} of them unproven)",
                name,
            )
    # The insurance fund that covers the bad debt (check 12) must be held too, in its own wallets.
    for asset, row in zip(epoch.params.assets, rows, strict=True):
        name = f"proven insurance {row.symbol}"
        if not asset.insurance:
            continue
        if row.insurance_proven >= asset.insurance:
            audit.passed.append(name)
        elif audit.valid:
            audit.failure, audit.failed_check = (
                f"{name}: the insurance wallets hold {_units(row.insurance_proven)}, below the declared "
                f"fund of {_units(asset.insurance)}",
                name,
            )
    return rows

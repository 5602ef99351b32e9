"""The venue's side of the proof of reserves: signed custody declarations and on-chain custody registration.

`sign_declarations` makes reserves.json (verifier/reserves.py reads and checks it): each custody key
signs the epoch's declaration message. `register_custody` puts a custody holding into SolvencyRegistry
with the holder's signature of the registry's custodyDigest. `provision_custody` and `declare_custody`
serve the tests and the demo on a throwaway anvil node (DemoToken is not an asset of any value).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.types import TxReceipt

from zksolvency.verifier.epoch import Epoch
from zksolvency.verifier.field import QUANTA_PER_UNIT
from zksolvency.verifier.reserves import NATIVE_DECIMALS, Declarations, Holding, Wallet, declaration_message

from .anvil import FINALITY_DEPTH, Anvil, dev_account
from .chain import Chain

ZERO = "0x" + "00" * 20
#: anvil development accounts used as custody wallets (UNSAFE keys): one per asset from 3, insurance 9.
RESERVE_WALLETS = 3
INSURANCE_WALLET = 9


def sign_declarations(
    venue: str,
    epoch: Epoch,
    wallets: Sequence[tuple[LocalAccount, str, Sequence[Holding]]],
    blocks: dict[int, int],
) -> Declarations:
    """Each (key, role, holdings) signs the declaration of `venue` for `epoch` and its role."""
    signed = []
    for key, role, holdings in wallets:
        message = declaration_message(venue, epoch.epoch_id, epoch.params_hash, role)
        signature = Account.sign_message(encode_defunct(text=message), key.key).signature
        signed.append(Wallet(key.address, role, message, "0x" + bytes(signature).hex(), tuple(holdings)))
    return Declarations(venue, epoch.epoch_id, epoch.params_hash, dict(blocks), tuple(signed))


def custody_signature(registry: Contract, holder: LocalAccount, asset: int, token: str | None) -> bytes:
    """The holder's EIP-191 signature of the registry's custodyDigest(holder, asset, token)."""
    digest = registry.functions.custodyDigest(holder.address, asset, token or ZERO).call()
    return bytes(Account.sign_message(encode_defunct(primitive=digest), holder.key).signature)


def register_custody(
    chain: Chain, registry: Contract, venue: str, holder: LocalAccount, asset: int, token: str | None
) -> TxReceipt:
    """addCustody by the venue with `holder`'s signature."""
    signature = custody_signature(registry, holder, asset, token)
    fn = registry.functions.addCustody(holder.address, asset, token or ZERO, signature)
    return chain.send(fn, venue)


def deploy_token(chain: Chain, name: str, symbol: str, decimals: int, minter: str) -> Contract:
    """A DemoToken minted by `minter`."""
    return chain.deploy("DemoToken", name, symbol, decimals, sender=minter)[0]


def base_units(quanta: int, decimals: int) -> int:
    """Quanta (10^-8 units) as token base units, rounded up: a wallet funded so holds at least `quanta`."""
    return -(-quanta * 10**decimals // QUANTA_PER_UNIT)


@dataclass
class CustodyWallets:
    """The demo's custody on one node: a token per asset (None: the native coin) and the wallets' keys."""

    tokens: dict[str, Contract | None]
    reserve: dict[str, LocalAccount]
    insurance: LocalAccount


def provision_custody(
    node: Anvil, chain: Chain, epoch: Epoch, amounts: Sequence[int], insurance: int, minter: str
) -> CustodyWallets:
    """On a throwaway anvil node: a DemoToken per asset (6 decimals for the settlement asset, 8 for the
    others; ETH is the native coin), one UNSAFE development wallet per asset holding `amounts[i]` quanta,
    and an insurance wallet holding `insurance` quanta of the settlement asset."""
    tokens: dict[str, Contract | None] = {}
    reserve: dict[str, LocalAccount] = {}
    for i, (asset, quanta) in enumerate(zip(epoch.params.assets, amounts, strict=True)):
        wallet = dev_account(RESERVE_WALLETS + i)
        if asset.symbol == "ETH":
            tokens[asset.symbol] = None
            node.set_balance(wallet.address, base_units(quanta, NATIVE_DECIMALS))
        else:
            decimals = 6 if i == 0 else 8
            token = deploy_token(chain, f"demo {asset.symbol} (no value)", asset.symbol, decimals, minter)
            chain.send(token.functions.mint(wallet.address, base_units(quanta, decimals)), minter)
            tokens[asset.symbol] = token
        reserve[asset.symbol] = wallet
    fund = dev_account(INSURANCE_WALLET)
    settlement = tokens[epoch.params.assets[0].symbol]
    if settlement is None:
        node.set_balance(fund.address, base_units(insurance, NATIVE_DECIMALS))
    else:
        decimals = settlement.functions.decimals().call()
        chain.send(settlement.functions.mint(fund.address, base_units(insurance, decimals)), minter)
    return CustodyWallets(tokens, reserve, fund)


def declare_custody(
    node: Anvil, venue: str, epoch: Epoch, custody: CustodyWallets, confirmations: int = FINALITY_DEPTH
) -> Declarations:
    """Pin the node's current block, sign every wallet's declaration, then mine `confirmations` blocks
    so that the pinned block is final on the node."""
    chain_id, block = node.chain_id, node.web3().eth.block_number
    settlement = epoch.params.assets[0].symbol

    def holding(symbol: str) -> Holding:
        token = custody.tokens[symbol]
        return Holding(symbol, chain_id, token.address if token is not None else None)

    wallets = [(key, "reserve", [holding(symbol)]) for symbol, key in custody.reserve.items()]
    wallets.append((custody.insurance, "insurance", [holding(settlement)]))
    declarations = sign_declarations(venue, epoch, wallets, {chain_id: block})
    node.mine(confirmations)
    return declarations

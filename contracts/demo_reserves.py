"""The demo's proof of reserves: a throwaway anvil node with the sample venue's custody on it.

`prove_demo_reserves` starts anvil, deploys a DemoToken per asset (ETH is the native coin), funds one
custody wallet per asset with the declared reserves and an insurance wallet with the declared fund, has
every wallet sign the epoch's declaration, and runs the same reserve proof as `zksolvency verify --rpc`
on the node (the declarations are written to `out`/reserves.json). The wallets are anvil's UNSAFE
development accounts.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zksolvency.verifier.epoch import Audit, Epoch
from zksolvency.verifier.reserves import AssetReserves, audit_reserves, declarations_to_json

from .anvil import Anvil
from .custody import declare_custody, provision_custody
from .solidity import CONTRACTS, compile_solidity

DEMO_VENUE = "zksolvency sample venue (demo)"


@contextmanager
def local_custody(epoch: Epoch, path: Path, venue: str = DEMO_VENUE) -> Iterator[str]:
    """While open, an anvil node holding `epoch`'s custody: a wallet per asset with the declared reserves and
    an insurance wallet with the declared fund (in the settlement asset), their declarations signed and
    written to `path`. Yields the node as `verify --rpc` takes it ("CHAIN_ID=URL")."""
    token = compile_solidity({"src/DemoToken.sol": (CONTRACTS / "src" / "DemoToken.sol").read_text()})
    with Anvil() as node:
        chain = node.chain(token)
        minter = chain.w3.eth.accounts[0]
        insurance = epoch.params.assets[0].insurance
        custody = provision_custody(node, chain, epoch, epoch.reserves, insurance, minter)
        declarations = declare_custody(node, venue, epoch, custody)
        path.write_text(json.dumps(declarations_to_json(declarations), indent=1))
        yield f"{node.chain_id}={node.url}"


def prove_demo_reserves(epoch: Epoch, audit: Audit, out: Path) -> list[AssetReserves]:
    """Custody funded with the declared reserves, declarations signed, reserves proven from the node."""
    path = out / "reserves.json"
    with local_custody(epoch, path) as rpc:
        return audit_reserves(epoch, audit, path, [rpc], required=True)

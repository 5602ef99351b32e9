"""A local anvil node (npm package @foundry-rs/anvil, pinned in package-lock.json) for tests and the demo.

`Anvil(chain_id)` starts the binary that ships inside the package on a free loopback port and stops it
on exit. Its accounts are anvil's well-known development accounts: their private keys are public, so
they are UNSAFE anywhere but on this throwaway node.
"""

import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from zksolvency.prover.toolchain import NODE_MODULES, ToolchainError

from .chain import Chain
from .solidity import Artifact

#: anvil's default mnemonic ("test test ... junk"): its keys are public, UNSAFE outside a throwaway node.
UNSAFE_DEV_MNEMONIC = "test test test test test test test test test test test junk"
START_TIMEOUT_S = 30.0
#: The EVM rules the node runs (pinned, so that gas figures do not move with anvil's default).
HARDFORK = "prague"
#: anvil reports as "finalized" the block this many below the latest.
FINALITY_DEPTH = 64


def anvil_binary() -> Path:
    """The anvil executable inside node_modules/@foundry-rs/anvil-<os>-<arch>."""
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform, sys.platform)
    name = "anvil.exe" if system == "win32" else "anvil"
    path = NODE_MODULES / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / name
    if not path.is_file():
        raise ToolchainError(f"anvil is not installed ({path} is missing): run `npm ci`")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Anvil:
    """An anvil node with chain id `chain_id` on a free loopback port, for the life of a `with` block."""

    def __init__(self, chain_id: int = 31337, *, block_time: int | None = None) -> None:
        self.chain_id = chain_id
        self.block_time = block_time
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The node's JSON-RPC URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Anvil":
        """Start the node and wait until it answers eth_chainId."""
        self.port = free_port()
        args = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(self.port)]
        args += ["--chain-id", str(self.chain_id), "--mnemonic", UNSAFE_DEV_MNEMONIC, "--silent"]
        args += ["--gas-limit", "30000000", "--code-size-limit", "24576", "--hardfork", HARDFORK]
        if self.block_time:
            args += ["--block-time", str(self.block_time)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT_S
        w3 = self.web3()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise ToolchainError(f"anvil exited with status {self.process.returncode}: {error}")
            try:
                if w3.eth.chain_id == self.chain_id:
                    return self
            except Exception:  # not listening yet
                time.sleep(0.05)
        self.stop()
        raise ToolchainError(f"anvil did not answer on {self.url} within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        """Stop the node (it keeps no state on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def web3(self) -> Web3:
        """A web3 connection to the node."""
        return Web3(HTTPProvider(self.url, request_kwargs={"timeout": 60}))

    def chain(self, artifacts: dict[str, Artifact]) -> Chain:
        """The compiled contracts on this node."""
        return Chain(self.web3(), artifacts, self.chain_id)

    def rpc(self, method: str, *params: Any) -> Any:
        """A raw JSON-RPC call (anvil_*, evm_*); raises on an error answer."""
        response = self.web3().provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result")

    def snapshot(self) -> str:
        """evm_snapshot: an id to revert to."""
        return str(self.rpc("evm_snapshot"))

    def revert(self, snapshot: str) -> None:
        """evm_revert to `snapshot` (which anvil then forgets: take a new one to revert again)."""
        self.rpc("evm_revert", snapshot)

    def mine(self, blocks: int = 1) -> None:
        """Mine `blocks` empty blocks."""
        self.rpc("anvil_mine", hex(blocks))

    def set_balance(self, address: str, wei: int) -> None:
        """anvil_setBalance: the native balance of `address`."""
        self.rpc("anvil_setBalance", address, hex(wei))

    def set_next_timestamp(self, timestamp: int) -> None:
        """The next block's timestamp."""
        self.rpc("evm_setNextBlockTimestamp", hex(timestamp))

    def __enter__(self) -> "Anvil":
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def dev_account(index: int) -> LocalAccount:
    """anvil's development account `index` (m/44'/60'/0'/0/index of UNSAFE_DEV_MNEMONIC): UNSAFE."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(UNSAFE_DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")

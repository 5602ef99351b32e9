"""Where the pinned JavaScript tools live: the circom 2 compiler (WebAssembly build) and snarkjs."""

import shutil
import subprocess
from pathlib import Path

#: The repository root: circuits/ and node_modules/ sit under it.
ROOT = Path(__file__).resolve().parents[1]
CIRCUITS = ROOT / "circuits"
NODE_MODULES = ROOT / "node_modules"
BUILD = ROOT / "build"


class ToolchainError(RuntimeError):
    """A tool is missing or failed; the message says which and how to install it."""


def node() -> str:
    """Path of the node executable."""
    path = shutil.which("node")
    if path is None:
        raise ToolchainError("node is not installed: the circom compiler and snarkjs run on Node.js 20")
    return path


def js_tool(package: str, script: str) -> Path:
    """Path of an npm tool's script, after `npm ci` at the repository root."""
    path = NODE_MODULES / package / script
    if not path.exists():
        raise ToolchainError(f"{package} is not installed: run `npm ci` in {ROOT}")
    return path


def run_js(package: str, script: str, args: list[str], cwd: Path = ROOT) -> str:
    """Run an npm tool and return its output; ToolchainError carries the output when it fails."""
    result = subprocess.run(
        [node(), str(js_tool(package, script)), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise ToolchainError(f"{package} failed:\n{output}")
    return output

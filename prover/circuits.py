"""Building the circuits of a profile: the main components, circom compilation at --O2, and their sizes."""

import hashlib
import json
import re
import struct
from dataclasses import asdict, dataclass
from pathlib import Path

from zksolvency.verifier.ceremonies import CIRCUIT_KINDS as KINDS
from zksolvency.verifier.profiles import Profile

from .toolchain import BUILD, CIRCUITS, ROOT, ToolchainError, run_js

COMPILER = ("circom2", "cli.js")


@dataclass(frozen=True)
class CircuitInfo:
    """Sizes of one compiled circuit, read from its .r1cs header."""

    constraints: int
    wires: int
    public_inputs: int
    private_inputs: int


@dataclass(frozen=True)
class Circuit:
    """A compiled circuit: its files and its size."""

    kind: str
    profile: Profile
    directory: Path
    source_hash: str
    info: CircuitInfo

    @property
    def r1cs(self) -> Path:
        """The constraint system."""
        return self.directory / f"{self.kind}.r1cs"

    @property
    def wasm(self) -> Path:
        """The witness generator."""
        return self.directory / f"{self.kind}_js" / f"{self.kind}.wasm"


def main_source(kind: str, profile: Profile) -> str:
    """The `main` component of circuit `kind` for `profile`."""
    p = profile
    sizes = f"{p.assets}, {p.markets}, {p.options}, {p.tiers}, {p.brackets}"
    if kind == "batch":
        return (
            f'include "circuits/batch_solvency.circom";\n'
            f"component main {{public [paramsHash, batchIndex, prevState, nextState, subtreeRoot]}} =\n"
            f"    BatchSolvency({p.batch_levels}, {sizes});\n"
        )
    if kind == "portfolio_batch":
        return (
            f'include "circuits/portfolio_batch.circom";\n'
            f"component main {{public [paramsHash, batchIndex, prevState, nextState, subtreeRoot]}} =\n"
            f"    PortfolioBatch({p.batch_levels}, {sizes}, {p.scenarios});\n"
        )
    if kind == "margin":
        return (
            f'include "circuits/account_margin.circom";\n'
            f"component main {{public [root, paramsHash, threshold, binding, scope, nullifier]}} =\n"
            f"    AccountMargin({p.tree_depth}, {sizes});\n"
        )
    raise ValueError(f"unknown circuit kind {kind!r}; known: {', '.join(KINDS)}")


def source_hash(kind: str, profile: Profile) -> str:
    """SHA-256 over the main component, every .circom file of circuits/ and the compiler's version."""
    digest = hashlib.sha256(main_source(kind, profile).encode())
    for path in sorted(CIRCUITS.rglob("*.circom")):
        digest.update(path.relative_to(CIRCUITS).as_posix().encode() + b"\0" + path.read_bytes())
    package = ROOT / "node_modules" / COMPILER[0] / "package.json"
    digest.update(package.read_bytes() if package.exists() else b"")
    return digest.hexdigest()


def read_r1cs_info(path: Path) -> CircuitInfo:
    """Constraint, wire and input counts from the header section of a .r1cs file."""
    data = path.read_bytes()
    if data[:4] != b"r1cs":
        raise ToolchainError(f"{path} is not an .r1cs file")
    (sections,) = struct.unpack_from("<I", data, 8)
    offset = 12
    for _ in range(sections):
        kind, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if kind == 1:
            (n8,) = struct.unpack_from("<I", data, offset)
            wires, _outputs, public, private, _labels, constraints = struct.unpack_from(
                "<IIIIQI", data, offset + 4 + n8
            )
            return CircuitInfo(constraints, wires, public, private)
        offset += size
    raise ToolchainError(f"{path} has no header section")


def compile_main(directory: Path, name: str, source: str) -> CircuitInfo:
    """Compile `source` (a main component, includes relative to the repository root) into `directory`.

    Runs circom --O2 --inspect and fails if the compiler reports a warning: --inspect flags signals
    that the constraints do not pin down.
    """
    if not directory.resolve().is_relative_to(ROOT):
        raise ToolchainError(f"the circom compiler only reads files under {ROOT}; {directory} is outside it")
    directory.mkdir(parents=True, exist_ok=True)
    main = directory / f"{name}.circom"
    main.write_text("pragma circom 2.2.0;\n\n" + source)
    rel = directory.resolve().relative_to(ROOT)
    args = [str(rel / main.name), "--r1cs", "--wasm", "--O2", "--inspect", "-l", "node_modules", "-l", "."]
    output = run_js(*COMPILER, [*args, "-o", str(rel)])
    if any(re.search(r"warning", line, re.IGNORECASE) for line in output.splitlines()):
        raise ToolchainError(f"circom --inspect reported problems in {main}:\n{output}")
    return read_r1cs_info(directory / f"{name}.r1cs")


def build(kind: str, profile: Profile, build_root: Path = BUILD) -> Circuit:
    """Compile circuit `kind` for `profile`, unless the same sources were built already."""
    digest = source_hash(kind, profile)
    directory = build_root / "circuits" / profile.name / kind
    stamp = directory / "build.json"
    if stamp.exists():
        recorded = json.loads(stamp.read_text())
        if recorded.get("source_hash") == digest:
            return Circuit(kind, profile, directory, digest, CircuitInfo(**recorded["info"]))
    info = compile_main(directory, kind, main_source(kind, profile))
    stamp.write_text(json.dumps({"source_hash": digest, "info": asdict(info)}, indent=2))
    return Circuit(kind, profile, directory, digest, info)

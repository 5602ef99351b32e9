"""The trusted setup ceremony for production keys (Groth16 phase 2, snarkjs-compatible .zkey files).

A ceremony starts from a published powers-of-tau file (phase 1) and a profile's compiled circuits.
Any number of parties then contribute in turn, each adding secret randomness to every circuit's
key; the keys are safe if one contributor destroyed their randomness. Anyone can verify the whole
transcript against the circuits and the powers of tau; a public random beacon closes it. The
final keys are imported into groth16py for proving (proofs verify under snarkjs too).

DIR/transcript.json            profile, powers-of-tau file and hash, circuits and their hashes,
                               contributions (name and contribution hash per circuit), beacon
DIR/KIND/KIND_NNNN.zkey        the key after contribution NNNN (0000: no contribution yet)
DIR/KIND/KIND_final.zkey       after the beacon
"""

import hashlib
import json
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import groth16py

from zksolvency.verifier.ceremonies import CIRCUIT_KINDS as KINDS
from zksolvency.verifier.ceremonies import TRANSCRIPT, CeremonyError
from zksolvency.verifier.profiles import Profile, get_profile

from .circuits import Circuit, build
from .keys import CEREMONY, CircuitKeys, copy_circuit, load_keys, write_setup
from .toolchain import ToolchainError, run_js

SNARKJS = ("snarkjs", "cli.js")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def snarkjs(*args: str) -> str:
    """Run snarkjs; CeremonyError with its output when it fails or reports an error."""
    try:
        output = run_js(*SNARKJS, list(args))
    except ToolchainError as exc:
        raise CeremonyError(str(exc)) from None
    if re.search(r"\[ERROR\]|Error:", output):
        raise CeremonyError(f"snarkjs {' '.join(args[:2])} failed:\n{output}")
    return output


def local_powers_of_tau(power: int, out: Path, entropy: str | None = None) -> Path:
    """An UNSAFE single-contributor powers-of-tau file, for tests and development only.

    Production ceremonies start from a published phase-1 file with many contributors.
    """
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "pot_0000.ptau", Path(tmp) / "pot_0001.ptau"
        snarkjs("powersoftau", "new", "bn128", str(power), str(first))
        randomness = f"-e={entropy or secrets.token_hex(32)}"
        snarkjs("powersoftau", "contribute", str(first), str(second), "--name=local", randomness)
        snarkjs("powersoftau", "prepare", "phase2", str(second), str(out))
    return out


@dataclass
class Ceremony:
    """A ceremony folder and its transcript."""

    directory: Path
    transcript: dict[str, Any]

    @classmethod
    def open(cls, directory: Path) -> "Ceremony":
        """Read an existing ceremony folder."""
        path = directory / TRANSCRIPT
        if not path.exists():
            raise CeremonyError(f"{directory} is not a ceremony folder (no {TRANSCRIPT})")
        return cls(directory, json.loads(path.read_text()))

    @property
    def profile(self) -> Profile:
        """The profile whose circuits the ceremony makes keys for."""
        return get_profile(self.transcript["profile"])

    @property
    def ptau(self) -> Path:
        """The phase-1 file."""
        return Path(self.transcript["ptau"]["path"])

    def circuit(self, kind: str) -> Circuit:
        """The compiled circuit of `kind`, checked against the transcript's source hash."""
        circuit = build(kind, self.profile)
        if circuit.source_hash != self.transcript["circuits"][kind]["source_hash"]:
            raise CeremonyError(f"{kind}: the circuit sources changed since the ceremony started")
        return circuit

    def zkey(self, kind: str, index: int | str) -> Path:
        """The key of `kind` after contribution `index` (or "final")."""
        suffix = index if isinstance(index, str) else f"{index:04d}"
        return self.directory / kind / f"{kind}_{suffix}.zkey"

    @property
    def latest(self) -> int:
        """Index of the latest contribution (0 before any)."""
        return len(self.transcript["contributions"])

    def save(self) -> None:
        """Write the transcript."""
        (self.directory / TRANSCRIPT).write_text(json.dumps(self.transcript, indent=2) + "\n")


def start(directory: Path, profile: Profile, ptau: Path) -> Ceremony:
    """Start a ceremony: the initial (contribution-free) key of each circuit from the powers of tau."""
    if (directory / TRANSCRIPT).exists():
        raise CeremonyError(f"{directory} already holds a ceremony")
    if not ptau.exists():
        raise CeremonyError(f"{ptau}: no such powers-of-tau file")
    transcript: dict[str, Any] = {
        "profile": profile.name,
        "ptau": {"path": str(ptau.resolve()), "sha256": sha256_file(ptau)},
        "circuits": {},
        "contributions": [],
        "beacon": None,
    }
    ceremony = Ceremony(directory, transcript)
    for kind in KINDS:
        circuit = build(kind, profile)
        (directory / kind).mkdir(parents=True, exist_ok=True)
        snarkjs("groth16", "setup", str(circuit.r1cs), str(ptau), str(ceremony.zkey(kind, 0)))
        transcript["circuits"][kind] = {
            "source_hash": circuit.source_hash,
            "r1cs_sha256": sha256_file(circuit.r1cs),
        }
    ceremony.save()
    return ceremony


def _contribution_hash(output: str) -> str:
    match = re.search(r"Contribution Hash:\s*((?:[0-9a-f]{8}\s*)+)", output)
    if not match:
        raise CeremonyError(f"snarkjs printed no contribution hash:\n{output}")
    return "".join(match.group(1).split())


def contribute(ceremony: Ceremony, name: str, entropy: str | None = None) -> dict[str, Any]:
    """Add one party's contribution to every circuit's key; returns the transcript entry."""
    if ceremony.transcript["beacon"] is not None:
        raise CeremonyError("the ceremony is closed by its beacon")
    if not name or any(c in name for c in "\"'\n"):
        raise CeremonyError("a contributor name is required (no quotes or newlines)")
    index = ceremony.latest + 1
    entry: dict[str, Any] = {"index": index, "name": name, "hashes": {}}
    randomness = entropy or secrets.token_hex(32)
    for kind in KINDS:
        before, after = ceremony.zkey(kind, index - 1), ceremony.zkey(kind, index)
        output = snarkjs("zkey", "contribute", str(before), str(after), f"--name={name}", f"-e={randomness}")
        entry["hashes"][kind] = _contribution_hash(output)
    ceremony.transcript["contributions"].append(entry)
    ceremony.save()
    return entry


def finish(ceremony: Ceremony, beacon: str, iterations: int = 10) -> None:
    """Close the ceremony with a public random beacon (hex, e.g. a future block hash)."""
    if ceremony.transcript["beacon"] is not None:
        raise CeremonyError("the ceremony already has its beacon")
    if ceremony.latest < 1:
        raise CeremonyError("a ceremony needs at least one contribution before its beacon")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", beacon) or not 10 <= iterations <= 63:
        raise CeremonyError("the beacon is 32 bytes in hex and iterations (log2) between 10 and 63")
    hashes = {}
    for kind in KINDS:
        before, after = ceremony.zkey(kind, ceremony.latest), ceremony.zkey(kind, "final")
        output = snarkjs(
            "zkey", "beacon", str(before), str(after), beacon, str(iterations), "-n=Final Beacon"
        )
        hashes[kind] = _contribution_hash(output)
    ceremony.transcript["beacon"] = {"value": beacon, "iterations": iterations, "hashes": hashes}
    ceremony.save()


def verify(ceremony: Ceremony) -> list[str]:
    """Verify every circuit's latest key against its circuit and the powers of tau, contribution by
    contribution (snarkjs zkey verify), and that the contributions are the transcript's. Returns a
    line per checked fact; CeremonyError on the first that fails."""
    if sha256_file(ceremony.ptau) != ceremony.transcript["ptau"]["sha256"]:
        raise CeremonyError(f"{ceremony.ptau}: not the powers-of-tau file the ceremony started from")
    final = ceremony.transcript["beacon"] is not None
    lines = []
    for kind in KINDS:
        circuit = ceremony.circuit(kind)
        zkey = ceremony.zkey(kind, "final" if final else ceremony.latest)
        output = snarkjs("zkey", "verify", str(circuit.r1cs), str(ceremony.ptau), str(zkey))
        if "ZKey Ok!" not in output:
            raise CeremonyError(f"{kind}: snarkjs does not accept {zkey.name}:\n{output}")
        expected = [c["hashes"][kind] for c in ceremony.transcript["contributions"]]
        if final:
            expected.append(ceremony.transcript["beacon"]["hashes"][kind])
        listed = re.findall(r"contribution #\d+[^\n]*\n((?:\s*[0-9a-f]{8}){16})", output)
        found = ["".join(h.split()) for h in reversed(listed)]  # snarkjs lists the newest first
        if found != expected:
            raise CeremonyError(f"{kind}: the key's contributions are not the transcript's")
        lines.append(
            f"{kind}: {zkey.name} verifies with {len(expected)} contributions against the circuit and phase 1"
        )
    return lines


def transcript_hash(ceremony: Ceremony) -> str:
    """SHA-256 of the transcript file: the reference an epoch made with these keys carries."""
    return sha256_file(ceremony.directory / TRANSCRIPT)


def export_keys(ceremony: Ceremony, out: Path) -> dict[str, CircuitKeys]:
    """Verify the closed ceremony, then write a key folder per circuit (setup kind "ceremony")."""
    if ceremony.transcript["beacon"] is None:
        raise CeremonyError("finish the ceremony with its beacon before exporting keys")
    verify(ceremony)
    keys = {}
    for kind in KINDS:
        circuit = ceremony.circuit(kind)
        directory = out / kind
        if (directory / "setup.json").exists():
            raise CeremonyError(f"{directory} already holds keys")
        local = copy_circuit(circuit, directory)
        zkey = ceremony.zkey(kind, "final")
        snarkjs("zkey", "export", "verificationkey", str(zkey), str(directory / "verification_key.json"))
        proving_key, _ = groth16py.import_zkey(str(zkey))
        proving_key.save(str(directory / "proving_key.bin"))
        write_setup(
            local,
            directory,
            CEREMONY,
            transcript_sha256=transcript_hash(ceremony),
            zkey_sha256=sha256_file(zkey),
            contributions=[c["name"] for c in ceremony.transcript["contributions"]],
            beacon=ceremony.transcript["beacon"]["value"],
        )
        keys[kind] = load_keys(directory)
    return keys

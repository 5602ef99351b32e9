"""Proving and verification keys of a compiled circuit, in a folder of their own.

A key folder holds the circuit it belongs to (KIND.r1cs, KIND_js/KIND.wasm), groth16py's proving key
(proving_key.bin), snarkjs' verification_key.json and setup.json (how the keys were made, for which
circuit source hash). Development keys come from a single-party setup: whoever ran it knows the toxic
waste and can forge proofs. They are labelled UNSAFE in setup.json, in the CLI output and in every
epoch that uses them; production keys come from a ceremony (prover/ceremony.py).
"""

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import groth16py

from zksolvency.verifier.ceremonies import CEREMONY, DEVELOPMENT, UNSAFE_NOTE, CeremonyReference
from zksolvency.verifier.profiles import get_profile

from .circuits import Circuit, CircuitInfo
from .toolchain import BUILD


@dataclass(frozen=True)
class CircuitKeys:
    """A circuit's keys on disk and how they were made."""

    circuit: Circuit
    directory: Path
    setup_kind: str

    @property
    def proving_key_path(self) -> Path:
        """groth16py's serialised proving key."""
        return self.directory / "proving_key.bin"

    @property
    def verification_key(self) -> dict[str, Any]:
        """snarkjs verification_key.json."""
        return json.loads((self.directory / "verification_key.json").read_text())

    @property
    def ceremony(self) -> CeremonyReference | None:
        """For ceremony keys: the transcript they come from."""
        record = json.loads((self.directory / "setup.json").read_text())
        return CeremonyReference(record["transcript_sha256"]) if self.setup_kind == CEREMONY else None

    @property
    def unsafe(self) -> bool:
        """True for single-party development keys."""
        return self.setup_kind == DEVELOPMENT

    def proving_key(self) -> groth16py.ProvingKey:
        """Load the proving key (once per process that proves)."""
        return groth16py.ProvingKey.load(str(self.proving_key_path))


def copy_circuit(circuit: Circuit, directory: Path) -> Circuit:
    """The circuit's .r1cs and .wasm copied into `directory`, as a Circuit that lives there."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / circuit.wasm.parent.name).mkdir(exist_ok=True)
    shutil.copyfile(circuit.r1cs, directory / circuit.r1cs.name)
    shutil.copyfile(circuit.wasm, directory / circuit.wasm.parent.name / circuit.wasm.name)
    return Circuit(circuit.kind, circuit.profile, directory, circuit.source_hash, circuit.info)


def write_setup(circuit: Circuit, directory: Path, kind: str, **extra: Any) -> None:
    """Record how the keys in `directory` were made (written last: its presence marks complete keys)."""
    record = {
        "kind": kind,
        "unsafe": kind == DEVELOPMENT,
        **({"note": UNSAFE_NOTE} if kind == DEVELOPMENT else {}),
        "circuit": circuit.kind,
        "profile": circuit.profile.name,
        "source_hash": circuit.source_hash,
        "info": asdict(circuit.info),
        **extra,
    }
    (directory / "setup.json").write_text(json.dumps(record, indent=2))


def load_keys(directory: Path) -> CircuitKeys:
    """The keys in `directory`; FileNotFoundError if they are incomplete."""
    stamp = directory / "setup.json"
    if not stamp.exists():
        raise FileNotFoundError(f"{directory} holds no complete keys (no setup.json)")
    record = json.loads(stamp.read_text())
    circuit = Circuit(
        record["circuit"],
        get_profile(record["profile"]),
        directory,
        record["source_hash"],
        CircuitInfo(**record["info"]),
    )
    return CircuitKeys(circuit, directory, record["kind"])


def development_keys(circuit: Circuit, directory: Path | None = None) -> CircuitKeys:
    """Single-party (UNSAFE) keys for `circuit`; kept while the circuit's source hash is unchanged."""
    directory = directory or BUILD / "keys" / circuit.profile.name / circuit.kind
    stamp = directory / "setup.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("source_hash") == circuit.source_hash:
        return load_keys(directory)
    if directory.exists() and any(directory.iterdir()) and not stamp.exists():
        raise FileExistsError(f"{directory} is not empty and holds no keys: refusing to write keys there")
    staging = directory.with_name(f".{directory.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    local = copy_circuit(circuit, staging)
    proving_key, verifying_key = groth16py.setup(str(local.r1cs))
    proving_key.save(str(staging / "proving_key.bin"))
    (staging / "verification_key.json").write_text(verifying_key.to_json())
    write_setup(local, staging, DEVELOPMENT)
    shutil.rmtree(directory, ignore_errors=True)  # keys of an older circuit
    staging.rename(directory)
    return load_keys(directory)

"""Proving and verification keys of a compiled circuit.

Development keys come from a single-party setup: whoever ran it knows the toxic waste and can forge
proofs. They are labelled UNSAFE in their files, in the CLI output and in every epoch that uses them.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import groth16py

from .circuits import Circuit
from .toolchain import BUILD

DEVELOPMENT = "development"
UNSAFE_NOTE = (
    "UNSAFE: single-party development setup. Whoever ran it can forge proofs; never use these keys for funds."
)


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
    def unsafe(self) -> bool:
        """True for single-party development keys."""
        return self.setup_kind == DEVELOPMENT

    def proving_key(self) -> groth16py.ProvingKey:
        """Load the proving key (once per process that proves)."""
        return groth16py.ProvingKey.load(str(self.proving_key_path))


def development_keys(circuit: Circuit, build_root: Path = BUILD) -> CircuitKeys:
    """Single-party (UNSAFE) keys for `circuit`, cached by the circuit's source hash."""
    directory = build_root / "keys" / circuit.profile.name / circuit.kind / circuit.source_hash[:16]
    stamp = directory / "setup.json"
    if not stamp.exists():
        directory.mkdir(parents=True, exist_ok=True)
        proving_key, verifying_key = groth16py.setup(str(circuit.r1cs))
        proving_key.save(str(directory / "proving_key.bin"))
        (directory / "verification_key.json").write_text(verifying_key.to_json())
        stamp.write_text(
            json.dumps(
                {
                    "kind": DEVELOPMENT,
                    "unsafe": True,
                    "note": UNSAFE_NOTE,
                    "source_hash": circuit.source_hash,
                },
                indent=2,
            )
        )
    return CircuitKeys(circuit, directory, json.loads(stamp.read_text())["kind"])

"""Groth16 proving: witness from the circuit's WebAssembly, proof from groth16py (arkworks)."""

import tempfile
from pathlib import Path

import groth16py

from zksolvency.verifier.groth16 import Proof

from .inputs import Signals
from .keys import CircuitKeys
from .witness import WitnessCalculator


class Prover:
    """Proves one circuit with one key; loads the key and the witness generator once."""

    def __init__(self, keys: CircuitKeys) -> None:
        self.keys = keys
        self._proving_key = keys.proving_key()
        self._witness = WitnessCalculator(keys.circuit.wasm)

    def witness(self, signals: Signals) -> bytes:
        """The .wtns file for `signals`; WitnessError if they break a constraint."""
        return self._witness.calculate_wtns(signals)

    def prove_wtns(self, wtns: bytes) -> Proof:
        """A proof from a witness file's bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "witness.wtns"
            path.write_bytes(wtns)
            return Proof.from_bytes(bytes(groth16py.prove_wtns(self._proving_key, str(path))))

    def prove(self, signals: Signals) -> Proof:
        """A proof for `signals`; WitnessError if they break a constraint."""
        return self.prove_wtns(self.witness(signals))

"""Proving batches on a Ray cluster, for venues that outgrow one machine.

Each Ray worker runs one prover actor per CPU. The key folder travels once through Ray's object
store, and each actor loads the proving key once; batches then stream to the actors. Every node of
the cluster needs zksolvency installed (pip install "zksolvency[cluster]").
"""

import tempfile
from collections.abc import Callable
from pathlib import Path

import ray
from ray.util import ActorPool

from zksolvency.verifier.groth16 import Proof

from .inputs import Signals
from .keys import CircuitKeys, load_keys
from .proving import Prover


def _key_files(keys: CircuitKeys) -> dict[str, bytes]:
    """The files of a key folder that proving needs, by path relative to the folder."""
    wasm = keys.circuit.wasm.relative_to(keys.directory)
    names = [Path("setup.json"), Path("verification_key.json"), Path("proving_key.bin"), wasm]
    return {str(name): (keys.directory / name).read_bytes() for name in names}


@ray.remote
class ProverActor:
    """Holds one loaded proving key and witness generator; proves batches sent to it."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="zksolvency-keys-")
        root = Path(self._folder.name)
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        self._prover = Prover(load_keys(root))

    def prove(self, index: int, signals: Signals) -> tuple[int, bytes]:
        """The proof of one batch, as its 256-byte encoding."""
        return index, self._prover.prove(signals).to_bytes()


def prove_on_ray(
    address: str, keys: CircuitKeys, batches: list[tuple[int, Signals]], keep: Callable[[int, Proof], None]
) -> None:
    """Prove each (index, signals) on the Ray cluster at `address`, handing each proof to keep as it comes."""
    if not batches:
        return
    ray.init(address=address, log_to_driver=False, ignore_reinit_error=True)
    try:
        files = ray.put(_key_files(keys))
        workers = max(1, min(len(batches), int(ray.cluster_resources().get("CPU", 1))))
        pool = ActorPool([ProverActor.remote(files) for _ in range(workers)])
        for index, data in pool.map_unordered(lambda actor, job: actor.prove.remote(*job), batches):
            keep(index, Proof.from_bytes(data))
    finally:
        ray.shutdown()

"""Proving batches on a local pool of processes that a signal stops completely.

The workers ignore SIGINT (Ctrl-C reaches the whole process group; only the parent acts on it) and
die on SIGTERM; whatever stops the parent (an exception, SIGINT or SIGTERM turned into `Stopped`)
terminates every worker before it propagates. Proofs reach `keep` as each one is made, in any order.
"""

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from zksolvency.verifier.groth16 import Proof

from .inputs import Signals
from .keys import CircuitKeys
from .proving import Prover

_worker: Prover | None = None


class Stopped(Exception):
    """SIGINT or SIGTERM arrived; str() is the signal's name."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise `Stopped` in the main thread; the old handlers come back."""
    previous = {s: signal.signal(s, _raise_stopped) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _start_worker(keys: CircuitKeys) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _worker = Prover(keys)


def _prove_in_worker(job: tuple[int, Signals]) -> tuple[int, bytes]:
    if _worker is None:
        raise RuntimeError("the proving worker was not started")
    index, signals = job
    return index, _worker.prove(signals).to_bytes()


def prove_all(
    keys: CircuitKeys, batches: list[tuple[int, Signals]], workers: int, keep: Callable[[int, Proof], None]
) -> None:
    """Prove each (index, signals), in this process or in a pool of `workers`, handing each proof to keep."""
    if not batches:
        return
    if workers <= 1 or len(batches) == 1:
        prover = Prover(keys)
        for i, signals in batches:
            keep(i, prover.prove(signals))
        return
    pool = multiprocessing.Pool(min(workers, len(batches)), initializer=_start_worker, initargs=(keys,))
    try:
        for i, data in pool.imap_unordered(_prove_in_worker, batches):
            keep(i, Proof.from_bytes(data))
        pool.close()
    finally:
        pool.terminate()
        pool.join()

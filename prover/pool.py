"""Proving batches on a local pool of processes that a signal stops completely.

The workers ignore SIGINT (Ctrl-C reaches the whole process group; only the parent acts on it) and
die on SIGTERM; whatever stops the parent (an exception, SIGINT or SIGTERM turned into `Stopped`)
terminates every worker before it propagates. Proofs reach `keep` as each one is made, in any order.
"""

import multiprocessing
import queue
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from zksolvency.verifier.groth16 import Proof

from .inputs import Signals
from .keys import CircuitKeys
from .proving import Prover

_worker: Prover | None = None
#: Workers start as fresh interpreters: a forked child inherits locks of the parent's native thread
#: pools (wasmtime compiles on rayon threads) but not the threads, and can wait on them forever.
_SPAWN = multiprocessing.get_context("spawn")


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


Jobs = list[tuple[int, Signals]]


def prove_all(
    kinds: Sequence[tuple[CircuitKeys, Jobs]], workers: int, keep: Callable[[int, Proof], None]
) -> None:
    """Prove each (index, signals) with its circuit's keys, handing each proof to keep as it comes.

    With one worker (or one job) everything is proven in this process, kind after kind. Otherwise every
    circuit kind gets its own pool, all running at once, so that the kinds load their proving keys (a
    minute or more for a reference circuit) at the same time: one process per kind, and the workers
    left over go to the kinds with the most constraints to prove per process.
    """
    active = [(keys, jobs) for keys, jobs in kinds if jobs]
    total = sum(len(jobs) for _, jobs in active)
    if workers <= 1 or total == 1:
        for keys, jobs in active:
            prover = Prover(keys)
            for i, signals in jobs:
                keep(i, prover.prove(signals))
        return
    if workers < len(active):
        for kind in active:
            prove_all([kind], workers, keep)
        return
    results: queue.Queue[tuple[int, bytes] | BaseException] = queue.Queue()
    pools = []
    try:
        for (keys, jobs), processes in zip(
            active,
            shares([(keys.circuit.info.constraints, len(jobs)) for keys, jobs in active], workers),
            strict=True,
        ):
            pool = _SPAWN.Pool(processes, initializer=_start_worker, initargs=(keys,))
            pools.append(pool)
            for job in jobs:
                pool.apply_async(_prove_in_worker, (job,), callback=results.put, error_callback=results.put)
        for _ in range(total):
            result = results.get()
            if isinstance(result, BaseException):
                raise result
            keep(result[0], Proof.from_bytes(result[1]))
        for pool in pools:
            pool.close()
    finally:
        for pool in pools:
            pool.terminate()
            pool.join()


def shares(kinds: Sequence[tuple[int, int]], workers: int) -> list[int]:
    """Processes for each kind given as (constraints, jobs): one each, then one at a time to the kind
    with the most constraints left per process; a kind never gets more processes than jobs."""
    counts = [1] * len(kinds)
    for _ in range(workers - len(kinds)):
        open_kinds = [k for k, (_, jobs) in enumerate(kinds) if counts[k] < jobs]
        if not open_kinds:
            break
        best = max(open_kinds, key=lambda k: kinds[k][0] * kinds[k][1] / counts[k])
        counts[best] += 1
    return counts

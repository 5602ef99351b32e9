"""Audits of uploaded epoch documents (POST /v1/verify/epoch), bounded so they cannot burn the server.

An audit checks one pairing per batch, so its cost grows with the document; three bounds hold it:
a body size cap of its own (`verify_max_body_bytes`, applied by the BodyLimit middleware before the
body is parsed), a cache of reports by the document's SHA-256 (the same document is audited once),
and at most `verify_slots` audits at a time: past that the answer is 429 with Retry-After.
"""

from collections import OrderedDict
from threading import BoundedSemaphore, Lock

from .models.verify import EpochReport


class Audits:
    """Cached reports by document hash, and the slots for new audits."""

    def __init__(self, slots: int, cached: int = 256) -> None:
        self._slots = BoundedSemaphore(slots)
        self._reports: OrderedDict[str, EpochReport] = OrderedDict()
        self._cached = cached
        self._lock = Lock()

    def cached(self, digest: str) -> EpochReport | None:
        """The report of a document audited before, or None."""
        with self._lock:
            report = self._reports.get(digest)
            if report is not None:
                self._reports.move_to_end(digest)
            return report

    def keep(self, digest: str, report: EpochReport) -> None:
        """Remember a report (the least recently used one is forgotten past the cache size)."""
        with self._lock:
            self._reports[digest] = report
            self._reports.move_to_end(digest)
            while len(self._reports) > self._cached:
                self._reports.popitem(last=False)

    def take_slot(self) -> bool:
        """A slot for one audit, or False when every slot is busy (the caller answers 429)."""
        return self._slots.acquire(blocking=False)

    def free_slot(self) -> None:
        """Give the slot back."""
        self._slots.release()

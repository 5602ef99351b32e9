"""Reading published epochs back: summaries, batches, records, and parsed epochs (cached, immutable)."""

import json
from collections.abc import Sequence
from threading import Lock
from typing import Any, overload

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zksolvency.verifier.epoch import Epoch
from zksolvency.verifier.formats import epoch_from_json

from .tables import BatchRow, EpochRow, RecordRow
from .tokens import token_hash


def list_epochs(session: Session, offset: int, limit: int) -> tuple[list[EpochRow], int]:
    """A page of epochs, newest first, and how many there are."""
    rows = session.scalars(select(EpochRow).order_by(EpochRow.epoch_id.desc()).offset(offset).limit(limit))
    total = session.scalar(select(func.count()).select_from(EpochRow)) or 0
    return list(rows), total


def get_epoch(session: Session, epoch_id: int) -> EpochRow | None:
    """The epoch row, or None."""
    return session.get(EpochRow, epoch_id)


def batches(session: Session, epoch_id: int, offset: int, limit: int) -> list[BatchRow]:
    """A page of an epoch's batches, in order."""
    query = (
        select(BatchRow)
        .where(BatchRow.epoch_id == epoch_id)
        .order_by(BatchRow.batch_index)
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(query))


def batch(session: Session, epoch_id: int, index: int) -> BatchRow | None:
    """One batch, or None."""
    return session.get(BatchRow, (epoch_id, index))


def record_by_token(session: Session, epoch_id: int, token: str) -> RecordRow | None:
    """The record whose access token is `token`, or None (looked up by the token's hash)."""
    query = select(RecordRow).where(RecordRow.epoch_id == epoch_id, RecordRow.token_hash == token_hash(token))
    return session.scalars(query).first()


class LazyBatches(Sequence[Any]):
    """An epoch's batch documents, read from the database one at a time when indexed."""

    def __init__(self, session: Session, epoch_id: int, count: int) -> None:
        self.session, self.epoch_id, self.count = session, epoch_id, count

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if not 0 <= index < self.count:
            raise IndexError(index)
        row = batch(self.session, self.epoch_id, index)
        if row is None:
            raise IndexError(index)
        return json.loads(row.document)


class EpochCache:
    """Parsed epochs (without their batches) by id; published epochs never change."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._epochs: dict[int, Epoch] = {}
        self._lock = Lock()

    def get(self, row: EpochRow) -> Epoch:
        """The parsed epoch of a stored row."""
        with self._lock:
            found = self._epochs.get(row.epoch_id)
        if found is not None:
            return found
        epoch = epoch_from_json(json.loads(row.header), with_batches=False)
        with self._lock:
            if len(self._epochs) >= self.size:
                self._epochs.pop(next(iter(self._epochs)))
            self._epochs[row.epoch_id] = epoch
        return epoch

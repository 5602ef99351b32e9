"""Shared by the routers: the epoch path parameter, the not-found answer, the stored epoch or 404."""

from typing import Annotated

from fastapi import HTTPException, Path, status
from sqlalchemy.orm import Session

from ..publishing import MAX_EPOCH_ID
from ..store import get_epoch
from ..tables import EpochRow

EpochId = Annotated[int, Path(ge=0, le=MAX_EPOCH_ID, description="The venue's epoch number.")]
NOT_FOUND = {404: {"description": "No such epoch (or, for records, no record for this token)."}}


def epoch_or_404(session: Session, epoch_id: int) -> EpochRow:
    """The stored epoch, or 404."""
    row = get_epoch(session, epoch_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no epoch {epoch_id}")
    return row

"""An account's own inclusion record, read with that account's access token only."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from ..deps import SessionDep, TokenDep
from ..models.common import Problem
from ..models.records import InclusionRecordDocument
from ..store import record_by_token
from .lookup import EpochId

router = APIRouter(prefix="/v1/epochs/{epoch_id}", tags=["records"])

NO_RECORD = "no record for this token"
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No bearer token."},
    404: {
        "model": Problem,
        "description": "No record for this token: the same answer for a wrong token and an unknown account.",
    },
}


@router.get("/record", responses=RESPONSES)
def read_own_record(epoch_id: EpochId, token: TokenDep, session: SessionDep) -> InclusionRecordDocument:
    """The inclusion record (zksolvency-record/1) of the account whose access token is the bearer token."""
    row = record_by_token(session, epoch_id, token)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_RECORD)
    return InclusionRecordDocument.model_validate_json(row.document)


@router.get("/accounts/{account_id}/record", responses=RESPONSES)
def read_account_record(
    epoch_id: EpochId,
    account_id: Annotated[int, Path(ge=0, le=2**63 - 1)],
    token: TokenDep,
    session: SessionDep,
    subaccount: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> InclusionRecordDocument:
    """One account's inclusion record, with that account's own access token (404 for any other token)."""
    row = record_by_token(session, epoch_id, token)
    if row is None or row.account_id != account_id or row.subaccount != subaccount:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_RECORD)
    return InclusionRecordDocument.model_validate_json(row.document)

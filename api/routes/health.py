"""Liveness and version."""

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import text

from zksolvency.verifier.cli import version_text
from zksolvency.verifier.formats import EPOCH_FORMAT, RECORD_FORMAT
from zksolvency.verifier.margin_proof import MARGIN_PROOF_FORMAT

from ..deps import SessionDep
from ..migrations import MIGRATIONS
from ..models.common import Health, Problem, Version

router = APIRouter(prefix="/v1", tags=["service"])


@router.get("/health", responses={503: {"model": Problem, "description": "The database does not answer."}})
def health(session: SessionDep) -> Health:
    """The service is up and its database answers."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the database is unavailable
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"database: {type(exc).__name__}") from None
    return Health(status="ok", database="ok")


@router.get("/version")
def read_version() -> Version:
    """The package version and the formats it speaks."""
    return Version(
        version=version_text(),
        epoch_format=EPOCH_FORMAT,
        record_format=RECORD_FORMAT,
        margin_proof_format=MARGIN_PROOF_FORMAT,
        schema_version=MIGRATIONS[-1][0],
    )

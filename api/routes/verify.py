"""Stateless verification: an epoch document, a record against a stored epoch, a margin proof."""

import hashlib
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from zksolvency.verifier import reports
from zksolvency.verifier.ceremonies import KnownCeremony
from zksolvency.verifier.epoch import CheckFailed, check_keys, verify_epoch
from zksolvency.verifier.formats import FormatError, record_from_json
from zksolvency.verifier.inclusion import verify_account
from zksolvency.verifier.margin_proof import MarginProofFile, check_margin_proof

from ..audits import Audits
from ..deps import CacheDep, SessionDep
from ..models.common import Problem
from ..models.verify import (
    EpochReport,
    MarginProofReport,
    MarginProofRequest,
    RecordReport,
    RecordRequest,
)
from ..publishing import MALFORMED, Refused, read_epoch
from ..store import EpochCache, LazyBatches
from .lookup import epoch_or_404

router = APIRouter(prefix="/v1/verify", tags=["verify"])

UNREADABLE: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "The document cannot be read (the reason names the field)."}
}
STORED: dict[int | str, dict[str, Any]] = {
    **UNREADABLE,
    404: {"model": Problem, "description": "The epoch the document names is not published here."},
}


def _epoch_report(document: dict[str, Any], ceremonies: Sequence[KnownCeremony]) -> EpochReport:
    try:
        epoch = read_epoch(document)
    except Refused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return EpochReport(**reports.epoch_report(epoch, verify_epoch(epoch, ceremonies)))


AUDIT_LIMITS: dict[int | str, dict[str, Any]] = {
    **UNREADABLE,
    429: {"model": Problem, "description": "Every audit slot is busy (or this client is over its rate)."},
}


@router.post("/epoch", responses=AUDIT_LIMITS)
async def verify_epoch_document(document: dict[str, Any], request: Request) -> EpochReport:
    """Audit an uploaded public epoch document (zksolvency-epoch/1): every proof, chain, root, reserves.

    The same document (by SHA-256) is audited once and its report cached; a few audits run at a time,
    past that 429; the body has a size cap of its own (docs/api.md).
    """
    audits: Audits = request.app.state.audits
    digest = hashlib.sha256(await request.body()).hexdigest()
    report = audits.cached(digest)
    if report is not None:
        return report
    if not audits.take_slot():
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "every audit slot is busy; retry shortly", {"Retry-After": "1"}
        )
    try:
        report = await run_in_threadpool(_epoch_report, document, request.app.state.ceremonies)
    finally:
        audits.free_slot()
    audits.keep(digest, report)
    return report


def _record_report(
    session: Session, cache: EpochCache, doc: dict[str, Any], ceremonies: Sequence[KnownCeremony]
) -> RecordReport:
    try:
        record = record_from_json(doc)
    except FormatError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"record: {exc}") from None
    except MALFORMED as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"record: malformed ({exc})") from None
    if not 0 <= record.epoch_id < 2**63:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no epoch {record.epoch_id}")
    row = epoch_or_404(session, record.epoch_id)
    epoch = cache.get(row)
    profile = doc.get("profile")
    try:
        result = verify_account(
            epoch,
            LazyBatches(session, row.epoch_id, row.batch_count),
            record,
            record_profile=profile if isinstance(profile, str) else None,
            ceremonies=ceremonies,
        )
    except FormatError as exc:  # a stored batch that cannot be read: cannot happen for a verified epoch
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"batch: {exc}") from None
    return RecordReport(**reports.record_report(epoch, record, result))


@router.post("/record", responses=STORED)
async def verify_record(
    body: RecordRequest, session: SessionDep, cache: CacheDep, request: Request
) -> RecordReport:
    """Check an inclusion record against the stored epoch it names: leaf, path, its batch's proof, margin."""
    return await run_in_threadpool(_record_report, session, cache, body.record, request.app.state.ceremonies)


def _margin_report(session: Session, cache: EpochCache, doc: dict[str, Any]) -> MarginProofReport:
    try:
        file = MarginProofFile.from_json(doc)
    except FormatError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"margin_proof: {exc}") from None
    except MALFORMED as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"margin_proof: malformed ({exc})"
        ) from None
    if not 0 <= file.epoch_id < 2**63:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no epoch {file.epoch_id}")
    epoch = cache.get(epoch_or_404(session, file.epoch_id))
    passed: list[str] = []
    failed_check = failure = None
    try:
        passed = check_margin_proof(file, epoch, check_keys(epoch)["margin"])
    except CheckFailed as exc:
        failed_check, failure = exc.check, str(exc)
    return MarginProofReport(**reports.margin_proof_report(file, passed, failed_check, failure))


@router.post("/margin-proof", responses=STORED)
async def verify_margin_proof(
    body: MarginProofRequest, session: SessionDep, cache: CacheDep
) -> MarginProofReport:
    """Check an account margin proof (zksolvency-margin-proof/2) against the stored epoch it names."""
    return await run_in_threadpool(_margin_report, session, cache, body.margin_proof)

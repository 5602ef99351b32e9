"""Published epochs: publish (venue only), list, read, batches and verification keys."""

import json
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool

from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.vocabulary import field_hex, sha256_hex

from ..deps import SessionDep, VenueDep
from ..models.common import Problem
from ..models.epochs import BatchDocument, BatchPage, EpochDetail, EpochList, EpochSummary, Setup
from ..models.publish import PublishRequest, PublishResponse
from ..publishing import Refused, check_upload, store
from ..store import batch, batches, list_epochs
from ..tables import EpochRow
from .lookup import NOT_FOUND, EpochId, epoch_or_404

router = APIRouter(prefix="/v1/epochs", tags=["epochs"])


def _summary(row: EpochRow) -> dict[str, Any]:
    """The list line of an epoch; the account count only to within a batch (docs/statement.md 1.2)."""
    return {
        "epoch_id": row.epoch_id,
        "published_at": row.published_at.replace(tzinfo=row.published_at.tzinfo or UTC),
        "profile": row.profile,
        "root": field_hex(int(row.root, 0)),
        "batches": row.batch_count,
        "accounts_at_most": row.batch_count * PROFILES[row.profile].batch_size,
        "setup_kind": row.setup_kind,
        "unsafe": row.unsafe,
        "valid": row.valid,
    }


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[VenueDep],
    responses={
        401: {"model": Problem, "description": "No bearer token."},
        403: {"model": Problem, "description": "The bearer token is not the venue's."},
        409: {"model": Problem, "description": "This epoch is already published."},
        422: {
            "model": Problem,
            "description": "The epoch or a record fails its checks (the reason says which).",
        },
    },
)
async def publish_epoch(body: PublishRequest, session: SessionDep, request: Request) -> PublishResponse:
    """Verify a whole epoch and its records, then store it atomically and issue one token per account.

    The tokens are returned once, here, and stored only as SHA-256 hashes: hand each to its account.
    """
    try:
        ceremonies = request.app.state.ceremonies
        checked = await run_in_threadpool(check_upload, body.epoch, body.records, ceremonies)
        return await run_in_threadpool(store, session, checked)
    except Refused as exc:
        raise HTTPException(exc.status, str(exc)) from None


@router.get("")
def read_epochs(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EpochList:
    """Published epochs, newest first."""
    rows, total = list_epochs(session, offset, limit)
    return EpochList(epochs=[EpochSummary(**_summary(r)) for r in rows], total=total)


@router.get("/{epoch_id}", responses=NOT_FOUND)
def read_epoch(epoch_id: EpochId, session: SessionDep) -> EpochDetail:
    """An epoch: root, totals, reserves and coverage, parameters, setup, verification status."""
    row = epoch_or_404(session, epoch_id)
    header = json.loads(row.header)
    summary = _summary(row)
    # The epoch report made when the epoch was published (reports.epoch_report): each of its fields that
    # the detail model has is served as it was stored, so a field added to the report and the model
    # appears here with nothing else to change.
    report = json.loads(row.audit)
    stored = {k: v for k, v in report.items() if k in EpochDetail.model_fields and k not in summary}
    if "setup" not in stored:  # stored by an older version: only checks and coverage
        setup = header.get("setup", {})
        transcript = (setup.get("ceremony") or {}).get("transcript_sha256")
        stored["setup"] = Setup(
            kind=setup.get("kind", row.setup_kind),
            unsafe=row.unsafe,
            keys={kind: sha256_hex(h) for kind, h in setup.get("keys", {}).items()},
            ceremony_transcript_sha256=transcript and sha256_hex(transcript),
        )
    stored.setdefault("params_hash", field_hex(int(header["params_hash"], 0)))
    return EpochDetail(
        **summary,
        params=header["params"],
        profile_sizes=header["profile"],
        final_state=header["final_state"],
        **stored,
    )


@router.get("/{epoch_id}/document", responses=NOT_FOUND)
def read_document(epoch_id: EpochId, session: SessionDep) -> dict[str, Any]:
    """The public epoch document (zksolvency-epoch/1) as published, batches included."""
    row = epoch_or_404(session, epoch_id)
    header = json.loads(row.header)
    header["batches"] = [json.loads(b.document) for b in batches(session, epoch_id, 0, row.batch_count)]
    return header


@router.get("/{epoch_id}/batches", responses=NOT_FOUND)
def read_batches(
    epoch_id: EpochId,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> BatchPage:
    """A page of the epoch's batch proofs, in order."""
    row = epoch_or_404(session, epoch_id)
    rows = batches(session, epoch_id, offset, limit)
    return BatchPage(
        batches=[BatchDocument(index=b.batch_index, **json.loads(b.document)) for b in rows],
        total=row.batch_count,
    )


@router.get("/{epoch_id}/batches/{index}", responses=NOT_FOUND)
def read_batch(
    epoch_id: EpochId, index: Annotated[int, Path(ge=0, le=2**31 - 1)], session: SessionDep
) -> BatchDocument:
    """One batch: its statement and Groth16 proof."""
    epoch_or_404(session, epoch_id)
    row = batch(session, epoch_id, index)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no batch {index} in epoch {epoch_id}")
    return BatchDocument(index=index, **json.loads(row.document))


@router.get("/{epoch_id}/verification-keys", responses=NOT_FOUND)
def read_keys(epoch_id: EpochId, session: SessionDep) -> dict[str, dict[str, Any]]:
    """The epoch's verification keys (snarkjs JSON), by circuit: `batch`, `portfolio_batch` and `margin`."""
    row = epoch_or_404(session, epoch_id)
    return json.loads(row.header)["verification_keys"]

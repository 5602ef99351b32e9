"""Handing out what traders need after publishing: a fresh access token for an account (venue only),
and the epoch's margin kit, uploaded by the venue and downloadable by anyone (prove-account --kit)."""

import json
import os
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy import select

from zksolvency.prover.margin_kit import MAX_KIT_BYTES, KitError, kit_key_hash, unpack
from zksolvency.verifier.groth16 import MalformedKey, key_hash

from ..deps import SessionDep, SettingsDep, VenueDep
from ..models.common import Problem
from ..models.publish import IssuedToken
from ..tables import RecordRow
from ..tokens import new_token, token_hash
from .lookup import NOT_FOUND, EpochId, epoch_or_404

router = APIRouter(prefix="/v1/epochs/{epoch_id}", tags=["hand-out"])

VENUE_ONLY: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No bearer token."},
    403: {"model": Problem, "description": "The bearer token is not the venue's."},
    404: {"model": Problem, "description": "No such epoch or account."},
}


@router.post("/accounts/{account_id}/token", dependencies=[VenueDep], responses=VENUE_ONLY)
def reissue_token(
    epoch_id: EpochId,
    account_id: Annotated[int, Path(ge=0, le=2**63 - 1)],
    session: SessionDep,
    subaccount: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> IssuedToken:
    """A new access token for one account (the old one stops working): shown once, stored as SHA-256."""
    with session.begin():
        epoch_or_404(session, epoch_id)
        row = session.scalars(
            select(RecordRow).where(
                RecordRow.epoch_id == epoch_id,
                RecordRow.account_id == account_id,
                RecordRow.subaccount == subaccount,
            )
        ).one_or_none()
        if row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"no account {account_id}/{subaccount} in epoch {epoch_id}"
            )
        token = new_token()
        row.token_hash = token_hash(token)
        index = row.leaf_index
    return IssuedToken(account_id=account_id, subaccount=subaccount, index=index, token=token)


def _kit_path(data_dir: FilePath, epoch_id: int) -> FilePath:
    return data_dir / "margin-kits" / f"epoch-{epoch_id}.zip"


def _store_kit(data: bytes, margin_key: Any, path: FilePath) -> None:
    """Check the zip against the epoch's margin key, then write it atomically; HTTPException if not."""
    try:
        expected = key_hash(margin_key)
        with tempfile.TemporaryDirectory() as tmp:
            found = kit_key_hash(unpack(data, FilePath(tmp), "the margin kit"))
    except (KitError, MalformedKey) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if found != expected:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "the margin kit's verification key is not the epoch's margin key",
        )
    if path.exists():
        if path.read_bytes() == data:
            return
        raise HTTPException(status.HTTP_409_CONFLICT, "this epoch already has a different margin kit")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".kit.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(partial, path)


@router.put(
    "/margin-kit",
    dependencies=[VenueDep],
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    responses={
        **VENUE_ONLY,
        409: {"model": Problem, "description": "The epoch already has a different kit."},
        413: {"model": Problem, "description": "The kit is too large."},
        422: {"model": Problem, "description": "Not a kit zip, or not for the epoch's margin key."},
    },
)
async def upload_margin_kit(
    epoch_id: EpochId, request: Request, session: SessionDep, settings: SettingsDep
) -> None:
    """Store the epoch's margin kit: a zip of margin.wasm, proving_key.bin, verification_key.json and
    setup.json (`zksolvency publish` uploads it), checked against the epoch's margin verification key."""
    row = epoch_or_404(session, epoch_id)
    data = await request.body()
    if len(data) > MAX_KIT_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"a kit is at most {MAX_KIT_BYTES // 2**20} MiB"
        )
    margin_key = json.loads(row.header)["verification_keys"]["margin"]
    await run_in_threadpool(_store_kit, data, margin_key, _kit_path(settings.data_dir, epoch_id))


@router.get(
    "/margin-kit",
    response_class=FileResponse,
    responses={**NOT_FOUND, 200: {"content": {"application/zip": {}}, "description": "The kit zip."}},
)
def download_margin_kit(epoch_id: EpochId, session: SessionDep, settings: SettingsDep) -> FileResponse:
    """The epoch's margin kit (zip) for `zksolvency prove-account --kit`: a trader with only the API can
    make a margin proof with it, the epoch document and their own record."""
    epoch_or_404(session, epoch_id)
    path = _kit_path(settings.data_dir, epoch_id)
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no margin kit for epoch {epoch_id}")
    return FileResponse(path, media_type="application/zip", filename=f"margin-kit-epoch-{epoch_id}.zip")

"""Publishing an epoch: verify everything, then store it in one transaction, or store nothing.

Checks, in order: the epoch document reads and passes the whole audit (`verify_epoch`); every record
line reads, is of this epoch and profile, is a valid account, its leaf and path lead to the epoch
root, and no account or leaf index appears twice. Only then is anything written.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zksolvency.verifier.ceremonies import KnownCeremony
from zksolvency.verifier.epoch import Epoch, verify_epoch
from zksolvency.verifier.formats import FormatError, epoch_from_json, record_from_json
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.reports import epoch_report
from zksolvency.verifier.vocabulary import field_hex

from .models.publish import IssuedToken, PublishResponse
from .tables import BatchRow, EpochRow, RecordRow
from .tokens import new_token, token_hash

#: What reading an untrusted document may raise besides FormatError.
MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)
#: Database integers are signed 64-bit.
MAX_EPOCH_ID = 2**63 - 1


class Refused(ValueError):
    """The upload is refused; `status` is the HTTP status to answer with, the message the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class Checked:
    """A verified upload, ready to store."""

    epoch: Epoch
    document: dict[str, Any]
    audit_json: str
    """The epoch report (`reports.epoch_report`) as JSON."""
    records: list[tuple[InclusionRecord, str]]
    """Each record with its line, as uploaded."""


def read_epoch(document: dict[str, Any]) -> Epoch:
    """The epoch of a document; Refused(422) names the bad field."""
    try:
        epoch = epoch_from_json(document)
    except FormatError as exc:
        raise Refused(422, f"epoch: {exc}") from None
    except MALFORMED as exc:  # the readers name most faults; any other is still the document's
        raise Refused(422, f"epoch: malformed ({type(exc).__name__}: {exc})") from None
    if not 0 <= epoch.epoch_id <= MAX_EPOCH_ID:
        raise Refused(422, "epoch: epoch_id: expected 0 <= epoch_id < 2^63")
    return epoch


def _record(line: str, number: int, epoch: Epoch) -> InclusionRecord:
    where = f"records line {number}"
    try:
        doc = json.loads(line)
        record = record_from_json(doc)
    except FormatError as exc:
        raise Refused(422, f"{where}: {exc}") from None
    except MALFORMED as exc:
        raise Refused(422, f"{where}: not a readable record ({type(exc).__name__}: {exc})") from None
    profile = epoch.profile
    if doc.get("profile") != profile.name:
        raise Refused(422, f"{where}: the record is not of profile {profile.name}")
    if record.epoch_id != epoch.epoch_id:
        raise Refused(422, f"{where}: the record is of epoch {record.epoch_id}, not {epoch.epoch_id}")
    account = record.account
    try:
        account.validate(profile)
        ok = (
            not account.is_padding
            and len(account.balances) == len(epoch.params.assets)
            and len(account.positions) == len(epoch.params.markets)
            and 0 <= record.index < len(epoch.batches) * profile.batch_size
            and len(record.path.siblings) == profile.tree_depth
            and record.root(profile) == epoch.root
        )
    except (ValueError, TypeError) as exc:
        raise Refused(422, f"{where}: {exc}") from None
    if not ok:
        raise Refused(422, f"{where}: {account.label}: the leaf and path do not lead to the epoch root")
    return record


def check_upload(
    document: dict[str, Any], records: str, ceremonies: Sequence[KnownCeremony] | None = None
) -> Checked:
    """Everything about an upload that can be checked without the database; Refused says why not.

    Ceremony keys must be of one of `ceremonies` (default: the pinned list)."""
    epoch = read_epoch(document)
    audit = verify_epoch(epoch, ceremonies)
    if not audit.valid:
        raise Refused(422, f"epoch: the audit fails: {audit.failure}")
    lines = [(n, line) for n, line in enumerate(records.splitlines(), 1) if line.strip()]
    if not lines:
        raise Refused(422, "records: no record")
    if len(lines) > epoch.profile.capacity:
        raise Refused(422, f"records: more than the {epoch.profile.capacity} accounts the tree holds")
    seen_keys: set[int] = set()
    seen_indices: set[int] = set()
    checked = []
    for number, line in lines:
        record = _record(line, number, epoch)
        if record.account.key in seen_keys or record.index in seen_indices:
            raise Refused(422, f"records line {number}: {record.account.label} or its leaf appears twice")
        seen_keys.add(record.account.key)
        seen_indices.add(record.index)
        checked.append((record, line.strip()))
    report = epoch_report(epoch, audit)  # stored whole: GET /v1/epochs/{id} serves its fields
    return Checked(epoch, document, json.dumps(report), checked)


def store(session: Session, checked: Checked) -> PublishResponse:
    """Write the epoch, its batches and its records in one transaction; Refused(409) if the epoch exists."""
    epoch = checked.epoch
    header = dict(checked.document, batches=[])
    tokens: list[IssuedToken] = []
    try:
        with session.begin():
            if session.get(EpochRow, epoch.epoch_id) is not None:
                raise Refused(409, f"epoch {epoch.epoch_id} is already published; epochs are never replaced")
            session.add(
                EpochRow(
                    epoch_id=epoch.epoch_id,
                    published_at=datetime.now(UTC),
                    profile=epoch.profile.name,
                    root=str(epoch.root),
                    setup_kind=epoch.setup_kind,
                    unsafe=epoch.unsafe,
                    batch_count=len(epoch.batches),
                    account_count=len(checked.records),
                    valid=True,
                    audit=checked.audit_json,
                    header=json.dumps(header),
                )
            )
            session.flush()
            session.add_all(
                BatchRow(epoch_id=epoch.epoch_id, batch_index=i, document=json.dumps(b))
                for i, b in enumerate(checked.document["batches"])
            )
            session.flush()
            for record, line in checked.records:
                token = new_token()
                account = record.account
                session.add(
                    RecordRow(
                        epoch_id=epoch.epoch_id,
                        account_id=account.account_id,
                        subaccount=account.subaccount,
                        leaf_index=record.index,
                        token_hash=token_hash(token),
                        document=line,
                    )
                )
                tokens.append(
                    IssuedToken(
                        account_id=account.account_id,
                        subaccount=account.subaccount,
                        index=record.index,
                        token=token,
                    )
                )
    except IntegrityError:
        raise Refused(
            409, f"epoch {epoch.epoch_id} is already published; epochs are never replaced"
        ) from None
    return PublishResponse(
        epoch_id=epoch.epoch_id,
        root=field_hex(epoch.root),
        accounts=len(tokens),
        batches=len(epoch.batches),
        tokens=tokens,
    )

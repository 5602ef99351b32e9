"""`zksolvency reserves message`: the text each custody address signs for an epoch (docs/statement.md 1.4).

The venue has every custody key sign this text with EIP-191 `personal_sign` (a hardware wallet's "sign
message"), then publishes the signatures in reserves.json beside epoch.json.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from zksolvency.verifier.cli import JsonOption, fail
from zksolvency.verifier.documents import read_json
from zksolvency.verifier.formats import FormatError, epoch_document, epoch_from_json
from zksolvency.verifier.reserves import ROLES, declaration_message

reserves_app = typer.Typer(no_args_is_help=True, help="Custody declarations for the proof of reserves.")


def register(app: typer.Typer) -> None:
    """Add the `reserves` command group to the root app."""
    app.add_typer(reserves_app, name="reserves")


@reserves_app.command("message")
def message_command(
    epoch_path: Annotated[Path, typer.Argument(metavar="EPOCH", help="An epoch folder or its epoch.json.")],
    venue: Annotated[str, typer.Option("--venue", help="The venue's name as reserves.json states it.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")] = "reserve",
    as_json: JsonOption = False,
) -> None:
    """Print the declaration a custody address signs for this epoch, venue and role."""
    if role not in ROLES:
        raise fail(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    if not venue or "\n" in venue:
        raise fail("--venue: expected a non-empty one-line name")
    document = epoch_document(epoch_path)
    try:
        epoch = epoch_from_json(read_json(document), with_batches=False)
    except FormatError as exc:
        raise fail(f"{document}: {exc}" if str(document) not in str(exc) else str(exc)) from None
    text = declaration_message(venue, epoch.epoch_id, epoch.params_hash, role)
    if as_json:
        typer.echo(json.dumps({"venue": venue, "epoch_id": epoch.epoch_id, "role": role, "message": text}))
    else:
        typer.echo(text)

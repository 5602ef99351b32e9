"""`zksolvency holder-key new|show`: the trader's holder secret, made and kept on the trader's machine.

The trader gives the venue the commitment (never the secret); the venue keeps it in the trader's leaf, and
only the secret's holder can make or spend a margin proof of that record (docs/statement.md, "Holder
commitment"). Exit status: 0 done, 2 bad input.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from zksolvency.verifier.cli import EXIT_BAD_INPUT, JsonOption, fail
from zksolvency.verifier.holder import (
    HolderKeyError,
    holder_commitment,
    new_holder_secret,
    read_holder_secret,
    write_holder_secret,
)
from zksolvency.verifier.vocabulary import field_hex

app = typer.Typer(no_args_is_help=True, help="Your holder secret and the commitment you give your venue.")


def _print(path: Path, commitment: int, as_json: bool, made: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"secret_file": str(path), "holder": field_hex(commitment)}, indent=2))
        return
    if made:
        typer.echo(f"wrote a new holder secret to {path} (mode 0600): keep it, and never give it to anyone")
    typer.echo(f"holder commitment (give this to your venue): {field_hex(commitment)}")


@app.command("new")
def new_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the secret (must not exist).")],
    as_json: JsonOption = False,
) -> None:
    """Make a new holder secret in OUT and print its commitment, to register with your venue."""
    secret = new_holder_secret()
    try:
        write_holder_secret(out, secret)
    except HolderKeyError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    _print(out, holder_commitment(secret), as_json, made=True)


@app.command("show")
def show_command(
    secret_file: Annotated[Path, typer.Argument(metavar="FILE", help="Your holder secret file.")],
    as_json: JsonOption = False,
) -> None:
    """Print the holder commitment of the secret in FILE."""
    try:
        secret = read_holder_secret(secret_file)
    except HolderKeyError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from None
    _print(secret_file, holder_commitment(secret), as_json, made=False)


def register(root: typer.Typer) -> None:
    """Add `holder-key new` and `holder-key show` to the `zksolvency` app."""
    root.add_typer(app, name="holder-key")

"""`zksolvency ceremony ...`: the phase-2 trusted-setup ceremony for production keys."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from zksolvency.verifier.cli import EXIT_INVALID, fail
from zksolvency.verifier.profiles import PROFILES, get_profile

from .ceremony import Ceremony, CeremonyError, contribute, export_keys, finish, local_powers_of_tau, start
from .ceremony import verify as verify_ceremony
from .toolchain import ToolchainError

ProfileOption = Annotated[str, typer.Option("--profile", help=f"One of: {', '.join(PROFILES)}.")]
ceremony_app = typer.Typer(no_args_is_help=True, help="The trusted-setup ceremony for production keys.")


def register(app: typer.Typer) -> None:
    """Add the `ceremony` command group to the root app."""
    app.add_typer(ceremony_app, name="ceremony")


CeremonyDir = Annotated[Path, typer.Argument(help="The ceremony folder.")]


@contextmanager
def _ceremony_step(description: str) -> Iterator[None]:
    """Show `description` while a ceremony step runs; its errors become exit 2 with their message."""
    with Console(stderr=True).status(description):
        try:
            yield
        except (CeremonyError, ToolchainError, ValueError) as exc:
            raise fail(str(exc)) from None


@ceremony_app.command("ptau")
def ceremony_ptau(
    out: Annotated[Path, typer.Argument(help="Powers-of-tau file to write.")],
    power: Annotated[int, typer.Option(help="log2 of the largest circuit it serves.")] = 14,
) -> None:
    """Make an UNSAFE single-contributor powers-of-tau file, for tests (production: a published one)."""
    with _ceremony_step(f"powers of tau 2^{power}: new, one contribution, prepare phase 2"):
        local_powers_of_tau(power, out)
    Console(stderr=True).print(f"[bold yellow]UNSAFE[/bold yellow] local powers of tau written to {out}")


@ceremony_app.command("start")
def ceremony_start(
    directory: CeremonyDir,
    ptau: Annotated[Path, typer.Option("--ptau", help="Published powers-of-tau file (phase 1).")],
    profile: ProfileOption = "reference",
) -> None:
    """Start a ceremony: initial keys of the profile's circuits from the powers of tau."""
    with _ceremony_step("compiling the circuits and deriving the initial keys"):
        start(directory, get_profile(profile), ptau)
    Console(stderr=True).print(f"ceremony started in {directory}; next: zksolvency ceremony contribute")


@ceremony_app.command("contribute")
def ceremony_contribute(
    directory: CeremonyDir,
    name: Annotated[str, typer.Option("--name", help="Who contributes (recorded in the transcript).")],
    entropy: Annotated[
        str | None, typer.Option(help="Extra randomness; by default 32 random bytes from the OS.")
    ] = None,
) -> None:
    """Add your contribution to every circuit's key. Your randomness is used once and not kept."""
    with _ceremony_step("contributing to every circuit's key"):
        entry = contribute(Ceremony.open(directory), name, entropy)
    for kind, digest in entry["hashes"].items():
        Console().print(f"contribution {entry['index']} by {name}, {kind}: {digest}")


@ceremony_app.command("verify")
def ceremony_verify(directory: CeremonyDir) -> None:
    """Verify the transcript: every key against its circuit, phase 1 and the recorded contributions."""
    try:
        with Console(stderr=True).status("verifying every contribution (snarkjs zkey verify)"):
            lines = verify_ceremony(Ceremony.open(directory))
    except CeremonyError as exc:
        raise fail(str(exc), EXIT_INVALID) from None
    for line in lines:
        typer.echo(line)


@ceremony_app.command("finish")
def ceremony_finish(
    directory: CeremonyDir,
    beacon: Annotated[
        str, typer.Option(help="Public random beacon, 32 bytes in hex (e.g. a future block hash).")
    ],
    keys: Annotated[Path, typer.Option("--keys", help="Key folder to write the final keys into.")],
    iterations: Annotated[int, typer.Option(help="log2 of the beacon's hash iterations.")] = 10,
) -> None:
    """Close the ceremony with the beacon, verify the whole transcript and export the production keys."""
    with _ceremony_step("applying the beacon, verifying the transcript, exporting keys"):
        ceremony = Ceremony.open(directory)
        finish(ceremony, beacon, iterations)
        exported = export_keys(ceremony, keys)
    for kind, made in exported.items():
        Console().print(f"{kind}: ceremony keys in {made.directory}")

"""`zksolvency ceremony ...`: the phase-2 trusted-setup ceremony for production keys."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from zksolvency.verifier.cli import EXIT_INVALID, fail
from zksolvency.verifier.profiles import get_profile

from .ceremony import (
    Ceremony,
    CeremonyError,
    StepCallback,
    contribute,
    export_keys,
    finish,
    local_powers_of_tau,
    start,
)
from .ceremony import verify as verify_ceremony
from .options import DEFAULT_PROFILE, ProfileOption
from .pool import Stopped, stop_on_signals
from .toolchain import ToolchainError

ceremony_app = typer.Typer(no_args_is_help=True, help="The trusted-setup ceremony for production keys.")


def register(app: typer.Typer) -> None:
    """Add the `ceremony` command group to the root app."""
    app.add_typer(ceremony_app, name="ceremony")


CeremonyDir = Annotated[Path, typer.Argument(help="The ceremony folder.")]


@contextmanager
def _ceremony_step(description: str, code: int = 2) -> Iterator[StepCallback]:
    """Show `description`, then each step's progress and the time spent, while a ceremony step runs;
    its errors become exit `code` (default 2, bad input) with their message. Yields the step callback."""
    started = time.monotonic()
    console = Console(stderr=True)
    shown = [""]
    with console.status(description) as status:

        def on_step(line: str) -> None:
            seconds = time.monotonic() - started
            status.update(f"{description} ({seconds:.0f} s)\n  {line}")
            header = line.split(" - ")[0]
            if not console.is_terminal and header != shown[0]:  # logs and pipes: each step once
                shown[0] = header
                console.print(f"[{seconds:.0f} s] {header}", highlight=False)

        try:
            with stop_on_signals():
                yield on_step
        except (CeremonyError, ToolchainError, ValueError, OSError) as exc:
            raise fail(str(exc), code) from None
        except Stopped as stop:
            message = f"stopped by {stop}: snarkjs is stopped; the transcript keeps only finished steps"
            raise fail(message, 128 + stop.signum) from None


@ceremony_app.command("ptau")
def ceremony_ptau(
    out: Annotated[Path, typer.Argument(help="Powers-of-tau file to write.")],
    power: Annotated[int, typer.Option(help="log2 of the largest circuit it serves.")] = 14,
) -> None:
    """Make an UNSAFE single-contributor powers-of-tau file, for tests (production: a published one)."""
    with _ceremony_step(f"powers of tau 2^{power}: new, one contribution, prepare phase 2") as on_step:
        local_powers_of_tau(power, out, on_step=on_step)
    Console(stderr=True).print(f"[bold yellow]UNSAFE[/bold yellow] local powers of tau written to {out}")


@ceremony_app.command("start")
def ceremony_start(
    directory: CeremonyDir,
    ptau: Annotated[Path, typer.Option("--ptau", help="Published powers-of-tau file (phase 1).")],
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Start a ceremony: initial keys of the profile's circuits from the powers of tau."""
    with _ceremony_step("compiling the circuits and deriving the initial keys") as on_step:
        start(directory, get_profile(profile), ptau, on_step)
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
    with _ceremony_step("contributing to every circuit's key") as on_step:
        entry = contribute(Ceremony.open(directory), name, entropy, on_step)
    for kind, digest in entry["hashes"].items():
        Console().print(f"contribution {entry['index']} by {name}, {kind}: {digest}")


@ceremony_app.command("verify")
def ceremony_verify(directory: CeremonyDir) -> None:
    """Verify the transcript: every key against its circuit, phase 1 and the recorded contributions."""
    with _ceremony_step("verifying every contribution (snarkjs zkey verify)", EXIT_INVALID) as on_step:
        lines = verify_ceremony(Ceremony.open(directory), on_step)
    for line in lines:
        typer.echo(line)


@ceremony_app.command("finish")
def ceremony_finish(
    directory: CeremonyDir,
    beacon: Annotated[
        str,
        typer.Option(help="Public random beacon: 32 bytes in hex, 0x allowed (e.g. a future block hash)."),
    ],
    keys: Annotated[Path, typer.Option("--keys", help="Key folder to write the final keys into.")],
    iterations: Annotated[int, typer.Option(help="log2 of the beacon's hash iterations.")] = 10,
) -> None:
    """Close the ceremony with the beacon, verify the whole transcript and export the production keys."""
    with _ceremony_step("applying the beacon, verifying the transcript, exporting keys") as on_step:
        ceremony = Ceremony.open(directory)
        for kind in ("batch", "margin"):
            if (keys / kind / "setup.json").exists():
                raise CeremonyError(f"{keys / kind} already holds keys; nothing was changed")
        finish(ceremony, beacon, iterations, on_step)
        exported, verified = export_keys(ceremony, keys, on_step)
    for line in verified:
        typer.echo(line)
    for kind, made in exported.items():
        Console().print(f"{kind}: ceremony keys in {made.directory}")

"""The `zksolvency` command line: thin commands over the library; exit 0 ok, 1 proof invalid, 2 bad input."""

import json
import os
import time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from zksolvency.verifier.amounts import format_scaled
from zksolvency.verifier.epoch import verify_epoch
from zksolvency.verifier.field import QUANTA_PER_UNIT
from zksolvency.verifier.profiles import PROFILES, get_profile

from .circuits import KINDS, build
from .epoch import EpochKeys, prove_epoch
from .keys import UNSAFE_NOTE, development_keys
from .salts import new_secret
from .sample import sample_venue
from .toolchain import ToolchainError

app = typer.Typer(no_args_is_help=True, help="Zero-knowledge proof of solvency with margin health.")
circuits_app = typer.Typer(no_args_is_help=True, help="The Circom circuits of a profile.")
app.add_typer(circuits_app, name="circuits")

EXIT_INVALID = 1
EXIT_BAD_INPUT = 2

ProfileOption = Annotated[str, typer.Option("--profile", help=f"One of: {', '.join(PROFILES)}.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print `message` on stderr and return the Exit to raise."""
    Console(stderr=True).print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


@circuits_app.command("info")
def circuits_info(profile: ProfileOption = "reference", as_json: JsonOption = False) -> None:
    """Compile the profile's circuits (cached) and print their sizes."""
    try:
        chosen = get_profile(profile)
    except ValueError as exc:
        raise fail(str(exc)) from None
    rows = {}
    with Console(stderr=True).status(f"compiling the {chosen.name} circuits with circom --O2 --inspect"):
        for kind in KINDS:
            try:
                circuit = build(kind, chosen)
            except ToolchainError as exc:
                raise fail(str(exc)) from None
            accounts = chosen.batch_size if kind == "batch" else 1
            rows[kind] = {
                "constraints": circuit.info.constraints,
                "wires": circuit.info.wires,
                "public_inputs": circuit.info.public_inputs,
                "private_inputs": circuit.info.private_inputs,
                "accounts": accounts,
                "constraints_per_account": round(circuit.info.constraints / accounts, 1),
            }
    if as_json:
        typer.echo(json.dumps({"profile": chosen.name, "sizes": vars(chosen), "circuits": rows}, indent=2))
        return
    table = Table(title=f"profile {chosen.name}")
    for column in ("circuit", "constraints", "wires", "public inputs", "accounts", "constraints/account"):
        table.add_column(column, justify="right" if column != "circuit" else "left")
    for kind, row in rows.items():
        table.add_row(
            kind,
            f"{row['constraints']:,}",
            f"{row['wires']:,}",
            str(row["public_inputs"]),
            str(row["accounts"]),
            f"{row['constraints_per_account']:,}",
        )
    Console().print(table)


class _Bars:
    """Rich progress bars for the phases of proving, on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(PHASES.get(phase, phase), total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)


PHASES = {"tree": "account leaves", "witness": "batch witnesses", "prove": "batch proofs"}


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:>16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )


@app.command()
def demo(
    accounts: Annotated[int, typer.Option(help="Accounts of the sample venue.")] = 40,
    seed: Annotated[int, typer.Option(help="Seed of the sample venue.")] = 1,
    profile: ProfileOption = "ci",
    workers: Annotated[int, typer.Option(help="Prover processes (one per core).")] = os.cpu_count() or 1,
    as_json: JsonOption = False,
) -> None:
    """Sample a venue, set up development keys, prove the epoch, verify it, and print a report."""
    try:
        chosen = get_profile(profile)
        venue = sample_venue(accounts, seed, chosen)
    except ValueError as exc:
        raise fail(str(exc)) from None
    err = Console(stderr=True)
    started = time.perf_counter()
    with err.status(f"compiling the {chosen.name} circuits and setting up development keys"):
        keys = EpochKeys(*(development_keys(build(kind, chosen)) for kind in KINDS))
    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with _progress() as progress:
        epoch, records = prove_epoch(
            venue.params,
            venue.accounts,
            venue.reserves,
            chosen,
            keys,
            epoch_id=1,
            secret=new_secret(),
            workers=workers,
            on_progress=_Bars(progress),
        )
    prove_seconds = time.perf_counter() - started
    started = time.perf_counter()
    audit = verify_epoch(epoch)
    verify_seconds = time.perf_counter() - started
    report = {
        "valid": audit.valid,
        "failure": audit.failure,
        "profile": chosen.name,
        "accounts": len(records),
        "batches": len(epoch.batches),
        "setup": {"kind": epoch.setup_kind, "unsafe": keys.batch.unsafe},
        "root": hex(epoch.root),
        "coverage": [
            {
                "asset": c.symbol,
                "net_liabilities": format_scaled(c.liabilities, QUANTA_PER_UNIT),
                "reserves": format_scaled(c.reserves, QUANTA_PER_UNIT),
                "ratio": c.ratio,
            }
            for c in audit.coverage
        ],
        "setup_seconds": round(setup_seconds, 3),
        "prove_seconds": round(prove_seconds, 3),
        "verify_seconds": round(verify_seconds, 3),
        "accounts_per_second": round(len(records) / prove_seconds, 2),
        "workers": workers,
    }
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        _print_demo(report, keys.batch.unsafe)
    if not audit.valid:
        raise typer.Exit(EXIT_INVALID)


def _print_demo(report: dict[str, Any], unsafe: bool) -> None:
    console = Console()
    if unsafe:
        console.print(f"[bold yellow]{UNSAFE_NOTE}[/bold yellow]")
    verdict = (
        "[bold green]VALID[/bold green]"
        if report["valid"]
        else f"[bold red]INVALID[/bold red] {report['failure']}"
    )
    console.print(
        f"epoch 1 of a sample venue: {report['accounts']} accounts in {report['batches']} batch proofs "
        f"(profile {report['profile']}): {verdict}"
    )
    table = Table(title="reserves against net liabilities")
    for column in ("asset", "net liabilities", "reserves", "coverage"):
        table.add_column(column, justify="left" if column == "asset" else "right")
    for row in report["coverage"]:
        ratio = f"{row['ratio']:.2%}" if row["ratio"] is not None else "nothing owed"
        table.add_row(row["asset"], row["net_liabilities"], row["reserves"], ratio)
    console.print(table)
    console.print(
        f"setup {report['setup_seconds']:.1f} s, proving {report['prove_seconds']:.1f} s "
        f"({report['accounts_per_second']} accounts/s on {report['workers']} workers), "
        f"verifying {report['verify_seconds']:.2f} s"
    )


def main() -> None:
    """Entry point of the `zksolvency` script."""
    app()

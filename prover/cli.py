"""The `zksolvency` command line: thin commands over the library; exit 0 ok, 1 proof invalid, 2 bad input."""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from zksolvency.verifier import reports
from zksolvency.verifier.cli import EXIT_INVALID, JsonOption, VersionOption, fail, run
from zksolvency.verifier.cli import register as register_verifier_commands
from zksolvency.verifier.epoch import book_json, book_lines, verify_epoch
from zksolvency.verifier.field import R
from zksolvency.verifier.profiles import PROFILES, get_profile
from zksolvency.verifier.vocabulary import field_hex

from .account_cli import register as register_account_commands
from .ceremony_cli import register as register_ceremony_commands
from .circuits import KINDS, build
from .epoch import EpochKeys, check_snapshot, prove_epoch
from .keys import UNSAFE_NOTE, development_keys, load_keys
from .publish import write_epoch
from .reserves_cli import register as register_reserves_commands
from .salts import new_secret
from .sample import CALM, CRASH, sample_venue
from .snapshot import read_snapshot, write_snapshot
from .toolchain import ToolchainError

app = typer.Typer(no_args_is_help=True, help="Zero-knowledge proof of solvency with margin health.")
circuits_app = typer.Typer(no_args_is_help=True, help="The Circom circuits of a profile.")
app.add_typer(circuits_app, name="circuits")


@app.callback()
def _options(_version: VersionOption = False) -> None:
    """Zero-knowledge proof of solvency with margin health."""


ProfileOption = Annotated[str, typer.Option("--profile", help=f"One of: {', '.join(PROFILES)}.")]


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


@app.command()
def sample(
    out: Annotated[Path, typer.Argument(help="Folder to write market.json and the accounts file into.")],
    accounts: Annotated[int, typer.Option(help="Accounts of the sample venue.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same venue.")] = 1,
    profile: ProfileOption = "reference",
    epoch_id: Annotated[int, typer.Option("--epoch-id", help="Epoch number written in the market file.")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="Accounts as jsonl or csv.")] = "jsonl",
    stress: Annotated[
        bool, typer.Option("--stress", help="A crash day: many liquidatable and more bankrupt accounts.")
    ] = False,
) -> None:
    """Write a realistic sample snapshot (docs/snapshot.md)."""
    try:
        venue = sample_venue(accounts, seed, get_profile(profile), epoch_id, CRASH if stress else CALM)
        if out.exists() and any(out.iterdir()):
            raise ValueError(f"{out} exists and is not empty")
        write_snapshot(out, venue, fmt)
    except ValueError as exc:
        raise fail(str(exc)) from None
    Console(stderr=True).print(f"wrote {len(venue.accounts)} accounts and the market file to {out}")


@app.command()
def setup(
    keys: Annotated[Path, typer.Option("--keys", help="Folder for the keys (one subfolder per circuit).")],
    profile: ProfileOption = "reference",
) -> None:
    """Compile the profile's circuits and make UNSAFE single-party development keys (cached by circuit)."""
    try:
        chosen = get_profile(profile)
    except ValueError as exc:
        raise fail(str(exc)) from None
    err = Console(stderr=True)
    for kind in KINDS:
        with err.status(f"{kind}: compiling with circom --O2 --inspect and running a development setup"):
            made = development_keys(build(kind, chosen), keys / kind)
        err.print(f"{kind}: {made.circuit.info.constraints:,} constraints, keys in {made.directory}")
    err.print(f"[bold yellow]{UNSAFE_NOTE}[/bold yellow]")


def _secret(path: Path) -> int:
    """The venue secret in `path` (hex), created with a fresh one (mode 0600) if the file is missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(hex(new_secret()) + "\n")
        Console(stderr=True).print(f"created a new venue secret in {path}: keep it, reruns need it")
    value = int(path.read_text().strip(), 16)
    if not 0 < value < R:
        raise ValueError(f"{path}: the secret must be a field element in hex")
    return value


@app.command()
def prove(
    snapshot: Annotated[
        Path, typer.Argument(help="Snapshot folder: market.json and accounts.jsonl or .csv.")
    ],
    keys: Annotated[Path, typer.Option("--keys", help="Key folder made by `zksolvency setup`.")],
    out: Annotated[Path, typer.Option("--out", help="Epoch folder to create.")],
    secret: Annotated[Path, typer.Option("--secret", help="Venue secret file (created if missing).")] = Path(
        "venue.secret"
    ),
    workers: Annotated[int, typer.Option(help="Prover processes (one per core).")] = os.cpu_count() or 1,
    ray_address: Annotated[
        str | None, typer.Option("--ray", help="Prove on the Ray cluster at this address (host:port).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Prove a snapshot into an epoch folder; nothing is published unless every check passes."""
    err = Console(stderr=True)
    try:
        epoch_keys = EpochKeys(load_keys(keys / "batch"), load_keys(keys / "margin"))
        profile = epoch_keys.batch.circuit.profile
        if out.exists():
            raise ValueError(f"{out} exists; an epoch is never overwritten")
        venue = read_snapshot(snapshot, profile)
        check_snapshot(venue.params, venue.accounts, profile, venue.origin)
        venue_secret = _secret(secret)
    except (ValueError, FileNotFoundError) as exc:
        raise fail(str(exc)) from None
    if epoch_keys.batch.unsafe:
        err.print(f"[bold yellow]{UNSAFE_NOTE}[/bold yellow]")
    work = out.with_name(out.name + ".work")
    started = time.perf_counter()
    with _progress() as progress:
        bars = _Bars(progress)
        epoch, records = prove_epoch(
            venue.params,
            venue.accounts,
            venue.reserves,
            profile,
            epoch_keys,
            venue.epoch_id,
            venue_secret,
            workers=workers,
            on_progress=bars,
            cache=work,
            ray_address=ray_address,
        )
    prove_seconds = time.perf_counter() - started
    audit = verify_epoch(epoch)
    if not audit.valid:
        raise fail(f"the epoch fails its own audit, nothing was published: {audit.failure}", EXIT_INVALID)
    write_epoch(out, epoch, records, epoch_keys.margin)
    shutil.rmtree(work, ignore_errors=True)
    summary = {
        "epoch": str(out),
        "epoch_id": epoch.epoch_id,
        "accounts": len(records),
        "batches": len(epoch.batches),
        "reused_batches": bars.last.get("reused", 0),
        "root": field_hex(epoch.root),
        "setup": reports.setup(epoch),
        **book_json(audit.book),
        "prove_seconds": round(prove_seconds, 3),
        "accounts_per_second": round(len(records) / prove_seconds, 2),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        Console().print(
            f"epoch {epoch.epoch_id}: {len(records)} accounts, {len(epoch.batches)} batch proofs, "
            f"written to {out} ({prove_seconds:.1f} s)"
        )
        if audit.book is not None:
            Console().print("\n".join(book_lines(audit.book)), highlight=False)


class _Bars:
    """Rich progress bars for the phases of proving, on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.last: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.last[phase] = done
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(PHASES.get(phase, phase), total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)


PHASES = {
    "tree": "account leaves",
    "witness": "batch witnesses",
    "reused": "kept proofs",
    "prove": "batch proofs",
}


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
    with err.status("proving the reserves on a local anvil node"), tempfile.TemporaryDirectory() as scratch:
        from zksolvency.contracts.demo_reserves import prove_demo_reserves  # web3 only when needed

        try:
            reserves = prove_demo_reserves(epoch, audit, Path(scratch))
        except ToolchainError as exc:
            raise fail(str(exc)) from None
    report = {
        **reports.epoch_report(epoch, audit, reserves),
        "accounts": len(records),
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
    table = Table(title="reserves against net liabilities (proven: custody balances read from anvil)")
    for column in ("asset", "net liabilities", "declared", "proven", "insurance (proven)", "coverage"):
        table.add_column(column, justify="left" if column == "asset" else "right")
    for row in report["coverage"]:
        ratio = row["coverage"] if row["coverage"] is not None else "nothing owed"
        amounts = (row["net_liabilities"], row["declared"], row["proven"], row["insurance_proven"])
        table.add_row(row["asset"], *amounts, ratio)
    console.print(table)
    console.print(
        f"accounts by class: {report['healthy_accounts']} healthy (padding slots included), "
        f"{report['liquidatable_accounts']} liquidatable, {report['bankrupt_accounts']} bankrupt; "
        f"maintenance shortfall {report['maintenance_shortfall_usd']} USD; bad debt "
        f"{report['bad_debt_usd']} USD against an insurance fund of {report['insurance_usd']} USD",
        highlight=False,
    )
    console.print(
        f"setup {report['setup_seconds']:.1f} s, proving {report['prove_seconds']:.1f} s "
        f"({report['accounts_per_second']} accounts/s on {report['workers']} workers), "
        f"verifying {report['verify_seconds']:.2f} s"
    )


register_verifier_commands(app)  # verify, verify-account
register_account_commands(app)  # prove-account
register_ceremony_commands(app)  # ceremony ptau, start, contribute, verify, finish
register_reserves_commands(app)  # reserves message


def main() -> None:
    """Entry point of the `zksolvency` script."""
    run(app)

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
from zksolvency.verifier.ceremonies import KnownCeremony, from_folder, pinned
from zksolvency.verifier.cli import EXIT_INVALID, CeremonyOption, JsonOption, VersionOption, fail, run
from zksolvency.verifier.cli import register as register_verifier_commands
from zksolvency.verifier.epoch import Audit, Epoch, verify_epoch
from zksolvency.verifier.field import R
from zksolvency.verifier.profiles import get_profile
from zksolvency.verifier.records import InclusionRecord
from zksolvency.verifier.reserves import AssetReserves

from .account_cli import register as register_account_commands
from .ceremony_cli import register as register_ceremony_commands
from .circuits import KINDS, build
from .epoch import EpochKeys, check_snapshot, prove_epoch
from .handout_cli import register as register_handout_commands
from .holder_cli import register as register_holder_commands
from .keys import UNSAFE_NOTE, development_keys, load_keys
from .options import DEFAULT_PROFILE, ProfileOption
from .pool import Stopped, stop_on_signals
from .publish import write_epoch
from .reserves_cli import register as register_reserves_commands
from .salts import new_secret
from .sample import CALM, CRASH, sample_venue, write_trader_secrets
from .snapshot import SnapshotError, read_snapshot, write_snapshot
from .toolchain import ToolchainError
from .trust import check_key_trust

app = typer.Typer(no_args_is_help=True, help="Zero-knowledge proof of solvency with margin health.")
circuits_app = typer.Typer(no_args_is_help=True, help="The Circom circuits of a profile.")
app.add_typer(circuits_app, name="circuits")

WORKERS_HELP = "Prover processes (one per core; each batch kind has its own, so their keys load at once)."


@app.callback()
def _options(_version: VersionOption = False) -> None:
    """Zero-knowledge proof of solvency with margin health."""


@circuits_app.command("info")
def circuits_info(profile: ProfileOption = DEFAULT_PROFILE, as_json: JsonOption = False) -> None:
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
            accounts = chosen.batch_size if kind in ("batch", "portfolio_batch") else 1
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
    accounts: Annotated[int, typer.Option(help="Accounts of the sample venue.")] = 40,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same venue.")] = 1,
    profile: ProfileOption = DEFAULT_PROFILE,
    epoch_id: Annotated[int, typer.Option("--epoch-id", help="Epoch number written in the market file.")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="Accounts as jsonl or csv.")] = "jsonl",
    stress: Annotated[
        bool, typer.Option("--stress", help="A crash day: many liquidatable and more bankrupt accounts.")
    ] = False,
) -> None:
    """Write a realistic sample snapshot (docs/snapshot.md)."""
    try:
        chosen = get_profile(profile)
        _check_capacity(accounts, chosen.name, chosen.capacity)
        venue = sample_venue(accounts, seed, chosen, epoch_id, CRASH if stress else CALM)
        if out.exists() and any(out.iterdir()):
            raise ValueError(f"{out} exists and is not empty")
        write_snapshot(out, venue, fmt)
        traders = write_trader_secrets(out, venue, seed)
    except ValueError as exc:
        raise fail(str(exc)) from None
    Console(stderr=True).print(
        f"wrote {len(venue.accounts)} accounts and the market file to {out}, and the sample traders' own "
        f"holder secrets (UNSAFE, derived from the seed) to {traders}"
    )


@app.command()
def setup(
    keys: Annotated[Path, typer.Option("--keys", help="Folder for the keys (one subfolder per circuit).")],
    profile: ProfileOption = DEFAULT_PROFILE,
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


def _check_capacity(accounts: int, profile: str, capacity: int) -> None:
    if not 1 <= accounts <= capacity:
        raise ValueError(f"--accounts {accounts}: profile {profile} holds 1 to {capacity} accounts")


def read_secret(path: Path, create: bool) -> int:
    """The venue secret in `path` (hex). With `create`, a fresh one is written first (mode 0600), and
    the file must not exist; without it, the file must exist: a missing secret is never made silently."""
    where = path.resolve()
    if create:
        if path.exists():
            raise ValueError(f"{where} exists: drop --new-secret to use the secret it holds")
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(hex(new_secret()) + "\n")
        Console(stderr=True).print(f"created a new venue secret in {where}: keep it, reruns need it")
    elif not path.is_file():
        raise ValueError(
            f"{where}: no such secret file (the venue secret of earlier runs); "
            "pass --new-secret to create one for a first epoch"
        )
    try:
        value = int(path.read_text().strip(), 16)
    except ValueError:
        value = 0
    if not 0 < value < R:
        raise ValueError(f"{where}: the secret must be a field element in hex")
    return value


def known_ceremonies(folders: list[Path] | None) -> list[KnownCeremony]:
    """The pinned ceremonies and the closed ceremony folders named on the command line."""
    return pinned() + [from_folder(folder) for folder in folders or []]


def _report(
    audit: Audit, epoch: Epoch, records: list[InclusionRecord], proven: list[AssetReserves] | None = None
) -> dict[str, Any]:
    """What `prove` and `demo` report about an audited epoch: the epoch report (validity, coverage, the
    book) and the venue's own counts of records, of open option positions and of portfolio accounts (from
    its snapshot: the public epoch reveals none of them)."""
    return {
        **reports.epoch_report(epoch, audit, proven),
        "accounts": len(records),
        "option_positions": sum(1 for r in records for q in r.account.options if q),
        "portfolio_accounts": sum(1 for r in records if r.account.portfolio),
    }


SecretOption = Annotated[
    Path,
    typer.Option(
        "--secret", help="Venue secret file: the same for every run of an epoch (see --new-secret)."
    ),
]


@app.command()
def prove(
    snapshot: Annotated[
        Path, typer.Argument(help="Snapshot folder: market.json and accounts.jsonl or .csv.")
    ],
    keys: Annotated[Path, typer.Option("--keys", help="Key folder made by `setup` or `ceremony finish`.")],
    out: Annotated[Path, typer.Option("--out", help="Epoch folder to create.")],
    secret: SecretOption,
    new_secret: Annotated[
        bool, typer.Option("--new-secret", help="Create the secret file (it must not exist yet).")
    ] = False,
    ceremony: CeremonyOption = None,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = os.cpu_count() or 1,
    ray_address: Annotated[
        str | None, typer.Option("--ray", help="Prove on the Ray cluster at this address (host:port).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Prove a snapshot into an epoch folder; nothing is published unless every check passes.

    Everything that can be checked is checked before the first proof: the keys (ceremony keys must be
    of a pinned ceremony or a --ceremony folder), the secret, the snapshot, capacity and reserves.
    SIGINT or SIGTERM stops every prover process; the proofs made so far are kept for a rerun.
    """
    err = Console(stderr=True)
    try:
        loaded = {kind: load_keys(keys / kind) for kind in KINDS}
        ceremonies = known_ceremonies(ceremony)
        trust = check_key_trust(loaded, ceremonies)
        epoch_keys = EpochKeys.of(loaded)
        profile = epoch_keys.batch.circuit.profile
        if out.exists():
            raise ValueError(f"{out} exists; an epoch is never overwritten")
        if not new_secret:
            venue_secret = read_secret(secret, create=False)
        elif secret.exists():
            raise ValueError(f"{secret.resolve()} exists: drop --new-secret to use the secret it holds")
        venue = read_snapshot(snapshot, profile)
        check_snapshot(venue.params, venue.accounts, profile, venue.origin)
        if new_secret:
            venue_secret = read_secret(secret, create=True)
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    err.print(f"keys: {trust}")
    if epoch_keys.batch.unsafe:
        err.print(f"[bold yellow]{UNSAFE_NOTE}[/bold yellow]")
    work = out.with_name(out.name + ".work")
    started = time.perf_counter()
    bars = _Bars(None)
    try:
        with stop_on_signals(), _progress() as progress:
            bars.progress = progress
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
    except SnapshotError as exc:
        raise fail(str(exc)) from None
    except Stopped as stop:
        kept = len(list(work.glob("batch-*.json")))
        err.print(
            f"stopped by {stop}: every prover process is stopped and nothing was published. "
            f"{kept} batch proof{'s' if kept != 1 else ''} kept in {work}; to resume, run the same "
            f"command again (same snapshot, keys and --secret, without --new-secret): it reuses them."
        )
        raise typer.Exit(128 + stop.signum) from None
    prove_seconds = time.perf_counter() - started
    audit = verify_epoch(epoch, ceremonies)
    if not audit.valid:
        raise fail(f"the epoch fails its own audit, nothing was published: {audit.failure}", EXIT_INVALID)
    write_epoch(out, epoch, records, epoch_keys.margin)
    shutil.rmtree(work, ignore_errors=True)
    summary = {
        "epoch": str(out),
        **_report(audit, epoch, records),
        "reused_batches": bars.last.get("reused", 0),
        "prove_seconds": round(prove_seconds, 3),
        "accounts_per_second": round(len(records) / prove_seconds, 2),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_report(summary, epoch_keys.batch.unsafe)
        Console().print(
            f"written to {out}: proving {prove_seconds:.1f} s ({summary['accounts_per_second']} accounts/s), "
            f"{summary['reused_batches']} batch proofs reused"
        )


class _Bars:
    """Rich progress bars for the phases of proving, on stderr."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.last: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        self.last[phase] = done
        if self.progress is None:
            return
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


#: The demo's default seed: its 40-account venue and portfolio desk (45 records at the ci profile, 4 of
#: them portfolio accounts, 19 open option positions) hold 4 liquidatable accounts (one a portfolio) and 1
#: bankrupt one beside the healthy ones, as a real book at any instant does.
DEMO_SEED = 18


@app.command()
def demo(
    accounts: Annotated[int, typer.Option(help="Accounts of the sample venue.")] = 40,
    seed: Annotated[
        int,
        typer.Option(
            help="Seed of the sample venue (the default's book has liquidatable and bankrupt accounts)."
        ),
    ] = DEMO_SEED,
    profile: ProfileOption = DEFAULT_PROFILE,
    workers: Annotated[int, typer.Option(help=WORKERS_HELP)] = os.cpu_count() or 1,
    stress: Annotated[
        bool, typer.Option("--stress", help="A crash day: many liquidatable and more bankrupt accounts.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Sample a venue, set up development keys, prove the epoch, verify it, and print a report."""
    try:
        chosen = get_profile(profile)
        _check_capacity(accounts, chosen.name, chosen.capacity)
        venue = sample_venue(accounts, seed, chosen, stress=CRASH if stress else CALM)
    except ValueError as exc:
        raise fail(str(exc)) from None
    err = Console(stderr=True)
    started = time.perf_counter()
    with err.status(f"compiling the {chosen.name} circuits and setting up development keys"):
        keys = EpochKeys.of({kind: development_keys(build(kind, chosen)) for kind in KINDS})
    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    try:
        with stop_on_signals(), _progress() as progress:
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
    except SnapshotError as exc:
        raise fail(str(exc)) from None
    except Stopped as stop:
        err.print(f"stopped by {stop}: every prover process is stopped; a demo keeps nothing")
        raise typer.Exit(128 + stop.signum) from None
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
        **_report(audit, epoch, records, reserves),
        "setup_seconds": round(setup_seconds, 3),
        "prove_seconds": round(prove_seconds, 3),
        "verify_seconds": round(verify_seconds, 3),
        "accounts_per_second": round(len(records) / prove_seconds, 2),
        "workers": workers,
    }
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        _print_report(report, keys.batch.unsafe)
        Console().print(
            f"setup {report['setup_seconds']:.1f} s, proving {report['prove_seconds']:.1f} s "
            f"({report['accounts_per_second']} accounts/s on {report['workers']} workers), "
            f"verifying {report['verify_seconds']:.2f} s"
        )
    if not audit.valid:
        raise typer.Exit(EXIT_INVALID)


def _print_report(report: dict[str, Any], unsafe: bool) -> None:
    """The verdict, the coverage table and the account classes of a `_report`."""
    console = Console()
    if unsafe:
        console.print(f"[bold yellow]{UNSAFE_NOTE}[/bold yellow]")
    verdict = (
        "[bold green]VALID[/bold green]"
        if report["valid"]
        else f"[bold red]INVALID[/bold red] {report['failure']}"
    )
    console.print(
        f"epoch {report['epoch_id']}: {report['accounts']} accounts ({report['portfolio_accounts']} "
        f"portfolio-margined, {report['option_positions']} open option positions) in {report['batches']} "
        "batch proofs "
        f"(profile {report['profile']}, {report['setup']['kind']} keys): {verdict}"
    )
    proven = any(row["proven"] is not None for row in report["coverage"])
    title = "proven: custody balances read from the chain" if proven else "declared; not proven yet"
    table = Table(title=f"reserves against net liabilities ({title})")
    for column in ("asset", "net liabilities", "declared", "proven", "insurance (proven)", "coverage"):
        table.add_column(column, justify="left" if column == "asset" else "right")
    for row in report["coverage"]:
        if not proven:
            ratio = f"{row['ratio']} (declared)" if row["ratio"] is not None else "nothing owed"
        else:
            ratio = row["coverage"] if row["coverage"] is not None else "nothing owed"
        amounts = (
            row["net_liabilities"],
            row["declared"],
            row["proven"] or "-",
            row["insurance_proven"] or "-",
        )
        table.add_row(row["asset"], *amounts, ratio)
    console.print(table)
    if report.get("healthy_accounts") is not None:
        console.print(
            f"accounts by class: {report['healthy_accounts']} healthy (padding slots included), "
            f"{report['liquidatable_accounts']} liquidatable, {report['bankrupt_accounts']} bankrupt; "
            f"maintenance shortfall {report['maintenance_shortfall_usd']} USD; bad debt "
            f"{report['bad_debt_usd']} USD against an insurance fund of {report['insurance_usd']} USD",
            highlight=False,
        )


register_verifier_commands(app)  # verify, verify-account
register_account_commands(app)  # prove-account
register_holder_commands(app)  # holder-key new, show
register_ceremony_commands(app)  # ceremony ptau, start, contribute, verify, finish
register_reserves_commands(app)  # reserves message
register_handout_commands(app)  # publish, split-records, reissue-token


def main() -> None:
    """Entry point of the `zksolvency` script."""
    run(app)

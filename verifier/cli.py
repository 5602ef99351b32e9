"""The verifier's commands: `zksolvency verify` (a whole epoch) and `zksolvency verify-account` (one trader).

Exit status: 0 valid, 1 invalid (the first failing check is named), 2 unreadable input.
"""

import gc
import json
import re
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

import typer

from . import reports
from .ceremonies import CEREMONY, UNSAFE_NOTE, CeremonyError, KnownCeremony, from_folder, pinned
from .documents import read_json
from .epoch import Audit, Epoch, book_lines, verify_epoch
from .formats import MARGIN_KIT, FormatError, epoch_document, epoch_from_json, record_from_json
from .grid import scenario_grid, table_lines
from .groth16 import MalformedKey, key_hash
from .holder import HolderKeyError, read_holder_secret
from .inclusion import AccountCheck, verify_account
from .margin_proof import MarginProofFile
from .reserves import ReservesInputError, audit_reserves
from .vocabulary import field_hex, units, usd

EXIT_INVALID = 1
EXIT_BAD_INPUT = 2

_BATCH_CHECK = re.compile(r"batch \d+ (proof|index|parameters|chain)")

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
RpcOption = Annotated[
    list[str] | None,
    typer.Option("--rpc", help="CHAIN_ID=URL: the JSON-RPC node to read custody balances on; repeatable."),
]
ReservesOption = Annotated[
    Path | None,
    typer.Option("--reserves", help="The custody declarations (default: reserves.json beside epoch.json)."),
]
CeremonyOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--ceremony",
        help="A closed ceremony folder (transcript.json, KIND/KIND_final.zkey) you vouch for; repeatable.",
    ),
]


def _short_lived() -> None:
    """A command runs once and exits: the cyclic collector would only rescan the parsed documents (about
    20 ms a pass for a 2^20-account epoch), which hold no reference cycles; refcounting frees them."""
    gc.disable()


def json_requested() -> bool:
    """True when the command line asks for `--json`."""
    return "--json" in sys.argv[1:]


def error_json(message: str, code: int) -> str:
    """The JSON object a `--json` command prints on stdout when it stops: the error and the exit status."""
    return json.dumps({"error": message, "exit_status": code})


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Report `message` and return the Exit to raise (by default status 2, bad input).

    On stderr as `error: ...`; under `--json`, also as a JSON object on stdout, so a script that reads
    stdout always gets JSON.
    """
    typer.echo(f"error: {message}", err=True)
    if json_requested():
        typer.echo(error_json(message, code))
    return typer.Exit(code)


def version_text() -> str:
    """The installed package's version."""
    try:
        return version("zksolvency")
    except PackageNotFoundError:
        return "unknown"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"zksolvency {version_text()}")
        raise typer.Exit()


VersionOption = Annotated[
    bool,
    typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
]


def run(app: typer.Typer) -> None:
    """Run the `zksolvency` app; under `--json`, a usage error is also a JSON object on stdout."""
    if not json_requested():
        app()
        return
    try:
        status = app(standalone_mode=False)
    except typer.Abort:  # Ctrl-C: the shell's status for SIGINT
        typer.echo(error_json("interrupted", 130))
        sys.exit(130)
    except typer.TyperException as exc:  # a usage error: unknown option, missing argument, bad value
        code = getattr(exc, "exit_code", EXIT_BAD_INPUT)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"error: {message}", err=True)
        typer.echo(error_json(message, code))
        sys.exit(code)
    sys.exit(status if isinstance(status, int) else 0)


def _ceremonies(folders: list[Path] | None) -> list[KnownCeremony]:
    try:
        return pinned() + [from_folder(folder) for folder in folders or []]
    except CeremonyError as exc:
        raise fail(str(exc)) from None


def _print_setup(epoch: Epoch) -> None:
    if epoch.setup_kind == CEREMONY and epoch.ceremony is not None:
        typer.echo(f"setup: ceremony, transcript sha256 {reports.setup(epoch)['ceremony_transcript_sha256']}")
    else:
        typer.echo(f"setup: {epoch.setup_kind}")
    if epoch.unsafe:
        typer.echo(UNSAFE_NOTE)


def _print_checks(
    passed: list[str], failed_check: str | None, failure: str | None, *, group_batches: bool = False
) -> None:
    batches = [name for name in passed if group_batches and _BATCH_CHECK.fullmatch(name)]
    for name in passed:
        if name in batches:
            if name == batches[0]:
                count = len({n.split()[1] for n in batches})
                typer.echo(f"  ok    batches: proof, index, parameters, chain of each ({count} batches)")
            continue
        typer.echo(f"  ok    {name}")
    if failed_check is not None:
        typer.echo(f"  FAIL  {failure}")


def _check_margin_kit(document: Path, epoch: Epoch, audit: Audit) -> None:
    """In an epoch folder, the trader's margin kit must carry the epoch's margin key."""
    kit_key = document.parent / MARGIN_KIT.name / "verification_key.json"
    if not audit.valid or not kit_key.is_file():
        return
    try:
        same = key_hash(read_json(kit_key)) == key_hash(epoch.verification_keys["margin"])
    except (FormatError, MalformedKey):
        same = False
    if same:
        audit.passed.append("margin kit")
    else:
        audit.failed_check = "margin kit"
        audit.failure = "margin kit: its verification key is not the epoch's margin key"


def verify_command(
    epoch_path: Annotated[Path, typer.Argument(metavar="EPOCH", help="An epoch folder or its epoch.json.")],
    as_json: JsonOption = False,
    ceremony: CeremonyOption = None,
    rpc: RpcOption = None,
    reserves: ReservesOption = None,
) -> None:
    """Audit a published epoch: every batch proof, the chain of states, the root, totals, and the reserves
    proven by custody signatures and balances read at a pinned block from the nodes given with --rpc."""
    started = time.perf_counter()
    _short_lived()
    document = epoch_document(epoch_path)
    try:
        epoch = epoch_from_json(read_json(document))
    except FormatError as exc:
        raise fail(f"{document}: {exc}" if str(document) not in str(exc) else str(exc)) from None
    audit = verify_epoch(epoch, _ceremonies(ceremony))
    _check_margin_kit(document, epoch, audit)
    try:
        path = reserves or document.parent / "reserves.json"
        rows = audit_reserves(epoch, audit, path, rpc, required=reserves is not None)
    except (ReservesInputError, FormatError) as exc:
        raise fail(str(exc)) from None
    seconds = time.perf_counter() - started
    report = reports.epoch_report(epoch, audit, rows)
    if as_json:
        typer.echo(json.dumps({**report, "seconds": round(seconds, 3)}, indent=2))
    else:
        typer.echo(
            f"epoch {epoch.epoch_id} (profile {epoch.profile.name}): {len(epoch.batches)} batch proofs, "
            f"root {report['root']}"
        )
        _print_setup(epoch)
        _print_checks(audit.passed, audit.failed_check, audit.failure, group_batches=True)
        if report["coverage"]:
            typer.echo(
                "reserves against net liabilities (units of each asset; proven: custody balances read):"
            )
            for row in report["coverage"]:
                ratio = (
                    f"coverage {row['coverage']}" if row["coverage"] is not None else "coverage not proven"
                )
                typer.echo(
                    f"  {row['asset']:<10} net liabilities {row['net_liabilities']:>24}  "
                    f"declared {row['declared']:>24}  proven {row['proven'] or '-':>24}  {ratio}"
                )
        if audit.book is not None:
            for line in book_lines(audit.book):
                typer.echo(line)
        verdict = "VALID" if audit.valid else f"INVALID: {audit.failure}"
        typer.echo(f"{verdict} ({seconds:.2f} s)")
    if not audit.valid:
        raise typer.Exit(EXIT_INVALID)


def _print_account(epoch: Epoch, result: AccountCheck, record: Any) -> None:
    details = reports.account_figures(epoch, record, result)
    account = record.account
    if not result.valid:
        return
    typer.echo("What the epoch proves about this account:")
    typer.echo(
        f"  - these balances and positions are exactly those committed in leaf {record.index}, under the "
        f"published root {field_hex(epoch.root)};"
    )
    typer.echo(
        f"  - batch {result.batch}'s proof (checked) classifies every account of that batch, this one "
        "included, at the published prices and marks (healthy, liquidatable or bankrupt), and counts it "
        "into the epoch's published classes, shortfall and bad debt."
    )
    typer.echo(f"{account.label}:")
    if account.holder:
        checked = (
            " (yours: checked)" if "holder" in result.passed else " (pass --secret to check it is yours)"
        )
        typer.echo(f"  holder commitment   {details['holder']}{checked}")
    else:
        typer.echo("  holder commitment   none registered: this record cannot back a margin proof")
    for symbol, amount in details["balances"].items():
        typer.echo(f"  balance   {symbol:<10} {amount:>24}")
    for market, size in zip(epoch.params.markets, account.positions, strict=False):
        side = "long" if size > 0 else "short" if size < 0 else "flat"
        typer.echo(f"  position  {market.symbol:<10} {units(size):>24} ({side})")
    for series, size in zip(epoch.params.options, account.options, strict=False):
        if size:
            side = "long" if size > 0 else "short"
            typer.echo(f"  option    {series.symbol:<20} {units(size):>14} ({side} {series.kind})")
    health = result.health
    if health is not None:
        figures = details["position_figures"] or []
        if figures:
            typer.echo(
                f"  {'position':<22} {'value USD':>16} {'IM USD':>14} {'MM USD':>14} {'delta':>14} "
                f"{'gamma':>14} {'vega USD':>12}"
            )
        for p in figures:
            typer.echo(
                f"  {p['symbol']:<22} {p['value_usd']:>16} {p['initial_margin_usd'] or '-':>14} "
                f"{p['maintenance_margin_usd'] or '-':>14} {p['delta']:>14} {p['gamma']:>14} "
                f"{p['vega_usd']:>12}"
            )
        grid = None
        if health.scenario is not None and result.params is not None:
            grid = scenario_grid(health.scenario, result.params.shocks)
            if figures:
                typer.echo(
                    "  (portfolio margin: a position has no IM or MM of its own; the account's are its "
                    "scenario margins below)"
                )
            typer.echo(
                "  scenario grid: loss in USD per scenario (whole USD, toward zero; negative = gain), "
                "the extended moves counted at their fraction:"
            )
            for line in table_lines(grid, "    "):
                typer.echo(line)
            ratio = details["scenario_grid"]["mm_ratio"]
            typer.echo(
                f"  initial margin = the worst loss (0 if none loses); maintenance margin = {ratio} x "
                "initial margin"
            )
        typer.echo(f"  haircut equity      {usd(health.equity):>20} USD")
        typer.echo(f"  maintenance margin  {usd(health.maintenance):>20} USD")
        typer.echo(f"  free collateral     {usd(health.free):>20} USD")
        typer.echo(f"  initial margin      {usd(health.initial):>20} USD")
        typer.echo(f"  available           {usd(health.available):>20} USD (haircut equity - initial margin)")
        state = health.in_words
        if health.healthy and health.maintenance and health.equity > 0:
            share = health.maintenance / health.equity
            state += f" (maintenance margin is {share:.2%} of haircut equity)"
        elif not health.maintenance and grid is not None:
            state += " (no maintenance margin is due: no scenario of the grid loses)"
        elif not health.maintenance:
            held = "no short option and no perpetual" if details["position_figures"] else "no open position"
            state += f" (no maintenance margin is due: {held})"
        typer.echo(f"  class: {state}")
    file = result.margin_proof
    if file is not None:
        claim = reports.margin_proof(file)
        whose = "yours" if "margin proof account" in result.passed else "(pass --secret to check it is yours)"
        typer.echo(
            f"margin proof: an account of this epoch, {whose} (nullifier {claim['nullifier']}), has haircut "
            f"equity above its initial margin by at least {claim['threshold_usd']} USD; the proof is bound "
            f"to recipient {claim['recipient']} on chain {claim['chain_id']}, for gate {claim['gate']}."
        )
    typer.echo(
        "This checks your account only. `zksolvency verify EPOCH` audits the whole epoch: the chain of "
        "batches, the totals and the reserves."
    )


def verify_account_command(
    record_path: Annotated[Path, typer.Argument(metavar="RECORD", help="Your inclusion record (JSON).")],
    epoch_path: Annotated[Path, typer.Option("--epoch", help="The epoch folder or its epoch.json.")],
    as_json: JsonOption = False,
    margin_proof: Annotated[
        Path | None, typer.Option("--margin-proof", help="Also check this margin proof file.")
    ] = None,
    secret: Annotated[
        Path | None,
        typer.Option(
            "--secret",
            help="Your holder secret file (holder-key new): also check that your leaf holds its commitment "
            "and that the margin proof is yours.",
        ),
    ] = None,
    ceremony: CeremonyOption = None,
) -> None:
    """Check your own account against a published epoch: leaf, path, your batch's proof, your margin."""
    started = time.perf_counter()
    _short_lived()
    document = epoch_document(epoch_path)
    try:
        record_doc = read_json(record_path)
        record = record_from_json(record_doc)
        doc = read_json(document)
        epoch = epoch_from_json(doc, with_batches=False)
        batches = doc.get("batches")
        if not isinstance(batches, list):
            raise FormatError(f"{document}: batches: expected a list")
        proof_file = MarginProofFile.from_json(read_json(margin_proof)) if margin_proof else None
        holder_secret = read_holder_secret(secret) if secret else None
    except (FormatError, HolderKeyError) as exc:
        raise fail(str(exc)) from None
    profile_name = record_doc.get("profile") if isinstance(record_doc, dict) else None
    try:
        result = verify_account(
            epoch,
            batches,
            record,
            record_profile=profile_name if isinstance(profile_name, str) else None,
            margin_proof=proof_file,
            secret=holder_secret,
            ceremonies=_ceremonies(ceremony),
        )
    except FormatError as exc:
        raise fail(f"{document}: {exc}") from None
    seconds = time.perf_counter() - started
    if as_json:
        report = reports.record_report(epoch, record, result, proof_file)
        typer.echo(json.dumps({**report, "seconds": round(seconds, 3)}, indent=2))
    else:
        typer.echo(
            f"{record.account.label}, leaf {record.index} of epoch {epoch.epoch_id} "
            f"(profile {epoch.profile.name})"
        )
        _print_setup(epoch)
        _print_checks(result.passed, result.failed_check, result.failure)
        _print_account(epoch, result, record)
        verdict = "VALID" if result.valid else f"INVALID: {result.failure}"
        typer.echo(f"{verdict} ({seconds * 1000:.0f} ms)")
    if not result.valid:
        raise typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    """Add `verify` and `verify-account` to the `zksolvency` app."""
    app.command("verify")(verify_command)
    app.command("verify-account")(verify_account_command)

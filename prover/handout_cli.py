"""Handing an epoch out: `publish` (to a running `zksolvency serve`), `split-records` (one file per
account, for delivery) and `reissue-token` (a fresh access token for one account)."""

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer

from zksolvency.verifier.cli import EXIT_INVALID, JsonOption, fail
from zksolvency.verifier.documents import read_json
from zksolvency.verifier.formats import MARGIN_KIT, PUBLIC_EPOCH, RECORDS, FormatError

from .margin_kit import KitError, pack

#: Where `publish` writes the access tokens the API issues, inside the epoch folder.
TOKENS = Path("private") / "tokens.jsonl"

UrlOption = Annotated[str, typer.Option("--url", help="Base URL of the API, e.g. http://127.0.0.1:8000.")]
VenueTokenOption = Annotated[
    str,
    typer.Option(
        "--venue-token",
        envvar="ZKSOLVENCY_VENUE_TOKEN",
        help="The API's venue token (or ZKSOLVENCY_VENUE_TOKEN).",
        show_default=False,
    ),
]
EpochFolder = Annotated[Path, typer.Argument(metavar="EPOCH", help="The epoch folder made by `prove`.")]


class ApiError(Exception):
    """The API answered with an error status; str() is its status and reason."""


def _request(method: str, url: str, token: str, body: bytes, content_type: str) -> Any:
    """Send one request to the API; its JSON answer (None when empty). ApiError on an error status;
    ValueError when the API cannot be reached."""
    request = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            data = response.read()
    except urllib.error.HTTPError as exc:
        try:
            reason = json.loads(exc.read()).get("detail")
        except ValueError:
            reason = exc.reason
        raise ApiError(f"{exc.code} {reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ValueError(f"{url}: cannot reach the API ({getattr(exc, 'reason', exc)})") from None
    return json.loads(data) if data else None


def _write_private(path: Path, lines: list[str]) -> None:
    """Write `lines` to `path` (mode 0600), atomically."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.writelines(line + "\n" for line in lines)
    os.replace(partial, path)


def publish_command(
    epoch: EpochFolder,
    url: UrlOption,
    venue_token: VenueTokenOption,
    as_json: JsonOption = False,
) -> None:
    """Publish an epoch folder to the API: the epoch and its records (verified there again), then the
    traders' margin kit. The access tokens the API issues, once, go to EPOCH/private/tokens.jsonl."""
    base = url.rstrip("/")
    tokens_path = epoch / TOKENS
    try:
        if tokens_path.exists():
            raise ValueError(f"{tokens_path} exists: this epoch folder was published already")
        document = read_json(epoch / PUBLIC_EPOCH)
        records = (epoch / RECORDS).read_text()
        kit = pack(epoch / MARGIN_KIT)
    except (FormatError, KitError, OSError) as exc:
        raise fail(str(exc)) from None
    body = json.dumps({"epoch": document, "records": records}).encode()
    try:
        answer = _request("POST", f"{base}/v1/epochs", venue_token, body, "application/json")
        lines = [json.dumps(t) for t in answer["tokens"]]
        _write_private(tokens_path, lines)
        epoch_id = answer["epoch_id"]
        _request(
            "PUT", f"{base}/v1/epochs/{epoch_id}/margin-kit", venue_token, kit, "application/octet-stream"
        )
    except ApiError as exc:
        raise fail(f"{base}: the API refused: {exc}", EXIT_INVALID) from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    summary = {
        "epoch_id": epoch_id,
        "url": f"{base}/v1/epochs/{epoch_id}",
        "root": answer["root"],
        "accounts": answer["accounts"],
        "batches": answer["batches"],
        "tokens": str(tokens_path),
        "margin_kit": f"{base}/v1/epochs/{epoch_id}/margin-kit",
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        typer.echo(
            f"epoch {epoch_id} published at {summary['url']}: {answer['accounts']} accounts, "
            f"{answer['batches']} batch proofs; margin kit uploaded"
        )
        typer.echo(
            f"access tokens (shown once by the API) written to {tokens_path}: hand each to its account only "
            f"(`zksolvency split-records {epoch} --out DIR` makes one file per account)"
        )


def split_records_command(
    epoch: EpochFolder,
    out: Annotated[Path, typer.Option("--out", help="Folder to create: one file per account.")],
) -> None:
    """Split the private records into one file per account (ACCOUNT-SUBACCOUNT.json, mode 0600), with the
    account's access token beside it (ACCOUNT-SUBACCOUNT.token) once the epoch is published."""
    tokens: dict[tuple[int, int], str] = {}
    try:
        if out.exists():
            raise ValueError(f"{out} exists; records are split into a new folder")
        lines = (epoch / RECORDS).read_text().splitlines()
        if (epoch / TOKENS).exists():
            for line in (epoch / TOKENS).read_text().splitlines():
                t = json.loads(line)
                tokens[(t["account_id"], t["subaccount"])] = t["token"]
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise fail(str(exc)) from None
    try:
        for number, line in enumerate(lines, 1):
            try:
                record = json.loads(line)
                key = (int(record["account"]["account_id"]), int(record["account"].get("subaccount", 0)))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise fail(f"{epoch / RECORDS}:{number}: not an inclusion record") from None
            name = f"{key[0]}-{key[1]}"
            _write_private(staging / f"{name}.json", [json.dumps(record, indent=1)])
            if key in tokens:
                _write_private(staging / f"{name}.token", [tokens[key]])
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with_tokens = f" and {len(tokens)} access tokens" if tokens else " (no tokens: publish the epoch first)"
    typer.echo(f"{len(lines)} records{with_tokens} written to {out}, one file per account")


def reissue_token_command(
    epoch_id: Annotated[int, typer.Argument(help="The published epoch.")],
    account_id: Annotated[int, typer.Argument(help="The account.")],
    url: UrlOption,
    venue_token: VenueTokenOption,
    subaccount: Annotated[int, typer.Option(help="The subaccount.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """A new access token for one account of a published epoch (for a trader who lost theirs); the old
    token stops working."""
    address = f"{url.rstrip('/')}/v1/epochs/{epoch_id}/accounts/{account_id}/token?subaccount={subaccount}"
    try:
        issued = _request("POST", address, venue_token, b"", "application/json")
    except ApiError as exc:
        raise fail(f"{url}: the API refused: {exc}", EXIT_INVALID) from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(issued, indent=2))
    else:
        typer.echo(
            f"new access token of account {account_id}/{subaccount} in epoch {epoch_id}: {issued['token']}"
        )


def register(app: typer.Typer) -> None:
    """Add `publish`, `split-records` and `reissue-token` to the `zksolvency` app."""
    app.command("publish")(publish_command)
    app.command("split-records")(split_records_command)
    app.command("reissue-token")(reissue_token_command)

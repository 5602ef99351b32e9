"""The `zksolvency` console script: the prover's and verifier's commands, plus `serve`.

It lives here because the service builds on the prover and the verifier, which must not import it.
"""

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from zksolvency.prover.cli import app
from zksolvency.verifier.ceremonies import CeremonyError
from zksolvency.verifier.cli import CeremonyOption, fail, run


def loopback_only(host: str) -> bool:
    """True when `host` is a loopback address (or localhost): nothing outside this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder of the SQLite database (default ./data).")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db."),
    ] = None,
    ceremony: CeremonyOption = None,
) -> None:
    """Run the HTTP API (settings from ZKSOLVENCY_* variables; see docs/api.md)."""
    import uvicorn
    from pydantic import ValidationError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from .config import DEFAULT_SECRET, Settings
    from .main import create_app

    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    if ceremony:
        overrides["ceremonies"] = ceremony
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
        settings.known_ceremonies()
    except ValidationError as exc:
        raise fail(f"settings: {exc.errors()[0]['msg']}") from None
    except CeremonyError as exc:
        raise fail(f"--ceremony: {exc}") from None
    if settings.venue_token.get_secret_value() == DEFAULT_SECRET:
        if not loopback_only(host):
            raise fail(
                f"the default venue token is refused on {host}, which other machines can reach: set "
                "ZKSOLVENCY_VENUE_TOKEN to a secret of at least 32 characters, or listen on 127.0.0.1"
            )
        typer.echo(
            "warning: the default venue token (listening on loopback only); set ZKSOLVENCY_VENUE_TOKEN",
            err=True,
        )
    try:
        app = create_app(settings)
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(settings.database).render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise fail(f"database {where}: {reason}") from None
    uvicorn.run(app, host=host, port=port, log_level="info")


app.command("serve")(serve)


def main() -> None:
    """Entry point of the `zksolvency` script."""
    run(app)

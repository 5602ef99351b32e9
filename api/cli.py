"""The `zksolvency` console script: the prover's and verifier's commands, plus `serve`.

It lives here because the service builds on the prover and the verifier, which must not import it.
"""

from pathlib import Path
from typing import Annotated

import typer

from zksolvency.prover.cli import app
from zksolvency.verifier.ceremonies import CeremonyError
from zksolvency.verifier.cli import CeremonyOption, fail


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

    from .config import Settings
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
    if settings.environment == "development" and settings.venue_token.get_secret_value() == "changethis":
        typer.echo(
            "warning: development mode with the default venue token; set ZKSOLVENCY_VENUE_TOKEN", err=True
        )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


app.command("serve")(serve)


def main() -> None:
    """Entry point of the `zksolvency` script."""
    app()

"""Command-line options shared by the prover's commands: one profile default for all of them."""

from typing import Annotated

import typer

from zksolvency.verifier.profiles import PROFILES

#: The profile every command uses unless told otherwise (--profile, or ZKSOLVENCY_PROFILE): the small
#: `ci` circuits, quick to compile and prove. A venue in production names `reference` (or its own).
DEFAULT_PROFILE = "ci"

ProfileOption = Annotated[
    str,
    typer.Option(
        "--profile",
        envvar="ZKSOLVENCY_PROFILE",
        help=f"One of: {', '.join(PROFILES)} (default {DEFAULT_PROFILE}, or ZKSOLVENCY_PROFILE).",
        show_default=False,
    ),
]

"""Models shared by every route: errors, health, version."""

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """Why a request was refused."""

    detail: Any = Field(description="The reason: a sentence, or the validation errors of the request.")


class Health(BaseModel):
    """The service is up and its database answers."""

    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])


class Version(BaseModel):
    """The package version and the document formats this service reads and writes."""

    version: str
    epoch_format: str
    record_format: str
    margin_proof_format: str
    schema_version: int


class Check(BaseModel):
    """One check of an audit, in order; the last one failed when `ok` is false."""

    check: str
    ok: bool
    why: str | None = None


#: The responses every route may give besides its own: refused input, limits.
COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The request body cannot be parsed."},
    413: {"model": Problem, "description": "The request body is over the size limit."},
    429: {"model": Problem, "description": "Too many requests from this client; see Retry-After."},
}

"""Service settings from the environment (prefix ZKSOLVENCY_) or the `serve` command's options."""

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zksolvency.verifier.ceremonies import KnownCeremony, from_folder, pinned

#: The placeholder venue token: accepted in development only.
DEFAULT_SECRET = "changethis"


class Settings(BaseSettings):
    """Where the data lives, who may publish, and the request limits."""

    model_config = SettingsConfigDict(env_prefix="ZKSOLVENCY_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = None
    """SQLAlchemy URL; None: SQLite in DATA_DIR/zksolvency.sqlite."""
    venue_token: SecretStr = SecretStr(DEFAULT_SECRET)
    """The bearer token the venue publishes epochs with."""
    max_body_bytes: int = Field(default=256 * 2**20, ge=1024)
    """Requests with a larger body are refused with 413."""
    rate_per_second: float = Field(default=50.0, gt=0)
    """Requests per second each client may sustain (token bucket refill)."""
    rate_burst: int = Field(default=200, ge=1)
    """Requests a client may send at once (token bucket size)."""
    verify_max_body_bytes: int = Field(default=32 * 2**20, ge=1024)
    """POST /v1/verify/epoch refuses a larger document with 413 (a reference epoch of 2^20 accounts is
    about 20 MB)."""
    verify_slots: int = Field(default=2, ge=1)
    """Uploaded epoch documents audited at once; past that, 429 (reports are cached by document hash)."""
    ceremonies: list[Path] = []
    """Closed ceremony folders whose keys the service accepts, besides the pinned list (JSON list)."""

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Self:
        """Outside development the venue token must be set, and be long."""
        token = self.venue_token.get_secret_value()
        if self.environment != "development" and (token == DEFAULT_SECRET or len(token) < 32):
            raise ValueError(
                "ZKSOLVENCY_VENUE_TOKEN must be set to a secret of at least 32 characters outside development"
            )
        return self

    def known_ceremonies(self) -> list[KnownCeremony]:
        """The pinned ceremonies and the folders in `ceremonies`; CeremonyError names a bad folder."""
        return pinned() + [from_folder(folder) for folder in self.ceremonies]

    @property
    def database(self) -> str:
        """The SQLAlchemy URL in use."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'zksolvency.sqlite').resolve()}"

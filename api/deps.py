"""FastAPI dependencies: settings, a database session, the venue's and an account's bearer token."""

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from .config import Settings
from .store import EpochCache

_bearer = HTTPBearer(auto_error=False, description="A bearer token: the venue's, or an account's.")


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request."""
    with request.app.state.sessions() as session:
        yield session


def get_cache(request: Request) -> EpochCache:
    """The app's cache of parsed epochs."""
    return request.app.state.epochs


def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The bearer token of the request; 401 if there is none."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"}
        )
    return credentials.credentials


def venue(
    token: Annotated[str, Depends(bearer_token)], settings: Annotated[Settings, Depends(get_settings)]
) -> None:
    """Only the venue: 403 unless the bearer token is the configured venue token."""
    expected = settings.venue_token.get_secret_value().encode()
    if not hmac.compare_digest(token.encode(), expected):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the venue may publish epochs")


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
CacheDep = Annotated[EpochCache, Depends(get_cache)]
TokenDep = Annotated[str, Depends(bearer_token)]
VenueDep = Depends(venue)

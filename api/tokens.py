"""Account access tokens: 32 random bytes, handed out once; the service keeps only their SHA-256."""

import hashlib
import secrets

#: Characters of a token: 32 bytes in URL-safe base64 without padding.
TOKEN_LENGTH = 43


def new_token() -> str:
    """A fresh access token."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token, the only form the database holds."""
    return hashlib.sha256(token.encode()).hexdigest()

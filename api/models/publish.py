"""What the venue uploads to publish an epoch, and what it gets back."""

from typing import Any

from pydantic import BaseModel, Field


class PublishRequest(BaseModel):
    """The public epoch document and the private records of every account."""

    epoch: dict[str, Any] = Field(description="The public epoch document (zksolvency-epoch/1).")
    records: str = Field(
        description="The inclusion records, one zksolvency-record/1 JSON document a line (records.jsonl)."
    )


class IssuedToken(BaseModel):
    """The access token of one account: shown once, stored only as its SHA-256."""

    account_id: int
    subaccount: int
    index: int = Field(description="The account's leaf index in the epoch tree.")
    token: str = Field(description="43 URL-safe characters (32 random bytes); hand it to this account only.")


class PublishResponse(BaseModel):
    """The epoch was verified and stored; each account's token, to hand out now (never shown again)."""

    epoch_id: int
    root: str
    accounts: int
    batches: int
    tokens: list[IssuedToken]

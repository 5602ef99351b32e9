"""Stateless verification: requests and reports."""

from typing import Any

from pydantic import BaseModel, Field

from .common import Check
from .epochs import Coverage


class EpochReport(BaseModel):
    """The outcome of the exchange-wide audit of an epoch document."""

    valid: bool
    failed_check: str | None
    failure: str | None
    epoch_id: int
    profile: str
    batches: int
    root: str
    setup_kind: str
    unsafe: bool
    checks: list[Check]
    coverage: list[Coverage]


class RecordRequest(BaseModel):
    """An inclusion record to check against the stored epoch it names."""

    record: dict[str, Any] = Field(description="A zksolvency-record/1 document.")


class AccountFigures(BaseModel):
    """An account as its record states it, and its margin under the epoch's parameters."""

    account_id: int
    subaccount: int
    index: int
    batch: int | None
    balances: dict[str, str]
    positions: dict[str, str]
    haircut_equity_usd: str | None = None
    maintenance_margin_usd: str | None = None
    free_collateral_usd: str | None = None
    healthy: bool | None = None


class RecordReport(BaseModel):
    """The outcome of a trader's check of their record: leaf, path, their batch's proof, their margin."""

    valid: bool
    failed_check: str | None
    failure: str | None
    epoch_id: int
    root: str
    checks: list[Check]
    account: AccountFigures


class MarginProofRequest(BaseModel):
    """An account margin proof to check against the stored epoch it names."""

    margin_proof: dict[str, Any] = Field(description="A zksolvency-margin-proof/1 document.")


class MarginProofReport(BaseModel):
    """The outcome of a consumer's check of a margin proof."""

    valid: bool
    failed_check: str | None
    failure: str | None
    epoch_id: int
    threshold_usd: str
    recipient: str
    chain_id: int
    nullifier: str
    checks: list[Check]

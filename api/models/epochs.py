"""What the service tells about a published epoch."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from .common import Check


class Coverage(BaseModel):
    """Reserves against net liabilities for one asset, as decimal numbers of units."""

    asset: str
    net_liabilities: str
    reserves: str
    ratio: float | None = Field(description="reserves / net liabilities; null when nothing is owed.")
    covered: bool


class Setup(BaseModel):
    """How the verification keys were made; development keys are UNSAFE."""

    kind: str
    unsafe: bool
    keys: dict[str, str] = Field(description="SHA-256 of each canonical verification key, by circuit.")
    ceremony_transcript_sha256: str | None = None


class EpochSummary(BaseModel):
    """One line of the epoch list."""

    epoch_id: int
    published_at: datetime
    profile: str
    root: str = Field(description="The account root, a decimal field element.")
    batches: int
    accounts: int
    setup_kind: str
    unsafe: bool
    valid: bool = Field(description="The whole epoch passed `verify_epoch` when it was published.")


class EpochList(BaseModel):
    """A page of epochs, newest first."""

    epochs: list[EpochSummary]
    total: int


class EpochDetail(EpochSummary):
    """An epoch: root, totals, reserves and coverage, parameters, setup, verification status."""

    params: dict[str, Any] = Field(description="Assets and perpetual markets (zksolvency-epoch/1 `params`).")
    params_hash: str
    profile_sizes: dict[str, Any]
    final_state: dict[str, Any] = Field(description="The proven totals (zksolvency-epoch/1 `final_state`).")
    reserves: list[str]
    coverage: list[Coverage]
    setup: Setup
    checks: list[Check]


class BatchDocument(BaseModel):
    """One batch: its five public inputs and its snarkjs proof."""

    index: int
    statement: list[str] = Field(description="paramsHash, batchIndex, prevState, nextState, subtreeRoot.")
    proof: dict[str, Any] = Field(description="The Groth16 proof in snarkjs JSON.")


class BatchPage(BaseModel):
    """A page of an epoch's batches."""

    batches: list[BatchDocument]
    total: int

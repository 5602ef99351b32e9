"""What the service tells about a published epoch."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from .common import Check

HASH = Field(pattern=r"^0x[0-9a-f]{64}$", description="0x and 64 lowercase hex digits.")


class Coverage(BaseModel):
    """Reserves against net liabilities for one asset, as decimal numbers of units (docs/json.md)."""

    asset: str
    net_liabilities: str = Field(description="Units of the asset, a plain decimal string.")
    declared: str = Field(description="Declared reserves, units of the asset, a plain decimal string.")
    ratio: str | None = Field(
        description="declared reserves / net liabilities, a decimal string (6 decimals, rounded down); null "
        "when nothing is owed."
    )
    insurance: str = Field(description="The declared insurance fund's holding of the asset, units.")
    holdings: str = Field(description="What the venue must hold: declared reserves plus the fund, units.")
    covered: bool = Field(description="The declared reserves cover the net liabilities.")
    proven: str | None = Field(
        default=None,
        description="Reserves proven from custody balances (zksolvency verify --rpc); null here.",
    )
    unproven: str | None = Field(default=None, description="Declared but not proven; null here.")
    insurance_proven: str | None = Field(default=None, description="The fund proven held; null here.")
    coverage: str | None = Field(
        default=None, description="proven reserves / net liabilities, a decimal string; null until proven."
    )
    proven_covered: bool | None = Field(default=None, description="Proven reserves cover; null until proven.")


class Setup(BaseModel):
    """How the verification keys were made; development keys are UNSAFE."""

    kind: str
    unsafe: bool
    keys: dict[str, str] = Field(
        description="SHA-256 of each canonical verification key, by circuit (0x and 64 hex digits)."
    )
    ceremony_transcript_sha256: str | None = Field(
        default=None, description="For ceremony keys: the transcript's SHA-256 (0x and 64 hex digits)."
    )


class Book(BaseModel):
    """What the final state proves about the venue's book (docs/statement.md, check 12 and "Classes")."""

    healthy_accounts: int | None = Field(
        default=None, description="Healthy margin accounts, the padding slots of the last batch included."
    )
    liquidatable_accounts: int | None = Field(default=None, description="0 <= haircut equity < maintenance.")
    bankrupt_accounts: int | None = Field(default=None, description="Haircut equity below 0.")
    maintenance_shortfall_usd: str | None = Field(
        default=None, description="Sum of MM - equity over liquidatable accounts, exact USD decimal string."
    )
    bad_debt_usd: str | None = Field(
        default=None, description="Sum of -equity over bankrupt accounts, exact USD decimal string."
    )
    insurance_usd: str | None = Field(
        default=None,
        description="The declared insurance fund at the epoch's prices and first collateral rates.",
    )
    insurance_covers_bad_debt: bool | None = None


class EpochSummary(BaseModel):
    """One line of the epoch list."""

    epoch_id: int
    published_at: datetime
    profile: str
    root: str = HASH
    batches: int
    accounts_at_most: int = Field(
        description="batches * accounts per batch: the account count is published only to within a batch."
    )
    setup_kind: str
    unsafe: bool
    valid: bool = Field(description="The whole epoch passed `verify_epoch` when it was published.")


class EpochList(BaseModel):
    """A page of epochs, newest first."""

    epochs: list[EpochSummary]
    total: int


class EpochDetail(EpochSummary, Book):
    """An epoch: root, totals, reserves and coverage, parameters, setup, verification status."""

    params: dict[str, Any] = Field(description="Assets and perpetual markets (zksolvency-epoch/1 `params`).")
    params_hash: str = HASH
    profile_sizes: dict[str, Any]
    final_state: dict[str, Any] = Field(
        description="The proven totals, as the epoch document writes them (zksolvency-epoch/1 `final_state`)."
    )
    coverage: list[Coverage]
    setup: Setup
    checks: list[Check]


class BatchDocument(BaseModel):
    """One batch: its five public inputs and its snarkjs proof."""

    index: int
    kind: str = Field(
        default="standard", description="standard or portfolio: the circuit (and key) that proves the batch."
    )
    statement: list[str] = Field(description="paramsHash, batchIndex, prevState, nextState, subtreeRoot.")
    proof: dict[str, Any] = Field(description="The Groth16 proof in snarkjs JSON.")


class BatchPage(BaseModel):
    """A page of an epoch's batches."""

    batches: list[BatchDocument]
    total: int

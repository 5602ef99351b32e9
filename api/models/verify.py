"""Stateless verification: requests and reports (the same objects as the CLI's --json, docs/json.md)."""

from typing import Any

from pydantic import BaseModel, Field

from .common import Check
from .epochs import HASH, Book, Coverage, Setup


class EpochReport(Book):
    """The outcome of the exchange-wide audit of an epoch document (`zksolvency verify --json`)."""

    valid: bool
    failed_check: str | None
    failure: str | None
    epoch_id: int
    profile: str
    batches: int
    root: str = HASH
    params_hash: str = HASH
    setup: Setup
    checks: list[Check]
    coverage: list[Coverage]


class RecordRequest(BaseModel):
    """An inclusion record to check against the stored epoch it names."""

    record: dict[str, Any] = Field(description="A zksolvency-record/1 document.")


class PositionFigures(BaseModel):
    """One open position: value, margins and Greeks from the epoch's public parameters (docs/json.md)."""

    symbol: str
    kind: str = Field(description="perpetual, call or put.")
    underlying: str | None = Field(description="The option's underlying asset; null for a perpetual.")
    size: str = Field(description="Units of the underlying, negative when short.")
    mark_usd: str
    value_usd: str
    initial_margin_usd: str | None = Field(
        description="The position's initial margin; null in a portfolio account (margined as a whole)."
    )
    maintenance_margin_usd: str | None = Field(
        description="The position's maintenance margin; null in a portfolio account."
    )
    delta: str = Field(description="Units of the underlying the position moves like.")
    gamma: str = Field(description="Change of delta per 1 USD move of the underlying.")
    vega_usd: str = Field(description="Change of value for one volatility point, USD.")


class Scenario(BaseModel):
    """One scenario of a portfolio account's grid and the account's loss in it (docs/json.md)."""

    index: int
    price_move_percent: str = Field(description="The underlying prices' move, percent (-16, 500).")
    volatility: str = Field(description="up, unchanged or down.")
    extended: bool = Field(description="An extended scenario (vol up), counted at its fraction.")
    fraction: str = Field(description="The fraction of the scenario's P&L that counts (1 for standard ones).")
    loss_usd: str = Field(description="The account's loss in the scenario, exact USD; negative is a gain.")


class ScenarioGrid(BaseModel):
    """A portfolio account's scenario grid: initial margin is the worst loss (0 if none), MM mm_ratio x IM."""

    scenarios: list[Scenario]
    worst: int = Field(description="The index of the first scenario with the largest loss.")
    worst_loss_usd: str
    mm_ratio: str = Field(description="Maintenance margin as a fraction of initial margin.")


class AccountFigures(BaseModel):
    """An account as its record states it (units), and its margin under the epoch's parameters (USD)."""

    account_id: int
    subaccount: int
    margin: str = Field(
        default="standard", description="standard or portfolio (margined by the epoch's scenario grid)."
    )
    index: int
    batch: int | None
    balances: dict[str, str]
    positions: dict[str, str]
    options: dict[str, str] = {}
    holder: str = Field(
        description="The holder commitment in the leaf (0x and 64 hex digits; all zeros: none registered)."
    )
    haircut_equity_usd: str | None
    maintenance_margin_usd: str | None
    free_collateral_usd: str | None
    initial_margin_usd: str | None = None
    available_usd: str | None = Field(
        default=None, description="Haircut equity - initial margin: what a margin proof lends against."
    )
    position_figures: list[PositionFigures] | None = None
    scenario_grid: ScenarioGrid | None = Field(
        default=None, description="A portfolio account's scenario grid; null for a standard account."
    )
    net_value_usd: str | None
    healthy: bool | None
    margin_class: str | None = Field(description="healthy, liquidatable or bankrupt (docs/statement.md 4).")
    maintenance_shortfall_usd: str | None = Field(
        description="MM - equity when liquidatable, else 0; exact USD."
    )
    bad_debt_usd: str | None = Field(description="-equity when bankrupt, else 0; exact USD.")
    in_words: str | None = Field(description="The class and what it means, for the trader.")


class MarginProofClaim(BaseModel):
    """What a margin proof claims: haircut equity - initial margin >= `threshold_usd`, bound to a recipient
    and a chain, its nullifier scoped to one gate on that chain."""

    epoch_id: int
    threshold_usd: str | None = Field(description="USD, a plain decimal string; null if unreadable.")
    recipient: str = Field(description="The EIP-55 checksummed address the proof is bound to.")
    chain_id: int
    gate: str = Field(description="The EIP-55 checksummed MarginGate the nullifier is scoped to.")
    nullifier: str = HASH


class RecordReport(BaseModel):
    """The outcome of a trader's check of their record (`zksolvency verify-account --json`)."""

    valid: bool
    failed_check: str | None
    failure: str | None
    epoch_id: int
    profile: str
    root: str = HASH
    setup: Setup
    checks: list[Check]
    account: AccountFigures
    margin_proof: MarginProofClaim | None = None


class MarginProofRequest(BaseModel):
    """An account margin proof to check against the stored epoch it names."""

    margin_proof: dict[str, Any] = Field(description="A zksolvency-margin-proof/2 document.")


class MarginProofReport(MarginProofClaim):
    """The outcome of a consumer's check of a margin proof."""

    valid: bool
    failed_check: str | None
    failure: str | None
    checks: list[Check]

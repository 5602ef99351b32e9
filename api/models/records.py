"""An account's inclusion record as the service hands it out (zksolvency-record/1)."""

from pydantic import BaseModel, Field


class RecordAccount(BaseModel):
    """The account as committed in its leaf; amounts in quanta, as decimal strings."""

    account_id: int
    subaccount: int
    holder: str = Field(description="The trader's holder commitment, 0x and 64 hex digits (zeros: none).")
    margin: str = Field(
        default="standard",
        description="standard or portfolio: a portfolio account's key carries it (bit 47 of the id).",
    )
    balances: list[str] = Field(description="Net balance per asset (negative: a debt).")
    positions: list[str] = Field(description="Signed perpetual size per market.")
    options: list[str] = Field(default=[], description="Signed option position per series.")


class InclusionRecordDocument(BaseModel):
    """Everything the account needs to check itself: leaf preimage, leaf index, Merkle path."""

    format: str = Field(examples=["zksolvency-record/1"])
    epoch_id: int
    profile: str
    account: RecordAccount
    salt: str = Field(description="The leaf's salt, a decimal field element.")
    index: int = Field(description="The leaf's index in the epoch tree.")
    path: list[list[str]] = Field(description="Three siblings a level, from the leaf up.")

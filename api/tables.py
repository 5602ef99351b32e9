"""The database tables (SQLAlchemy 2): epochs, their batch proofs, and the accounts' records."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the service's tables."""


class EpochRow(Base):
    """A published, verified epoch: its public document without the batches, and the audit outcome."""

    __tablename__ = "epochs"

    epoch_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    profile: Mapped[str] = mapped_column(String(64))
    root: Mapped[str] = mapped_column(String(80))
    setup_kind: Mapped[str] = mapped_column(String(32))
    unsafe: Mapped[bool] = mapped_column(Boolean)
    batch_count: Mapped[int] = mapped_column(Integer)
    account_count: Mapped[int] = mapped_column(Integer)
    valid: Mapped[bool] = mapped_column(Boolean)
    audit: Mapped[str] = mapped_column(Text)
    """JSON: the checks passed and the coverage of liabilities by reserves."""
    header: Mapped[str] = mapped_column(Text)
    """JSON: the public epoch document with an empty batch list."""


class BatchRow(Base):
    """One batch of an epoch: its statement and Groth16 proof as in the epoch document."""

    __tablename__ = "batches"

    epoch_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("epochs.epoch_id", ondelete="CASCADE"), primary_key=True
    )
    batch_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)


class RecordRow(Base):
    """One account's inclusion record and the SHA-256 of its access token (never the token)."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("epoch_id", "account_id", "subaccount", name="records_account"),
        UniqueConstraint("epoch_id", "token_hash", name="records_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("epochs.epoch_id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(BigInteger)
    subaccount: Mapped[int] = mapped_column(Integer)
    leaf_index: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)

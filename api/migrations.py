"""Schema migrations: a versioned list applied in order, each in its own transaction.

The table schema_migrations records the versions applied. A new schema change is a new function
appended to MIGRATIONS; applied ones are never edited.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, select
from sqlalchemy.engine import Connection, Engine

from .tables import Base

_meta = MetaData()
schema_migrations = Table(
    "schema_migrations",
    _meta,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


def _v1_tables(conn: Connection) -> None:
    """Epochs, batches, records."""
    Base.metadata.create_all(conn, tables=[Base.metadata.tables[n] for n in ("epochs", "batches", "records")])


MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [(1, _v1_tables)]


def migrate(engine: Engine) -> int:
    """Apply every migration not applied yet; returns the schema version."""
    _meta.create_all(engine)
    with engine.begin() as conn:
        done = set(conn.scalars(select(schema_migrations.c.version)))
    for version, apply in MIGRATIONS:
        if version in done:
            continue
        with engine.begin() as conn:
            apply(conn)
            conn.execute(schema_migrations.insert().values(version=version, applied_at=datetime.now(UTC)))
    return MIGRATIONS[-1][0]

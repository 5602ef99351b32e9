"""The database engine and sessions: SQLite by default, PostgreSQL (or any SQLAlchemy URL) when given."""

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import sessionmaker

from .config import Settings
from .migrations import migrate


def make_engine(settings: Settings) -> Engine:
    """An engine for the settings' database, its schema migrated; the SQLite folder is created."""
    url = settings.database
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    else:
        engine = create_engine(url, pool_pre_ping=True)
    migrate(engine)
    return engine


def make_sessions(engine: Engine) -> sessionmaker:
    """The session factory of the app."""
    return sessionmaker(engine, expire_on_commit=False)

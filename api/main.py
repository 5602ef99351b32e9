"""The FastAPI application: settings, database, limits, routers."""

from fastapi import FastAPI

from .audits import Audits
from .config import Settings
from .db import make_engine, make_sessions
from .errors import install as install_error_handlers
from .limits import BodyLimit, RateLimit
from .models.common import COMMON_ERRORS
from .routes import epochs, handout, health, records, solvency, trader, verify
from .store import EpochCache

DESCRIPTION = """Zero-knowledge proof of solvency with margin health: published epochs, their batch proofs
and verification keys, each account's own inclusion record (with its access token), and stateless
verification. See docs/api.md."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app over the settings' database (migrated on creation)."""
    settings = settings or Settings()
    engine = make_engine(settings)
    app = FastAPI(
        title="zksolvency",
        version="1",
        description=DESCRIPTION,
        responses=COMMON_ERRORS,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessions(engine)
    app.state.epochs = EpochCache()
    app.state.audits = Audits(settings.verify_slots)
    app.state.ceremonies = settings.known_ceremonies()
    routers = (
        health.router,
        epochs.router,
        handout.router,
        records.router,
        verify.router,
        trader.router,
        solvency.router,
    )
    for router in routers:
        app.include_router(router)
    install_error_handlers(app)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        paths={"/v1/verify/epoch": min(settings.verify_max_body_bytes, settings.max_body_bytes)},
    )
    app.add_middleware(RateLimit, rate=settings.rate_per_second, burst=settings.rate_burst)
    return app

"""Fixtures of the API tests: a sample epoch proved at the ci profile, and servers over fresh databases."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Circuits
from factories import with_portfolios

from zksolvency.api.config import Settings
from zksolvency.prover.epoch import prove_epoch
from zksolvency.prover.sample import sample_venue
from zksolvency.verifier.formats import epoch_to_json, record_to_json

from .chromium import browser  # noqa: F401 (the page tests' fixture)
from .server import live_server

VENUE_TOKEN = "venue-token-for-tests-0123456789abcdef"
EPOCH_ID = 7
PORTFOLIO_EPOCH_ID = 8


@dataclass
class Proved:
    """An epoch's public document and its records (JSON Lines), as a venue uploads them."""

    document: dict[str, Any]
    records: list[dict[str, Any]]

    @property
    def jsonl(self) -> str:
        """The records file."""
        return "".join(json.dumps(r) + "\n" for r in self.records)

    def upload(self) -> dict[str, Any]:
        """The publish request body."""
        return {"epoch": self.document, "records": self.jsonl}


@pytest.fixture(scope="session")
def proved(ci: Circuits) -> Proved:
    """14 sample accounts in 4 batches at the ci profile, epoch 7."""
    venue = sample_venue(14, seed=5, profile=ci.profile)
    epoch, records = prove_epoch(
        venue.params,
        venue.accounts,
        venue.reserves,
        ci.profile,
        ci.keys,
        EPOCH_ID,
        4242,
    )
    return Proved(epoch_to_json(epoch), [record_to_json(r, ci.profile) for r in records])


@pytest.fixture(scope="session")
def portfolio_proved(ci: Circuits) -> Proved:
    """The same sample as `proved` with its eligible single-record accounts that hold a perpetual or an option
    margined by the scenario grid (a portfolio batch after the standard ones), epoch PORTFOLIO_EPOCH_ID."""
    venue = sample_venue(14, seed=5, profile=ci.profile)
    accounts = with_portfolios(venue.params, venue.accounts, ci.profile)
    assert any(a.portfolio and any(a.options) for a in accounts)
    epoch, proved = prove_epoch(
        venue.params, accounts, venue.reserves, ci.profile, ci.keys, PORTFOLIO_EPOCH_ID, 4343
    )
    return Proved(epoch_to_json(epoch), [record_to_json(r, ci.profile) for r in proved])


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    """Test settings: SQLite in `data_dir`, a venue token, generous rate limits."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "venue_token": VENUE_TOKEN,
        "rate_per_second": 10_000,
        "rate_burst": 10_000,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A server over an empty SQLite database in tmp_path."""
    with live_server(settings_for(tmp_path / "data")) as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    """An HTTP client of `server`."""
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c


def venue_headers() -> dict[str, str]:
    """The venue's authorization."""
    return {"Authorization": f"Bearer {VENUE_TOKEN}"}


@dataclass
class Published:
    """A server with the sample epoch published, and the tokens it issued."""

    url: str
    client: httpx.Client
    proved: Proved
    tokens: list[dict[str, Any]]


def _publish(proved: Proved, data: Path) -> Iterator[Published]:
    with live_server(settings_for(data)) as url, httpx.Client(base_url=url, timeout=120) as c:
        response = c.post("/v1/epochs", json=proved.upload(), headers=venue_headers())
        assert response.status_code == 201, response.text
        yield Published(url, c, proved, response.json()["tokens"])


@pytest.fixture(scope="module")
def portfolio_published(
    portfolio_proved: Proved, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Published]:
    """One server per test module with the sample epoch with portfolio accounts published."""
    yield from _publish(portfolio_proved, tmp_path_factory.mktemp("portfolio"))


@pytest.fixture(scope="module")
def published(proved: Proved, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    """One server per test module with the sample epoch published."""
    yield from _publish(proved, tmp_path_factory.mktemp("published"))

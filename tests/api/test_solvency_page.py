"""The public solvency page at `/`: plain HTTP gets the epochs, Chromium draws the charts from their data."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from zksolvency.api.db import make_engine
from zksolvency.api.tables import EpochRow
from zksolvency.verifier.epoch import book_json, verify_epoch
from zksolvency.verifier.formats import epoch_from_json

from .chromium import needs_chromium, screenshot_ok
from .conftest import EPOCH_ID, Proved, settings_for, venue_headers
from .server import live_server

#: The later epochs the test stores beside the published one: their audits carry the classes.
CLASSES = {
    EPOCH_ID + 1: {"healthy_accounts": 14, "liquidatable_accounts": 2, "bankrupt_accounts": 0,
                   "maintenance_shortfall_usd": "1520.25", "bad_debt_usd": "0", "insurance_usd": "250000",
                   "insurance_covers_bad_debt": True},
    EPOCH_ID + 2: {"healthy_accounts": 13, "liquidatable_accounts": 2, "bankrupt_accounts": 1,
                   "maintenance_shortfall_usd": "8100.5", "bad_debt_usd": "310.75",
                   "insurance_usd": "249689.25", "insurance_covers_bad_debt": True},
}  # fmt: skip


@dataclass
class Site:
    """A server with one published epoch and two later ones stored with classes."""

    url: str
    client: httpx.Client
    ids: list[int]
    """Newest first."""


def _later(row: EpochRow, epoch_id: int, scale: float) -> EpochRow:
    """A copy of `row` as a later epoch: coverage ratios times `scale`, the classes in its audit."""
    audit = json.loads(row.audit)
    for c in audit["coverage"]:
        if c["ratio"] is not None:
            c["ratio"] = f"{float(c['ratio']) * scale:.6f}"
            c["covered"] = float(c["ratio"]) >= 1
    audit.update(CLASSES[epoch_id])
    return EpochRow(
        epoch_id=epoch_id,
        published_at=row.published_at + timedelta(hours=epoch_id - EPOCH_ID),
        profile=row.profile,
        root=str(int(row.root) + epoch_id),
        setup_kind=row.setup_kind,
        unsafe=row.unsafe,
        batch_count=row.batch_count,
        account_count=row.account_count,
        valid=True,
        audit=json.dumps(audit),
        header=row.header,
    )


@pytest.fixture(scope="module")
def site(proved: Proved, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The sample epoch published over HTTP, then two later epochs written to the same database."""
    settings = settings_for(tmp_path_factory.mktemp("site"))
    with live_server(settings) as url, httpx.Client(base_url=url, timeout=120) as client:
        response = client.post("/v1/epochs", json=proved.upload(), headers=venue_headers())
        assert response.status_code == 201, response.text
        engine = make_engine(settings)
        with Session(engine) as session, session.begin():
            row = session.get(EpochRow, EPOCH_ID)
            assert row is not None
            session.add_all([_later(row, EPOCH_ID + 1, 0.8), _later(row, EPOCH_ID + 2, 1.3)])
        engine.dispose()
        yield Site(url, client, [EPOCH_ID + 2, EPOCH_ID + 1, EPOCH_ID])


def test_the_page_is_server_rendered_html_listing_the_epochs(site: Site, proved: Proved) -> None:
    assert site.client.head("/").status_code == 200  # curl -I
    answer = site.client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    html = answer.text
    assert "<script" not in html  # everything is in the HTML: curl sees what a browser sees
    listed = [int(e) for e in re.findall(r'<tr class="epoch" data-epoch="(\d+)"', html)]
    assert listed == site.ids
    api = site.client.get("/v1/epochs").json()["epochs"]
    for epoch in api:
        root = f"0x{int(epoch['root'], 0):064x}"
        assert root in html and re.fullmatch(r"0x[0-9a-f]{64}", root)
    assert "UNSAFE" in html and 'id="unsafe-banner"' in html
    # The account count is published to within a batch only.
    accounts = len(proved.records)
    bounds = re.findall(r"at most (\d+)", html)
    assert bounds == ["20"] * (1 + len(site.ids)) and accounts < 20  # the newest epoch's, then each row's
    # No number standing alone (not in a time, an amount, a percentage or a hash) is the count.
    alone = re.findall(r"(?<![\w.:,-])(\d+)(?![\w.:,%])", re.sub(r"<[^>]*>", " ", html))
    assert str(accounts) not in alone, alone
    assert f'href="/v1/epochs/{EPOCH_ID}/document"' in html
    assert f'href="/v1/epochs/{EPOCH_ID}/verification-keys"' in html
    for link in re.findall(r'href="(/v1/[^"]+)"', html):
        assert site.client.get(link).status_code == 200, link
    assert f'<h2 id="detail" data-epoch="{site.ids[0]}">Epoch {site.ids[0]}, the newest</h2>' in html


def test_each_epoch_has_its_own_page_with_its_book(site: Site, proved: Proved) -> None:
    html = site.client.get("/", params={"epoch": EPOCH_ID}).text
    cells = dict(re.findall(r'data-field="(\w+)">([^<]*)<', html))
    book = book_json(verify_epoch(epoch_from_json(proved.document)).book)  # what publishing stored
    for name in ("healthy_accounts", "liquidatable_accounts", "bankrupt_accounts"):
        assert cells[name] == str(book[name])
    for name in ("maintenance_shortfall_usd", "bad_debt_usd", "insurance_usd"):
        assert cells[name] == f"{book[name]} USD"
    heading = f'<h2 id="detail" data-epoch="{EPOCH_ID}">Epoch {EPOCH_ID} (<a href="/">the newest</a>)</h2>'
    assert heading in html
    assert f'href="/?epoch={EPOCH_ID}"' in html
    assert site.client.get("/", params={"epoch": 99}).status_code == 404
    assert site.client.get("/", params={"epoch": -1}).status_code == 422


def test_an_empty_service_says_so(client: httpx.Client) -> None:
    answer = client.get("/")
    assert answer.status_code == 200 and "No epoch has been published yet." in answer.text


@needs_chromium
def test_chromium_draws_the_charts_from_the_epochs_data(browser: Any, site: Site, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    assert page.goto(f"{site.url}/").status == 200
    newest = site.client.get(f"/v1/epochs/{site.ids[0]}").json()

    bars = page.eval_on_selector_all(
        "#coverage-chart .coverage-bar",
        "gs => gs.map(g => ({asset: g.dataset.asset, ratio: g.dataset.ratio, reserves: g.dataset.reserves,"
        " width: g.querySelector('rect').getBoundingClientRect().width}))",
    )
    assert [b["asset"] for b in bars] == [c["asset"] for c in newest["coverage"]]
    for bar, row in zip(bars, newest["coverage"], strict=True):
        assert bar["reserves"] == row["declared"]
        if row["ratio"] is None:
            assert bar["ratio"] == "" and bar["width"] == 0
        else:
            assert float(bar["ratio"]) == pytest.approx(float(row["ratio"])) and bar["width"] > 0

    points = page.eval_on_selector_all(
        "#history-chart circle.history-point",
        "cs => cs.map(c => [Number(c.dataset.epoch), c.dataset.asset, Number(c.dataset.ratio),"
        " c.getBoundingClientRect().x])",
    )
    expected = [
        (e, c["asset"], float(c["ratio"]))
        for e in reversed(site.ids)
        for c in site.client.get(f"/v1/epochs/{e}").json()["coverage"]
        if c["ratio"] is not None
    ]
    assert sorted((e, a, pytest.approx(r)) for e, a, r, _ in points) == sorted(expected)
    by_asset: dict[str, list[float]] = {}
    for _, a, _, x in sorted(points):
        by_asset.setdefault(a, []).append(x)
    assert all(xs == sorted(xs) and len(set(xs)) == len(xs) for xs in by_asset.values())  # oldest on the left

    cells = "ts => ts.map(t => [t.dataset.field, t.innerText])"
    classes = dict(page.eval_on_selector_all("#classes td", cells))
    newest_classes = CLASSES[site.ids[0]]
    assert classes["bankrupt_accounts"] == str(newest_classes["bankrupt_accounts"])
    assert classes["bad_debt_usd"] == f"{newest_classes['bad_debt_usd']} USD"
    assert classes["insurance_usd"] == f"{newest_classes['insurance_usd']} USD"
    assert classes["healthy_accounts"] == str(newest_classes["healthy_accounts"])
    assert classes["insurance_covers_bad_debt"] == "yes"

    banner = page.locator("#unsafe-banner")
    assert banner.is_visible() and banner.inner_text().startswith("UNSAFE")
    colour = banner.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(179, 38, 30)"
    assert not [m for m in console if "Content Security Policy" in m], console

    shot = tmp_path / "solvency.png"
    page.screenshot(path=str(shot), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    screenshot_ok(shot, 1100, height)
    for chart in ("coverage-chart", "history-chart"):
        path = tmp_path / f"{chart}.png"
        box = page.locator(f"#{chart}").bounding_box()
        page.locator(f"#{chart}").screenshot(path=str(path))
        image = screenshot_ok(path, round(box["width"]), round(box["height"]))
        colours = image.getcolors(1_000_000) or []
        coloured = sum(n for n, (r, g, b) in colours if abs(r - g) > 60 or abs(g - b) > 60)
        assert coloured > 200, f"{chart}: no coloured bars or lines"
    print(f"screenshots in {tmp_path}")
    page.close()


def test_an_epoch_without_classes_shows_not_reported(site: Site, tmp_path: Path) -> None:
    """An epoch whose audit has no classes (one published before they were counted): the page says so."""
    detail = site.client.get(f"/v1/epochs/{EPOCH_ID}").json()
    document = site.client.get(f"/v1/epochs/{EPOCH_ID}/document").json()
    settings = settings_for(tmp_path / "data")
    with live_server(settings) as url:
        engine = make_engine(settings)
        with Session(engine) as session, session.begin():
            session.add(
                EpochRow(
                    epoch_id=EPOCH_ID,
                    published_at=datetime.now(UTC),
                    profile=detail["profile"],
                    root=detail["root"],
                    setup_kind=detail["setup_kind"],
                    unsafe=detail["unsafe"],
                    batch_count=detail["batches"],
                    account_count=detail["accounts_at_most"],
                    valid=True,
                    audit=json.dumps({"checks": detail["checks"], "coverage": detail["coverage"]}),
                    header=json.dumps(dict(document, batches=[])),
                )
            )
        engine.dispose()
        html = httpx.get(f"{url}/").text
    cells = dict(re.findall(r'data-field="(\w+)">([^<]*)<', html))
    assert cells == dict.fromkeys(CLASSES[EPOCH_ID + 1], "not reported")

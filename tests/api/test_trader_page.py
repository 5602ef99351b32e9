"""The trader's page in headless Chromium (Debian's, driven by Playwright): checks run in the browser."""

import copy
import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import EPOCH_ID, Published

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed (.ci/setup installs it)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from /usr/bin/chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _check(page: Any) -> str:
    page.click("#check")
    page.wait_for_selector("#verdict[data-state='valid'], #verdict[data-state='invalid']", timeout=120_000)
    return page.eval_on_selector("#verdict", "e => e.dataset.state")


def test_a_valid_account_shows_valid_and_nothing_leaves_the_browser(
    browser: Any, published: Published
) -> None:
    token = published.tokens[4]
    record = published.proved.records[4]
    page = browser.new_page()
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    answer = page.goto(f"{published.url}/trader/")
    assert "connect-src 'self'" in answer.headers["content-security-policy"]
    page.wait_for_selector("body[data-ready='true']")
    page.select_option("#epoch", str(EPOCH_ID))
    page.fill("#token", token["token"])
    assert _check(page) == "valid", page.inner_text("body")
    text = page.inner_text("#summary")
    assert f"account {token['account_id']}" in text and f"leaf {token['index']}" in text
    checks = page.eval_on_selector_all(
        "#checks li", "items => items.map(i => i.className + ' ' + i.textContent)"
    )
    assert (
        "ok batch subtree" in checks and "ok epoch root" in checks and all(c.startswith("ok") for c in checks)
    )
    assert f"ok batch {token['index'] // 4} proof" in checks  # the Groth16 check, by snarkjs in the page
    assert checks[-1] == "ok margin rules" and "ok parameter hash" in checks
    figures = published.client.post("/v1/verify/record", json={"record": record}).json()["account"]
    for element, field in (("#equity", "haircut_equity_usd"), ("#maintenance", "maintenance_margin_usd"),
                           ("#free", "free_collateral_usd")):  # fmt: skip
        # The page may group thousands for display; the figure is the API's (docs/json.md).
        assert page.inner_text(element).replace(",", "") == f"{figures[field]} USD"
    assert page.inner_text("#health").startswith("Health: healthy")
    assert not [m for m in console if "Content Security Policy" in m], console
    # Only GETs of public data (and the record itself, with the token); nothing about the account goes out.
    assert all(r.method == "GET" for r in requests)
    secrets = [
        record["salt"],
        *record["account"]["balances"],
        *(x for level in record["path"] for x in level),
    ]
    sent = [r.url + (r.post_data or "") for r in requests]
    assert not any(s in url for s in secrets if len(s) > 3 for url in sent)
    page.close()


def _load_file(page: Any, document: dict[str, Any]) -> None:
    payload = {"name": "record.json", "mimeType": "application/json", "buffer": json.dumps(document).encode()}
    page.set_input_files("#record-file", files=[payload])


def test_a_record_file_checks_and_a_tampered_one_shows_invalid(browser: Any, published: Published) -> None:
    page = browser.new_page()
    page.goto(f"{published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    record = published.proved.records[9]
    _load_file(page, record)
    assert _check(page) == "valid", page.inner_text("body")

    tampered = copy.deepcopy(record)
    tampered["account"]["balances"][1] = str(int(tampered["account"]["balances"][1]) + 10**8)
    _load_file(page, tampered)
    assert _check(page) == "invalid"
    failed = page.eval_on_selector_all("#checks li.fail", "items => items.map(i => i.textContent)")
    assert len(failed) == 1 and failed[0].startswith("batch subtree")

    moved = copy.deepcopy(record)
    moved["path"][2][0] = str(int(moved["path"][2][0]) + 1)
    _load_file(page, moved)
    assert _check(page) == "invalid"
    assert page.eval_on_selector_all("#checks li.fail", "items => items.map(i => i.textContent)")[
        0
    ].startswith("epoch root")
    page.close()


def test_a_wrong_token_shows_invalid(browser: Any, published: Published) -> None:
    page = browser.new_page()
    page.goto(f"{published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    page.fill("#token", "not-my-token")
    assert _check(page) == "invalid"
    assert "no record for this token" in page.inner_text("#verdict")
    page.close()

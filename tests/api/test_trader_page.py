"""The trader's page in headless Chromium (Debian's, driven by Playwright): checks run in the browser."""

import copy
import json
from pathlib import Path
from typing import Any

from conftest import Circuits

from zksolvency.prover.inputs import margin_signals
from zksolvency.prover.sample import sample_holder_secret
from zksolvency.verifier.field import THRESHOLD_TO_WEIGHTED
from zksolvency.verifier.formats import epoch_from_json, record_from_json
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.margin_proof import MarginProofFile

from .chromium import needs_chromium, screenshot_ok
from .conftest import EPOCH_ID, PORTFOLIO_EPOCH_ID, Published

pytestmark = needs_chromium


#: The states a check ends in: valid, invalid (a check failed), input (the input is at fault), error.
DONE = ", ".join(f"#{{verdict}}[data-state='{s}']" for s in ("valid", "invalid", "input", "error"))
RECIPIENT = "0x00000000000000000000000000000000000000b0"
GATE = "0x00000000000000000000000000000000000000c0"
CHAIN_ID = 31337


def _check(page: Any, button: str = "#check", verdict: str = "verdict") -> str:
    page.click(button)
    page.wait_for_selector(DONE.format(verdict=verdict), timeout=120_000)
    return page.eval_on_selector(f"#{verdict}", "e => e.dataset.state")


def _give(page: Any, selector: str, content: bytes) -> None:
    """Choose a file of this content in the file input `selector`."""
    page.set_input_files(
        selector, files=[{"name": "record.json", "mimeType": "application/json", "buffer": content}]
    )


def _items(page: Any, selector: str) -> list[str]:
    """Each list item's class and text."""
    return page.eval_on_selector_all(selector, "items => items.map(i => i.className + ' ' + i.textContent)")


def _red(page: Any, selector: str) -> bool:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).color") == "rgb(179, 38, 30)"


#: The account's figures on the page, by element id, and the API's (and the CLI's) name for each.
FIGURES = {
    "#equity": "haircut_equity_usd",
    "#maintenance": "maintenance_margin_usd",
    "#free": "free_collateral_usd",
    "#initial": "initial_margin_usd",
    "#available": "available_usd",
}
#: The columns of the page's position table: PositionFigures' JSON fields.
COLUMNS = [
    "symbol", "size", "value_usd", "initial_margin_usd", "maintenance_margin_usd",
    "delta", "gamma", "vega_usd",
]  # fmt: skip


def _same_figures(page: Any, figures: dict[str, Any]) -> None:
    """The page shows the account's figures and its position table exactly as the API reports them."""
    for element, field in FIGURES.items():
        assert page.inner_text(element) == f"{figures[field]} USD"
    rows = page.eval_on_selector_all(
        "#positions tbody tr",
        "rows => rows.map(r => Object.fromEntries([...r.cells].map(c => [c.dataset.field, c.textContent])))",
    )
    assert rows == [{c: p[c] for c in COLUMNS} for p in figures["position_figures"]]


def margin_proof_file(ci: Circuits, published: Published, index: int) -> dict[str, Any]:
    """A margin proof of record `index`'s account (made with its trader's secret): half its free collateral,
    for RECIPIENT at GATE on CHAIN_ID."""
    epoch = epoch_from_json(published.proved.document)
    record = record_from_json(published.proved.records[index])
    circuit = epoch.params.circuit(ci.profile)
    threshold = evaluate(record.account, circuit).free // THRESHOLD_TO_WEIGHTED // 2
    secret = sample_holder_secret(5, record.account.account_id)
    recipient, gate = int(RECIPIENT, 16), int(GATE, 16)
    signals, statement = margin_signals(
        record.account, record.salt, record.path, circuit, threshold, recipient, CHAIN_ID, secret, gate
    )
    proof = ci.margin_prover.prove(signals)
    inputs = tuple(statement.public_inputs)
    return MarginProofFile(EPOCH_ID, statement, recipient, CHAIN_ID, gate, inputs, proof).to_json()


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
    assert checks[-1] == "ok epoch root" and "ok parameter hash" in checks
    figures = published.client.post("/v1/verify/record", json={"record": record}).json()["account"]
    _same_figures(page, figures)
    epoch_doc = epoch_from_json(published.proved.document)
    health = evaluate(record_from_json(record).account, epoch_doc.params.circuit(epoch_doc.profile))
    assert page.eval_on_selector("#health", "e => e.dataset.class") == health.margin_class
    assert page.inner_text("#health").startswith(f"Class: {health.in_words}")
    assert not [m for m in console if "Content Security Policy" in m], console
    # The epoch's facts: UNSAFE first, the root whole as the chain shows it, the prices and marks used.
    epoch = published.client.get(f"/v1/epochs/{EPOCH_ID}").json()
    assert (
        page.inner_text("#root") == f"0x{int(epoch['root'], 0):064x}" and len(page.inner_text("#root")) == 66
    )
    banner = page.locator("#unsafe")
    assert banner.is_visible() and banner.inner_text().startswith("UNSAFE")
    assert banner.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(179, 38, 30)"
    prices = page.eval_on_selector_all("#prices tr", "rows => rows.map(r => r.innerText.split('\\t'))")
    expected = [[f"{a['symbol']} price", a["price"]] for a in epoch["params"]["assets"]] + [
        [f"{m['symbol']} mark", m["mark"]] for m in epoch["params"]["markets"]
    ]
    assert [[name, str(round(float(usd) * 10**8))] for name, usd in prices] == expected
    # The trader downloads their own record, as the server holds it.
    with page.expect_download() as download:
        page.click("#download")
    assert json.loads(Path(download.value.path()).read_text()) == record
    account, sub = record["account"]["account_id"], record["account"]["subaccount"]
    name = f"zksolvency-record-epoch-{EPOCH_ID}-account-{account}{f'-{sub}' if sub else ''}.json"
    assert download.value.suggested_filename == name
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
    _give(page, "#record-file", json.dumps(document).encode())


def test_a_record_with_options_shows_each_positions_value_margins_and_greeks(
    browser: Any, published: Published
) -> None:
    records = published.proved.records
    index = next(i for i, r in enumerate(records) if any(int(v) < 0 for v in r["account"]["options"]))
    record = records[index]
    page = browser.new_page()
    page.goto(f"{published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    _load_file(page, record)
    assert _check(page) == "valid", page.inner_text("body")
    figures = published.client.post("/v1/verify/record", json={"record": record}).json()["account"]
    assert any(
        p["kind"] in ("call", "put") and p["size"].startswith("-") for p in figures["position_figures"]
    )
    assert figures["initial_margin_usd"] != figures["maintenance_margin_usd"]
    _same_figures(page, figures)
    for symbol, size in figures["options"].items():
        if size != "0":
            assert f"option {symbol}\t{size} (" in page.inner_text("#summary")

    held = next(s for s, v in enumerate(record["account"]["options"]) if int(v))
    tampered = copy.deepcopy(record)  # another option position than the one committed
    tampered["account"]["options"][held] = str(int(tampered["account"]["options"][held]) + 1)
    _load_file(page, tampered)
    assert _check(page) == "invalid"
    assert _items(page, "#checks li.fail")[0].startswith("fail batch subtree")
    isolated = copy.deepcopy(record)  # an isolated subaccount holding an option
    isolated["account"]["subaccount"] = 1
    isolated["account"]["balances"][1:] = ["0"] * (len(isolated["account"]["balances"]) - 1)
    _load_file(page, isolated)
    assert _check(page) == "invalid"
    assert _items(page, "#checks li.fail") == [
        f"fail account: options[{held}] is not 0: options are held by the cross account (subaccount 0)"
    ]
    extra = copy.deepcopy(record)  # a position in a series the epoch does not list
    extra["account"]["options"].append("1")
    _load_file(page, extra)
    assert _check(page) == "invalid"
    assert _items(page, "#checks li.fail")[0].startswith("fail account: the record holds")
    page.close()


def test_a_record_file_checks_and_a_tampered_one_shows_invalid(browser: Any, published: Published) -> None:
    page = browser.new_page()
    page.goto(f"{published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    record = published.proved.records[9]
    _load_file(page, record)
    assert _check(page) == "valid", page.inner_text("body")
    assert not any(int(v) for v in record["account"]["options"])
    old = copy.deepcopy(record)  # a record written before option series existed: no options, none held
    del old["account"]["options"]
    _load_file(page, old)
    assert _check(page) == "valid", page.inner_text("body")

    tampered = copy.deepcopy(record)
    tampered["account"]["balances"][1] = str(int(tampered["account"]["balances"][1]) + 10**8)
    _load_file(page, tampered)
    assert _check(page) == "invalid"
    failed = page.eval_on_selector_all("#checks li.fail", "items => items.map(i => i.textContent)")
    assert len(failed) == 1 and failed[0].startswith("batch subtree")

    isolated = copy.deepcopy(record)  # an isolated subaccount holding more than the settlement asset
    isolated["account"]["subaccount"] = 1
    isolated["account"]["balances"][1] = "100000000"
    _load_file(page, isolated)
    assert _check(page) == "invalid"
    assert _items(page, "#checks li.fail")[0].startswith("fail account: ")

    moved = copy.deepcopy(record)
    moved["path"][2][0] = str(int(moved["path"][2][0]) + 1)
    _load_file(page, moved)
    assert _check(page) == "invalid"
    assert page.eval_on_selector_all("#checks li.fail", "items => items.map(i => i.textContent)")[
        0
    ].startswith("epoch root")
    page.close()


def test_a_missing_or_wrong_token_or_file_is_a_message_about_the_input(
    browser: Any, published: Published
) -> None:
    page = browser.new_page()
    page.goto(f"{published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    assert _check(page) == "input"
    assert page.inner_text("#verdict") == "Check your input: give your access token or your record file"
    page.fill("#token", "not-my-token")
    assert _check(page) == "input"
    text = page.inner_text("#verdict")
    assert text.startswith("Check your input: no record for this token in epoch 7") and "INVALID" not in text
    assert not _red(page, "#verdict") and page.eval_on_selector_all("#checks li", "l => l.length") == 0
    files = {b"{not json": "record.json is not JSON", b'{"format": 1}': "not a zksolvency-record/1 document"}
    for content, why in files.items():
        _give(page, "#record-file", content)
        assert _check(page) == "input" and why in page.inner_text("#verdict")
    page.close()


def test_a_margin_proof_is_checked_on_the_page(
    browser: Any, published: Published, ci: Circuits, tmp_path: Path
) -> None:
    mine = margin_proof_file(ci, published, 4)
    page = browser.new_page()
    page.goto(f"{published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    page.fill("#token", published.tokens[4]["token"])
    assert _check(page) == "valid"

    def check(document: dict[str, Any]) -> str:
        _give(page, "#margin-file", json.dumps(document).encode())
        return _check(page, "#check-margin", "margin-verdict")

    assert check(mine) == "valid", page.inner_text("body")
    checks = _items(page, "#margin-checks li")
    assert checks[-1] == "ok margin proof pairing"  # whose account: only with the trader's secret, not here
    assert page.inner_text("#margin-threshold") == f"{mine['threshold_usd']} USD"
    assert page.inner_text("#margin-recipient") == RECIPIENT
    assert page.inner_text("#margin-chain") == str(CHAIN_ID)
    assert page.inner_text("#margin-gate") == GATE
    assert "An account of the epoch" in page.inner_text("#margin-summary")
    shot = tmp_path / "trader.png"
    page.screenshot(path=str(shot), full_page=True)
    screenshot_ok(shot, 1280, page.evaluate("document.documentElement.scrollHeight"))

    forged = copy.deepcopy(mine)
    forged["threshold"] = forged["public_inputs"][2] = str(int(mine["threshold"]) * 2)
    assert check(forged) == "invalid" and _red(page, "#margin-verdict")
    assert _items(page, "#margin-checks li.fail") == [
        "fail margin proof pairing: the Groth16 pairing check fails"
    ]

    for field in ("recipient", "gate"):
        elsewhere = dict(mine, **{field: "0x00000000000000000000000000000000000000b1"})
        assert check(elsewhere) == "invalid"
        assert _items(page, "#margin-checks li.fail")[0].startswith("fail margin proof statement")
    assert check({"format": "zksolvency-margin-proof/1"}) == "input"
    page.close()


def test_a_portfolio_record_shows_its_scenario_grid_with_the_models_worst_cell(
    browser: Any, portfolio_published: Published, tmp_path: Path
) -> None:
    proved = portfolio_published.proved
    record = next(
        r
        for r in proved.records
        if r["account"]["margin"] == "portfolio" and any(int(v) for v in r["account"]["options"])
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{portfolio_published.url}/trader/")
    page.wait_for_selector("body[data-ready='true']")
    page.select_option("#epoch", str(PORTFOLIO_EPOCH_ID))
    token = next(t for t in portfolio_published.tokens if t["index"] == record["index"])
    page.fill("#token", token["token"])  # the record as the server hands it out, its regime included
    assert _check(page) == "valid", page.inner_text("body")
    assert page.eval_on_selector("#margin-regime", "e => e.dataset.margin") == "portfolio"
    figures = portfolio_published.client.post("/v1/verify/record", json={"record": record}).json()["account"]
    assert figures["margin"] == "portfolio" and figures["scenario_grid"] is not None
    # The account's scenario margins and each position's value and Greeks, as the API reports them; a
    # position has no margin of its own in a portfolio account ("-" on the page, null in the report).
    for element, field in FIGURES.items():
        assert page.inner_text(element) == f"{figures[field]} USD"
    rows = page.eval_on_selector_all(
        "#positions tbody tr",
        "rows => rows.map(r => Object.fromEntries([...r.cells].map(c => [c.dataset.field, c.textContent])))",
    )
    assert rows == [{c: p[c] or "-" for c in COLUMNS} for p in figures["position_figures"]]
    assert "not defined per position in a portfolio account" in page.inner_text("#summary")
    # The picture: one cell per scenario with the report's exact loss, the model's worst cell marked.
    grid = figures["scenario_grid"]
    epoch = epoch_from_json(proved.document)
    health = evaluate(record_from_json(record).account, epoch.params.circuit(epoch.profile))
    assert health.scenario is not None and grid["worst"] == health.scenario.worst
    cells = page.eval_on_selector_all(
        "#scenario-grid g.cell",
        "cells => cells.map(c => [Number(c.dataset.index), c.dataset.loss, c.dataset.worst === 'true'])",
    )
    want = [[s["index"], s["loss_usd"], s["index"] == grid["worst"]] for s in grid["scenarios"]]
    assert sorted(cells) == want
    worst = page.locator("#scenario-grid g.cell[data-worst='true']")
    assert worst.count() == 1 and int(worst.get_attribute("data-index")) == health.scenario.worst
    assert worst.locator("rect.worst-mark").count() == 1
    assert "worst" in worst.locator("text").all_text_contents()  # marked in words too, not only by colour
    assert page.locator("#grid-legend").count() == 1
    assert page.eval_on_selector("#grid-worst", "e => Number(e.dataset.index)") == health.scenario.worst
    box = page.locator("#scenario-grid").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 250
    shot = tmp_path / "grid.png"
    page.locator("#scenario-grid").screenshot(path=str(shot))
    screenshot_ok(shot, round(box["width"]), round(box["height"]))

    standard = copy.deepcopy(record)  # the same holdings claimed under the standard rules: another key
    standard["account"]["margin"] = "standard"
    _load_file(page, standard)
    assert _check(page) == "invalid"
    assert _items(page, "#checks li.fail")[0].startswith("fail batch subtree")
    assert page.locator("#scenario-grid").count() == 0
    other = next(r for r in proved.records if r["account"]["margin"] == "standard")
    _load_file(page, other)
    assert _check(page) == "valid", page.inner_text("body")
    assert page.locator("#scenario-grid").count() == 0
    assert page.eval_on_selector("#margin-regime", "e => e.dataset.margin") == "standard"
    page.close()

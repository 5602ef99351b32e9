"""docs/statement.md 3.9, "Portfolio example": the model gives exactly the document's 35 cells, margins and
class, read from the document itself; the class and eligibility boundaries are exact, in the model and in
the portfolio batch circuit."""

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Circuits

from zksolvency.prover.epoch import check_snapshot
from zksolvency.prover.inputs import Signals, batch_signals
from zksolvency.prover.snapshot import SnapshotError
from zksolvency.prover.witness import WitnessError
from zksolvency.verifier.account import Account
from zksolvency.verifier.field import PPM, PRICE_SCALE, QUANTA_PER_UNIT, WEIGHTED_SCALE
from zksolvency.verifier.margin import HEALTHY, LIQUIDATABLE, eligible, evaluate
from zksolvency.verifier.params import Asset, Bracket, CircuitParams, CollateralTier, EpochParams, PerpMarket
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.state import ChainState

CI = PROFILES["ci"]
USD, UNIT = PRICE_SCALE, QUANTA_PER_UNIT
STATEMENT = Path(__file__).parent.parent / "docs" / "statement.md"
#: The published parameters of the example: USDT at 1 and BTC at 60,000 USD, one tier each at 100%;
#: BTC-PERP on BTC, marked at 60,050 USD; Deribit's shock rules and the default portfolio minimum.
MARKET = EpochParams(
    (
        Asset("USDT", 1 * USD, (CollateralTier(0, PPM),)),
        Asset("BTC", 60_000 * USD, (CollateralTier(0, PPM),)),
    ),
    (PerpMarket("BTC-PERP", 60_050 * USD, (Bracket(0, 5_000, 10_000),), "BTC"),),
)
#: Long 10 BTC spot against 8 BTC-PERP short, with a loan of 100,000 USDT.
ACCOUNT = Account(1, 0, (-100_000 * UNIT, 10 * UNIT), (-8 * UNIT,), portfolio=True)


def section() -> str:
    """The "Portfolio example" of docs/statement.md, up to the next section."""
    text = STATEMENT.read_text()
    start = text.index("#### Portfolio example")
    return text[start : text.index("\n## ", start)]


def usd(cell: str) -> Decimal:
    """A USD figure of the document ("19,135.980864", "-4,784") as an exact decimal."""
    return Decimal(cell.replace(",", "").replace(" USD", "").strip())


def document_losses() -> list[Decimal]:
    """The 35 cells: the standard table's rows (up, unchanged, down), then the extended table's losses."""
    text, tail = section().split("Extended, vol up")
    standard = re.findall(r"^\| ([-+]?\d+)% \| ([-\d,.]+) \| ([-\d,.]+) \| ([-\d,.]+) \|$", text, re.M)
    extended = re.findall(r"^\| [-+]\d+% \| [\d,]+ \| [-+\d.]+ \| ([-\d,.]+) \|$", tail, re.M)
    assert [int(row[0]) for row in standard] == list(range(-16, 17, 4)) and len(extended) == 8
    return [usd(cell) for row in standard for cell in row[1:]] + [usd(cell) for cell in extended]


def result(name: str) -> str:
    """The value cell of the result table's row `name`."""
    match = re.search(rf"^\| {name} \| (.+?) \|$", section(), re.M)
    assert match, name
    return match.group(1)


@pytest.fixture(scope="module")
def params() -> CircuitParams:
    return MARKET.circuit(CI)


def test_the_document_states_the_example_as_the_test_builds_it() -> None:
    text = section()
    assert "USDT at 1 USD (one tier, 100%); BTC at 60,000 USD (one tier, 100%)" in text
    assert (
        "BTC-PERP on BTC (underlying BTC), at mark 60,050 USD" in text and "10,000 USD (the default)" in text
    )
    assert "USDT -100,000 (a loan), BTC +10, BTC-PERP -8" in text
    assert MARKET.portfolio.min_equity == 10_000 * USD


def test_the_model_gives_the_documents_35_cells_exactly(params: CircuitParams) -> None:
    grid = evaluate(ACCOUNT, params).scenario
    assert grid is not None and len(grid.losses) == 35 == CI.scenarios
    assert [Decimal(loss) / 10**16 for loss in grid.losses] == document_losses()
    assert grid.worst == 0 and result("worst scenario").startswith("s = 0 ")


def test_the_model_gives_the_documents_margins_and_class(params: CircuitParams) -> None:
    health = evaluate(ACCOUNT, params)
    assert Decimal(health.initial) / WEIGHTED_SCALE == usd(result("IM")) == 19_136
    assert (
        Decimal(health.maintenance) / WEIGHTED_SCALE == usd(result("MM").split("= ")[1]) == Decimal("15308.8")
    )
    assert health.maintenance * PPM == health.initial * 800_000  # MM = 0.8 * IM, exact
    assert health.equity == 19_600 * WEIGHTED_SCALE and eligible(health, params)
    assert health.free == 4_291_20 * WEIGHTED_SCALE // 100 and health.margin_class == HEALTHY
    assert "**healthy**" in result("free") and health.available == 464 * WEIGHTED_SCALE
    assert result("available").startswith("19,600 - 19,136 = 464 USD")


def test_the_maintenance_boundary_is_exact(params: CircuitParams) -> None:
    """USDT -104,291.20: equity 15,308.80 = MM, healthy; one quantum of USDT less: liquidatable."""
    at = replace(ACCOUNT, balances=(-104_291_20 * UNIT // 100, 10 * UNIT))
    below = replace(at, balances=(at.balances[0] - 1, 10 * UNIT))
    assert evaluate(at, params).free == 0 and evaluate(at, params).margin_class == HEALTHY
    assert evaluate(below, params).margin_class == LIQUIDATABLE
    assert evaluate(below, params).shortfall == PRICE_SCALE * PPM  # one quantum of USDT, USD * 1e22


def test_the_eligibility_boundary_is_exact(params: CircuitParams) -> None:
    """USDT -109,600: equity 10,000, eligible; one quantum less: refused as a portfolio account, exit 2."""
    at = replace(ACCOUNT, balances=(-109_600 * UNIT, 10 * UNIT))
    below = replace(at, balances=(at.balances[0] - 1, 10 * UNIT))
    assert evaluate(at, params).equity == 10_000 * WEIGHTED_SCALE and eligible(evaluate(at, params), params)
    check_snapshot(MARKET, [at], CI)
    assert not eligible(evaluate(below, params), params)
    with pytest.raises(SnapshotError, match=r"account 1: margin: portfolio, but its haircut equity 9999\.99"):
        check_snapshot(MARKET, [below], CI)


def test_the_same_holdings_in_a_standard_account_need_the_bracket_margin_only(params: CircuitParams) -> None:
    standard = evaluate(replace(ACCOUNT, portfolio=False), params)
    assert standard.maintenance == 2_402 * WEIGHTED_SCALE and standard.scenario is None
    assert "MM = 0.5% * 480,400\n= 2,402 USD" in section()


def portfolio_batch(ci: Circuits, accounts: list[Account]) -> Signals:
    """The portfolio batch circuit's signals for `accounts` (padded), from genesis: the next state, a
    public input, carries the model's class counts and shortfall."""
    padded = accounts + [Account.padding(CI)] * (CI.batch_size - len(accounts))
    salts = [41 + i for i in range(CI.batch_size)]
    signals, _, _ = batch_signals(padded, salts, ChainState.genesis(CI), MARKET.circuit(CI), 7, True)
    return signals


def rejected(ci: Circuits, signals: Signals, check: str) -> None:
    with pytest.raises(WitnessError, match=rf"Error in template {check}_\d+ "):
        ci.portfolio_prover.witness(signals)


def test_the_circuit_gives_the_documents_class_and_maintenance_margin(ci: Circuits) -> None:
    """The example (healthy), the account at equity = MM (healthy) and one quantum below (liquidatable,
    shortfall one quantum of USDT) in one portfolio batch: the witness exists exactly for the model's
    classes and shortfall, so the circuit's MM is 15,308.80 USD to the quantum. Claiming the example
    liquidatable, or naming the -66% cell (0.019136 USD milder) as the worst, has no witness; naming a
    tied cell (-16% with vol down) does."""
    at = replace(ACCOUNT, account_id=2, balances=(-104_291_20 * UNIT // 100, 10 * UNIT))
    below = replace(at, account_id=3, balances=(at.balances[0] - 1, 10 * UNIT))
    signals = portfolio_batch(ci, [ACCOUNT, at, below])
    ci.portfolio_prover.witness(signals)
    assert signals["healthy"][:3] == [1, 1, 0]
    flipped = dict(signals, healthy=[0, *signals["healthy"][1:]])
    rejected(ci, flipped, "MarginClass")
    worst = [int(s == 0) for s in range(CI.scenarios + 1)]
    assert signals["worst"][0] == worst
    for cell, ok in ((27, False), (2, True)):
        named = dict(
            signals, worst=[[int(s == cell) for s in range(CI.scenarios + 1)], *signals["worst"][1:]]
        )
        if ok:
            ci.portfolio_prover.witness(named)
        else:
            rejected(ci, named, "ScenarioMargin")


def test_the_circuit_refuses_the_example_below_the_portfolio_minimum(ci: Circuits) -> None:
    """At 10,000 USD of equity the example is provable; one quantum of USDT less, no witness."""
    at = replace(ACCOUNT, balances=(-109_600 * UNIT, 10 * UNIT))
    ci.portfolio_prover.witness(portfolio_batch(ci, [at]))
    below = replace(at, balances=(at.balances[0] - 1, 10 * UNIT))
    rejected(ci, portfolio_batch(ci, [below]), "MarginClass")


def test_without_its_underlying_the_perpetual_is_a_group_of_its_own() -> None:
    """BTC-PERP with no underlying: the spot BTC is no longer shocked with it (collateral only), so the
    worst cell is the short perpetual's alone, +16%: 8 * 60,050 * 16% = 76,864 USD."""
    market = replace(MARKET, markets=(replace(MARKET.markets[0], underlying=None),))
    grid = evaluate(ACCOUNT, market.circuit(CI)).scenario
    assert grid is not None and max(grid.losses) == 76_864 * USD * UNIT and grid.worst == 24
    assert "the spot BTC would count only as collateral" in section()

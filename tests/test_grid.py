"""A portfolio account's scenario grid as a trader reads it (verifier/grid.py), and its positions."""

from decimal import Decimal

from factories import UNIT, option_venue, short_call

from zksolvency.verifier.account import Account
from zksolvency.verifier.grid import LOSS_SCALE, scenario_grid, table_lines
from zksolvency.verifier.margin import evaluate
from zksolvency.verifier.positions import position_figures
from zksolvency.verifier.profiles import PROFILES
from zksolvency.verifier.scenarios import DERIBIT

PARAMS = option_venue()
CIRCUIT = PARAMS.circuit(PROFILES["ci"])
#: 100,000 USDT and half a BTC, short half a BTC-PERP, short the 70,000 call, long the 50,000 put.
HEDGED = Account(5, 0, (100_000 * UNIT, UNIT // 2, 0), (-UNIT // 2,), (-UNIT, UNIT), portfolio=True)


def _grid(account: Account) -> dict:
    health = evaluate(account, CIRCUIT)
    assert health.scenario is not None
    return scenario_grid(health.scenario, CIRCUIT.shocks).to_json()


def test_the_grid_gives_each_scenario_its_move_volatility_fraction_and_exact_loss() -> None:
    health = evaluate(HEDGED, CIRCUIT)
    grid = _grid(HEDGED)
    cells = grid["scenarios"]
    assert len(cells) == 35 and [c["index"] for c in cells] == list(range(35))
    assert [(c["price_move_percent"], c["volatility"]) for c in cells[:3]] == [
        ("-16", "up"),
        ("-16", "unchanged"),
        ("-16", "down"),
    ]
    assert (cells[13]["price_move_percent"], cells[13]["volatility"]) == ("0", "unchanged")
    assert [c["price_move_percent"] for c in cells[27:]] == [
        "-66",
        "-33",
        "50",
        "100",
        "200",
        "300",
        "400",
        "500",
    ]
    assert all(c["extended"] == (c["index"] >= 27) and c["volatility"] == "up" for c in cells[27:])
    assert [c["fraction"] for c in cells[27:29]] == ["0.242424", "0.484848"]
    assert all(c["fraction"] == "1" for c in cells[:27])
    # Exact: each decimal string is the model's loss, USD * 1e16.
    assert [int(Decimal(c["loss_usd"]) * LOSS_SCALE) for c in cells] == list(health.scenario.losses)
    losses = health.scenario.losses
    assert (
        grid["worst"] == losses.index(max(losses))
        and grid["worst_loss_usd"] == cells[grid["worst"]]["loss_usd"]
    )
    assert health.initial == max(losses) * 10**6 and grid["mm_ratio"] == "0.8"


def test_the_worst_cell_is_the_first_largest_loss_and_may_be_a_standard_one() -> None:
    # Long a BTC perpetual only: the -16% moves lose most, equally in all three volatility states.
    long_perp = Account(6, 0, (50_000 * UNIT, 0, 0), (UNIT,), (0, 0), portfolio=True)
    grid = _grid(long_perp)
    assert grid["worst"] == 0
    assert {c["loss_usd"] for c in grid["scenarios"][:3]} == {"9600"}  # 16% of 60,000
    assert grid["scenarios"][27]["loss_usd"] == "9599.9904"  # -66% counted at 0.242424
    # Short the call: the extended +500% move is the worst.
    assert _grid(Account(7, 0, (50_000 * UNIT, 0, 0), (0,), (-UNIT, 0), portfolio=True))["worst"] == 34


def test_the_table_marks_the_worst_cell_once_in_its_row_and_column() -> None:
    health = evaluate(HEDGED, CIRCUIT)
    assert health.scenario is not None
    grid = scenario_grid(health.scenario, DERIBIT)
    lines = table_lines(grid, "")
    assert lines[0].split() == [
        "price",
        "move",
        "-16%",
        "-12%",
        "-8%",
        "-4%",
        "0%",
        "+4%",
        "+8%",
        "+12%",
        "+16%",
    ]
    assert [line.split()[1] for line in lines[1:4]] == ["up", "unchanged", "down"]
    assert sum(line.count("*") for line in lines[:-1]) == 1
    marked = next(line for line in lines if "*" in line and not line.startswith("*"))
    assert (
        marked.startswith("vol up, counted")
        and marked.split()[-1] == f"{int(max(health.scenario.losses)) // LOSS_SCALE}*"
    )
    assert (
        lines[-1]
        == f"* worst: scenario 34 (extended, price +500%, vol up), loss {_grid(HEDGED)['worst_loss_usd']} USD"
    )
    flat = Account(8, 0, (50_000 * UNIT, 0, 0), (0,), (0, 0), portfolio=True)
    quiet = evaluate(flat, CIRCUIT)
    assert quiet.scenario is not None and quiet.initial == 0
    assert table_lines(scenario_grid(quiet.scenario, DERIBIT))[-1].endswith(
        "(no scenario loses: no margin is due)"
    )


def test_a_portfolio_accounts_positions_have_value_and_greeks_but_no_margin_of_their_own() -> None:
    portfolio = position_figures(HEDGED, PARAMS, CIRCUIT)
    standard = position_figures(
        Account(5, 0, HEDGED.balances, HEDGED.positions, HEDGED.options), PARAMS, CIRCUIT
    )
    assert [p.symbol for p in portfolio] == ["BTC-PERP", "BTC-25DEC26-70000-C", "BTC-25DEC26-50000-P"]
    for mine, theirs in zip(portfolio, standard, strict=True):
        assert mine.initial is None and mine.maintenance is None
        assert (
            mine.to_json()["initial_margin_usd"] is None and mine.to_json()["maintenance_margin_usd"] is None
        )
        assert (mine.value, mine.delta, mine.gamma, mine.vega) == (
            theirs.value,
            theirs.delta,
            theirs.gamma,
            theirs.vega,
        )
    assert standard[1].to_json()["initial_margin_usd"] == "7200"  # the worked example, unchanged
    assert evaluate(short_call(9, 10_000), CIRCUIT).scenario is None

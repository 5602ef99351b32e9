"""The public page's chart geometry: in proportion, capped at the axis, gaps where nothing is owed."""

import pytest

from zksolvency.api.charts import MAX_AXIS, MIN_AXIS, BarChart, LineChart, bar_chart, line_chart


def _row(asset: str, ratio: float | None) -> dict:
    covered = ratio is None or ratio >= 1
    return {"asset": asset, "ratio": ratio, "declared": "1", "net_liabilities": "1", "covered": covered}


def test_bars_are_in_proportion_and_capped_at_the_axis() -> None:
    chart = bar_chart([_row("USDT", None), _row("BTC", 1.0), _row("ETH", 2.0), _row("SOL", 50.0)])
    usdt, btc, eth, sol = chart.bars
    assert chart.top == MAX_AXIS and usdt.width == 0 and usdt.label == "nothing owed"
    assert eth.width == 2 * btc.width and sol.width == BarChart.SPAN  # 50x is drawn at the axis's end
    assert chart.full == BarChart.LEFT + btc.width and sol.label == "5000.00%"
    assert bar_chart([_row("BTC", 0.5)]).top == MIN_AXIS  # 100% stays inside the chart


def test_lines_run_oldest_to_newest_and_skip_epochs_with_nothing_owed() -> None:
    older, newer = [_row("BTC", 1.0), _row("USDT", None)], [_row("BTC", 0.5), _row("USDT", 2.0)]
    chart = line_chart([(1, older), (2, newer)])
    btc, usdt = chart.series
    assert [p.epoch_id for p in btc.points] == [1, 2] and [p.epoch_id for p in usdt.points] == [2]
    first, second = btc.points
    assert first.x == LineChart.LEFT and second.x == LineChart.RIGHT
    half = pytest.approx((LineChart.BOTTOM - first.y) / 2, abs=0.1)  # half the ratio, half the height
    assert second.y - first.y == half
    assert [t.value for t in chart.x_ticks] == ["1", "2"] and btc.colour != usdt.colour
    one = line_chart([(9, [_row("BTC", 1.0)])])
    assert one.series[0].points[0].x == (LineChart.LEFT + LineChart.RIGHT) / 2

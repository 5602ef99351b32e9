"""Geometry of the public page's two SVG charts: coverage per asset, and coverage across epochs.

Drawn on the server as inline SVG (no script, no library): the page renders the shapes computed here.
Ratios above the chart's top are drawn at the top; every shape carries its exact value in data attributes.
"""

from dataclasses import dataclass

#: Colours of the assets' lines, in the order the assets first appear.
PALETTE = ("#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c940d", "#e8590c")
#: The highest ratio a chart's axis reaches; larger ratios are drawn at the top.
MAX_AXIS = 5.0
#: The lowest top of an axis: 100% coverage is always well inside the chart.
MIN_AXIS = 1.25


def ratio_of(row: dict) -> float | None:
    """A coverage row's declared ratio (a decimal string in the report vocabulary) as a number to draw."""
    return None if row["ratio"] is None else float(row["ratio"])


def axis_top(ratios: list[float]) -> float:
    """The ratio at the top (or right end) of a chart's axis."""
    return min(MAX_AXIS, max([MIN_AXIS, *(r * 1.1 for r in ratios)]))


def percent(ratio: float | None) -> str:
    """A coverage ratio as a percentage for people; 'nothing owed' when there are no liabilities."""
    return "nothing owed" if ratio is None else f"{ratio * 100:.2f}%"


@dataclass(frozen=True)
class Bar:
    """One asset's bar: reserves / net liabilities."""

    asset: str
    ratio: float | None
    reserves: str
    liabilities: str
    covered: bool
    y: float
    width: float

    @property
    def label(self) -> str:
        """The value written after the bar."""
        return percent(self.ratio)


@dataclass(frozen=True)
class BarChart:
    """Coverage per asset of one epoch, as horizontal bars."""

    bars: list[Bar]
    width: int
    height: int
    left: int
    span: int
    full: float
    """x of 100% coverage."""
    top: float
    """The ratio at the right end of the axis."""

    ROW = 30
    LEFT = 70
    SPAN = 420


def bar_chart(coverage: list[dict]) -> BarChart:
    """Bars for an epoch's coverage rows (the API's Coverage objects as dicts)."""
    top = axis_top([ratio_of(c) for c in coverage if c["ratio"] is not None])
    bars = [
        Bar(
            asset=c["asset"],
            ratio=ratio_of(c),
            reserves=c["declared"],
            liabilities=c["net_liabilities"],
            covered=c["covered"],
            y=10 + i * BarChart.ROW,
            width=0.0 if c["ratio"] is None else round(BarChart.SPAN * min(ratio_of(c), top) / top, 1),
        )
        for i, c in enumerate(coverage)
    ]
    return BarChart(
        bars=bars,
        width=BarChart.LEFT + BarChart.SPAN + 120,
        height=20 + BarChart.ROW * len(bars),
        left=BarChart.LEFT,
        span=BarChart.SPAN,
        full=round(BarChart.LEFT + BarChart.SPAN / top, 1),
        top=top,
    )


@dataclass(frozen=True)
class Point:
    """One asset's coverage in one epoch."""

    epoch_id: int
    asset: str
    ratio: float
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    """One asset across epochs."""

    asset: str
    colour: str
    points: list[Point]

    @property
    def polyline(self) -> str:
        """The SVG polyline's points."""
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    """A label on an axis."""

    value: str
    at: float


@dataclass(frozen=True)
class LineChart:
    """Coverage per asset across epochs, oldest on the left."""

    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int
    height: int
    left: int
    right: int
    bottom: int
    top: int

    LEFT, RIGHT, TOP, BOTTOM = 60, 600, 14, 214
    #: At most this many epoch ids are written under the axis.
    MAX_LABELS = 12


def line_chart(history: list[tuple[int, list[dict]]]) -> LineChart:
    """Lines for (epoch id, coverage rows) pairs, oldest first; epochs with nothing owed leave a gap."""
    c = LineChart
    ratios = [ratio_of(r) for _, rows in history for r in rows if r["ratio"] is not None]
    top = axis_top(ratios)
    step = (c.RIGHT - c.LEFT) / max(1, len(history) - 1)

    def x(i: int) -> float:
        return round(c.LEFT + (i * step if len(history) > 1 else (c.RIGHT - c.LEFT) / 2), 1)

    def y(ratio: float) -> float:
        return round(c.BOTTOM - (c.BOTTOM - c.TOP) * min(ratio, top) / top, 1)

    series: dict[str, list[Point]] = {}
    for i, (epoch_id, rows) in enumerate(history):
        for row in rows:
            points = series.setdefault(row["asset"], [])
            if row["ratio"] is not None:
                points.append(Point(epoch_id, row["asset"], ratio_of(row), x(i), y(ratio_of(row))))
    every = max(1, -(-len(history) // c.MAX_LABELS))
    x_ticks = [Tick(str(e), x(i)) for i, (e, _) in enumerate(history) if i % every == 0]
    y_ticks = [Tick(f"{v * 100:.0f}%", y(v)) for v in sorted({0.0, 1.0, top})]
    return LineChart(
        series=[Series(a, PALETTE[i % len(PALETTE)], p) for i, (a, p) in enumerate(series.items())],
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        width=c.RIGHT + 30,
        height=c.BOTTOM + 40,
        left=c.LEFT,
        right=c.RIGHT,
        bottom=c.BOTTOM,
        top=c.TOP,
    )

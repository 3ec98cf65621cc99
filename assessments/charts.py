"""Progress charts: the geometry of one movement's readings over time.

This module computes coordinates only; ``templates/assessments/chart.svg`` draws them, so the same
chart renders in the assessment page and, later, in the PDF handout. Pure functions over
``findings.Session``; nothing here touches the database.

One chart shows one movement in one position and mode (readings from different positions are never
drawn together): left and right over time, the reference band of that position, and error bars of
± half the MDC95 around each reading, so that bars of two visits that do not overlap differ by
more than the MDC.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assessments.findings import Reading, ReferenceTable, Session, degrees
from assessments.vocabulary import Measure, Mode, Movement, Position, Side

WIDTH, HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52, 20, 34, 44
SIDE_OFFSET = 5  # left and right of one visit sit a few pixels apart so both error bars show
MAX_X_LABELS = 8
MAX_PRINT_Y_LABELS = 6  # more y ticks than this, and the printed chart labels every other one
STYLE = {
    Side.LEFT: {"colour": "#0f5e4d", "dash": "", "marker": "circle", "name": "Left"},
    Side.RIGHT: {"colour": "#b3471f", "dash": "6 4", "marker": "square", "name": "Right"},
}


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    major: bool = True  # labelled in print, where a dense axis is labelled at every other tick


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    bar_top: float
    bar_bottom: float
    day: date
    value: Decimal
    mdc: Decimal

    @property
    def label(self) -> str:
        return f"{self.day.day} {self.day:%b %Y}: {degrees(self.value)} (± {degrees(self.mdc / 2)})"

    @property
    def square_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class Series:
    side: str
    name: str
    colour: str
    dash: str
    marker: str
    points: tuple[Point, ...]

    legend_x: float = 0

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    band_top: float | None
    band_bottom: float | None
    band_label: str
    threshold_y: float | None
    source: str

    @property
    def plot_width(self) -> float:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top

    @property
    def y_label_x(self) -> float:
        return self.plot_left - 6

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + 18

    @property
    def band_height(self) -> float:
        return (self.band_bottom or 0) - (self.band_top or 0)

    @property
    def points(self) -> list[Point]:
        return [p for s in self.series for p in s.points]


def _readings(sessions: Sequence[Session], movement: str, position: str, mode: str) -> list[tuple[Session, Reading]]:
    return [
        (session, reading) for session in sessions for reading in session.tested()
        if (reading.movement, reading.position, reading.mode) == (movement, position, mode)
    ]


def _nice_step(span: float) -> int:
    for step in (5, 10, 20, 25, 50):
        if span / step <= 8:
            return step
    return 100


def progress_chart(sessions: Sequence[Session], table: ReferenceTable, *, movement: str,
                   position: str = Position.PRONE, mode: str = Mode.PASSIVE, sex: str = "not_recorded") -> Chart | None:
    """The chart of one movement, or None when no session measured it in this position and mode.

    ``sessions`` are in any order; each needs ``assessed_on``."""
    found = sorted(_readings(sessions, movement, position, mode), key=lambda pair: pair[0].assessed_on)
    if not found:
        return None
    reference = table.reference(Measure(movement).value, position, mode, sex)
    band_low, band_high = reference.band if reference else (None, None)
    threshold = reference.threshold if reference else None

    def mdc_of(reading: Reading) -> Decimal:
        return table.mdc(same_rater=True, instruments=(reading.instrument,)).degrees

    lows = [float(r.degrees - mdc_of(r) / 2) for _, r in found]
    highs = [float(r.degrees + mdc_of(r) / 2) for _, r in found]
    extra = [float(v) for v in (band_low, band_high, threshold) if v is not None]
    y_min, y_max = min(lows + extra), max(highs + extra)
    step = _nice_step(max(y_max - y_min, 10))
    y_min, y_max = step * math.floor(y_min / step), step * math.ceil(y_max / step)
    if y_max == y_min:
        y_max += step

    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM

    def y_of(value: float) -> float:
        return round(bottom - (value - y_min) / (y_max - y_min) * (bottom - top), 1)

    days = sorted({s.assessed_on for s, _ in found})
    first, last = days[0], days[-1]
    inner_left, inner_right = left + 24, right - 24

    def x_of(day: date) -> float:
        if first == last:
            return round((left + right) / 2, 1)
        return round(inner_left + (day - first).days / (last - first).days * (inner_right - inner_left), 1)

    series = []
    for number, side in enumerate((Side.LEFT, Side.RIGHT)):
        offset = -SIDE_OFFSET if side == Side.LEFT else SIDE_OFFSET
        points = tuple(
            Point(x=round(x_of(s.assessed_on) + offset, 1), y=y_of(float(r.degrees)),
                  bar_top=y_of(float(r.degrees + mdc_of(r) / 2)), bar_bottom=y_of(float(r.degrees - mdc_of(r) / 2)),
                  day=s.assessed_on, value=r.degrees, mdc=mdc_of(r))
            for s, r in found if r.side == side
        )
        if points:
            style = STYLE[side]
            series.append(Series(side, style["name"], style["colour"], style["dash"], style["marker"], points,
                                 legend_x=right - 130 + 70 * number))

    shown_days = days if len(days) <= MAX_X_LABELS else [days[round(i * (len(days) - 1) / (MAX_X_LABELS - 1))]
                                                         for i in range(MAX_X_LABELS)]
    years = len({d.year for d in days}) > 1
    x_ticks = tuple(Tick(x_of(d), f"{d.day} {d:%b %y}" if years else f"{d.day} {d:%b}") for d in shown_days)
    values = range(int(y_min), int(y_max) + 1, step)
    dense = len(values) > MAX_PRINT_Y_LABELS
    y_ticks = tuple(Tick(y_of(v), degrees(Decimal(v)), major=not dense or v % (2 * step) == 0) for v in values)

    band_top = band_bottom = None
    band_label = ""
    if band_low is not None or band_high is not None:
        band_top = y_of(float(band_high)) if band_high is not None else float(top)
        band_bottom = y_of(float(band_low)) if band_low is not None else float(bottom)
        band_label = (f"usual range {degrees(band_low)}–{degrees(band_high)}" if band_low is not None and
                      band_high is not None else f"usual range {degrees(band_low)} or more" if band_low is not None
                      else f"usual range up to {degrees(band_high)}")

    movement_label = Movement(movement).label
    setting = f"{Position(position).label.lower()}, {Mode(mode).label.lower()}"
    description = "; ".join(
        f"{s.name}: " + ", ".join(f"{p.day:%Y-%m-%d} {degrees(p.value)}" for p in s.points) for s in series
    )
    return Chart(
        slug=f"chart-{movement}-{position}-{mode}",
        title=f"{movement_label} ({setting})",
        description=description + (f". Reference: {band_label}." if band_label else "."),
        width=WIDTH, height=HEIGHT, plot_left=left, plot_right=right, plot_top=top, plot_bottom=bottom,
        y_ticks=y_ticks, x_ticks=x_ticks, series=tuple(series), band_top=band_top, band_bottom=band_bottom,
        band_label=band_label, threshold_y=y_of(float(threshold)) if threshold is not None else None,
        source=reference.source if reference else "",
    )


def progress_charts(current: Session, history: Sequence[Session], table: ReferenceTable) -> list[Chart]:
    """One chart per movement, position and mode measured in ``current``, over ``history`` (which
    includes ``current``), in the order the readings were taken."""
    settings: list[tuple[str, str, str]] = []
    for reading in current.tested():
        key = (reading.movement, reading.position, reading.mode)
        if key not in settings:
            settings.append(key)
    charts = []
    for movement, position, mode in settings:
        chart = progress_chart(history, table, movement=movement, position=position, mode=mode, sex=current.sex)
        if chart is not None:
            charts.append(chart)
    return charts

"""Progress charts: the geometry of one movement's readings over time.

This module computes coordinates only; ``templates/assessments/chart.svg`` draws them, on the
assessment page and in the PDF handout. Pure functions over ``findings.Session``; nothing here
touches the database.

One chart shows one movement in one position and mode (readings from different positions are never
drawn together), left and right over time, and the reference band of that position. It follows the
findings' own rules, so the page, the chart and the handout cannot disagree (clinical-reference §3):

- a line joins only *comparable* readings (``findings.comparable``): readings taken with another
  kind of instrument form a line of their own, with a hollow marker;
- each pair of neighbouring readings on a line gets error bars of ± half the MDC95 that applies to
  that pair (``ReferenceTable.mdc_between``: the small value only when one clinician measured both
  with a digital inclinometer), so two neighbouring bars that do not overlap mean exactly what the
  findings call a real change; a reading whose two neighbours need different MDCs carries one bar
  towards each. ``Chart.bar_note`` says in words which MDCs the bars show;
- visits on the same day sit a few pixels apart instead of on top of each other.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from assessments.findings import ReferenceTable, Session, comparable, degrees, same_rater
from assessments.vocabulary import Instrument, Measure, Mode, Movement, Position, Side

WIDTH, HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 52, 20, 34, 44
SIDE_OFFSET = 5  # left and right of one visit sit a few pixels apart so both error bars show
SAME_DAY_GAP = 16  # visits on one day are spread this far apart
BAR_OFFSET = 3  # a reading with two different bars draws them this far to either side
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
class Bar:
    offset: float  # from the point's x
    top: float
    bottom: float
    mdc: Decimal


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    bars: tuple[Bar, ...]
    day: date
    value: Decimal

    @property
    def label(self) -> str:
        spread = " or ".join(f"± {degrees(mdc / 2)}" for mdc in dict.fromkeys(b.mdc for b in self.bars))
        return f"{self.day.day} {self.day:%b %Y}: {degrees(self.value)}" + (f" ({spread})" if spread else "")

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
    hollow: bool = False  # a second kind of instrument on the same side
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
    bar_note: str

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


def _nice_step(span: float) -> int:
    for step in (5, 10, 20, 25, 50):
        if span / step <= 8:
            return step
    return 100


def _lines(found):
    """The readings of each side split into lines of comparable readings, in visit order."""
    lines: list[list] = []
    for visit in found:
        line = next((line for line in lines if comparable(line[-1][1], visit[1])), None)
        if line is None:
            lines.append([visit])
        else:
            line.append(visit)
    return lines


def bar_note(situations: dict[Decimal, set[str]]) -> str:
    """What the bars of a chart show, in words (``situations``: MDC95 -> the situations it was used for)."""
    if not situations:
        return "No error bars: no two visits on this chart can be compared (one visit, or different instruments)."
    parts = [f"{degrees(mdc)} ({'; '.join(sorted(where))})" for mdc, where in sorted(situations.items())]
    return ("Bars: ± half the MDC95 between neighbouring comparable visits, " + " or ".join(parts)
            + ". Where two neighbouring bars do not overlap, the change is at least the MDC95: a real change.")


def progress_chart(sessions: Sequence[Session], table: ReferenceTable, *, movement: str,
                   position: str = Position.PRONE, mode: str = Mode.PASSIVE, sex: str = "not_recorded") -> Chart | None:
    """The chart of one movement, or None when no session measured it in this position and mode.

    ``sessions`` in any order of days (same-day visits in the order they were recorded); each
    needs ``assessed_on``."""
    sessions = sorted(sessions, key=lambda s: s.assessed_on)  # stable: same-day visits keep their order
    visits = list(enumerate(sessions))
    found = [(number, reading, session) for number, session in visits for reading in session.tested()
             if (reading.movement, reading.position, reading.mode) == (movement, position, mode)]
    if not found:
        return None
    reference = table.reference(Measure(movement).value, position, mode, sex)
    band_low, band_high = reference.band if reference else (None, None)
    threshold = reference.threshold if reference else None

    # Error bars: per neighbouring pair on a line, with the MDC that applies to that pair.
    lines = [line for side in (Side.LEFT, Side.RIGHT)
             for line in _lines([(n, r, s) for n, r, s in found if r.side == side])]
    pair_mdc: dict[tuple[int, str], list[tuple[str, Decimal]]] = {}  # (visit, side) -> [(toward, mdc)]
    situations: dict[Decimal, set[str]] = {}
    for line in lines:
        for (n1, r1, s1), (n2, r2, s2) in zip(line, line[1:], strict=False):
            applied = table.mdc_between(r2, r1, same_rater=same_rater(s2, s1))
            situations.setdefault(applied.degrees, set()).add(applied.situation)
            pair_mdc.setdefault((n1, r1.side), []).append(("after", applied.degrees))
            pair_mdc.setdefault((n2, r2.side), []).append(("before", applied.degrees))

    def widest(number: int, side: str) -> Decimal:
        return max((mdc for _, mdc in pair_mdc.get((number, side), [])), default=Decimal(0))

    lows = [float(r.degrees - widest(n, r.side) / 2) for n, r, _ in found]
    highs = [float(r.degrees + widest(n, r.side) / 2) for n, r, _ in found]
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

    measured = sorted({n for n, _, _ in found})
    days = sorted({sessions[n].assessed_on for n in measured})
    first, last = days[0], days[-1]
    inner_left, inner_right = left + 24, right - 24

    def x_of_day(day: date) -> float:
        if first == last:
            return (left + right) / 2
        return inner_left + (day - first).days / (last - first).days * (inner_right - inner_left)

    def x_of(number: int) -> float:
        day = sessions[number].assessed_on
        same_day = [n for n in measured if sessions[n].assessed_on == day]
        return x_of_day(day) + (same_day.index(number) - (len(same_day) - 1) / 2) * SAME_DAY_GAP

    def bars_of(number: int, side: str, value: Decimal) -> tuple[Bar, ...]:
        pairs = pair_mdc.get((number, side), [])
        distinct = list(dict.fromkeys(mdc for _, mdc in pairs))
        if len(distinct) == 1:
            pairs = [("", distinct[0])]
        return tuple(Bar({"before": -BAR_OFFSET, "after": BAR_OFFSET}.get(toward, 0),
                         y_of(float(value + mdc / 2)), y_of(float(value - mdc / 2)), mdc) for toward, mdc in pairs)

    several_instruments = len({r.instrument for _, r, _ in found}) > 1
    series = []
    for line in lines:
        side = line[0][1].side
        style = STYLE[side]
        offset = -SIDE_OFFSET if side == Side.LEFT else SIDE_OFFSET
        instrument = Instrument(line[0][1].instrument).label.lower()
        hollow = any(s.side == side for s in series)
        points = tuple(
            Point(x=round(x_of(n) + offset, 1), y=y_of(float(r.degrees)), bars=bars_of(n, side, r.degrees),
                  day=s.assessed_on, value=r.degrees)
            for n, r, s in line
        )
        series.append(Series(side, f"{style['name']} ({instrument})" if several_instruments else style["name"],
                             style["colour"], style["dash"], style["marker"], points, hollow=hollow))
    legend_width = 150 if several_instruments else 70
    series = [Series(s.side, s.name, s.colour, s.dash, s.marker, s.points, s.hollow,
                     legend_x=right - legend_width * (len(series) - i)) for i, s in enumerate(series)]

    shown_days = days if len(days) <= MAX_X_LABELS else [days[round(i * (len(days) - 1) / (MAX_X_LABELS - 1))]
                                                         for i in range(MAX_X_LABELS)]
    years = len({d.year for d in days}) > 1
    x_ticks = tuple(Tick(round(x_of_day(d), 1), f"{d.day} {d:%b %y}" if years else f"{d.day} {d:%b}")
                    for d in shown_days)
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
        source=reference.source if reference else "", bar_note=bar_note(situations),
    )


def progress_charts(current: Session, history: Sequence[Session], table: ReferenceTable) -> list[Chart]:
    """One chart per movement, position and mode measured in ``current``, over ``history`` (which
    includes ``current``; newest first, as ``Assessment.earlier`` gives them)."""
    chronological = sorted(reversed(list(history)), key=lambda s: s.assessed_on)  # stable: same-day order kept
    settings: list[tuple[str, str, str]] = []
    for reading in current.tested():
        key = (reading.movement, reading.position, reading.mode)
        if key not in settings:
            settings.append(key)
    charts = []
    for movement, position, mode in settings:
        chart = progress_chart(chronological, table, movement=movement, position=position, mode=mode,
                               sex=current.sex)
        if chart is not None:
            charts.append(chart)
    return charts

"""Progress charts: the geometry, and the SVG drawn from it, parsed as XML."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string

from assessments import charts
from assessments.findings import Mdc, Reading, Reference, ReferenceTable, Session

SVG = "{http://www.w3.org/2000/svg}"
TABLE = ReferenceTable(
    references=(Reference("ir", "prone", "passive", "any", D(35), D(9), D(26), "IR source"),),
    same_rater_inclinometer=Mdc(D(8), "same"), other=Mdc(D(12), "other"),
)


def visit(day, left, right, *, instrument="goniometer", position="prone") -> Session:
    readings = tuple(
        Reading(side, "ir", None if value is None else D(str(value)), position=position, instrument=instrument)
        for side, value in (("left", left), ("right", right))
    )
    return Session(readings, rater=1, assessed_on=day)


HISTORY = [visit(date(2026, 1, 5), 20, 35), visit(date(2026, 2, 5), 26, 36), visit(date(2026, 3, 9), "31.5", None)]


def parse(chart) -> ET.Element:
    svg = render_to_string("assessments/chart.svg", {"chart": chart})
    # Our own template's output, parsed after its leading comment.
    return ET.fromstring(svg[svg.index("<svg"):])  # noqa: S314


def test_the_chart_is_valid_svg_with_one_point_per_tested_reading():
    chart = charts.progress_chart(HISTORY, TABLE, movement="ir")
    root = parse(chart)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 640 260"
    assert root.find(f"{SVG}title").text == "Internal rotation (prone, hip extended, passive)"
    series = {g.get("data-side"): g for g in root.iter(f"{SVG}g") if g.get("class") == "series"}
    left = [(g.get("data-date"), g.get("data-value")) for g in series["left"].iter(f"{SVG}g")
            if g.get("class") == "reading"]
    right = [(g.get("data-date"), g.get("data-value")) for g in series["right"].iter(f"{SVG}g")
             if g.get("class") == "reading"]
    assert left == [("2026-01-05", "20"), ("2026-02-05", "26"), ("2026-03-09", "31.5")]
    assert right == [("2026-01-05", "35"), ("2026-02-05", "36")]  # untested right IR in March: no point
    assert len(series["left"].findall(f"{SVG}polyline")) == 1
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1  # left markers, plus the legend's
    band = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "reference-band")
    assert band.get("fill") and band.get("style") is None
    for element in root.iter():
        assert element.get("style") is None  # the CSP forbids inline styles


def test_points_sit_where_their_values_and_dates_say():
    chart = charts.progress_chart(HISTORY, TABLE, movement="ir")
    left = chart.series[0].points
    assert [p.x for p in left] == sorted(p.x for p in left)  # later visits further right
    assert left[0].y > left[1].y > left[2].y  # larger values higher up (smaller y)
    bars = [bar for p in chart.points for bar in p.bars]
    assert chart.plot_top <= min(b.top for b in bars) and max(b.bottom for b in bars) <= chart.plot_bottom
    # Error bars: ± half the MDC95 of each pair of neighbouring visits (one clinician, goniometer: 12°).
    scale = (chart.plot_bottom - chart.plot_top) / (float(chart.y_ticks[-1].label.rstrip("°"))
                                                    - float(chart.y_ticks[0].label.rstrip("°")))
    assert all(len(p.bars) == 1 and p.bars[0].offset == 0 for p in left)
    assert left[0].bars[0].bottom - left[0].bars[0].top == pytest.approx(12 * scale, abs=0.2)
    assert chart.bar_note.startswith("Bars: ± half the MDC95 between neighbouring comparable visits, 12° (same "
                                     "clinician, goniometer).")
    # The reference band is mean ± 1 SD (26–44°) and the cut-off line sits at its bottom.
    assert chart.band_label == "usual range 26°–44°"
    assert chart.threshold_y == pytest.approx(chart.band_bottom)


def test_other_positions_are_charted_apart_and_no_reference_means_no_band():
    history = [*HISTORY, visit(date(2026, 3, 1), 10, 12, position="seated_90_90")]
    prone = charts.progress_chart(history, TABLE, movement="ir")
    seated = charts.progress_chart(history, TABLE, movement="ir", position="seated_90_90")
    assert len(prone.points) == 5 and len(seated.points) == 2
    assert seated.band_top is None and seated.threshold_y is None
    assert parse(seated).find(f".//{SVG}rect[@class='reference-band']") is None
    assert charts.progress_chart(history, TABLE, movement="er") is None


def test_one_visit_is_centred_and_charts_follow_the_current_assessment():
    current = visit(date(2026, 4, 1), 30, 33)
    [chart] = charts.progress_charts(current, [current], TABLE)
    middle = (chart.plot_left + chart.plot_right) / 2
    assert sorted(p.x for p in chart.points) == pytest.approx([middle - 5, middle + 5], abs=0.1)
    assert len(parse(chart).findall(f".//{SVG}polyline")) == 0


def test_the_print_copy_leaves_the_title_to_the_page_and_labels_a_dense_axis_at_every_other_tick():
    chart = charts.progress_chart(HISTORY, TABLE, movement="ir")
    values = [int(tick.label.rstrip("°")) for tick in chart.y_ticks]
    assert len(values) > charts.MAX_PRINT_Y_LABELS  # 10° to 45° in steps of 5°: a dense axis
    svg = render_to_string("assessments/chart.svg", {"chart": chart, "for_print": True})
    texts = [t.text for t in ET.fromstring(svg[svg.index("<svg"):]).iter(f"{SVG}text")]  # noqa: S314
    assert chart.title not in texts
    assert [label for label in texts if label.endswith("°")] == [f"{v}°" for v in values if v % 10 == 0]
    # On screen the chart keeps its title and every label.
    screen = [t.text for t in parse(chart).iter(f"{SVG}text")]
    assert chart.title in screen and all(tick.label in screen for tick in chart.y_ticks)


def test_a_sparse_axis_is_labelled_at_every_tick_in_print():
    chart = charts.progress_chart([visit(date(2026, 1, 5), 30, 32)], TABLE, movement="ir")
    assert len(chart.y_ticks) <= charts.MAX_PRINT_Y_LABELS and all(tick.major for tick in chart.y_ticks)


def test_a_chart_is_drawn_once_and_a_changed_chart_is_drawn_anew():
    """The page keeps drawn charts under the chart itself: the same chart is the same drawing, and
    any change to its data (here one re-measured value) is another chart, drawn with the new value."""
    from assessments.templatetags.progress_charts import drawn

    chart = charts.progress_chart(HISTORY, TABLE, movement="ir")
    same = charts.progress_chart(HISTORY, TABLE, movement="ir")
    assert drawn(chart, False) is drawn(same, False)
    assert drawn(chart, False) == render_to_string("assessments/chart.svg", {"chart": chart})

    remeasured = [*HISTORY[:2], visit(date(2026, 3, 9), "33", None)]
    changed = charts.progress_chart(remeasured, TABLE, movement="ir")
    values = [g.get("data-value") for g in ET.fromstring(  # noqa: S314
        drawn(changed, False)[drawn(changed, False).index("<svg"):]).iter(f"{SVG}g") if g.get("data-value")]
    assert "33" in values and "31.5" not in values

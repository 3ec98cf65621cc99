"""Warning ranges of clinical-reference §7 at their edges."""

from decimal import Decimal as D

import pytest

from assessments import plausibility
from assessments.findings import Reading


@pytest.mark.parametrize(
    ("movement", "value", "warned"),
    [
        ("ir", 10, False), ("ir", D("9.5"), True), ("ir", 60, False), ("ir", D("60.5"), True),
        ("er", 15, False), ("er", D("14.9"), True), ("er", 70, False), ("er", D("70.5"), True),
        ("extension", -25, False), ("extension", 35, False),
    ],
)
def test_single_values_outside_the_usual_range_are_warned(movement, value, warned):
    found = plausibility.warnings([Reading("left", movement, D(value))])
    assert bool(found) is warned


@pytest.mark.parametrize(("ir", "er", "warned"), [(20, 20, False), (19, 20, True), (60, 70, False), (60, 70.5, True)])
def test_total_arc_outside_40_to_130_is_warned(ir, er, warned):
    found = plausibility.warnings([Reading("right", "ir", D(ir)), Reading("right", "er", D(str(er)))])
    assert any("total arc" in w for w in found) is warned


def test_arc_needs_both_movements_on_the_same_side_position_and_mode():
    assert plausibility.warnings([Reading("left", "ir", D(20)), Reading("right", "er", D(19))]) == []
    assert plausibility.warnings([Reading("left", "ir", D(20)), Reading("left", "er", D(19), mode="active")]) == []
    assert plausibility.warnings([Reading("left", "ir", None)]) == []

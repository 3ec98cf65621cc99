"""The athlete's picture of what was measured: for each movement, the left and the right hip as two
dots on one scale of degrees, over the usual range shaded.

The clinician's progress chart (``charts``) shows every visit with measurement-error bars; that is
the physio's tool and stays on the assessment page. The athlete's handout shows only this visit,
in plain words, with no error bars and no clinical labels (clinical-reference §3, the lay reader).
It cannot disagree with the findings: the band is the reference's own band (``Reference.band``, the
same one the progress chart shades, with its source), and a dot is marked "below" exactly when a
finding of this visit flags that hip for that movement (below reference or the lower side of an
asymmetry), so the picture never shows a concern the findings do not raise, nor hides one.

Coordinates only; ``templates/assessments/lay_scale.svg`` draws them. Pure functions, no database.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessments.findings import Code, Finding, ReferenceTable, Session, degrees
from assessments.vocabulary import Measure, Mode, Movement, Position, Side

WIDTH, HEIGHT = 300, 74
LEFT, RIGHT = 64, 290  # the scale's ends in the picture
ROW_Y = {Side.LEFT: 20, Side.RIGHT: 42}
AXIS_Y = 56
STEP = 10  # degrees between ticks
FLAG_CODES = {
    Movement.IR: (Code.BELOW_REFERENCE_IR, Code.ASYMMETRY_IR),
    Movement.ER: (Code.BELOW_REFERENCE_ER, Code.ASYMMETRY_ER),
}
MOVEMENT_WORDS = {
    Movement.IR: "How far your hip turns inwards",
    Movement.ER: "How far your hip turns outwards",
    Movement.EXTENSION: "How far your hip stretches backwards",
}
POSITION_WORDS = {  # said only when one movement was measured in more than one way
    Position.PRONE: "lying face down",
    Position.SEATED_90_90: "sitting",
    Position.SUPINE_90_90: "lying on your back",
}
MODE_WORDS = {Mode.PASSIVE: "moved by your physio", Mode.ACTIVE: "moved by you"}


@dataclass(frozen=True)
class Mark:
    side: str  # "left" or "right"
    value: Decimal
    x: float
    y: int
    below: bool  # a finding of this visit flags this hip for this movement

    @property
    def label(self) -> str:
        return f"{Side(self.side).label} {degrees(self.value)}"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class LayScale:
    slug: str
    movement: str
    position: str
    mode: str
    title: str
    caption: str
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    band_x: float | None
    band_width: float
    band: tuple[Decimal, Decimal] | None
    source: str
    width: int = WIDTH
    height: int = HEIGHT
    axis_y: int = AXIS_Y
    left: int = LEFT
    right: int = RIGHT


def flagged(found: Iterable[Finding], movement: str) -> set[str]:
    """The sides a finding of this visit flags for ``movement``."""
    codes = FLAG_CODES.get(movement, ())
    return {f.side for f in found if f.code in codes and f.side}


def _caption(marks: tuple[Mark, ...], band: tuple[Decimal, Decimal] | None) -> str:
    values = " and ".join(f"your {m.side} hip {degrees(m.value)}" for m in marks)
    sentence = values[0].upper() + values[1:] + "."
    if band is None:
        return sentence + " There is no usual range for measuring it this way."
    below = [m.side for m in marks if m.below]
    low, high = (value.quantize(Decimal(1), ROUND_HALF_UP) for value in band)  # whole degrees for a lay reader
    usual = f" Most people measured the same way reach {degrees(low)} to {degrees(high)} (shaded)."
    if below:
        return sentence + usual + f" Your {' and '.join(below)} {'hips are' if len(below) > 1 else 'hip is'} " \
            "the one we are working on."
    return sentence + usual


def lay_scales(current: Session, found: Iterable[Finding], table: ReferenceTable) -> list[LayScale]:
    """One scale per movement, position and mode measured at this visit (in the order measured),
    from its readings and its findings."""
    found = list(found)
    readings: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    for reading in current.tested():
        sides = readings.setdefault((reading.movement, reading.position, reading.mode), {})
        sides.setdefault(reading.side, reading.degrees)  # a side measured twice shows its first reading
    ways: dict[str, int] = {}
    for movement, _, _ in readings:
        ways[movement] = ways.get(movement, 0) + 1
    scales = []
    for (movement, position, mode), sides in readings.items():
        reference = table.reference(Measure(movement).value, position, mode, current.sex)
        low, high = reference.band if reference else (None, None)
        band = (low, high) if low is not None and high is not None else None
        top = max([*sides.values(), *(band or ())]) + STEP
        span = max(60, int(-(-top // STEP)) * STEP)  # whole tens, at least 0–60°

        def x_of(value: Decimal, span: int = span) -> float:
            return round(LEFT + (RIGHT - LEFT) * float(value) / span, 1)

        flags = flagged(found, movement)
        marks = tuple(Mark(side, value, x_of(value), ROW_Y[Side(side)], side in flags)
                      for side in (Side.LEFT, Side.RIGHT) if (value := sides.get(side)) is not None)
        title = MOVEMENT_WORDS.get(movement, Movement(movement).label)
        if ways[movement] > 1:
            title += f", {POSITION_WORDS.get(position, Position(position).label.lower())}, {MODE_WORDS[mode]}"
        scales.append(LayScale(
            slug=f"lay-{movement}-{position}-{mode}", movement=movement, position=position, mode=mode,
            title=title, caption=_caption(marks, band), marks=marks,
            ticks=tuple(Tick(x_of(Decimal(v)), f"{v}°") for v in range(0, span + 1, STEP)),
            band_x=x_of(band[0]) if band else None,
            band_width=round(x_of(band[1]) - x_of(band[0]), 1) if band else 0,
            band=band, source=reference.source if reference and band else "",
        ))
    return scales

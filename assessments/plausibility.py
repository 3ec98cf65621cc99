"""Which values a reading may take, and which deserve a second look (clinical-reference §7).

Accepted ranges are hard limits (also database CheckConstraints on ``Reading``); warning ranges are
values a clinician may well mean but should confirm. Pure functions over ``findings.Reading``.
"""

from collections.abc import Iterable
from decimal import Decimal

from assessments.findings import Reading, degrees
from assessments.vocabulary import Movement, Side

ACCEPTED = {
    Movement.IR: (Decimal(-20), Decimal(90)),
    Movement.ER: (Decimal(-20), Decimal(90)),
    Movement.EXTENSION: (Decimal(-30), Decimal(40)),
}
WARN = {
    Movement.IR: (Decimal(10), Decimal(60)),
    Movement.ER: (Decimal(15), Decimal(70)),
}
ARC_WARN = (Decimal(40), Decimal(130))


def warnings(readings: Iterable[Reading]) -> list[str]:
    """Sentences naming every implausible value: a single IR or ER, or an IR + ER total arc."""
    readings = [r for r in readings if r.tested]
    found = []
    for reading in readings:
        if reading.movement not in WARN:
            continue
        low, high = WARN[Movement(reading.movement)]
        if not low <= reading.degrees <= high:
            found.append(
                f"{Side(reading.side).label} {Movement(reading.movement).short} {degrees(reading.degrees)} is unusual "
                f"(expected {degrees(low)} to {degrees(high)})."
            )
    for ir in readings:
        if ir.movement != Movement.IR:
            continue
        for er in readings:
            if er.movement == Movement.ER and (er.side, er.position, er.mode) == (ir.side, ir.position, ir.mode):
                arc = ir.degrees + er.degrees
                if not ARC_WARN[0] <= arc <= ARC_WARN[1]:
                    found.append(
                        f"{Side(ir.side).label} total arc {degrees(arc)} is unusual "
                        f"(expected {degrees(ARC_WARN[0])} to {degrees(ARC_WARN[1])})."
                    )
    return found

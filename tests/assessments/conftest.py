"""Small factories for assessment tests."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.models import Assessment, Reading
from athletes.models import Athlete


def make_athlete(clinic, **kw) -> Athlete:
    fields = {"first_name": "Rosa", "last_name": "Runner", "date_of_birth": date(1990, 5, 17), "sex": "female"}
    athlete = Athlete(clinic=clinic, **(fields | kw))
    athlete.save()
    return athlete


def make_assessment(athlete, clinician, readings=(), *, assessed_on=None, **kw) -> Assessment:
    """``readings``: (side, movement, degrees) triples or dicts of Reading fields."""
    assessment = Assessment.objects.create(
        athlete=athlete, clinician=clinician, created_by=clinician,
        assessed_on=assessed_on or timezone.localdate() - timedelta(days=1), **kw,
    )
    for item in readings:
        fields = item if isinstance(item, dict) else dict(zip(("side", "movement", "degrees"), item, strict=True))
        fields = dict(fields)
        if fields.get("degrees") is not None:
            fields["degrees"] = Decimal(str(fields["degrees"]))
        if fields.get("movement") == "extension":
            fields.setdefault("position", "modified_thomas")
        Reading.objects.create(assessment=assessment, **fields)
    return assessment


FOUR = [("left", "ir", 24), ("right", "ir", 38), ("left", "er", 40), ("right", "er", 42)]


@pytest.fixture
def athlete(clinic_a) -> Athlete:
    return make_athlete(clinic_a)


@pytest.fixture
def assessment(athlete, bob) -> Assessment:
    return make_assessment(athlete, bob, FOUR)


SLOTS = [
    f"{block}-{movement}-{side}"
    for block, movements in (("main", ("ir", "er")), ("second", ("ir", "er")), ("extension", ("extension",)))
    for movement in movements for side in ("left", "right")
]


def entry_data(clinician, values=None, *, assessed_on=None, **extra) -> dict:
    """A POST of the entry screen: ``values`` maps slots ("main-ir-left") to degrees; ``extra``
    overrides any field by its full name (use "__" for "-")."""
    data = {
        "assessment-assessed_on": (assessed_on or timezone.localdate()).isoformat(),
        "assessment-clinician": str(clinician.pk),
        "main-position": "prone", "main-mode": "passive", "main-instrument": "goniometer",
        "second-position": "seated_90_90", "second-mode": "passive", "second-instrument": "goniometer",
        "extension-instrument": "goniometer",
    }
    for slot in SLOTS:
        data[f"{slot}-degrees"] = ""
        data[f"{slot}-end_feel"] = "not_tested"
    values = {"main-ir-left": "24", "main-ir-right": "38", "main-er-left": "40", "main-er-right": "42"} | (
        values or {})
    for slot, value in values.items():
        data[f"{slot}-degrees"] = str(value)
    data.update({name.replace("__", "-"): value for name, value in extra.items()})
    return data

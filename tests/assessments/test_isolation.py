"""Another clinic's assessments do not exist for charlie: every assessments URL that names a
record of clinic A answers 404, whatever the method."""

import pytest
from django.urls import reverse

from assessments.models import MdcSetting, ReferenceValue
from tests.url_patterns import project_routes

pytestmark = pytest.mark.django_db

ROUTES = [r for r in project_routes() if r.namespace == "assessments" and "<uuid:" in r.route]
METHODS = {"detail": ("get",), "reference_restore": ("post",), "mdc_restore": ("post",)}  # others: GET and POST


def clinic_a_record(route, assessment, clinic_a):
    """The clinic A record whose code the route takes."""
    if "reference" in route.name:
        shipped = ReferenceValue.objects.shipped().first()
        return ReferenceValue.objects.create(clinic=clinic_a, measure=shipped.measure, position=shipped.position,
                                             mode=shipped.mode, sex=shipped.sex, source="A").code
    if "mdc" in route.name:
        return MdcSetting.objects.create(clinic=clinic_a, situation="other", degrees=10, source="A").code
    if route.name == "create":
        return assessment.athlete.code
    return assessment.code


def test_every_uuid_route_of_the_app_is_covered():
    assert {r.name for r in ROUTES} == {"create", "detail", "edit", "reference_edit", "reference_restore",
                                        "mdc_edit", "mdc_restore"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_charlie_gets_404_on_every_assessment_url(charlie_client, route, assessment, clinic_a):
    url = reverse(f"assessments:{route.name}", args=[clinic_a_record(route, assessment, clinic_a)])
    for method in METHODS.get(route.name, ("get", "post")):
        assert getattr(charlie_client, method)(url).status_code == 404, (method, url)

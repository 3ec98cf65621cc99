"""Reference values, MDC95 values and defaults: everyone reads them with their sources; a clinic
admin replaces them for the clinic and can go back to the shipped value."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from assessments.models import (
    AssessmentDefaults,
    MdcSetting,
    ReferenceValue,
    reference_table,
    update_athlete_summary,
)
from runphys.models import AuditEvent
from tests.factories import make_assessment

pytestmark = pytest.mark.django_db


def ir_any():
    return ReferenceValue.objects.shipped().get(measure="ir", position="prone", sex="any")


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_everyone_reads_the_references_with_their_sources(request, who):
    page = request.getfixturevalue(f"{who}_client").get(reverse("assessments:references")).text
    assert "Kouyoumdjian" in page and "Roach" in page and "Prather" in page and "(proposed)" in page
    assert ("Change</a>" in page) is (who != "bob")


def test_an_admin_override_applies_to_the_clinic_and_shows_the_shipped_value(alice_client, alice, clinic_a, clinic_b):
    url = reverse("assessments:reference_edit", args=[ir_any().code])
    form = alice_client.get(url)
    assert form.status_code == 200 and "Kouyoumdjian" in form.text
    response = alice_client.post(url, {"mean": "33", "sd": "8", "threshold": "25", "source": "Our 2025 audit"})
    assert response.status_code == 302
    override = ReferenceValue.objects.get(clinic=clinic_a)
    assert (override.measure, override.position, override.sex, override.threshold) == ("ir", "prone", "any", D(25))
    assert override.updated_by == alice
    assert reference_table(clinic_a).reference("ir", "prone", "passive", "any").threshold == D(25)
    assert reference_table(clinic_b).reference("ir", "prone", "passive", "any").threshold == D(26)
    assert ir_any().threshold == D(26)
    page = alice_client.get(reverse("assessments:references")).text
    assert "Our 2025 audit" in page and "Kouyoumdjian" in page
    assert AuditEvent.objects.filter(action="create", target_id=str(override.code)).exists()

    # Editing again through either code updates the one override.
    alice_client.post(url, {"mean": "33", "sd": "8", "threshold": "24", "source": "Our 2025 audit"})
    alice_client.post(reverse("assessments:reference_edit", args=[override.code]),
                      {"mean": "33", "sd": "8", "threshold": "23", "source": "Our 2025 audit"})
    assert ReferenceValue.objects.get(clinic=clinic_a).threshold == D(23)

    restore = alice_client.post(reverse("assessments:reference_restore", args=[override.code]))
    assert restore.status_code == 302 and not ReferenceValue.objects.filter(clinic=clinic_a).exists()
    assert AuditEvent.objects.filter(action="delete", target_id=str(override.code)).exists()


def test_the_override_changes_findings_and_the_athletes_summary(alice_client, athlete, bob):
    assessment = make_assessment(athlete, bob, [("left", "er", 34), ("right", "er", 35)])
    update_athlete_summary(athlete)
    detail = reverse("assessments:detail", args=[assessment.code])
    assert 'data-code="below_reference_er"' not in alice_client.get(detail).text
    er = ReferenceValue.objects.shipped().get(measure="er", position="prone")
    alice_client.post(reverse("assessments:reference_edit", args=[er.code]),
                      {"mean": "45", "sd": "9", "threshold": "36", "source": "Our runners"})
    page = alice_client.get(detail).text
    assert 'data-code="below_reference_er"' in page and "Our runners" in page
    athlete.refresh_from_db()
    assert athlete.open_findings_count == 2  # the athletes list follows the clinic's new cut-off
    alice_client.post(reverse("assessments:reference_restore",
                              args=[ReferenceValue.objects.get(clinic=athlete.clinic).code]))
    athlete.refresh_from_db()
    assert athlete.open_findings_count == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mean": "35", "sd": "9", "threshold": "26", "source": ""}, "This field is required"),
        ({"mean": "35", "sd": "-1", "threshold": "26", "source": "x"}, "cannot be negative"),
        ({"band_low": "50", "band_high": "40", "source": "x"}, "must not be below"),
    ],
)
def test_invalid_reference_changes_nothing(alice_client, clinic_a, data, message):
    response = alice_client.post(reverse("assessments:reference_edit", args=[ir_any().code]), data)
    assert response.status_code == 200 and message in response.text
    assert not ReferenceValue.objects.filter(clinic=clinic_a).exists()


def test_mdc_override_and_restore(alice_client, clinic_a):
    shipped = MdcSetting.objects.shipped().get(situation="other")
    url = reverse("assessments:mdc_edit", args=[shipped.code])
    assert alice_client.post(url, {"degrees": "0", "source": "x"}).status_code == 200
    assert not MdcSetting.objects.filter(clinic=clinic_a).exists()
    assert alice_client.post(url, {"degrees": "10", "source": "Our reliability study"}).status_code == 302
    assert reference_table(clinic_a).other.degrees == D(10)
    override = MdcSetting.objects.get(clinic=clinic_a)
    alice_client.post(reverse("assessments:mdc_restore", args=[override.code]))
    assert reference_table(clinic_a).other.degrees == D(12)


def test_defaults(alice_client, clinic_a):
    url = reverse("assessments:defaults")
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url, {"position": "modified_thomas", "mode": "passive",
                                   "instrument": "goniometer"}).status_code == 200
    assert not AssessmentDefaults.objects.exists()
    response = alice_client.post(url, {"position": "prone", "mode": "passive", "instrument": "digital_inclinometer"})
    assert response.status_code == 302
    assert AssessmentDefaults.objects.get(clinic=clinic_a).instrument == "digital_inclinometer"
    assert AuditEvent.objects.filter(action="update", target_type="assessmentdefaults").exists()


def test_a_clinician_cannot_change_references_mdc_or_defaults(bob_client, clinic_a):
    mdc = MdcSetting.objects.shipped().first()
    assert bob_client.post(reverse("assessments:reference_edit", args=[ir_any().code]),
                           {"threshold": "1", "source": "x"}).status_code == 403
    assert bob_client.post(reverse("assessments:mdc_edit", args=[mdc.code]),
                           {"degrees": "1", "source": "x"}).status_code == 403
    assert bob_client.post(reverse("assessments:defaults"), {"position": "prone", "mode": "passive",
                                                             "instrument": "goniometer"}).status_code == 403
    assert not ReferenceValue.objects.filter(clinic=clinic_a).exists()
    assert not AssessmentDefaults.objects.exists()


def test_charlie_gets_404_on_clinic_a_overrides_and_his_own_clinic_keeps_shipped_values(
        alice_client, charlie_client, clinic_a, clinic_b):
    alice_client.post(reverse("assessments:reference_edit", args=[ir_any().code]),
                      {"threshold": "20", "source": "A's own"})
    alice_client.post(reverse("assessments:mdc_edit", args=[MdcSetting.objects.shipped().get(situation="other").code]),
                      {"degrees": "10", "source": "A's own"})
    reference, mdc = ReferenceValue.objects.get(clinic=clinic_a), MdcSetting.objects.get(clinic=clinic_a)
    for name, code in (("reference_edit", reference.code), ("reference_restore", reference.code),
                       ("mdc_edit", mdc.code), ("mdc_restore", mdc.code)):
        assert charlie_client.post(reverse(f"assessments:{name}", args=[code]),
                                   {"threshold": "1", "degrees": "1", "source": "x"}).status_code == 404
    assert charlie_client.get(reverse("assessments:reference_edit", args=[reference.code])).status_code == 404
    assert "A's own" not in charlie_client.get(reverse("assessments:references")).text
    assert ReferenceValue.objects.get(clinic=clinic_a).threshold == D(20)
    assert not ReferenceValue.objects.filter(clinic=clinic_b).exists()


def test_wrong_methods(alice_client):
    shipped = ir_any()
    assert alice_client.post(reverse("assessments:references")).status_code == 405
    assert alice_client.get(reverse("assessments:reference_restore", args=[shipped.code])).status_code == 405
    assert alice_client.put(reverse("assessments:defaults")).status_code == 405


def test_restoring_a_shipped_row_is_404(alice_client):
    assert alice_client.post(reverse("assessments:reference_restore", args=[ir_any().code])).status_code == 404
    assert ReferenceValue.objects.filter(pk=ir_any().pk).exists()


def test_references_page_query_count_does_not_grow_with_overrides(alice_client, clinic_a,
                                                                  django_assert_max_num_queries):
    with django_assert_max_num_queries(7) as few:
        alice_client.get(reverse("assessments:references"))
    for row in ReferenceValue.objects.shipped():
        ReferenceValue.objects.create(clinic=clinic_a, measure=row.measure, position=row.position, mode=row.mode,
                                      sex=row.sex, threshold=row.threshold, source="Ours")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = alice_client.get(reverse("assessments:references")).text
    assert page.count("Your clinic:") == ReferenceValue.objects.shipped().count()

"""Shipped reference values and MDC defaults, and a clinic's overrides of them."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from assessments.models import AssessmentDefaults, MdcSetting, ReferenceValue, reference_table

pytestmark = pytest.mark.django_db


def test_the_shipped_values_of_the_clinical_reference_are_seeded_with_sources():
    table = reference_table(None)
    ir_any = table.reference("ir", "prone", "passive", "not_recorded")
    assert (ir_any.mean, ir_any.sd, ir_any.threshold) == (D(35), D(9), D(26))
    assert "Kouyoumdjian" in ir_any.source
    assert table.reference("ir", "prone", "passive", "male").threshold == D("27.5")
    assert table.reference("ir", "prone", "passive", "female").threshold == D("36.9")
    assert table.reference("er", "prone", "passive", "male").threshold == D(33)
    assert table.reference("extension", "modified_thomas", "passive", "any").threshold == D(0)
    assert "Roach" in table.reference("extension", "modified_thomas", "passive", "any").source
    assert table.reference("total_arc", "prone", "passive", "any").band == (D(77), D(95))
    assert table.reference("ir", "seated_90_90", "passive", "any") is None
    assert table.same_rater_inclinometer.degrees == D(8) and "Pua" in table.same_rater_inclinometer.source
    assert table.other.degrees == D(12) and "Prather" in table.other.source
    assert all(row.source for row in ReferenceValue.objects.all())


def test_a_clinic_override_replaces_the_shipped_row_for_that_clinic_only(clinic_a, clinic_b):
    shipped = ReferenceValue.objects.shipped().get(measure="ir", position="prone", sex="any")
    ReferenceValue.objects.create(clinic=clinic_a, measure="ir", position="prone", mode="passive", sex="any",
                                  mean=D(33), sd=D(8), threshold=D(25), source="Our own runners, 2025")
    MdcSetting.objects.create(clinic=clinic_a, situation="other", degrees=D(10), source="Our reliability study")
    ours = reference_table(clinic_a)
    assert ours.reference("ir", "prone", "passive", "any").threshold == D(25)
    assert ours.reference("ir", "prone", "passive", "male").threshold == D("27.5")  # not overridden
    assert ours.other.degrees == D(10) and ours.same_rater_inclinometer.degrees == D(8)
    assert reference_table(clinic_b).reference("ir", "prone", "passive", "any").threshold == D(26)
    shipped.refresh_from_db()
    assert shipped.threshold == D(26)


def test_one_override_per_key_and_clinic(clinic_a):
    fields = {"clinic": clinic_a, "measure": "er", "position": "prone", "mode": "passive", "sex": "any",
              "threshold": D(30), "source": "x"}
    ReferenceValue.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferenceValue.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferenceValue.objects.create(clinic=None, measure="er", position="prone", mode="passive", sex="any",
                                      source="a second shipped row")


@pytest.mark.parametrize(
    "bad",
    [{"source": ""}, {"sd": D(-1)}, {"band_low": D(50), "band_high": D(40)}, {"measure": "flexion"},
     {"position": "standing"}],
)
def test_reference_constraints(clinic_a, bad):
    fields = {"clinic": clinic_a, "measure": "er", "position": "prone", "mode": "passive", "sex": "male",
              "source": "x"} | bad
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferenceValue.objects.create(**fields)


@pytest.mark.parametrize("degrees", [D(0), D(-2), D("45.5")])
def test_mdc_must_be_a_plausible_positive_number(clinic_a, degrees):
    with pytest.raises(IntegrityError), transaction.atomic():
        MdcSetting.objects.create(clinic=clinic_a, situation="other", degrees=degrees, source="x")


def test_clinic_defaults_are_prone_passive_until_the_clinic_saves_its_own(clinic_a):
    defaults = AssessmentDefaults.for_clinic(clinic_a)
    assert (defaults.pk, defaults.position, defaults.mode, defaults.instrument) == (
        None, "prone", "passive", "goniometer")
    AssessmentDefaults.objects.create(clinic=clinic_a, instrument="digital_inclinometer")
    assert AssessmentDefaults.for_clinic(clinic_a).instrument == "digital_inclinometer"

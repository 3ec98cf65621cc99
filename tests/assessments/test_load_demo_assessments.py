"""The demo assessments command."""

import pytest
from django.core.management import CommandError, call_command

from assessments import plausibility
from assessments.models import Assessment
from athletes.models import Athlete
from runphys.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_assessments_are_plausible_audited_and_loaded_once(capsys):
    with pytest.raises(CommandError):
        call_command("load_demo_assessments")
    call_command("load_demo")
    call_command("load_demo_athletes")
    capsys.readouterr()
    call_command("load_demo_assessments")
    count = Assessment.objects.count()
    assert f"{count} demo assessments created." in capsys.readouterr().out
    assert 20 <= count <= 30
    assert AuditEvent.objects.filter(action="create", target_type="assessment").count() == count
    for assessment in Assessment.objects.with_readings():
        assert assessment.readings.count() == 4
        assert plausibility.warnings(assessment.session().readings) == []
    assessed = Athlete.objects.filter(last_assessed_on__isnull=False)
    assert assessed.count() == 10 and assessed.filter(open_findings_count__gt=0).exists()
    call_command("load_demo_assessments")
    assert "0 demo assessments created." in capsys.readouterr().out
    assert Assessment.objects.count() == count

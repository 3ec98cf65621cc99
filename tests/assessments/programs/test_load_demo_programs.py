"""The demo programs command: programs from suggestions, issued with a stored handout, loaded once."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from assessments.programs.models import Program, ProgramVersion
from runphys.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_demo_programs_come_from_the_suggestions_are_issued_with_their_handout_and_load_once(capsys):
    with pytest.raises(CommandError):
        call_command("load_demo_programs")
    for command in ("load_exercise_library", "load_demo", "load_demo_athletes", "load_demo_assessments"):
        call_command(command)
    capsys.readouterr()

    call_command("load_demo_programs")
    assert "3 demo programs created, 2 issued." in capsys.readouterr().out
    programs = list(Program.objects.select_related("athlete", "assessment"))
    assert len(programs) == 3 and len({program.athlete_id for program in programs}) == 3
    for program in programs:
        version = program.latest
        items = list(version.items.all())
        assert items and all(item.finding for item in items)  # each exercise is there for a finding
        assert program.assessment.athlete_id == program.athlete_id
    issued = list(ProgramVersion.objects.filter(status="issued").select_related("program__athlete"))
    assert len(issued) == 2
    for version in issued:
        with version.pdf.open("rb") as stored:
            text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(stored.read())).pages)
        assert version.program.athlete.last_name in text
    assert AuditEvent.objects.filter(action="create", target_type="program").count() == 3
    assert AuditEvent.objects.filter(action="issue").count() == 2

    call_command("load_demo_programs")
    assert "0 demo programs created, 0 issued." in capsys.readouterr().out
    assert Program.objects.count() == 3

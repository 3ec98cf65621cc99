"""Programs and their issued handouts are part of the athlete's record: in the data export, and a
reason to anonymise rather than delete on erasure."""

import io
import json
import zipfile

import pytest

from athletes import erasure, export
from tests.assessments.conftest import make_athlete
from tests.assessments.programs_support import make_program, make_world, media_root  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_export_holds_every_version_and_the_stored_handouts(clinic_a, bob, settings):
    athlete, assessment, library, program = make_world(clinic_a, bob)
    first = program.latest
    first.issue(by=bob)
    program.revise(by=bob)  # a draft: in the JSON, without a handout
    result = export.build(athlete)
    assert result.filename == f"athlete-{athlete.code}.zip"
    archive = zipfile.ZipFile(io.BytesIO(result.content))
    document = json.loads(archive.read("athlete.json"))
    [exported] = document["programs"]
    assert exported["code"] == str(program.code) and exported["assessment"] == str(assessment.code)
    assert [(v["number"], v["status"]) for v in exported["versions"]] == [(1, "issued"), (2, "draft")]
    assert [i["exercise"] for i in exported["versions"][0]["items"]] == [
        "Prone hip internal rotation", "Single-leg rotational hip control"]
    name = f"handouts/program-{program.code}-v1.pdf"
    assert document["files"] == [name]
    first.refresh_from_db()
    assert archive.read(name) == (settings.MEDIA_ROOT / first.pdf.name).read_bytes()


def test_a_program_alone_makes_erasure_anonymise(clinic_a, bob):
    athlete = make_athlete(clinic_a)
    assert erasure.planned_outcome(athlete) == erasure.Outcome.DELETED
    make_program(athlete, bob)
    assert erasure.planned_outcome(athlete) == erasure.Outcome.ANONYMISED

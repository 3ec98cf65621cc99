"""athletes.export: the registries other apps plug into."""

import io
import json
import zipfile

import pytest

from athletes import export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_registries(monkeypatch):
    monkeypatch.setattr(export, "_sections", {})
    monkeypatch.setattr(export, "_files", {})


def builder(athlete):
    return {"ok": True}


def test_registering_the_same_builder_twice_is_harmless():
    export.register_section("assessments", builder)
    export.register_section("assessments", builder)
    assert export._sections == {"assessments": builder}


@pytest.mark.parametrize("name", ["athlete", "clinic", "files", "assessments"])
def test_a_taken_or_reserved_name_is_refused(name):
    export.register_section("assessments", builder)
    with pytest.raises(ValueError):
        export.register_file(name, lambda athlete: [])


def test_a_file_builder_giving_the_same_name_twice_is_an_error(athlete):
    export.register_file("handouts", lambda a: [("a.pdf", b"1"), ("a.pdf", b"2")])
    with pytest.raises(ValueError):
        export.build(athlete)


def test_the_export_is_a_zip_of_the_json_and_a_readable_summary(athlete):
    built = export.build(athlete)
    assert built.filename == f"athlete-{athlete.code}.zip" and built.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(built.content))
    assert sorted(archive.namelist()) == ["athlete.json", "summary.html"]
    assert json.loads(archive.read("athlete.json"))["athlete"]["first_name"] == athlete.first_name
    summary = archive.read("summary.html").decode()
    assert f"Your record at {athlete.clinic.name}" in summary and athlete.full_name in summary
    assert "<script" not in summary and "http" not in summary.replace("http-equiv", "")

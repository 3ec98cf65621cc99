"""Issuing freezes a version and stores its PDF once; changing an issued program makes a new draft
version; every issued version and its PDF stay retrievable; a draft can be discarded."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments.programs.models import FrozenVersion, Program, ProgramStateError, ProgramVersion
from runphys.models import AuditEvent
from tests.assessments.programs_support import draft_of, make_world, media_root  # noqa: F401
from tests.helpers import issue
from tests.runphys.test_pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(clinic_a, bob):
    return make_world(clinic_a, bob)


def download(client, version) -> bytes:
    response = client.get(reverse("programs:handout_pdf", args=[version.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_issue_freezes_the_version_and_stores_its_pdf(request, who, world, settings):
    program = world[3]
    client = request.getfixturevalue(f"{who}_client")
    response = client.post(reverse("programs:issue", args=[program.code]))
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    version = ProgramVersion.objects.get(program=program)
    assert version.status == "issued" and version.issued_at is not None
    assert version.issued_by.email.startswith(who)
    assert version.pdf.name.startswith("handouts/") and len(version.pdf.name) == len("handouts/") + 32 + 4
    stored = (settings.MEDIA_ROOT / version.pdf.name).read_bytes()
    assert stored.startswith(b"%PDF-") and "Ines Okafor" in pdf_text(stored)
    assert AuditEvent.objects.filter(action="issue", target_id=str(version.code)).exists()


def test_issuing_twice_gives_one_issued_version(bob_client, world):
    program = world[3]
    bob_client.post(reverse("programs:issue", args=[program.code]))
    bob_client.post(reverse("programs:issue", args=[program.code]))
    version = ProgramVersion.objects.get(program=program)
    assert version.status == "issued"
    assert AuditEvent.objects.filter(action="issue").count() == 1


def test_an_empty_draft_cannot_be_issued(bob_client, world):
    program = world[3]
    for item in list(program.latest.items.all()):
        program.latest.remove(item)
    response = bob_client.post(reverse("programs:issue", args=[program.code]), follow=True)
    assert "Add at least one exercise before issuing" in response.text
    assert ProgramVersion.objects.get(program=program).status == "draft"


def test_versioning_issue_edit_reissue_both_downloadable_and_different(bob_client, bob, world):
    library, program = world[2], world[3]
    bob_client.post(reverse("programs:issue", args=[program.code]))
    first = ProgramVersion.objects.get(program=program, number=1)

    response = bob_client.post(reverse("programs:revise", args=[program.code]))
    assert response.status_code == 302
    draft = draft_of(program)
    assert draft.number == 2 and draft.items.count() == 2
    # Editing the new draft leaves version 1 as it was.
    bob_client.post(reverse("programs:item_add", args=[program.code]),
                    {"exercise": str(library["Hip external rotation off a bed edge"].code)}, **HTMX)
    item = draft.items.get(order=1)
    bob_client.post(reverse("programs:item_edit", args=[item.code]),
                    {"sets": 4, "reps": 6, "hold_seconds": 10, "rest_seconds": 0, "sessions_per_day": 1,
                     "days_per_week": 3, "side": "left", "load": "none"})
    assert first.items.count() == 2 and first.items.get(order=1).sets == 3
    bob_client.post(reverse("programs:issue", args=[program.code]))
    second = ProgramVersion.objects.get(program=program, number=2)
    assert second.status == "issued" and first.pdf.name != second.pdf.name

    old, new = pdf_text(download(bob_client, first)), pdf_text(download(bob_client, second))
    assert "Hip external rotation off a bed edge" not in old and "Hip external rotation off a bed edge" in new
    assert "3 sets of 10" in " ".join(old.split()) and "4 sets of 6, hold each for 10 s" in " ".join(new.split())
    assert old != new


def test_revise_keeps_an_existing_draft(bob_client, bob, world):
    program = world[3]
    issue(program.latest, by=bob)
    bob_client.post(reverse("programs:revise", args=[program.code]))
    bob_client.post(reverse("programs:revise", args=[program.code]))
    assert program.versions.count() == 2


def test_discard_a_later_draft_keeps_the_issued_version(bob_client, bob, world):
    program = world[3]
    issue(program.latest, by=bob)
    program.revise(by=bob)
    response = bob_client.post(reverse("programs:discard", args=[program.code]))
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    assert list(program.versions.values_list("number", "status")) == [(1, "issued")]


def test_discard_a_first_draft_removes_the_program(bob_client, world):
    program = world[3]
    response = bob_client.post(reverse("programs:discard", args=[program.code]))
    assert response.status_code == 302 and response.url == reverse("programs:list")
    assert not Program.objects.exists()


def test_nothing_to_discard_once_issued(bob_client, bob, world):
    program = world[3]
    issue(program.latest, by=bob)
    bob_client.post(reverse("programs:discard", args=[program.code]))
    assert program.versions.get().status == "issued"


def test_an_issued_version_cannot_be_changed_or_deleted_by_any_path(bob, world):
    program = world[3]
    version = program.latest
    issue(version, by=bob)
    loaded = ProgramVersion.objects.get(pk=version.pk)
    loaded.title = "Changed"
    with pytest.raises(FrozenVersion):
        loaded.save()
    with pytest.raises(FrozenVersion):
        loaded.delete()
    item = loaded.items.first()
    item.sets = 9
    with pytest.raises(FrozenVersion):
        item.save()
    with pytest.raises(ProgramStateError):
        issue(loaded, by=bob)


def test_the_database_refuses_a_second_draft_and_an_issued_version_without_pdf(bob, world):
    program = world[3]
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.create(program=program, number=2, title="Second draft", clinician=bob,
                                      starts_on=program.latest.starts_on, created_by=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.filter(pk=program.latest.pk).update(status="issued", issued_by=bob)

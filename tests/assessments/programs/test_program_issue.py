"""Issuing freezes a version and queues its handout, which the task worker renders once and stores;
changing an issued program makes a new draft version; every issued version and its PDF stay
retrievable; a draft can be discarded."""

import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments.programs import handouts
from assessments.programs.models import FrozenVersion, Program, ProgramStateError, ProgramVersion
from runphys import pdf
from runphys.models import AuditEvent
from tests.factories import draft_of
from tests.helpers import issue, pdf_text

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def download(client, version) -> bytes:
    response = client.get(reverse("programs:handout_pdf", args=[version.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def post_issue(client, program, capture):
    with capture(execute=True):  # the render is enqueued once the request's transaction commits
        return client.post(reverse("programs:issue", args=[program.code]))


def render_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="assessments.programs.handouts.render_handout"))


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_issue_freezes_the_version_and_enqueues_one_render_without_rendering_in_the_request(
        request, who, world, settings, run_tasks, monkeypatch, django_capture_on_commit_callbacks):
    program = world.program
    client = request.getfixturevalue(f"{who}_client")
    renders = []
    real = pdf.render
    monkeypatch.setattr(pdf, "render", lambda *args, **kwargs: renders.append(1) or real(*args, **kwargs))
    response = post_issue(client, program, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    version = ProgramVersion.objects.get(program=program)
    assert version.status == "issued" and version.issued_at is not None
    assert version.issued_by.email.startswith(who)
    assert (version.handout_status, version.pdf.name, renders) == ("queued", "", [])  # nothing rendered yet
    assert [task.args_kwargs["args"] for task in render_tasks()] == [[version.pk]]
    page = client.get(program.get_absolute_url()).text
    assert "Preparing the handout…" in page and 'data-status="queued"' in page

    assert run_tasks() == 1
    version.refresh_from_db()
    assert version.handout_status == "ready" and len(renders) == 1
    # A random name: hex digits only, so nothing of the athlete, and not a code that leads to the program.
    assert re.fullmatch(r"handouts/[0-9a-f]+\.pdf", version.pdf.name), version.pdf.name
    assert program.code.hex not in version.pdf.name and version.code.hex not in version.pdf.name
    stored = (settings.MEDIA_ROOT / version.pdf.name).read_bytes()
    assert stored.startswith(b"%PDF-") and "Ines Okafor" in pdf_text(stored)
    assert AuditEvent.objects.filter(action="issue", target_id=str(version.code)).exists()
    state = client.get(reverse("programs:handout_state", args=[version.code])).text
    assert 'data-status="ready"' in state and "hx-get" not in state and "Download handout (PDF)" in state


def test_issuing_twice_gives_one_issued_version_and_one_render(bob_client, world, run_tasks, settings,
                                                                django_capture_on_commit_callbacks):
    program = world.program
    post_issue(bob_client, program, django_capture_on_commit_callbacks)
    second = post_issue(bob_client, program, django_capture_on_commit_callbacks)
    assert second.status_code == 302
    version = ProgramVersion.objects.get(program=program)
    assert version.status == "issued"
    assert AuditEvent.objects.filter(action="issue").count() == 1
    assert len(render_tasks()) == 1
    # A duplicate task (a re-enqueue, a second worker) finds the render claimed or done: still one PDF.
    handouts.render_handout.enqueue(version.pk)
    assert run_tasks() == 2
    assert sorted(task.return_value for task in render_tasks()) == ["ready", "skipped"]
    assert len(list((settings.MEDIA_ROOT / "handouts").iterdir())) == 1


def test_a_render_over_the_time_limit_fails_with_why_and_try_again_renders_it(
        bob_client, world, settings, run_tasks, django_capture_on_commit_callbacks):
    program = world.program
    post_issue(bob_client, program, django_capture_on_commit_callbacks)
    settings.PDF_RENDER_SECONDS = 0.001
    assert run_tasks() == 1
    version = ProgramVersion.objects.get(program=program)
    assert (version.status, version.handout_status, version.pdf.name) == ("issued", "failed", "")
    assert version.handout_error == "It took longer than the 0.001 s allowed for one PDF."
    page = bob_client.get(program.get_absolute_url()).text
    assert "Handout failed" in page and "It took longer than the 0.001 s allowed" in page and "Try again" in page
    assert "hx-get" not in bob_client.get(reverse("programs:handout_state", args=[version.code])).text
    # The worker is free for the next job, and the version stays frozen.
    settings.PDF_RENDER_SECONDS = 20
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(reverse("programs:handout_retry", args=[version.code]))
    assert response.status_code == 302
    assert run_tasks() == 1
    version.refresh_from_db()
    assert version.handout_status == "ready" and version.handout_error == "" and version.title == "Hip program"
    assert AuditEvent.objects.filter(action="retry_handout", target_id=str(version.code)).count() == 1


def test_a_render_over_the_memory_cap_fails_with_why(bob_client, world, settings, run_tasks,
                                                       django_capture_on_commit_callbacks):
    program = world.program
    post_issue(bob_client, program, django_capture_on_commit_callbacks)
    settings.PDF_RENDER_MEMORY_MB = 40  # less than any render needs
    assert run_tasks() == 1
    version = ProgramVersion.objects.get(program=program)
    assert version.handout_status == "failed" and "more than the 40 MiB of memory" in version.handout_error
    assert bob_client.get(reverse("programs:handout_pdf", args=[version.code]), follow=True).status_code == 200


def test_the_sweep_queues_again_a_render_whose_worker_died(bob, world, run_tasks, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    program = world.program
    version = program.latest
    handouts.issue(version, by=bob)
    assert ProgramVersion.objects.claim_render(version.pk)  # a worker took it, then died
    ProgramVersion.objects.filter(pk=version.pk).update(handout_started_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_handouts", stdout=out)
    assert out.getvalue().strip() == "Queued 1 handout render again."
    assert run_tasks() == 1
    version.refresh_from_db()
    assert version.handout_status == "ready"


def test_an_empty_draft_cannot_be_issued(bob_client, world):
    program = world.program
    for item in list(program.latest.items.all()):
        program.latest.remove(item)
    response = bob_client.post(reverse("programs:issue", args=[program.code]), follow=True)
    assert "Add at least one exercise before issuing" in response.text
    assert ProgramVersion.objects.get(program=program).status == "draft"


def test_versioning_issue_edit_reissue_both_downloadable_and_different(bob_client, bob, world, run_tasks,
                                                                       django_capture_on_commit_callbacks):
    library, program = world.library, world.program
    post_issue(bob_client, program, django_capture_on_commit_callbacks)
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
    post_issue(bob_client, program, django_capture_on_commit_callbacks)
    assert run_tasks() == 2
    first.refresh_from_db()
    second = ProgramVersion.objects.get(program=program, number=2)
    assert second.status == "issued" and first.pdf.name != second.pdf.name

    old, new = pdf_text(download(bob_client, first)), pdf_text(download(bob_client, second))
    assert "Hip external rotation off a bed edge" not in old and "Hip external rotation off a bed edge" in new
    assert "3 × 10 ·" in " ".join(old.split()) and "4 × 6 · hold 10 s · left" in " ".join(new.split())
    assert old != new


def test_revise_keeps_an_existing_draft(bob_client, bob, world):
    program = world.program
    issue(program.latest, by=bob)
    bob_client.post(reverse("programs:revise", args=[program.code]))
    bob_client.post(reverse("programs:revise", args=[program.code]))
    assert program.versions.count() == 2


def test_discard_a_later_draft_keeps_the_issued_version(bob_client, bob, world):
    program = world.program
    issue(program.latest, by=bob)
    program.revise(by=bob)
    response = bob_client.post(reverse("programs:discard", args=[program.code]))
    assert response.status_code == 302 and response.url == program.get_absolute_url()
    assert list(program.versions.values_list("number", "status")) == [(1, "issued")]


def test_discard_a_first_draft_removes_the_program(bob_client, world):
    program = world.program
    response = bob_client.post(reverse("programs:discard", args=[program.code]))
    assert response.status_code == 302 and response.url == reverse("programs:list")
    assert not Program.objects.exists()


def test_nothing_to_discard_once_issued(bob_client, bob, world):
    program = world.program
    issue(program.latest, by=bob)
    bob_client.post(reverse("programs:discard", args=[program.code]))
    assert program.versions.get().status == "issued"


def test_an_issued_version_cannot_be_changed_or_deleted_by_any_path(bob, world):
    program = world.program
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


def test_the_database_refuses_a_second_draft_an_issued_version_without_handout_and_ready_without_pdf(bob, world):
    program = world.program
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.create(program=program, number=2, title="Second draft", clinician=bob,
                                      starts_on=program.latest.starts_on, created_by=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.filter(pk=program.latest.pk).update(status="issued", issued_by=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramVersion.objects.filter(pk=program.latest.pk).update(
            status="issued", issued_by=bob, issued_at=program.latest.created_at, handout_status="ready")

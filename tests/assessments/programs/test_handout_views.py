"""The handout in the browser (HTML preview of a draft) and as a PDF: an issued version's stored
file is served as issued, without rendering again; a draft's PDF is rendered on request."""

import pytest
from django.urls import reverse

from runphys import pdf
from runphys.models import AuditEvent
from tests.helpers import issue, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def render_calls(monkeypatch):
    """A spy on the project's one render function: every call is counted, then rendered."""
    calls = []
    real = pdf.render

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render", spy)
    return calls


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_preview_of_the_draft(request, who, world):
    program = world.program
    response = request.getfixturevalue(f"{who}_client").get(
        reverse("programs:handout_preview", args=[program.latest.code]))
    assert response.status_code == 200
    text = response.text
    assert "Ines Okafor" in text and "Clinic A Physio" in text and "Draft for checking" in text
    assert "Prone hip internal rotation" in text and "What we found" in text and "Your week" in text
    assert "/static/css/handout.css" in text
    assert "/static/exercises/prone-hip-internal-rotation-active-start.svg" in text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text  # the charts, inline
    assert reverse("programs:handout_pdf", args=[program.latest.code]) in text
    assert AuditEvent.objects.filter(action="view", target_type="programversion").exists()


def test_preview_escapes_clinician_text(bob_client, world):
    program = world.program
    item = program.latest.items.first()
    item.notes = '<script>alert(1)</script><img src="file:///etc/passwd">'
    item.save()
    text = bob_client.get(reverse("programs:handout_preview", args=[program.latest.code])).text
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '<img src="file:///etc/passwd">' not in text


def test_preview_of_an_issued_version_is_its_stored_pdf(bob_client, bob, world):
    version = world.program.latest
    issue(version, by=bob)
    response = bob_client.get(reverse("programs:handout_preview", args=[version.code]))
    assert response.status_code == 302 and response.url == reverse("programs:handout_pdf", args=[version.code])


def test_a_stored_pdf_is_served_without_rendering_again(bob_client, bob, world, render_calls, settings):
    version = world.program.latest
    issue(version, by=bob)
    assert len(render_calls) == 1
    version.refresh_from_db()
    stored = (settings.MEDIA_ROOT / version.pdf.name).read_bytes()
    for _ in range(3):
        response = bob_client.get(reverse("programs:handout_pdf", args=[version.code]))
        assert b"".join(response.streaming_content) == stored
    assert len(render_calls) == 1
    assert response["Content-Disposition"] == 'attachment; filename="exercise-program-v1.pdf"'
    assert AuditEvent.objects.filter(action="download", target_id=str(version.code)).count() == 3


def test_a_draft_pdf_is_rendered_on_request_and_not_stored(bob_client, world, render_calls, settings):
    version = world.program.latest
    response = bob_client.get(reverse("programs:handout_pdf", args=[version.code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert "Draft for checking" in pdf_text(response.content)
    assert len(render_calls) == 1
    version.refresh_from_db()
    assert version.pdf.name == "" and not (settings.MEDIA_ROOT / "handouts").exists()


def test_a_missing_stored_file_is_a_404_not_a_new_rendering(bob_client, bob, world, render_calls, settings):
    version = world.program.latest
    issue(version, by=bob)
    version.refresh_from_db()
    (settings.MEDIA_ROOT / version.pdf.name).unlink()
    assert bob_client.get(reverse("programs:handout_pdf", args=[version.code])).status_code == 404
    assert len(render_calls) == 1


def test_a_draft_pdf_that_fails_to_render_says_why(bob_client, world, settings):
    settings.PDF_RENDER_SECONDS = 0.001
    version = world.program.latest
    response = bob_client.get(reverse("programs:handout_pdf", args=[version.code]), follow=True)
    assert "The draft handout could not be produced: It took longer than the 0.001 s allowed" in response.text


def test_handout_query_count_does_not_grow_with_items(bob_client, world, django_assert_max_num_queries):
    library, program = world.library, world.program
    url = reverse("programs:handout_preview", args=[program.latest.code])
    with django_assert_max_num_queries(10) as few:
        bob_client.get(url)
    for exercise in library.values():
        program.latest.add_exercise(exercise)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bob_client.get(url)
    assert response.text.count('class="exercise"') == 2 + len(library)

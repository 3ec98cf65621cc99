"""The handout an athlete can follow (#15): compact cards, few pages, a lay picture of what was
found, the athlete's link and the videos as QR codes and text, and nothing the PDF could open."""

import io
import re
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from assessments.findings import Code
from assessments.models import reference_table
from assessments.programs import handouts
from assessments.programs.models import ProgramLink, ProgramVersion
from exercises.models import Exercise
from tests.factories import make_assessment, make_athlete, make_exercise, make_program
from tests.helpers import issue, pdf_text

pytestmark = pytest.mark.django_db


def pages_of(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def link_annotations(data: bytes) -> list:
    """Every annotation of the PDF that could open something: links, launches, file attachments."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A") or {}
            if annotation.get("/Subtype") in ("/Link", "/FileAttachment") or action.get("/S") in ("/URI", "/Launch"):
                found.append(annotation)
    return found


@pytest.fixture
def demo(media_root, capsys):
    for command in ("load_exercise_library", "load_demo", "load_demo_athletes", "load_demo_assessments",
                    "load_demo_programs"):
        call_command(command)
    capsys.readouterr()


def stored_pdf(version: ProgramVersion) -> bytes:
    version.refresh_from_db()
    with version.pdf.open("rb") as stored:
        return stored.read()


def check_cards(version: ProgramVersion, data: bytes) -> None:
    """Each exercise's name, dose line and one-sentence why are in the PDF's text."""
    flat = " ".join(pages_of(data))
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=version.pk))
    for exercise in handout.exercises:
        assert exercise.name in flat
        assert exercise.dose in flat
        assert f"Why: {exercise.why_sentence}" in flat
        assert len(exercise.card_steps) <= handouts.CARD_STEPS
    # The long text stays on the exercise page and the athlete's own view.
    for exercise in Exercise.objects.filter(program_items__version=version):
        assert exercise.starting_position not in flat
        for cue in exercise.cues:
            assert cue not in flat


def test_the_demo_handouts_fit_three_pages_for_six_exercises_and_four_for_eight(demo):
    issued = [v for v in ProgramVersion.objects.filter(status="issued") if v.items.count() == 6]
    assert issued, "the demo data has a six-exercise handout"
    [six] = issued
    data = stored_pdf(six)
    assert len(pages_of(data)) <= 3
    check_cards(six, data)

    # The demo's draft, filled up to eight exercises from the library, then issued.
    draft = ProgramVersion.objects.filter(status="draft").select_related("program__athlete").first()
    used = set(draft.items.values_list("exercise_id", flat=True))
    for exercise in Exercise.objects.filter(clinic=None).exclude(pk__in=used).order_by("name")[:8 - len(used)]:
        draft.add_exercise(exercise)
    assert draft.items.count() == 8
    issue(draft, by=draft.clinician)
    data = stored_pdf(draft)
    assert len(pages_of(data)) <= 4
    check_cards(draft, data)


def test_no_heading_is_left_at_the_foot_of_a_page(demo):
    [six] = [v for v in ProgramVersion.objects.filter(status="issued") if v.items.count() == 6]
    headings = ("What we found", "Your exercises", "Your week", "Stay safe")
    for page in pages_of(stored_pdf(six)):
        body = re.sub(r"Page \d+ of \d+$", "", page).strip()
        body = body[: body.rfind(six.program.athlete.clinic.name)] if body.endswith("came with.") else body
        assert not body.endswith(headings), page[-200:]


def test_the_first_page_carries_the_athletes_link_as_text_and_qr(demo, settings):
    [six] = [v for v in ProgramVersion.objects.filter(status="issued") if v.items.count() == 6]
    data = stored_pdf(six)
    link = ProgramLink.objects.filter(program=six.program).open().get()
    first = pages_of(data)[0].replace(" ", "")
    assert link.token in first  # the address, printed to be typed
    assert (settings.SITE_URL + link.path()).split("://", 1)[1].rstrip("/") in first
    assert "Your program on your phone".replace(" ", "") in first
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=six.pk))
    assert handout.link_qr is not None and handout.link_qr.src.startswith("data:image/svg+xml")
    assert link_annotations(data) == []


def test_an_ended_link_and_a_draft_print_no_link(demo):
    [six] = [v for v in ProgramVersion.objects.filter(status="issued") if v.items.count() == 6]
    link = ProgramLink.objects.filter(program=six.program).open().get()
    token = link.token
    assert link.end(by=six.clinician)  # the physio revokes it
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=six.pk))
    assert handout.link_url == "" and token not in handouts.render_html(handout)
    draft = ProgramVersion.objects.filter(status="draft").first()
    assert handouts.build(ProgramVersion.objects.for_handout().get(pk=draft.pk)).link_url == ""


def test_a_video_link_is_printed_as_text_and_qr_and_the_pdf_opens_nothing(media_root, clinic_a, bob):
    athlete = make_athlete(clinic_a)
    video = "https://video.example.org/watch/hip-drill-7"
    exercise = make_exercise(clinic_a, name="Clinic hip drill", video_url=video)
    program = make_program(athlete, bob, [exercise])
    version = issue(program.latest, by=bob)
    data = stored_pdf(version)
    assert "video.example.org/watch/hip-drill-7" in " ".join(pages_of(data)).replace(" ", "")
    [card] = handouts.build(ProgramVersion.objects.for_handout().get(pk=version.pk)).exercises
    assert card.video_qr is not None
    qr_svg = unquote(card.video_qr.src.split(",", 1)[1])
    assert "<script" not in qr_svg and "href" not in qr_svg
    assert link_annotations(data) == []
    raw = data.decode("latin-1")
    assert "/URI" not in raw and "/Launch" not in raw and "/EmbeddedFile" not in raw


def test_a_non_https_video_link_is_refused_with_a_clear_error(clinic_a):
    exercise = Exercise(clinic=clinic_a, name="x", video_url="javascript:alert(1)")
    with pytest.raises(Exception) as refused:
        exercise.full_clean()
    assert "https://" in str(refused.value)


def test_the_lay_scale_agrees_with_the_findings(media_root, clinic_a, bob):
    athlete = make_athlete(clinic_a, sex="female")
    assessment = make_assessment(athlete, bob, [("left", "ir", 18), ("right", "ir", 38),
                                                ("left", "er", 41), ("right", "er", 43)])
    report = assessment.report(reference_table(clinic_a))
    flagged = {(f.movement, f.side) for f in report.findings
               if f.code in (Code.BELOW_REFERENCE_IR, Code.ASYMMETRY_IR, Code.BELOW_REFERENCE_ER, Code.ASYMMETRY_ER)}
    assert ("ir", "left") in flagged
    for scale in report.scales:
        for mark in scale.marks:
            assert mark.below == ((scale.movement, mark.side) in flagged)
            reading = assessment.readings.get(side=mark.side, movement=scale.movement)
            assert mark.value == reading.degrees
        assert scale.band is not None and scale.source  # the usual range has its source
    program = make_program(athlete, bob, [make_exercise(clinic_a, name="Drill", family="ir_mobility")],
                           assessment=assessment)
    text = " ".join(pdf_text(stored_pdf(issue(program.latest, by=bob))).split())
    assert "Your left hip 18° and your right hip 38°." in text
    assert "Your left hip is the one we are working on." in text

"""The handout PDF, read back with a real PDF parser: what it says, what it embeds, what it fetches."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from assessments.programs import handouts
from assessments.programs.models import ProgramVersion
from tests.factories import make_assessment, make_athlete, make_exercise, make_library, make_program
from tests.helpers import embedded_files, image_bytes, issue, pdf_text

# Left IR well under the women's cut-off and asymmetric; ER fine.
READINGS = [("left", "ir", 24), ("right", "ir", 40), ("left", "er", 42), ("right", "er", 44)]


def issued_pdf(version: ProgramVersion) -> bytes:
    version.refresh_from_db()
    with version.pdf.open("rb") as stored:
        return stored.read()


def photo(image_format: str = "JPEG", colour=(40, 120, 90)) -> bytes:
    """A camera-sized upload (4:3)."""
    return image_bytes(image_format, size=(1600, 1200), colour=colour)


DRAWING_SIZE = (640, 480)  # the shipped drawings' print copies (exercises.illustrations)


def image_sizes(data: bytes) -> list[tuple[int, int]]:
    """The pixel sizes of the distinct raster images the PDF holds."""
    images = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources") or {}
        for reference in (resources.get("/XObject") or {}).values():
            image = reference.get_object()
            if image.get("/Subtype") == "/Image":
                images[reference.idnum] = (int(image["/Width"]), int(image["/Height"]))
    return list(images.values())


def images_in(data: bytes) -> int:
    """How many distinct raster images the PDF holds besides the shipped drawings."""
    return sum(size != DRAWING_SIZE for size in image_sizes(data))


@pytest.fixture
def program(clinic_a, bob):
    athlete = make_athlete(clinic_a, first_name="Ines", last_name="Okafor")
    assessment = make_assessment(athlete, bob, READINGS, knee_valgus=True)
    library = make_library()
    program = make_program(athlete, bob, [library["Prone hip internal rotation"],
                                          library["Single-leg rotational hip control"]], assessment=assessment,
                           title="Hip mobility, phase 1")
    first, second = program.latest.items.order_by("order")
    first.sets, first.reps, first.hold_seconds, first.side = 2, 12, 5, "left"
    first.save()
    second.sets, second.reps, second.days_per_week, second.sessions_per_day = 4, 8, 3, 2
    second.notes = "Keep the band just above your knees."
    second.save()
    return program


def test_issued_pdf_holds_athlete_exercises_dosages_findings_and_clinic(program, bob):
    version = program.latest
    issue(version, by=bob)
    text = pdf_text(issued_pdf(version))
    flat = " ".join(text.split())

    assert "Ines Okafor" in flat
    assert "Clinic A Physio" in flat and "020 0000 0001" in flat and "desk@clinic-a.example" in flat
    assert "Hip mobility, phase 1" in flat
    assert "Bob Baker" in flat
    for name in ("Prone hip internal rotation", "Single-leg rotational hip control"):
        assert name in flat
    assert "2 × 12 · hold 5 s · left · once a day" in flat
    assert "4 × 8 ·" in flat
    assert "2 times a day, 3 days a week" in flat
    assert "Keep the band just above your knees." in flat
    # What we found, in plain words.
    assert "Your left hip turns inwards less than is usual." in flat
    assert "When you run, your hip and pelvis move in ways we can train you to control." in flat
    # Why each exercise is there, the weekly chart, the safety notice and the page numbers.
    assert "Why:" in flat
    assert "Your week" in flat and "Mon" in flat and "Sun" in flat
    assert "Stop at once" in flat and "contact Clinic A Physio on 020 0000 0001" in flat
    pages = len(PdfReader(io.BytesIO(issued_pdf(version))).pages)
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    assert "Draft" not in flat


def test_pdf_paper_size_follows_the_clinic(program, clinic_a):
    version = ProgramVersion.objects.for_handout().get(pk=program.latest.pk)
    a4 = PdfReader(io.BytesIO(handouts.render_pdf(handouts.build(version)))).pages[0].mediabox
    clinic_a.paper_size = "letter"
    clinic_a.save()
    version = ProgramVersion.objects.for_handout().get(pk=program.latest.pk)
    letter = PdfReader(io.BytesIO(handouts.render_pdf(handouts.build(version)))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_draft_pdf_says_it_is_a_draft(program):
    version = ProgramVersion.objects.for_handout().get(pk=program.latest.pk)
    assert "Draft for checking" in pdf_text(handouts.render_pdf(handouts.build(version)))


def test_scales_and_pictures_are_drawn(program, clinic_a):
    version = ProgramVersion.objects.for_handout().get(pk=program.latest.pk)
    handout = handouts.build(version)
    assert [scale.title for scale in handout.scales][:2] == ["How far your hip turns inwards",
                                                            "How far your hip turns outwards"]
    assert all(len(exercise.pictures) == 2 for exercise in handout.exercises)
    # The shipped drawings print from their JPEG copies, each embedded once.
    sources = {picture.src for exercise in handout.exercises for picture in exercise.pictures}
    assert sources and all(src.startswith("/static/exercises/print/") and src.endswith(".jpg") for src in sources)
    data = handouts.render_pdf(handout)
    assert image_sizes(data).count(DRAWING_SIZE) == len(sources)
    flat = " ".join(pdf_text(data).split())
    assert "How far your hip turns inwards" in flat
    assert "Your left hip 24° and your right hip 40°." in flat
    # The athlete's copy carries no clinical labels and no measurement-error bars.
    for clinical in ("Internal rotation", "passive", "prone", "MDC", "bars"):
        assert clinical not in flat


def test_uploaded_pictures_are_embedded_as_print_sized_copies(program, clinic_a, settings):
    own = make_exercise(clinic_a, name="Clinic A band walk", family="control_strength", addresses=["poor_control"])
    own.start_picture.save("start.jpg", ContentFile(photo()), save=False)
    own.end_picture.save("end.png", ContentFile(photo("PNG")), save=True)
    program.latest.add_exercise(own)
    version = ProgramVersion.objects.for_handout().get(pk=program.latest.pk)
    handout = handouts.build(version)

    assert len(handout.allowed_media) == 2
    assert all(name.startswith("handout-pictures/") for name in handout.allowed_media)
    for name in handout.allowed_media:
        with Image.open(settings.MEDIA_ROOT / name) as copy:
            assert copy.size == handouts.PRINT_PICTURE_FRAME == (600, 450)  # letterboxed to the printed 4:3
    assert images_in(handouts.render_pdf(handout)) == 2


def test_the_clinic_logo_is_printed(program, clinic_a):
    clinic_a.logo.save("logo.png", ContentFile(image_bytes("PNG", size=(900, 300))), save=True)
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk))
    assert handout.logo is not None and handout.logo.src == "/media/" + handout.allowed_media[0]
    assert images_in(handouts.render_pdf(handout)) == 1
    preview = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk), for_pdf=False)
    assert preview.logo.src == "/clinic/logo/" and preview.allowed_media == ()


def test_an_unreadable_picture_is_left_out(program, clinic_a):
    own = make_exercise(clinic_a, name="Clinic A band walk", family="control_strength")
    own.start_picture.save("broken.jpg", ContentFile(b"not a picture at all"), save=True)
    program.latest.add_exercise(own)
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk))
    assert next(e for e in handout.exercises if e.name == "Clinic A band walk").pictures == ()
    assert handouts.render_pdf(handout).startswith(b"%PDF-")


def test_another_clinics_picture_never_reaches_the_handout(program, clinic_b, settings):
    theirs = make_exercise(clinic_b, name="Clinic B secret drill", family="control_strength")
    theirs.start_picture.save("theirs.jpg", ContentFile(photo()), save=True)
    # Only possible by going round every form: the handout still refuses the picture.
    program.latest.add_exercise(theirs)
    version = ProgramVersion.objects.for_handout().get(pk=program.latest.pk)
    handout = handouts.build(version)
    entry = next(e for e in handout.exercises if e.name == "Clinic B secret drill")
    assert entry.pictures == ()
    assert handout.allowed_media == ()
    assert not (settings.MEDIA_ROOT / handouts.PRINT_PICTURE_DIR).exists()
    assert images_in(handouts.render_pdf(handout)) == 0


@pytest.fixture
def fetchers(monkeypatch) -> list:
    """What every render from here on fetched and refused (``pdf.Rendered`` records)."""
    made = []
    original = handouts.pdf.render

    def recording(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(handouts.pdf, "render", recording)
    return made


HOSTILE_NOTES = (
    '<img src="file:///etc/passwd">',
    '<a rel="attachment" href="file:///etc/hostname">notes</a>',
    "<style>p {{ background: url({origin}/style-block) }}</style>",
    '<div style="background: url({origin}/inline-style)">x</div>',
    '<img src="{origin}/image.png">',
)


def test_hostile_notes_fetch_nothing_and_embed_nothing(program, bob, http_server, fetchers):  # noqa: F811
    origin, hits = http_server
    first, second = program.latest.items.order_by("order")
    first.notes = " ".join(note.format(origin=origin) for note in HOSTILE_NOTES[:3])[:300]
    first.save()
    second.notes = " ".join(note.format(origin=origin) for note in HOSTILE_NOTES[3:])[:300]
    second.save()
    program.latest.title = f'<link rel="stylesheet" href="{origin}/title.css">'
    program.latest.save()

    version = program.latest
    issue(version, by=bob)
    data = issued_pdf(version)

    assert hits == []
    assert embedded_files(data) == []
    assert b"root:" not in data
    fetched = [url for fetcher in fetchers for url in fetcher.fetched]
    # Only the drawings, the weekly chart's day lines and boxes, and the charts (data: URLs made by
    # the handout itself).
    ours = ("https://runphys.invalid/static/exercises/", "https://runphys.invalid/static/handouts/",
            "data:image/svg+xml;base64,")
    assert fetched and all(url.startswith(ours) for url in fetched)
    assert [url for fetcher in fetchers for url in fetcher.refused] == []
    # The notes are printed as the text they are.
    text = " ".join(pdf_text(data).split())
    assert '<img src="file:///etc/passwd">' in text


def test_the_weekly_chart_draws_a_box_for_each_session_of_the_day(program, fetchers):
    handout = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk))
    # The first exercise is done once a day (the day is the box), the second twice a day.
    assert [exercise.sessions_per_day for exercise in handout.exercises] == [1, 2]
    html = handouts.render_html(handout)
    assert 'class="week week-1"' in html and 'class="week week-2"' in html
    text = " ".join(pdf_text(handouts.render_pdf(handout)).split())
    assert "Mon Tue Wed Thu Fri Sat Sun" in text and "2 times a day, 3 days a week" in text
    fetched = {url for fetcher in fetchers for url in fetcher.fetched}
    assert {"https://runphys.invalid/static/handouts/week-days.svg",
            "https://runphys.invalid/static/handouts/week-boxes-2.svg"} <= fetched
    assert [url for fetcher in fetchers for url in fetcher.refused] == []


def test_every_number_of_sessions_a_day_has_its_boxes():
    from django.contrib.staticfiles import finders

    from exercises.dosage import RANGES

    stylesheet = Path(finders.find(handouts.STYLESHEET)).read_text()
    for sessions in range(2, RANGES["sessions_per_day"][1] + 1):
        assert finders.find(f"handouts/week-boxes-{sessions}.svg")
        assert f"td.week-{sessions} {{ background-image: url(../handouts/week-boxes-{sessions}.svg)" in stylesheet


def test_print_copies_of_replaced_pictures_are_pruned(program, clinic_a, settings):
    import os
    import time

    from django.core.management import call_command

    own = make_exercise(clinic_a, name="Clinic A band walk", family="control_strength", addresses=["poor_control"])
    own.start_picture.save("start.jpg", ContentFile(photo()), save=True)
    clinic_a.logo.save("logo.png", ContentFile(image_bytes("PNG", size=(900, 300))), save=True)
    program.latest.add_exercise(own)
    first = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk)).allowed_media
    assert len(first) == 2  # the logo's copy and the photo's

    own.start_picture.save("replaced.jpg", ContentFile(photo(colour=(200, 30, 30))), save=True)
    second = handouts.build(ProgramVersion.objects.for_handout().get(pk=program.latest.pk)).allowed_media
    [stale] = set(first) - set(second)
    # Fresh copies are kept for an hour (a render may be reading one); then the stale one goes.
    assert handouts.prune_print_copies() == 0
    an_hour_ago = time.time() - 3700
    for name in (*first, *second):
        os.utime(settings.MEDIA_ROOT / name, (an_hour_ago, an_hour_ago))
    call_command("prune_print_copies", stdout=io.StringIO())
    assert not (settings.MEDIA_ROOT / stale).exists()
    assert all((settings.MEDIA_ROOT / name).exists() for name in second)
    own.start_picture.delete(save=True)
    clinic_a.logo.delete(save=True)
    assert handouts.prune_print_copies() == 2
    assert not list((settings.MEDIA_ROOT / handouts.PRINT_PICTURE_DIR).iterdir())

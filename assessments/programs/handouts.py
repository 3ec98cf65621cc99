"""What a program's handout says, and turning it into a PDF.

This module decides the *content* of the handout the athlete takes home: the clinic's branding and
contact details, the athlete, date and physio, "what we found" in plain words with the progress
charts of the source assessment, every exercise with its pictures, steps, cues, dosage, side and
the reason it is in the program, and which media files the renderer may embed. The layout is
``templates/handouts/handout.html`` with the print stylesheet ``static/css/handout.css``; the
PDF comes from the project's one render function, ``runphys.pdf.render``, in an isolated child.

Issuing: ``issue`` freezes the draft and enqueues ``render_handout`` on the task queue; the task
worker renders the PDF (``render_version``) and stores it with the version, then lets go any email
that was asked for meanwhile. The web request never renders an issued handout, so a slow or
hostile one cannot hold a web worker; ``sweep`` (``manage.py sweep_handouts``) recovers renders
a dead worker left behind.

Pictures: only exercises visible to the program's clinic (shipped ones and its own) contribute
pictures, and only their uploaded files are listed as embeddable media, so another clinic's
picture can never reach a handout whatever the HTML says. Uploaded photos are embedded as
print-sized copies (made once, kept under ``handout-pictures/``): a phone photo at full size would
make an 8-exercise handout several megabytes. Exercise pictures are letterboxed to the 4:3 frame
they print in, so the renderer places them as they are (``object-fit`` costs it time on every
render); the shipped drawings print from their JPEG copies (``exercises.illustrations``).

Short at a glance (#15): each exercise prints as one card (two pictures beside at most
``CARD_STEPS`` numbered steps, the dose in one line, "why" in one sentence, one caution); the long
text (starting position, cues, every step) is on the exercise page and the athlete's own view.
"What we found" is the athlete's picture of this visit (``assessments.lay_scales``: left and right
against the usual range, no error bars). The first page carries the athlete's link as a QR code and
its URL; an exercise with a video carries its link the same way. Links are printed as text and QR
pictures only, never as PDF link annotations, and the renderer still fetches nothing.
"""

import base64
import hashlib
import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from io import BytesIO

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageOps

from assessments.lay_scales import LayScale
from assessments.models import Assessment, reference_table
from assessments.programs import deliveries
from assessments.programs.models import ProgramItem, ProgramLink, ProgramVersion, handout_upload_to
from exercises.dosage import Load
from exercises.models import Exercise
from runphys import pdf
from runphys.models import Clinic

logger = logging.getLogger(__name__)

STYLESHEET = "css/handout.css"
TEMPLATE = "handouts/handout.html"
SCALE_TEMPLATE = "assessments/lay_scale.svg"
CARD_STEPS = 5  # numbered steps on a handout card; the rest are on the athlete's own view
PRINT_PICTURE_DIR = "handout-pictures"
# Pictures print 36 × 27 mm: 600 × 450 px is over 400 dpi there, sharp on paper and a fraction of a photo.
PRINT_PICTURE_LONG_SIDE = 600
PRINT_PICTURE_FRAME = (PRINT_PICTURE_LONG_SIDE, PRINT_PICTURE_LONG_SIDE * 3 // 4)
PRINT_LOGO_LONG_SIDE = 480
PHONE_PICTURE_LONG_SIDE = 720  # the athlete's page: sharp on a 390-pixel phone screen at 2×
PHONE_PICTURE_FRAME = (PHONE_PICTURE_LONG_SIDE, PHONE_PICTURE_LONG_SIDE * 3 // 4)
PRUNE_AFTER = timedelta(hours=1)
PRINT_JPEG_QUALITY = 82
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str


@dataclass(frozen=True)
class HandoutExercise:
    number: int
    name: str
    summary: str
    why: str
    pictures: tuple[Picture, ...]
    dose: str  # Dosage.dose_line: the same line as on the clinician's pages
    side: str
    details: tuple[tuple[str, str], ...]  # (label, value) pairs
    starting_position: str
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    cautions: tuple[str, ...]
    notes: str
    frequency: str
    sessions_per_day: int  # the weekly chart draws a box a session (static/handouts/week-boxes-N.svg)
    code: str = ""  # the program item's
    video_url: str = ""
    hold_seconds: int = 0
    video_qr: "Picture | None" = None

    @property
    def card_steps(self) -> tuple[str, ...]:
        return self.steps[:CARD_STEPS]

    @property
    def more_steps(self) -> bool:
        return len(self.steps) > CARD_STEPS

    @property
    def why_sentence(self) -> str:
        """The reason in one sentence (the card's "why"; the full reason is on the athlete's view)."""
        return first_sentence(self.why)

    @property
    def caution(self) -> str:
        return self.cautions[0] if self.cautions else ""

    @property
    def pain_line(self) -> str:
        return next((value for label, value in self.details if label == "Pain"), "")


@dataclass(frozen=True)
class Handout:
    for_pdf: bool
    paper: str  # "a4" or "letter"
    title: str
    version_number: int
    is_draft: bool
    clinic_name: str
    contact: tuple[str, ...]
    phone: str
    email: str
    footer: str
    logo: Picture | None
    athlete_name: str
    dated: date
    clinician_name: str
    starts_on: date
    review_on: date | None
    findings: tuple[str, ...]
    refer: bool
    refer_sides: str  # "left", "left and right": the hips a refer/review flag holds exercises back on
    scales: tuple[LayScale, ...]  # the athlete's picture of each movement measured
    scale_images: tuple[Picture, ...]  # the same, as data: URLs, for the PDF
    exercises: tuple[HandoutExercise, ...]
    weekdays: tuple[str, ...]
    allowed_media: tuple[str, ...]
    link_url: str = ""  # the athlete's own view of the program, "" when it has no working link
    link_qr: Picture | None = None

    @property
    def scale_figures(self) -> tuple[tuple[LayScale, Picture], ...]:
        return tuple(zip(self.scales, self.scale_images, strict=True))


def print_copy_name(original: str, long_side: int, frame: tuple[int, int] | None = None) -> str:
    shape = f"{long_side}" if frame is None else f"{frame[0]}x{frame[1]}"
    digest = hashlib.sha256(f"{original}:{shape}".encode()).hexdigest()[:40]
    return f"{PRINT_PICTURE_DIR}/{digest}.jpg"


def live_print_copies() -> set[str]:
    """The names print copies have while their originals exist: of every exercise picture and
    every clinic logo there is now."""
    live = set()
    pictures = Exercise.objects.exclude(start_picture="", end_picture="").values_list("start_picture", "end_picture")
    for pair in pictures:
        live.update(print_copy_name(name, PRINT_PICTURE_LONG_SIDE, PRINT_PICTURE_FRAME) for name in pair if name)
        live.update(print_copy_name(name, PHONE_PICTURE_LONG_SIDE, PHONE_PICTURE_FRAME) for name in pair if name)
    for logo in Clinic.objects.exclude(logo="").values_list("logo", flat=True):
        live.add(print_copy_name(logo, PRINT_LOGO_LONG_SIDE))
    return live


def prune_print_copies(older_than: timedelta = PRUNE_AFTER) -> int:
    """Delete the print copies of pictures that were replaced or removed (a photo of a person is
    personal data: its copy must not outlive it). Copies made within ``older_than`` are kept, so a
    handout being rendered at this moment keeps its pictures. Returns how many were deleted."""
    try:
        _, files = default_storage.listdir(PRINT_PICTURE_DIR)
    except FileNotFoundError:
        return 0
    live, cutoff, deleted = live_print_copies(), timezone.now() - older_than, 0
    for file in files:
        name = f"{PRINT_PICTURE_DIR}/{file}"
        if name not in live and default_storage.get_modified_time(name) < cutoff:
            default_storage.delete(name)
            deleted += 1
    return deleted


def print_copy(picture: FieldFile, long_side: int, *, frame: tuple[int, int] | None = None) -> str | None:
    """The name of a print-sized copy of an uploaded picture, made on first use: at most
    ``long_side`` pixels, centred on white in a ``frame`` of that size when one is given.

    Uploaded pictures get random names and are replaced, never rewritten, so the copy's name can
    derive from the original's name and the size. Returns None (the picture is left out) when the
    original cannot be read as an image.
    """
    name = print_copy_name(picture.name, long_side, frame)
    if default_storage.exists(name):
        return name
    try:
        with picture.open("rb") as source:
            image = Image.open(source)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("Handout picture could not be read; left out")
        return None
    image = ImageOps.exif_transpose(image)
    image.thumbnail(frame or (long_side, long_side), Image.Resampling.LANCZOS)
    image = image.convert("RGBA")
    canvas = Image.new("RGB", frame or image.size, "white")  # printed on white paper
    canvas.paste(image, ((canvas.width - image.width) // 2, (canvas.height - image.height) // 2),
                 mask=image.getchannel("A"))
    image = canvas
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=PRINT_JPEG_QUALITY, optimize=True)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def visible_to(exercise: Exercise, clinic_id: int) -> bool:
    return exercise.clinic_id is None or exercise.clinic_id == clinic_id


def exercise_pictures(exercise: Exercise, clinic_id: int, *, for_pdf: bool, media: list[str]) -> tuple[Picture, ...]:
    """Start and end pictures: the clinic's upload, else the shipped drawing. For the PDF the
    sources are paths the renderer resolves to files (static ones unhashed, so the fetcher finds
    them with the staticfiles finders); uploads it may embed are appended to ``media``."""
    if not visible_to(exercise, clinic_id):
        return ()
    pictures = []
    for position in Exercise.Picture:
        alt = f"{exercise.name}: {position.label.lower()}"
        upload = getattr(exercise, f"{position.value}_picture")
        if upload:
            if not for_pdf:
                pictures.append(Picture(exercise.picture_url(position.value), alt))
                continue
            copy = print_copy(upload, PRINT_PICTURE_LONG_SIDE, frame=PRINT_PICTURE_FRAME)
            if copy:
                media.append(copy)
                pictures.append(Picture(settings.MEDIA_URL + copy, alt))
        elif exercise.illustration:
            if for_pdf:
                relative = f"exercises/print/{exercise.illustration}-{position.value}.jpg"
                pictures.append(Picture(settings.STATIC_URL + relative, alt))
            else:
                pictures.append(Picture(exercise.picture_url(position.value), alt))
    return tuple(pictures)


def dosage_details(item: ProgramItem) -> tuple[tuple[str, str], ...]:
    """The optional parts of the dosage, as (label, value) pairs."""
    details = []
    if item.tempo:
        details.append(("Tempo", f"{item.tempo} (seconds lowering, pause, lifting, pause)"))
    if item.load != Load.NONE and item.load_label:
        details.append(("Load", item.load_label))
    if item.pain_ceiling is not None:
        details.append(("Pain", f"keep any discomfort at {item.pain_ceiling}/10 or less"))
    if item.progression_criterion:
        details.append(("Make it harder when", item.progression_criterion))
    return tuple(details)


def handout_exercise(number: int, item: ProgramItem, clinic_id: int, *, for_pdf: bool,
                     media: list[str]) -> HandoutExercise:
    exercise = item.exercise
    return HandoutExercise(
        number=number,
        name=exercise.name,
        summary=exercise.summary,
        why=item.why,
        pictures=exercise_pictures(exercise, clinic_id, for_pdf=for_pdf, media=media),
        dose=item.dose_line,
        side=item.side_label,
        details=dosage_details(item),
        starting_position=exercise.starting_position,
        steps=tuple(exercise.steps),
        cues=tuple(exercise.cues),
        cautions=tuple(exercise.cautions),
        notes=item.notes,
        frequency=item.frequency_label,
        sessions_per_day=item.sessions_per_day,
        code=str(item.code),
        video_url=exercise.video_url,
        hold_seconds=item.hold_seconds,
        video_qr=qr_picture(exercise.video_url, f"QR code of the video of {exercise.name}")
        if exercise.video_url and for_pdf else None,
    )


# --- The athlete's own view (``athlete_views``) ---------------------------------------------------



def phone_copy(exercise: Exercise, position: str, clinic_id: int) -> str | None:
    """The phone-sized copy of an exercise's uploaded picture (made once), or None."""
    upload = getattr(exercise, f"{position}_picture")
    if not upload or not visible_to(exercise, clinic_id):
        return None
    return print_copy(upload, PHONE_PICTURE_LONG_SIDE, frame=PHONE_PICTURE_FRAME)


def online_exercises(version: ProgramVersion, link) -> list[HandoutExercise]:
    """The version's exercises as the athlete's page shows them: the handout's content, with
    uploaded pictures served through the link (the clinic's own picture URLs need a login)."""
    clinic_id = version.program.athlete.clinic_id
    cards = []
    for number, item in enumerate(version.items.all(), start=1):
        card = handout_exercise(number, item, clinic_id, for_pdf=False, media=[])
        exercise = item.exercise
        pictures = []
        for position in Exercise.Picture:
            if getattr(exercise, f"{position.value}_picture") and visible_to(exercise, clinic_id):
                src = reverse("athlete:picture", args=[link.token, item.code, position.value])
            elif exercise.illustration:
                src = exercise.picture_url(position.value)
            else:
                continue
            pictures.append(Picture(src, f"{exercise.name}: {position.label.lower()}"))
        cards.append(replace(card, pictures=tuple(pictures)))
    return cards


def scale_image(scale: LayScale) -> Picture:
    """A lay scale as an image for the PDF: as an image rather than inline SVG, because WeasyPrint
    would otherwise lay out every line and label of it as an element of the page."""
    svg = render_to_string(SCALE_TEMPLATE, {"scale": scale})
    return Picture("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"), scale.caption)


def qr_picture(url: str, alt: str) -> Picture:
    """A QR code of ``url`` as an SVG data: URL (segno writes paths only, nothing fetched)."""
    return Picture(segno.make(url, error="m").svg_data_uri(border=1, dark="#1f2328"), alt)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (all of it when it has one)."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def short_url(url: str) -> str:
    """A URL as printed for a reader to type: without the scheme."""
    return re.sub(r"^https?://", "", url).rstrip("/")


def contact_lines(clinic) -> tuple[str, ...]:
    lines = [line.strip() for line in clinic.address.splitlines() if line.strip()]
    if clinic.phone:
        lines.append(f"Phone {clinic.phone}")
    if clinic.email:
        lines.append(clinic.email)
    return tuple(lines)


def build(version: ProgramVersion, *, for_pdf: bool = True) -> Handout:
    """The handout of one version (load it with ``ProgramVersion.objects.for_handout()``)."""
    program = version.program
    clinic = program.athlete.clinic
    media: list[str] = []
    logo = None
    if clinic.logo:
        if for_pdf:
            copy = print_copy(clinic.logo, PRINT_LOGO_LONG_SIDE)
            if copy:
                media.append(copy)
                logo = Picture(settings.MEDIA_URL + copy, f"{clinic.name} logo")
        else:
            logo = Picture(reverse("clinic_logo"), f"{clinic.name} logo")
    report = None
    if program.assessment_id is not None:
        report = Assessment.objects.with_readings().get(pk=program.assessment_id).report(reference_table(clinic))
    scales = report.scales if report else ()
    items = list(version.items.all())
    issued_at: datetime | None = version.issued_at
    link_url = deliveries.athlete_link_url(version) if issued_at else ""  # a draft has no link yet
    return Handout(
        for_pdf=for_pdf,
        paper="letter" if clinic.paper_size == clinic.PaperSize.LETTER else "a4",
        title=version.title,
        version_number=version.number,
        is_draft=issued_at is None,  # issuing sets issued_at on the version before rendering
        clinic_name=clinic.name,
        contact=contact_lines(clinic),
        phone=clinic.phone,
        email=clinic.email,
        footer=clinic.handout_footer,
        logo=logo,
        athlete_name=program.athlete.full_name,
        dated=timezone.localdate(issued_at) if issued_at else timezone.localdate(),
        clinician_name=version.clinician.get_full_name() or str(version.clinician),
        starts_on=version.starts_on,
        review_on=version.review_on,
        findings=report.athlete_sentences if report else (),
        refer=bool(report and report.refer_flags),
        refer_sides=" and ".join(sorted({f.side for f in report.refer_flags if f.side})) if report else "",
        scales=scales,
        scale_images=tuple(scale_image(scale) for scale in scales) if for_pdf else (),
        exercises=tuple(
            handout_exercise(number, item, clinic.pk, for_pdf=for_pdf, media=media)
            for number, item in enumerate(items, start=1)
        ),
        weekdays=WEEKDAYS,
        allowed_media=tuple(dict.fromkeys(media)),
        link_url=link_url,
        link_qr=qr_picture(link_url, "QR code of your program's own page") if link_url and for_pdf else None,
    )


def render_html(handout: Handout) -> str:
    return render_to_string(TEMPLATE, {"handout": handout})


def render(handout: Handout) -> pdf.Rendered:
    """The handout as a PDF, rendered in an isolated child (``runphys.pdf``), with what it fetched."""
    return pdf.render(render_html(handout), allowed_media=handout.allowed_media, stylesheets=[STYLESHEET])


def render_pdf(handout: Handout) -> bytes:
    return render(handout).pdf


# --- Issuing and rendering an issued version's handout ---------------------------------------------

def issue(version: ProgramVersion, *, by) -> None:
    """Freeze the draft and queue its handout: the render runs in the task worker, never in the
    request. Raises ``ProgramStateError`` when the draft cannot be issued (nothing is queued)."""
    with transaction.atomic():
        version.freeze(by=by)
        ProgramLink.open_for(version.program, by=by)  # the athlete's own view of the program
        transaction.on_commit(lambda: render_handout.enqueue(version.pk))


def retry(version: ProgramVersion) -> bool:
    """Queue a failed render again ("Try again"); False when it is not failed (any more)."""
    queued = ProgramVersion.objects.filter(pk=version.pk, handout_status=ProgramVersion.Handout.FAILED).update(
        handout_status=ProgramVersion.Handout.QUEUED, handout_requested_at=timezone.now(), handout_error="")
    if queued:
        transaction.on_commit(lambda: render_handout.enqueue(version.pk))
    return bool(queued)


def rerender(version: ProgramVersion) -> None:
    """Replace an issued version's stored handout by a fresh render (erasure de-identifies it this
    way); the old file goes once the caller's transaction commits."""
    replaced = version.pdf.name
    ProgramVersion.objects.filter(pk=version.pk).update(
        pdf="", handout_status=ProgramVersion.Handout.QUEUED, handout_requested_at=timezone.now(), handout_error="")
    if replaced:
        transaction.on_commit(lambda: default_storage.delete(replaced))
    transaction.on_commit(lambda: render_handout.enqueue(version.pk))


@task()
def render_handout(version_id: int) -> str:
    """The task worker's job for one issued version (see ``render_version``)."""
    return render_version(version_id)


def render_version(version_id: int) -> str:
    """Render a queued version's handout and store it; returns the outcome.

    The version is claimed first (queued → rendering), so a duplicate task does nothing. A render
    that fails or runs out of time or memory leaves the version "failed" with the reason, and the
    physio can try again; emails asked for before the PDF existed go out once it is stored.
    """
    if not ProgramVersion.objects.claim_render(version_id):
        return "skipped"
    rendering = ProgramVersion.objects.rendering().filter(pk=version_id)
    try:
        version = ProgramVersion.objects.for_handout().get(pk=version_id)
        data = render_pdf(build(version))
    except pdf.RenderFailed as error:
        logger.warning("Handout of version %s failed to render: %s", version_id, type(error).__name__)
        rendering.update(handout_status=ProgramVersion.Handout.FAILED, handout_error=str(error)[:300])
        return "failed"
    except Exception:
        rendering.update(handout_status=ProgramVersion.Handout.FAILED,
                         handout_error="Something went wrong while producing the handout.")
        raise
    name = default_storage.save(handout_upload_to(version, "handout.pdf"), ContentFile(data))
    with transaction.atomic():
        stored = rendering.update(handout_status=ProgramVersion.Handout.READY, pdf=name, handout_error="")
        if stored:
            deliveries.release_waiting(version, name)
    if not stored:  # the sweep took it back meanwhile; the other render stores its own copy
        default_storage.delete(name)
        return "skipped"
    return "ready"


def sweep(older_than: timedelta | None = None) -> int:
    """Queue again the renders a dead worker left "rendering", and re-enqueue queued ones whose
    task should have run long ago. Returns how many."""
    older_than = older_than if older_than is not None else timedelta(seconds=2 * settings.PDF_RENDER_SECONDS + 60)
    count = 0
    for version in ProgramVersion.objects.stuck_rendering(older_than):
        if ProgramVersion.objects.rendering().filter(pk=version.pk).update(
                handout_status=ProgramVersion.Handout.QUEUED, handout_requested_at=timezone.now()):
            transaction.on_commit(lambda pk=version.pk: render_handout.enqueue(pk))
            count += 1
    for version in ProgramVersion.objects.overdue(timedelta(minutes=10)):
        transaction.on_commit(lambda pk=version.pk: render_handout.enqueue(pk))
        count += 1
    return count

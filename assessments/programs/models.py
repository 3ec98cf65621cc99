"""Prescribed exercise programs: a program, its versions and their items.

A program belongs to one athlete and usually follows from an assessment's findings (a progression
can be written without a new assessment). What the athlete is given lives in a **version**: the
physio shapes a draft; issuing freezes it, renders its handout once and stores the PDF beside it;
changing an issued program starts a new draft copied from the last issued version. Issued versions
are never changed or deleted, so every handout an athlete took home stays retrievable.

Imported at the end of ``assessments/models.py`` so that Django registers these models with the
app; kept in a module of their own because the assessment models are a separate concern.
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from assessments import findings
from exercises import item_lists
from exercises.dosage import Dosage, Side
from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem
from runphys.bounds import max_length_checks
from runphys.concurrency import Versioned
from runphys.models import Clinic, EmailDelivery
from runphys.tenancy import ClinicScopedQuerySet


class FrozenVersion(Exception):
    """An issued version was about to change: issued versions are permanent records."""


class ProgramStateError(Exception):
    """The program is not in a state that allows this (e.g. issuing an empty draft)."""


# The finding that motivated an item; an empty value means the clinician added it of their own accord.
MOTIVE_CHOICES = [(code.value, motive.label) for code, motive in findings.MOTIVES.items()]
CLINICIAN_CHOICE_REASON = "Chosen by your physio to support the rest of your program."


def handout_upload_to(instance: "ProgramVersion", filename: str) -> str:
    """A random name: the stored PDF is reachable only through the clinic-checking view, and its
    name says nothing about whom it is for."""
    return f"handouts/{uuid.uuid4().hex}.pdf"


class ProgramQuerySet(ClinicScopedQuerySet):
    clinic_path = "athlete__clinic"

    def for_athlete(self, athlete) -> "ProgramQuerySet":
        return self.filter(athlete=athlete)

    def with_versions(self, *, related: bool = True) -> "ProgramQuerySet":
        """Every version (newest first) in one more query whatever the number of programs and, with
        ``related``, the athlete with the clinic, the source assessment and the versions' clinicians.
        Without: for programs reached through their athlete (``athlete.programs``, which sets it)
        where only the versions' own columns are shown."""
        versions = ProgramVersion.objects.order_by("-number")
        if not related:
            return self.prefetch_related(models.Prefetch("versions", queryset=versions))
        return self.select_related("athlete__clinic", "assessment").prefetch_related(
            models.Prefetch("versions", queryset=versions.select_related("clinician", "issued_by")))

    def with_first_issue(self) -> "ProgramQuerySet":
        """Each program's first issue as ``first_issued_at`` (None if never issued), in the same query."""
        first = (ProgramVersion.objects.filter(program=models.OuterRef("pk")).issued().order_by("issued_at")
                 .values("issued_at")[:1])
        return self.annotate(first_issued_at=models.Subquery(first))

    def newest_first(self) -> "ProgramQuerySet":
        return self.order_by("-created_at", "-pk")


class Program(models.Model):
    """One athlete's exercise program over all its versions."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.PROTECT, related_name="programs")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="programs",
        help_text="The assessment whose findings the program answers; empty for a progression written without one.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Program {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", args=[self.code])

    @classmethod
    @transaction.atomic
    def start(cls, *, athlete, by, title: str, clinician, starts_on: date, review_on: date | None = None,
              assessment=None) -> "Program":
        """A new program with an empty draft as its first version."""
        program = cls.objects.create(athlete=athlete, assessment=assessment, created_by=by)
        ProgramVersion.objects.create(program=program, number=1, title=title, clinician=clinician,
                                      starts_on=starts_on, review_on=review_on, created_by=by)
        return program

    def all_versions(self) -> list["ProgramVersion"]:
        """Newest first; uses the prefetch of ``with_versions`` when there is one."""
        versions = list(self.versions.all())
        return sorted(versions, key=lambda v: v.number, reverse=True)

    @property
    def latest(self) -> "ProgramVersion":
        return self.all_versions()[0]

    @property
    def draft(self) -> "ProgramVersion | None":
        latest = self.latest
        return latest if latest.is_draft else None

    @property
    def issued_versions(self) -> list["ProgramVersion"]:
        return [v for v in self.all_versions() if v.is_issued]

    @property
    def status(self) -> str:
        return self.latest.status

    @property
    def title(self) -> str:
        return self.latest.title

    @transaction.atomic
    def revise(self, *, by) -> "ProgramVersion":
        """The draft to edit: the existing one, or a new version copied from the last issued one."""
        latest = ProgramVersion.objects.select_for_update().filter(program=self).order_by("-number").first()
        if latest.is_draft:
            return latest
        draft = ProgramVersion.objects.create(
            program=self, number=latest.number + 1, title=latest.title, clinician=latest.clinician,
            starts_on=latest.starts_on, review_on=latest.review_on, created_by=by,
        )
        ProgramItem.objects.bulk_create(
            ProgramItem(version=draft, exercise_id=item.exercise_id, order=item.order, notes=item.notes,
                        finding=item.finding, finding_detail=item.finding_detail, reason=item.reason,
                        from_template=item.from_template, **item.dosage_values())
            for item in latest.items.all()
        )
        return draft

    @transaction.atomic
    def discard_draft(self) -> bool:
        """Throw the current draft away. Returns True when that leaves no version, in which case
        the program (never given to anyone) goes too."""
        draft = ProgramVersion.objects.select_for_update().filter(program=self, status=ProgramVersion.Status.DRAFT)
        draft = draft.first()
        if draft is None:
            raise ProgramStateError("There is no draft to discard.")
        draft.delete()
        if ProgramVersion.objects.filter(program=self).exists():  # not self.versions: it may be prefetched
            return False
        self.delete()
        return True


class ProgramVersionQuerySet(ClinicScopedQuerySet):
    clinic_path = "program__athlete__clinic"

    def issued(self) -> "ProgramVersionQuerySet":
        return self.filter(status=ProgramVersion.Status.ISSUED)

    def drafts(self) -> "ProgramVersionQuerySet":
        return self.filter(status=ProgramVersion.Status.DRAFT)

    def claim_render(self, pk: int) -> bool:
        """Take a queued handout render (queued → rendering). Only one worker can win it, so a
        re-enqueued task or a second worker never renders one version twice at once."""
        return self.filter(pk=pk, status=ProgramVersion.Status.ISSUED,
                           handout_status=ProgramVersion.Handout.QUEUED).update(
            handout_status=ProgramVersion.Handout.RENDERING, handout_started_at=timezone.now()) == 1

    def rendering(self) -> "ProgramVersionQuerySet":
        return self.filter(handout_status=ProgramVersion.Handout.RENDERING)

    def stuck_rendering(self, older_than) -> "ProgramVersionQuerySet":
        """Renders whose worker died: "rendering" for longer than any render may take."""
        return self.rendering().filter(handout_started_at__lt=timezone.now() - older_than)

    def overdue(self, older_than) -> "ProgramVersionQuerySet":
        """Queued renders whose task should have run long ago (its queue row lost or pruned)."""
        return self.filter(handout_status=ProgramVersion.Handout.QUEUED,
                           handout_requested_at__lt=timezone.now() - older_than)

    def for_handout(self) -> "ProgramVersionQuerySet":
        """Everything a handout shows, in a fixed number of queries whatever its length."""
        return self.select_related(
            "program__athlete__clinic", "program__assessment", "clinician", "issued_by"
        ).prefetch_related(
            models.Prefetch("items", queryset=ProgramItem.objects.select_related("exercise").order_by("order", "pk"))
        )


class ProgramVersion(Versioned):
    """One complete program as written: a draft while it is shaped, then frozen when issued.

    Issuing freezes the content at once; the handout PDF is rendered afterwards by the task
    worker (``handouts.render_handout``), so ``handout_status`` moves on while everything else
    of an issued version stays as it was: queued → rendering → ready (with the stored PDF) or
    failed (with why). Those moves are conditional updates of the row, never ``save()``, which
    refuses to write an issued version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    class Handout(models.TextChoices):
        """Where the issued version's PDF is; empty for a draft."""

        QUEUED = "queued", "Preparing the handout"
        RENDERING = "rendering", "Preparing the handout"
        READY = "ready", "Handout ready"
        FAILED = "failed", "Handout failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=6, choices=Status, default=Status.DRAFT)
    title = models.CharField(max_length=120, help_text="The heading of the handout, e.g. “Hip mobility, phase 1”.")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="Named on the handout as the athlete's physio.",
    )
    starts_on = models.DateField("start date")
    review_on = models.DateField("review date", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", editable=False)
    pdf = models.FileField("handout PDF", upload_to=handout_upload_to, blank=True, editable=False)
    handout_status = models.CharField(max_length=10, choices=Handout, blank=True, editable=False)
    handout_error = models.CharField(max_length=300, blank=True, editable=False,
                                     help_text="Why the last render failed, in words for the clinician.")
    handout_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    handout_started_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProgramVersionQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="program_version_number_unique"),
            # One draft at a time: two people editing "the" program must edit the same draft.
            models.UniqueConstraint(fields=["program"], condition=Q(status="draft"), name="program_one_draft"),
            models.CheckConstraint(condition=Q(number__gte=1), name="program_version_number_positive"),
            models.CheckConstraint(condition=Q(status__in=["draft", "issued"]), name="program_version_status"),
            # Issued means frozen, with a handout on its way or stored; a draft has neither.
            models.CheckConstraint(
                condition=Q(status="draft", issued_at__isnull=True, issued_by__isnull=True, pdf="", handout_status="")
                | Q(status="issued", issued_at__isnull=False, issued_by__isnull=False,
                    handout_status__in=["queued", "rendering", "ready", "failed"]),
                name="program_version_issued_has_handout",
            ),
            # The stored PDF and "ready" go together.
            models.CheckConstraint(
                condition=(Q(handout_status="ready") & ~Q(pdf="")) | (~Q(handout_status="ready") & Q(pdf="")),
                name="program_version_ready_has_pdf",
            ),
            models.CheckConstraint(
                condition=Q(review_on__isnull=True) | Q(review_on__gte=models.F("starts_on")),
                name="program_version_review_after_start",
                violation_error_message="The review date cannot be before the start date.",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="program_version_title_required"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number}, {self.get_status_display().lower()})"

    def save(self, *args, **kwargs) -> None:
        if getattr(self, "_issued_in_db", False):
            raise FrozenVersion("An issued version cannot change; start a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_issued or getattr(self, "_issued_in_db", False):
            raise FrozenVersion("An issued version is a permanent record and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._issued_in_db = instance.status == cls.Status.ISSUED
        return instance

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def handout_ready(self) -> bool:
        return self.handout_status == self.Handout.READY

    @property
    def handout_pending(self) -> bool:
        return self.handout_status in {self.Handout.QUEUED, self.Handout.RENDERING}

    @property
    def handout_failed(self) -> bool:
        return self.handout_status == self.Handout.FAILED

    @transaction.atomic
    def freeze(self, *, by) -> None:
        """Issue this draft: its content is frozen from now on and its handout is queued for
        rendering (``handouts.issue`` enqueues the render once this commits).

        The version row is locked first, so a double click or two clinicians issuing at once give
        one issued version, and one render.
        """
        locked = ProgramVersion.objects.select_for_update().get(pk=self.pk)
        if not locked.is_draft:
            raise ProgramStateError("This version has already been issued.")
        if not locked.items.exists():
            raise ProgramStateError("Add at least one exercise before issuing the program.")
        now = timezone.now()
        self.status, self.issued_at, self.issued_by = self.Status.ISSUED, now, by
        self.handout_status, self.handout_requested_at, self.handout_error = self.Handout.QUEUED, now, ""
        self.save(update_fields=["status", "issued_at", "issued_by", "handout_status", "handout_requested_at",
                                 "handout_error", "updated_at"])
        self._issued_in_db = True

    def ensure_draft(self) -> None:
        if not self.is_draft:
            raise FrozenVersion("An issued version cannot change; start a new version instead.")

    def pdf_filename(self) -> str:
        """The download's name: which version, never whose."""
        return f"exercise-program-v{self.number}.pdf"

    # --- Shaping a draft ---------------------------------------------------------------------------

    def _next_order(self) -> int:
        return (self.items.aggregate(last=Max("order"))["last"] or 0) + 1

    def add_exercise(self, exercise: Exercise, *, finding: str = "", finding_detail: str = "",
                     side: str | None = None) -> "ProgramItem":
        """Append an exercise with its library dosage (the side may come from the finding)."""
        self.ensure_draft()
        item = ProgramItem(version=self, exercise=exercise, order=self._next_order(), finding=finding,
                           finding_detail=finding_detail)
        item.copy_dosage_from(exercise)
        if side:
            item.side = side
        item.save()
        return item

    def add_template(self, template: ProgramTemplate) -> list["ProgramItem"]:
        """Append a template's exercises with the template's dosages, notes and reasons; each item
        names the template it came from ("Why: from the template …", not "added by the clinician")."""
        self.ensure_draft()
        start = self._next_order()
        items = [
            ProgramItem(version=self, exercise_id=entry.exercise_id, order=start + offset, notes=entry.notes,
                        reason=entry.reason, from_template=template.name, **entry.dosage_values())
            for offset, entry in enumerate(template.items.order_by("order", "pk"))
        ]
        return ProgramItem.objects.bulk_create(items)

    def ordered_items(self, *, lock: bool = False) -> list["ProgramItem"]:
        items = self.items.select_for_update() if lock else self.items.all()
        return list(items.select_related("exercise").order_by("order", "pk"))

    @transaction.atomic
    def move(self, item: "ProgramItem", offset: int) -> None:
        """Move an item ``offset`` places (−1 up, +1 down), keeping the order 1..n."""
        self.ensure_draft()
        item_lists.renumber(item_lists.moved(self.ordered_items(lock=True), item, offset))

    @transaction.atomic
    def reorder(self, codes: list[str]) -> None:
        """Put the items in the order of ``codes`` (a drag, or Alt+arrow): every item's code once,
        ``item_lists.NotTheSameItems`` otherwise."""
        self.ensure_draft()
        item_lists.renumber(item_lists.reordered(self.ordered_items(lock=True), codes))

    @transaction.atomic
    def remove(self, item: "ProgramItem") -> "ProgramItem":
        """Delete the item; returns it with ``order`` set to the place it had (1-based), for Undo."""
        self.ensure_draft()
        return item_lists.removed(self.ordered_items(lock=True), item)

    @transaction.atomic
    def put_back(self, values: dict) -> "ProgramItem":
        """A removed item again (Undo), with the same dose, reason and place."""
        self.ensure_draft()
        item = item_lists.rebuilt(ProgramItem, values, version=self)
        item.save()
        item_lists.renumber(item_lists.put_back(self.ordered_items(lock=True), item))
        return item

    @transaction.atomic
    def save_as_template(self, *, name: str, description: str = "", by) -> ProgramTemplate:
        """A clinic template with this version's exercises, doses, notes and reasons (any version,
        issued or draft). What a finding said about this athlete stays out: a template holds no
        athlete data, only the reason in words for whoever gets it next."""
        template = ProgramTemplate.objects.create(clinic=self.program.athlete.clinic, name=name,
                                                  description=description, created_by=by)
        ProgramTemplateItem.objects.bulk_create(
            ProgramTemplateItem(template=template, exercise_id=item.exercise_id, order=position,
                                notes=item.notes, reason=item.why if item.has_reason else "",
                                **item.dosage_values())
            for position, item in enumerate(self.ordered_items(), start=1)
        )
        return template


class ProgramItemQuerySet(ClinicScopedQuerySet):
    clinic_path = "version__program__athlete__clinic"


class ProgramItem(Dosage, Versioned):
    """One exercise of a program version with its dosage, notes for the athlete and the reason it
    is there."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The items are parts of their version, not records of their own: a discarded draft takes them
    # along; issued versions cannot be deleted at all.
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="items")
    # PROTECT: exercises are archived, never deleted, and a program keeps showing what it prescribed.
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="program_items")
    order = models.PositiveSmallIntegerField(default=1)
    notes = models.CharField(
        "notes for the athlete", max_length=300, blank=True,
        help_text="Printed under the exercise on the handout, e.g. “Only to the point of a gentle stretch”.",
    )
    finding = models.CharField("suggested for", max_length=30, choices=MOTIVE_CHOICES, blank=True,
                               help_text="The finding that motivated the exercise; empty when you added it.")
    finding_detail = models.TextField(
        max_length=2000, blank=True, editable=False, help_text="What the finding said when the exercise was suggested.",
    )
    reason = models.CharField(
        "why it is there", max_length=300, blank=True,
        help_text="For the athlete, when no finding motivated it (from its template); printed on the handout.",
    )
    from_template = models.CharField(max_length=120, blank=True, editable=False,
                                     help_text="The name of the template it came from, when it did.")

    objects = ProgramItemQuerySet.as_manager()

    class Meta(Dosage.Meta):
        ordering = ["order", "pk"]
        constraints = [
            *Dosage.Meta.constraints,
            models.CheckConstraint(condition=Q(finding="") | Q(finding__in=list(findings.MOTIVES)),
                                   name="program_item_finding_valid"),
            *max_length_checks(finding_detail=2000),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} in {self.version}"

    def save(self, *args, **kwargs) -> None:
        self.version.ensure_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.version.ensure_draft()
        return super().delete(*args, **kwargs)

    # What Undo keeps of a removed item: everything it was, so it comes back the same.
    UNDO_FIELDS = ("code", "exercise_id", "order", "notes", "finding", "finding_detail", "reason", "from_template",
                   *Dosage.DOSAGE_FIELDS)

    @property
    def motive_label(self) -> str:
        """Why it is there, for the clinician."""
        if self.finding:
            return self.get_finding_display()
        if self.from_template:
            return f"From the template “{self.from_template}”" + (f": {self.reason}" if self.reason else "")
        return self.reason or "Added by the clinician"

    @property
    def has_reason(self) -> bool:
        return bool(self.finding or self.reason)

    @property
    def why(self) -> str:
        """The handout's "why this exercise" line."""
        if self.finding:
            return findings.MOTIVES[findings.Code(self.finding)].athlete_reason
        return self.reason or CLINICIAN_CHOICE_REASON

    @property
    def side_label(self) -> str:
        return Side(self.side).label if self.side in Side.values else self.side


# --- Emailing handouts ---------------------------------------------------------------------------

DEFAULT_HANDOUT_MESSAGE = (
    "Here is the exercise program we agreed at your appointment. The PDF attached shows each exercise "
    "with pictures, how many sets and repetitions to do, and why it is in your program.\n\n"
    "Tick the weekly chart as you go and bring it to your next visit."
)


class HandoutEmail(models.Model):
    """The words a clinic puts in every handout email (one per clinic; the default until edited)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="handout_email")
    message = models.TextField(
        max_length=2000, default=DEFAULT_HANDOUT_MESSAGE,
        help_text="Plain text, shown above the instructions and your clinic's contact details.",
    )

    class Meta:
        constraints = [*max_length_checks(message=2000)]

    def __str__(self) -> str:
        return f"Handout email of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic: Clinic) -> "HandoutEmail":
        return cls.objects.filter(clinic=clinic).first() or cls(clinic=clinic)


class HandoutDeliveryQuerySet(ClinicScopedQuerySet):
    clinic_path = "version__program__athlete__clinic"

    def with_email(self) -> "HandoutDeliveryQuerySet":
        return self.select_related("email", "email__requested_by")


HANDOUT_NOTE_MAX = 500


class HandoutDelivery(models.Model):
    """One handout email asked for. ``note`` is the physio's personal line for this email, kept
    as written (the message built from it is kept only until it is sent, and a retry sends that
    same message); erasure clears it, since it may name the athlete."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey("assessments.ProgramVersion", on_delete=models.PROTECT, related_name="deliveries")
    email = models.OneToOneField(EmailDelivery, on_delete=models.PROTECT, related_name="handout")
    note = models.TextField(max_length=HANDOUT_NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HandoutDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [*max_length_checks(note=HANDOUT_NOTE_MAX)]

    def __str__(self) -> str:
        return f"Handout delivery {self.code}"

    @property
    def is_pending(self) -> bool:
        return self.email.is_pending


# --- The athlete's own view: a private link per program, and what the athlete logs ---------------

LINK_TOKEN_BYTES = 16  # 128 bits
FEELS = (("easy", "Too easy"), ("right", "About right"), ("hard", "Too hard"))
COMMENT_MAX = 300


def _keyed(purpose: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


class ProgramLinkQuerySet(ClinicScopedQuerySet):
    clinic_path = "program__athlete__clinic"

    def open(self) -> "ProgramLinkQuerySet":
        return self.filter(ended_at__isnull=True)


class ProgramLink(models.Model):
    """The athlete's private link to one program, always showing its latest issued version.

    The token in the URL is never stored: the row keeps a random ``seed`` and a keyed digest of
    the token. The token is the seed keyed with the secret key, so the server can print it again
    (in the handout, rendered later by the task worker, and in the email) while a copy of the
    database alone gives nobody a working link; the digest finds the row for a token in one
    indexed lookup. Changing ``DJANGO_SECRET_KEY`` ends every link, like the backup codes.

    A link works until the latest issued version's review date plus the clinic's grace, and ends
    at once when revoked, replaced by a fresh link, or when the athlete withdraws email consent, is
    archived or is erased (checked on every open, so no event can be missed).
    """

    class Ending(models.TextChoices):
        REVOKED = "revoked", "Revoked by the physio"
        REPLACED = "replaced", "Replaced by a fresh link"
        ERASED = "erased", "The athlete's record was erased"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="links")
    seed = models.CharField(max_length=64, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    ending = models.CharField(max_length=10, choices=Ending, blank=True)

    objects = ProgramLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One working link per program: a fresh one ends the one before.
            models.UniqueConstraint(fields=["program"], condition=Q(ended_at__isnull=True),
                                    name="program_one_open_link"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True, ending="")
                                   | (Q(ended_at__isnull=False) & ~Q(ending="")), name="program_link_ending"),
        ]

    def __str__(self) -> str:
        return f"Program link {self.code}"

    @property
    def clinic(self) -> Clinic:
        return self.program.athlete.clinic

    @property
    def token(self) -> str:
        return base64.urlsafe_b64encode(bytes.fromhex(_keyed("program-link-token", self.seed))[:LINK_TOKEN_BYTES]
                                        ).decode().rstrip("=")

    @staticmethod
    def digest_of(token: str) -> str:
        return _keyed("program-link-digest", token)

    def path(self) -> str:
        return reverse("athlete:program", args=[self.token])

    @classmethod
    @transaction.atomic
    def open_for(cls, program: Program, *, by) -> "ProgramLink":
        """The program's working link, made if it has none (issuing calls this)."""
        current = cls.objects.select_for_update().filter(program=program).open().first()
        return current or cls._make(program, by)

    @classmethod
    @transaction.atomic
    def fresh(cls, program: Program, *, by) -> "ProgramLink":
        """A new link for the program; the one before ends ("replaced")."""
        cls.objects.filter(program=program).open().update(ended_at=timezone.now(), ended_by=by,
                                                           ending=cls.Ending.REPLACED)
        return cls._make(program, by)

    @classmethod
    def _make(cls, program: Program, by) -> "ProgramLink":
        seed = secrets.token_hex(32)
        link = cls(program=program, seed=seed, created_by=by)
        link.digest = cls.digest_of(link.token)
        link.save()
        return link

    def end(self, *, by=None, ending: str = Ending.REVOKED) -> bool:
        """End the link now; False when it had already ended."""
        ended = ProgramLink.objects.filter(pk=self.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_by=by, ending=ending)
        return bool(ended)

    def expires_on(self, version: "ProgramVersion") -> date:
        """The last day the link works: the review date (or 12 weeks after the start) plus the
        clinic's grace."""
        until = version.review_on or version.starts_on + timedelta(weeks=12)
        return until + timedelta(days=self.clinic.program_link_grace_days)

    def why_ended(self, version: "ProgramVersion | None", today: date) -> str:
        """Why the link does not work (for the physio; the athlete sees a plain page), or ""."""
        athlete = self.program.athlete
        if self.ended_at is not None:
            return self.get_ending_display()
        if athlete.anonymised_at is not None:
            return "The athlete's record was erased"
        if athlete.archived_at is not None:
            return "The athlete is archived"
        if not athlete.consent_email:
            return "The athlete withdrew their consent to email"
        if version is None:
            return "No issued version"
        if today > self.expires_on(version):
            return f"Expired on {self.expires_on(version):%-d %b %Y}"
        return ""


class ExerciseLogQuerySet(ClinicScopedQuerySet):
    clinic_path = "version__program__athlete__clinic"


class ExerciseLog(models.Model):
    """What the athlete said about one exercise on one day, through their link: done, the pain
    during it and how it felt. Stored against the version and item it was done from."""

    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="logs")
    item = models.ForeignKey(ProgramItem, on_delete=models.PROTECT, related_name="logs")
    day = models.DateField()
    done = models.BooleanField(default=True)
    pain = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    feel = models.CharField(max_length=5, choices=FEELS, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseLogQuerySet.as_manager()

    class Meta:
        ordering = ["day", "item__order"]
        constraints = [
            # A tap twice is one record.
            models.UniqueConstraint(fields=["item", "day"], name="exercise_log_one_per_item_day"),
            models.CheckConstraint(condition=Q(pain__isnull=True) | Q(pain__lte=10), name="exercise_log_pain_range"),
            models.CheckConstraint(condition=Q(feel__in=["", "easy", "right", "hard"]), name="exercise_log_feel"),
        ]

    def __str__(self) -> str:
        return f"Log of {self.item_id} on {self.day}"


class DayCommentQuerySet(ClinicScopedQuerySet):
    clinic_path = "program__athlete__clinic"


class DayComment(models.Model):
    """The athlete's one comment for a day of a program (up to 300 characters)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="day_comments")
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="day_comments")
    day = models.DateField()
    text = models.CharField(max_length=COMMENT_MAX)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DayCommentQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["program", "day"], name="day_comment_one_per_program_day"),
            models.CheckConstraint(condition=~Q(text=""), name="day_comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Comment of {self.day}"

"""Athlete profiles: who the clinic treats, their running background, complaint and consent.

Every write of an athlete is audited by the model itself, so no caller can forget:
``Athlete.save()`` and ``Athlete.delete()`` record an audit event naming the changed fields (names
only, never values), and the queryset's bulk ``update()``/``delete()``/``bulk_update()`` refuse to
run because they would bypass it. ``bulk_create()`` audits one "create" per row.

The one documented exception is ``Athlete.set_assessment_summary``: the assessments app keeps the
denormalised "last assessed" date and open-findings count here (athletes cannot import
assessments), and the assessment write that triggers it is itself audited.

Athletes are deliberately not in the Django admin: its pages would read records without a "view"
event and change them without the user's request in the audit log.
"""

import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models.functions import Coalesce, Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from runphys import audit
from runphys.bounds import max_length_checks
from runphys.concurrency import BOOKKEEPING_FIELDS, Versioned
from runphys.models import AuditEvent, Clinic
from runphys.tenancy import ClinicScopedQuerySet

MAX_WEEKLY_VOLUME_KM = 400
MAX_LONG_RUN_KM = 250
KM_PER_MILE = Decimal("1.609344")

# Bookkeeping columns that are not part of what a clinician wrote: never listed as "changed".
UNAUDITED_FIELDS = {"id", "code", "created_at", "updated_at", "last_assessed_on", "open_findings_count",
                    "search_text", *BOOKKEEPING_FIELDS}
SEARCHED_FIELDS = ("first_name", "last_name", "email", "phone")
# The names, email and phone (100 + 100 + 254 + 30 and five separators) folded: NFKD makes at most
# 18 characters of one (U+FDFA); the folded text is cut there all the same, so no name can make the
# row unsavable.
SEARCH_TEXT_MAX = 18 * (100 + 100 + 254 + 30 + 5)
# Between the fields of search_text, and around them: "|ann|smith|a.smith@example.com|447700900123|".
# Folded names never hold it, so "|smith|" is a whole field and "|smi" the start of one.
SEARCH_SEPARATOR = "|"

LIST_FIELDS = ("code", "clinic", "primary_clinician", "first_name", "last_name", "date_of_birth", "sport",
               "goal_event", "goal_event_on", "archived_at", "last_assessed_on", "open_findings_count")

phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-.]{6,30}$", "Enter a phone number: digits, spaces and + ( ) - only."
)


def searchable(text: str) -> str:
    """Lower case without accents, so that "bjorn" finds Björn on every database."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char) and char != SEARCH_SEPARATOR)


def search_words(text: str) -> list[str]:
    """The words of a search, folded as ``search_text`` is; a word of a phone number keeps its digits
    ("+44 (0)7700" is "44", "07700"), since the stored phone is digits only."""
    words = []
    for word in searchable(text).split()[:5]:
        digits = "".join(char for char in word if char.isdigit())
        if digits and not any(char.isalpha() for char in word):
            word = digits
        if word:
            words.append(word)
    return words


def search_rank(text: str) -> models.Case:
    """0 when the search is a whole name, email or phone ("smith", "ann smith"), 1 when one starts
    with it ("smi", "ann smi"), 2 when it is only inside ("mit")."""
    words = search_words(text)
    sep = SEARCH_SEPARATOR
    phrase, names = " ".join(words), sep.join(words)
    exact = (models.Q(search_text__contains=f"{sep}{phrase}{sep}")
             | models.Q(search_text__startswith=f"{sep}{names}{sep}"))
    prefix = models.Q(search_text__contains=f"{sep}{phrase}") | models.Q(search_text__startswith=f"{sep}{names}")
    return models.Case(models.When(exact, then=0), models.When(prefix, then=1), default=2,
                       output_field=models.IntegerField())


def search_text_of(first_name: str, last_name: str, email: str, phone: str) -> str:
    """What ``Athlete.search_text`` holds: the fields folded, the phone as digits, between separators."""
    digits = "".join(char for char in phone or "" if char.isdigit())
    fields = [searchable(first_name or ""), searchable(last_name or ""), searchable(email or ""), digits]
    sep = SEARCH_SEPARATOR
    return (sep + sep.join(fields) + sep)[:SEARCH_TEXT_MAX]


def km_from(value: Decimal | None, unit: str) -> Decimal | None:
    """A distance entered in the clinic's unit, in kilometres (stored with two decimals)."""
    if value is None:
        return None
    km = value * KM_PER_MILE if unit == Clinic.DistanceUnit.MILES else value
    return km.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def km_to(value_km: Decimal | None, unit: str) -> Decimal | None:
    """A stored distance in the clinic's unit, to one decimal."""
    if value_km is None:
        return None
    value = value_km / KM_PER_MILE if unit == Clinic.DistanceUnit.MILES else value_km
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    upcoming: bool = False


def assessed_sort_key() -> Coalesce:
    """The last assessment date, with "never" as the earliest date. Descending, it puts the never
    assessed last on every database, and an index on it serves the list's sort (SQLite cannot index
    ``NULLS LAST``)."""
    return Coalesce("last_assessed_on", models.Value(date.min, output_field=models.DateField()))


class UnauditedWrite(Exception):
    """Raised by bulk writes that would change athletes without an audit event."""


def recently_seen_codes(user, *, limit: int = 8, within: timedelta = timedelta(days=30),
                        views_read: int = 200) -> list[uuid.UUID]:
    """The codes of the athletes whose record ``user`` opened most recently, newest first.

    Read from the newest of the user's last ``views_read`` record views (the head of an index,
    ``audit_actor_views_at_id``), not by grouping all of a month's views: that grew with every record
    opened, and a busy physio opens hundreds a day. Fewer than ``limit`` only when those views went
    to fewer."""
    views = (
        AuditEvent.objects.for_user(user)
        .filter(actor=user, action="view", target_type="athlete", at__gte=timezone.now() - within)
        .order_by("-at", "-id").values_list("target_id", flat=True)[:views_read]
    )
    codes = []
    for target_id in list(dict.fromkeys(views))[:limit]:
        try:
            codes.append(uuid.UUID(target_id))
        except ValueError:
            continue
    return codes


class AthleteQuerySet(ClinicScopedQuerySet):
    clinic_path = "clinic"

    def active(self) -> "AthleteQuerySet":
        return self.filter(archived_at__isnull=True)

    def archived(self) -> "AthleteQuerySet":
        return self.filter(archived_at__isnull=False)

    def search(self, text: str) -> "AthleteQuerySet":
        """Every word must appear in the first name, last name, email or phone ("ann smi" finds Ann
        Smith, "kafo" Okafor), ignoring case and accents. On PostgreSQL a trigram index on
        ``search_text`` serves these ``LIKE '%kafo%'`` matches without reading every row (migration
        0005); ``search_rank`` orders the matches."""
        qs = self
        for word in search_words(text):
            qs = qs.filter(search_text__contains=word)
        return qs

    def for_list(self) -> "AthleteQuerySet":
        """Just the columns the list shows, with the treating clinician's name."""
        return self.select_related("primary_clinician").only(*LIST_FIELDS, "primary_clinician__full_name")

    def by_name(self) -> "AthleteQuerySet":
        return self.order_by(Lower("last_name"), Lower("first_name"), "pk")

    def by_last_assessment(self) -> "AthleteQuerySet":
        """Most recently assessed first; never-assessed athletes last, by name."""
        return self.order_by(assessed_sort_key().desc(), Lower("last_name"), Lower("first_name"), "pk")

    def recently_seen_by(self, user, *, limit: int = 8, within: timedelta = timedelta(days=30),
                         views_read: int = 200) -> list["Athlete"]:
        """The athletes whose record ``user`` opened most recently, newest first (from the audit log,
        ``recently_seen_codes``)."""
        return self.with_codes(recently_seen_codes(user, limit=limit, within=within, views_read=views_read))

    def with_codes(self, codes: list[uuid.UUID]) -> list["Athlete"]:
        """These athletes in this order, with what a dashboard entry shows."""
        order = {code: position for position, code in enumerate(codes)}
        athletes = self.filter(code__in=codes).only(*LIST_FIELDS)
        return sorted(athletes, key=lambda athlete: order[athlete.code])

    # --- Writes that would bypass the audit log ----------------------------------------------------

    def update(self, **kwargs) -> int:
        raise UnauditedWrite(
            "Athlete querysets cannot update() in bulk: it would bypass the audit log. "
            "Change each athlete and call save(request=...) instead."
        )

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        raise UnauditedWrite("Athletes cannot be bulk-updated: it would bypass the audit log. Use save().")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise UnauditedWrite(
            "Athlete querysets cannot delete(): erasure goes through athletes.erasure.erase(), which is audited."
        )

    def bulk_create(self, objs: Iterable["Athlete"], *args, actor=None, request: HttpRequest | None = None,
                    **kwargs) -> list["Athlete"]:
        """Insert many athletes (synthetic data, imports) with one "create" audit event each."""
        objs = list(objs)
        for athlete in objs:
            athlete.search_text = athlete.searchable_text()
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            AuditEvent.objects.using(self.db).bulk_create(
                [
                    AuditEvent(
                        action="create",
                        actor=actor if actor is not None else getattr(request, "user", None),
                        clinic_id=athlete.clinic_id,
                        target_type="athlete",
                        target_id=str(athlete.code),
                        fields=athlete.filled_field_names(),
                        ip_address=audit.client_ip(request),
                    )
                    for athlete in created
                ],
                batch_size=kwargs.get("batch_size"),
            )
        return created


class Athlete(Versioned):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        NOT_RECORDED = "not_recorded", "Not recorded"

    class Sport(models.TextChoices):
        RUNNER = "runner", "Runner"
        TRIATHLETE = "triathlete", "Triathlete"
        OTHER = "other", "Other"

    class Leg(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="athletes")
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="primary_athletes",
        help_text="The treating clinician. They and the clinic admins can export this record.",
    )

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(
        max_length=12, choices=Sex, default=Sex.NOT_RECORDED,
        help_text="Selects the reference values findings are compared with.",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=[phone_validator])

    sport = models.CharField(max_length=10, choices=Sport, default=Sport.RUNNER)
    weekly_volume_km = models.DecimalField(
        "weekly running volume (km)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_WEEKLY_VOLUME_KM)],
    )
    long_run_km = models.DecimalField(
        "typical long run (km)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_LONG_RUN_KM)],
    )
    training_days_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(7)]
    )
    years_running = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(90)])
    goal_event = models.CharField("current goal event", max_length=150, blank=True)
    goal_event_on = models.DateField("goal event date", null=True, blank=True)
    dominant_leg = models.CharField("stance (dominant) leg", max_length=5, choices=Leg, blank=True)

    complaint_side = models.CharField("side of complaint", max_length=5, choices=Side, blank=True)
    complaint_onset_on = models.DateField("complaint began on", null=True, blank=True)
    complaint = models.TextField("current complaint", max_length=2000, blank=True)
    injury_history = models.TextField(max_length=4000, blank=True)
    notes = models.TextField(max_length=4000, blank=True)

    consent_email = models.BooleanField("agrees to receive email", default=False)
    consent_email_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_email_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    privacy_info_given_on = models.DateField(
        "data-processing information given on", null=True, blank=True,
        help_text="When the athlete received the clinic's privacy notice.",
    )

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Kept by the assessments app through set_assessment_summary (see the module docstring).
    last_assessed_on = models.DateField(null=True, blank=True, db_index=True, editable=False)
    open_findings_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # Names and email folded for search (see searchable()); kept by save(), never typed.
    search_text = models.TextField(max_length=SEARCH_TEXT_MAX, default="", editable=False)

    objects = AthleteQuerySet.as_manager()

    class Meta:
        indexes = [
            # The list page shows one clinic's active athletes by name or by last assessment. Partial
            # indexes let the database read a page in order instead of sorting the whole clinic.
            models.Index("clinic", Lower("last_name"), Lower("first_name"), "id",
                         condition=models.Q(archived_at__isnull=True), name="athlete_active_by_name"),
            models.Index("clinic", assessed_sort_key().desc(), Lower("last_name"), Lower("first_name"), "id",
                         condition=models.Q(archived_at__isnull=True), name="athlete_active_by_assessed"),
        ]
        constraints = [
            *max_length_checks(complaint=2000, injury_history=4000, notes=4000, search_text=SEARCH_TEXT_MAX),
            models.CheckConstraint(condition=~models.Q(first_name=""), name="athlete_first_name_required"),
            models.CheckConstraint(condition=~models.Q(last_name=""), name="athlete_last_name_required"),
            models.CheckConstraint(
                condition=models.Q(sex__in=["female", "male", "other", "not_recorded"]), name="athlete_sex"
            ),
            models.CheckConstraint(condition=models.Q(sport__in=["runner", "triathlete", "other"]),
                                   name="athlete_sport"),
            models.CheckConstraint(condition=models.Q(dominant_leg__in=["", "left", "right"]),
                                   name="athlete_dominant_leg"),
            models.CheckConstraint(condition=models.Q(complaint_side__in=["", "left", "right", "both"]),
                                   name="athlete_complaint_side"),
            models.CheckConstraint(condition=models.Q(date_of_birth__gte=date(1900, 1, 1)),
                                   name="athlete_date_of_birth_plausible"),
            models.CheckConstraint(
                condition=models.Q(weekly_volume_km__isnull=True)
                | models.Q(weekly_volume_km__gte=0, weekly_volume_km__lte=MAX_WEEKLY_VOLUME_KM),
                name="athlete_weekly_volume_range",
            ),
            models.CheckConstraint(
                condition=models.Q(long_run_km__isnull=True)
                | models.Q(long_run_km__gte=0, long_run_km__lte=MAX_LONG_RUN_KM),
                name="athlete_long_run_range",
            ),
            models.CheckConstraint(
                condition=models.Q(training_days_per_week__isnull=True) | models.Q(training_days_per_week__lte=7),
                name="athlete_training_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(years_running__isnull=True) | models.Q(years_running__lte=90),
                name="athlete_years_running_range",
            ),
            models.CheckConstraint(
                condition=models.Q(goal_event_on__isnull=True) | ~models.Q(goal_event=""),
                name="athlete_goal_date_needs_event",
            ),
            models.CheckConstraint(
                condition=models.Q(complaint_onset_on__isnull=True)
                | models.Q(complaint_onset_on__gte=models.F("date_of_birth")),
                name="athlete_complaint_after_birth",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_email=False) | models.Q(consent_email_at__isnull=False),
                name="athlete_consent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    # --- Writing (always audited) ------------------------------------------------------------------

    def save(self, *, request: HttpRequest | None = None, actor=None, audit_action: str | None = None,
             **kwargs) -> None:
        """Save and append one audit event ("create" or "update" unless ``audit_action`` says otherwise)
        naming the changed fields. ``request`` (or ``actor`` outside a request) says who did it;
        with neither, the event has no actor (a management command).

        Saving an existing athlete with nothing changed writes nothing and logs nothing.
        """
        adding = self._state.adding
        changed = self.filled_field_names() if adding else self.changed_field_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            changed = [name for name in changed if name in update_fields]
            if set(update_fields) & set(SEARCHED_FIELDS):
                kwargs["update_fields"] = [*update_fields, "search_text"]
        self.search_text = self.searchable_text()
        if not adding and not changed and audit_action is None:
            return
        with transaction.atomic(using=kwargs.get("using")):
            super().save(**kwargs)
            audit.record(
                audit_action or ("create" if adding else "update"),
                request=request, actor=actor, target=self, clinic=self.clinic, fields=changed,
            )
        self._remember_saved_values()

    def get_absolute_url(self) -> str:
        return reverse("athlete_detail", args=[self.code])

    def delete(self, *, request: HttpRequest | None = None, actor=None, **kwargs):
        """Delete and log an "erase" event. Only ``athletes.erasure.erase`` should call this."""
        code, clinic = self.code, self.clinic
        with transaction.atomic(using=kwargs.get("using")):
            result = super().delete(**kwargs)
            audit.record("erase", request=request, actor=actor, target_type="athlete", target_id=str(code),
                         clinic=clinic)
        return result

    # --- Reading ---------------------------------------------------------------------------------

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def age(self) -> int | None:
        """Age in whole years today."""
        return self.age_on(timezone.localdate())

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day`` (a list works out today once for all its rows)."""
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def searchable_text(self) -> str:
        return search_text_of(self.first_name, self.last_name, self.email, self.phone)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def can_be_exported_by(self, user) -> bool:
        """The treating clinician or a clinic admin of the athlete's clinic."""
        return user.is_authenticated and user.clinic is not None and user.clinic.pk == self.clinic_id and (
            user.is_clinic_admin or self.primary_clinician_id == user.pk
        )

    def treating_clinician_can_be_changed_by(self, user) -> bool:
        """A clinic admin of the athlete's clinic, or the current treating clinician (who may hand
        the athlete over). Nobody else: being the treating clinician is what lets a clinician export
        the record, so a clinician must not be able to name themselves."""
        return user.is_authenticated and user.clinic is not None and user.clinic.pk == self.clinic_id and (
            user.is_clinic_admin or (self.primary_clinician_id is not None and self.primary_clinician_id == user.pk)
        )

    # --- Change tracking for the audit log ---------------------------------------------------------

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs) -> "Athlete":
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._saved_values = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_saved_values()

    def _remember_saved_values(self) -> None:
        self._saved_values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def changed_field_names(self) -> list[str]:
        """Names of the fields that differ from what was loaded from the database."""
        saved = getattr(self, "_saved_values", None)
        if saved is None:
            return self.filled_field_names()
        return [
            f.name for f in self._meta.concrete_fields
            if f.name not in UNAUDITED_FIELDS and f.attname in saved and getattr(self, f.attname) != saved[f.attname]
        ]

    def filled_field_names(self) -> list[str]:
        """Names of the fields holding a value, for the "create" audit event."""
        return [
            f.name for f in self._meta.concrete_fields
            if f.name not in UNAUDITED_FIELDS and getattr(self, f.attname) not in (None, "", False)
        ]

    def timeline(self) -> list[TimelineEntry]:
        """Dated facts of the profile itself, newest first (assessments and programs add their own)."""
        today = timezone.localdate()
        entries = [TimelineEntry(timezone.localdate(self.created_at), "Added to RunPhys")] if self.created_at else []
        if self.privacy_info_given_on:
            entries.append(TimelineEntry(self.privacy_info_given_on, "Given the clinic's data-processing information"))
        if self.consent_email_at:
            answer = "agreed to" if self.consent_email else "did not agree to"
            entries.append(TimelineEntry(timezone.localdate(self.consent_email_at), f"Athlete {answer} receive email"))
        if self.complaint_onset_on:
            entries.append(TimelineEntry(self.complaint_onset_on, "Current complaint began"))
        if self.goal_event_on:
            entries.append(TimelineEntry(self.goal_event_on, f"Goal event: {self.goal_event}",
                                         upcoming=self.goal_event_on >= today))
        if self.archived_at:
            entries.append(TimelineEntry(timezone.localdate(self.archived_at), "Archived"))
        if self.anonymised_at:
            entries.append(TimelineEntry(timezone.localdate(self.anonymised_at), "Anonymised"))
        return sorted(entries, key=lambda entry: entry.on, reverse=True)

    # --- Changing ----------------------------------------------------------------------------------

    def record_email_consent(self, given: bool, *, by) -> None:
        """Set the consent answer. Its date and recorder are set when the athlete is first saved and
        whenever the answer changes from the stored one, so they say who recorded the current answer."""
        stored = getattr(self, "_saved_values", {}).get("consent_email")
        self.consent_email = given
        if self._state.adding or given != stored:
            self.consent_email_at = timezone.now()
            self.consent_email_by = by

    def archive(self, *, request: HttpRequest | None = None, actor=None) -> None:
        if self.archived_at is None:
            self.archived_at = timezone.now()
            self.save(request=request, actor=actor, audit_action="archive", update_fields=["archived_at", "updated_at"])

    def unarchive(self, *, request: HttpRequest | None = None, actor=None) -> None:
        if self.archived_at is not None:
            self.archived_at = None
            self.save(request=request, actor=actor, audit_action="unarchive",
                      update_fields=["archived_at", "updated_at"])

    def set_assessment_summary(self, *, last_assessed_on: date | None, open_findings_count: int) -> None:
        """Store the assessments app's summary for the list page. Deliberately not audited (the one
        exception): it copies facts from assessment records whose own writes are audited, and it
        holds no value a clinician typed here."""
        self.last_assessed_on = last_assessed_on
        self.open_findings_count = open_findings_count
        models.Model.save(self, update_fields=["last_assessed_on", "open_findings_count"])

    def anonymise(self, *, request: HttpRequest | None = None, actor=None) -> list[str]:
        """Replace every identifying field, keep the de-identified clinical facts (sex, birth year,
        sport and training load, complaint side) and archive the record. Returns the replaced names."""
        identifying: dict[str, Any] = {
            "first_name": "Anonymised",
            "last_name": "athlete",
            "date_of_birth": date(self.date_of_birth.year, 1, 1),
            "email": "",
            "phone": "",
            "goal_event": "",
            "goal_event_on": None,
            "complaint": "",
            "complaint_onset_on": None,
            "injury_history": "",
            "notes": "",
            "consent_email": False,
            "consent_email_at": None,
            "consent_email_by": None,
            "privacy_info_given_on": None,
        }
        for name, value in identifying.items():
            setattr(self, name, value)
        now = timezone.now()
        self.anonymised_at = now
        self.archived_at = self.archived_at or now
        self.save(request=request, actor=actor, audit_action="anonymise")
        return sorted(identifying)

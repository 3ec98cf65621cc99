"""The clinical encounter: reference values, measurement error, clinic defaults, assessments and
their readings.

Reference values and MDC95 values ship as rows without a clinic (seeded from clinical-reference
§2–3 by a data migration, each with its source). A clinic admin changes one by adding an override
row for their clinic with the same key; the shipped row stays as it was and is shown beside the
override, and deleting the override restores it. ``reference_table(clinic)`` resolves the rows a
clinic uses into the plain ``findings.ReferenceTable`` the pure findings code reads.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.urls import reverse

from assessments import findings
from assessments.plausibility import ACCEPTED
from assessments.reports import Report
from assessments.vocabulary import (
    ROTATION_POSITIONS,
    ROTATIONS,
    Compensation,
    EndFeel,
    Instrument,
    MdcSituation,
    Measure,
    Mode,
    Movement,
    Position,
    ReferenceSex,
    Side,
)
from athletes.models import Athlete
from runphys.bounds import max_length_checks
from runphys.concurrency import Versioned
from runphys.models import Clinic
from runphys.tenancy import ClinicScopedQuerySet

PAIN_MAX = 10


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": [c.value if hasattr(c, "value") else c for c in choices]})


class ClinicOverrideQuerySet(models.QuerySet):
    """Rows shipped with RunPhys (no clinic) and a clinic's own overrides of them."""

    key_fields: tuple[str, ...] = ()

    def shipped(self) -> "ClinicOverrideQuerySet":
        return self.filter(clinic__isnull=True)

    def in_force_for(self, clinic: Clinic | None) -> list:
        """One row per key: the clinic's override where it has one, otherwise the shipped row."""
        rows = self.filter(Q(clinic__isnull=True) | Q(clinic=clinic)) if clinic else self.shipped()
        chosen: dict[tuple, models.Model] = {}
        for row in rows.order_by(models.F("clinic_id").asc(nulls_first=True), "pk"):  # the clinic's row wins
            chosen[row.key] = row
        return list(chosen.values())


class ReferenceValue(models.Model):
    """A published norm for one measure in one position and mode, with the cut-off used for
    "below reference" and the source of both."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty for the values shipped with RunPhys; set for a clinic's own override.",
    )
    measure = models.CharField(max_length=20, choices=Measure)
    position = models.CharField(max_length=20, choices=Position)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.PASSIVE)
    sex = models.CharField(max_length=10, choices=ReferenceSex, default=ReferenceSex.ANY)
    mean = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, help_text="Degrees.")
    sd = models.DecimalField("SD", max_digits=5, decimal_places=1, null=True, blank=True,
                             help_text="Standard deviation, degrees.")
    threshold = models.DecimalField(
        "cut-off", max_digits=5, decimal_places=1, null=True, blank=True,
        help_text="A reading under this is a finding. Leave empty to show the reference without flagging.",
    )
    band_low = models.DecimalField(
        "usual range from", max_digits=5, decimal_places=1, null=True, blank=True,
        help_text="The band drawn on progress charts. Leave both ends empty to use mean ± 1 SD.",
    )
    band_high = models.DecimalField("usual range to", max_digits=5, decimal_places=1, null=True, blank=True)
    source = models.TextField(max_length=1000,
                              help_text="Where the numbers come from; shown beside every finding that uses them.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ClinicOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "position", "mode", "sex"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "position", "mode", "sex"], condition=Q(clinic__isnull=True),
                                    name="reference_shipped_unique"),
            models.UniqueConstraint(fields=["clinic", "measure", "position", "mode", "sex"],
                                    condition=Q(clinic__isnull=False), name="reference_clinic_unique"),
            models.CheckConstraint(condition=_in("measure", Measure), name="reference_measure"),
            models.CheckConstraint(condition=_in("position", Position), name="reference_position"),
            models.CheckConstraint(condition=_in("mode", Mode), name="reference_mode"),
            models.CheckConstraint(condition=_in("sex", ReferenceSex), name="reference_sex"),
            models.CheckConstraint(condition=Q(sd__isnull=True) | Q(sd__gte=0), name="reference_sd_not_negative"),
            models.CheckConstraint(
                condition=Q(band_low__isnull=True) | Q(band_high__isnull=True) | Q(band_low__lte=models.F("band_high")),
                name="reference_band_ordered",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="reference_source_required"),
            *max_length_checks(source=1000),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}, {self.get_position_display()}, {self.get_mode_display()}, " \
               f"{self.get_sex_display()}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.measure, self.position, self.mode, self.sex

    @property
    def is_shipped(self) -> bool:
        return self.clinic_id is None

    def as_reference(self) -> findings.Reference:
        return findings.Reference(
            measure=self.measure, position=self.position, mode=self.mode, sex=self.sex, mean=self.mean,
            sd=self.sd, threshold=self.threshold, source=self.source, band_low=self.band_low,
            band_high=self.band_high,
        )


class MdcSetting(models.Model):
    """The minimal detectable change (95 %) used for asymmetry and change over time."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    situation = models.CharField(max_length=30, choices=MdcSituation)
    degrees = models.DecimalField("MDC95 (degrees)", max_digits=4, decimal_places=1)
    source = models.TextField(max_length=1000)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = ClinicOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["situation"]
        constraints = [
            models.UniqueConstraint(fields=["situation"], condition=Q(clinic__isnull=True), name="mdc_shipped_unique"),
            models.UniqueConstraint(fields=["clinic", "situation"], condition=Q(clinic__isnull=False),
                                    name="mdc_clinic_unique"),
            models.CheckConstraint(condition=_in("situation", MdcSituation), name="mdc_situation"),
            models.CheckConstraint(condition=Q(degrees__gt=0, degrees__lte=45), name="mdc_degrees_range"),
            models.CheckConstraint(condition=~Q(source=""), name="mdc_source_required"),
            *max_length_checks(source=1000),
        ]

    def __str__(self) -> str:
        return f"MDC95 {self.degrees}° ({self.get_situation_display()})"

    @property
    def key(self) -> str:
        return self.situation

    @property
    def is_shipped(self) -> bool:
        return self.clinic_id is None

    def as_mdc(self) -> findings.Mdc:
        return findings.Mdc(degrees=self.degrees, source=self.source, situation=self.situation)


FALLBACK_MDC = {
    # Only used if the seeded rows were deleted by hand: the proposed defaults of clinical-reference §3.
    MdcSituation.SAME_RATER_INCLINOMETER: findings.Mdc(Decimal(8), "Proposed default (clinical reference §3)",
                                                       MdcSituation.SAME_RATER_INCLINOMETER),
    MdcSituation.OTHER: findings.Mdc(Decimal(12), "Proposed default (clinical reference §3)", MdcSituation.OTHER),
}


def reference_table(clinic: Clinic | None) -> findings.ReferenceTable:
    """The references and MDC values in force for a clinic, as plain data (two queries)."""
    mdcs = {row.situation: row.as_mdc() for row in MdcSetting.objects.in_force_for(clinic)}
    return findings.ReferenceTable(
        references=tuple(row.as_reference() for row in ReferenceValue.objects.in_force_for(clinic)),
        same_rater_inclinometer=mdcs.get(MdcSituation.SAME_RATER_INCLINOMETER,
                                         FALLBACK_MDC[MdcSituation.SAME_RATER_INCLINOMETER]),
        other=mdcs.get(MdcSituation.OTHER, FALLBACK_MDC[MdcSituation.OTHER]),
    )


class AssessmentDefaults(models.Model):
    """How a clinic usually measures, so that the common assessment is four numbers."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="assessment_defaults")
    position = models.CharField(max_length=20, choices=[(p.value, p.label) for p in ROTATION_POSITIONS],
                                default=Position.PRONE)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.PASSIVE)
    instrument = models.CharField("usual instrument", max_length=25, choices=Instrument,
                                  default=Instrument.GONIOMETER)

    class Meta:
        verbose_name_plural = "assessment defaults"
        constraints = [
            models.CheckConstraint(condition=_in("position", ROTATION_POSITIONS), name="defaults_position"),
            models.CheckConstraint(condition=_in("mode", Mode), name="defaults_mode"),
            models.CheckConstraint(condition=_in("instrument", Instrument), name="defaults_instrument"),
        ]

    def __str__(self) -> str:
        return f"Assessment defaults of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic: Clinic) -> "AssessmentDefaults":
        """The clinic's saved defaults, or the shipped ones (unsaved) when it has none yet."""
        return cls.objects.filter(clinic=clinic).first() or cls(clinic=clinic)


class AssessmentQuerySet(ClinicScopedQuerySet):
    clinic_path = "athlete__clinic"

    def for_athlete(self, athlete: Athlete) -> "AssessmentQuerySet":
        return self.filter(athlete=athlete)

    def newest_first(self) -> "AssessmentQuerySet":
        return self.order_by("-assessed_on", "-created_at", "-pk")

    def with_readings(self) -> "AssessmentQuerySet":
        return self.select_related("athlete", "clinician").prefetch_related(
            models.Prefetch("readings", queryset=Reading.objects.order_by("pk"))
        )


class Assessment(Versioned):
    """One clinical encounter: context, observed compensations and the range-of-motion readings."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    athlete = models.ForeignKey(Athlete, on_delete=models.PROTECT, related_name="assessments")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments",
        help_text="Who measured. Changes measured by different clinicians need a larger change to count.",
    )
    assessed_on = models.DateField("date")
    complaint = models.CharField("complaint today", max_length=300, blank=True)
    pain_at_rest = models.PositiveSmallIntegerField("pain at rest (0–10)", null=True, blank=True,
                                                    validators=[MaxValueValidator(PAIN_MAX)])
    pain_running = models.PositiveSmallIntegerField("pain during or after running (0–10)", null=True, blank=True,
                                                    validators=[MaxValueValidator(PAIN_MAX)])
    pelvis_early_rotation = models.BooleanField(Compensation.PELVIS_EARLY_ROTATION.label, default=False)
    trunk_side_bend = models.BooleanField(Compensation.TRUNK_SIDE_BEND.label, default=False)
    knee_valgus = models.BooleanField(Compensation.KNEE_VALGUS.label, default=False)
    foot_turn_out = models.BooleanField(Compensation.FOOT_TURN_OUT.label, default=False)
    limited_extension_toe_off = models.BooleanField(Compensation.LIMITED_EXTENSION_TOE_OFF.label, default=False)
    notes = models.TextField(max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        indexes = [models.Index(fields=["athlete", "-assessed_on"], name="assessment_athlete_date")]
        constraints = [
            models.CheckConstraint(condition=Q(pain_at_rest__isnull=True) | Q(pain_at_rest__lte=PAIN_MAX),
                                   name="assessment_pain_at_rest_range"),
            models.CheckConstraint(condition=Q(pain_running__isnull=True) | Q(pain_running__lte=PAIN_MAX),
                                   name="assessment_pain_running_range"),
            *max_length_checks(notes=4000),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.assessed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:detail", args=[self.code])

    @property
    def clinic(self) -> Clinic:
        """For the audit log, which files events under the record's clinic."""
        return self.athlete.clinic

    @property
    def compensations(self) -> tuple[str, ...]:
        return tuple(c.value for c in Compensation if getattr(self, c.value))

    @property
    def compensation_labels(self) -> list[str]:
        return [Compensation(c).label for c in self.compensations]

    def session(self) -> findings.Session:
        """This assessment as plain data for the findings rules (uses prefetched readings)."""
        return findings.Session(
            readings=tuple(r.as_reading() for r in self.readings.all()),
            rater=self.clinician_id, sex=self.athlete.sex, assessed_on=self.assessed_on,
            compensations=self.compensations,
        )

    def reading_rows(self) -> list["ReadingRow"]:
        """Readings paired left with right, one row per movement, position and mode, IR first."""
        rows: dict[tuple[str, str, str], ReadingRow] = {}
        for reading in self.readings.all():
            key = (reading.movement, reading.position, reading.mode)
            row = rows.setdefault(key, ReadingRow(*key))
            setattr(row, reading.side, reading)
        order = [m.value for m in Movement]
        return sorted(rows.values(), key=lambda r: (order.index(r.movement), r.position != Position.PRONE, r.mode))

    def earlier(self) -> "AssessmentQuerySet":
        """The athlete's assessments before this one, newest first (same-day ones created earlier count)."""
        return Assessment.objects.for_athlete(self.athlete).filter(
            Q(assessed_on__lt=self.assessed_on) | Q(assessed_on=self.assessed_on, created_at__lt=self.created_at)
        ).newest_first()

    def findings(self, table: findings.ReferenceTable | None = None) -> list[findings.Finding]:
        """What this visit shows on its own, most serious first (uses prefetched readings). Pass
        the clinic's ``reference_table`` when reading many assessments."""
        return findings.session_findings(self.session(), table or reference_table(self.athlete.clinic))

    def report(self, table: "findings.ReferenceTable | None" = None) -> Report:  # quoted: findings is a method here
        """Findings, comparisons with every earlier visit, summaries, charts and exercise targets."""
        earlier = [a.session() for a in self.earlier().with_readings()]
        return Report.of(self.session(), earlier, table or reference_table(self.athlete.clinic))


@dataclass
class ReadingRow:
    movement: str
    position: str
    mode: str
    left: "Reading | None" = None
    right: "Reading | None" = None

    @property
    def movement_label(self) -> str:
        return Movement(self.movement).label

    @property
    def setting_label(self) -> str:
        return f"{Position(self.position).label}, {Mode(self.mode).label.lower()}"

    @property
    def sides(self) -> tuple["Reading | None", "Reading | None"]:
        return self.left, self.right

    @property
    def difference(self) -> Decimal | None:
        """Left minus right, when both were measured."""
        if self.left is None or self.right is None or self.left.degrees is None or self.right.degrees is None:
            return None
        return self.left.degrees - self.right.degrees


class Reading(models.Model):
    """One range-of-motion measurement of one side. ``degrees`` is empty when not tested."""

    # The readings are parts of their assessment, not records of their own; they go with it.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="readings")
    side = models.CharField(max_length=5, choices=Side)
    movement = models.CharField(max_length=10, choices=Movement)
    degrees = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    position = models.CharField(max_length=20, choices=Position, default=Position.PRONE)
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.PASSIVE)
    instrument = models.CharField(max_length=25, choices=Instrument, default=Instrument.GONIOMETER)
    pain = models.PositiveSmallIntegerField("pain during the test (0–10)", null=True, blank=True,
                                            validators=[MaxValueValidator(PAIN_MAX)])
    end_feel = models.CharField(max_length=12, choices=EndFeel, default=EndFeel.NOT_TESTED)
    not_tested = models.BooleanField(default=False)
    not_tested_reason = models.CharField("reason not tested", max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "side", "movement", "position", "mode"],
                                    name="reading_one_per_side_movement_setting"),
            models.CheckConstraint(condition=_in("side", Side), name="reading_side"),
            models.CheckConstraint(condition=_in("movement", Movement), name="reading_movement"),
            models.CheckConstraint(condition=_in("position", Position), name="reading_position"),
            models.CheckConstraint(condition=_in("mode", Mode), name="reading_mode"),
            models.CheckConstraint(condition=_in("instrument", Instrument), name="reading_instrument"),
            models.CheckConstraint(condition=_in("end_feel", EndFeel), name="reading_end_feel"),
            models.CheckConstraint(condition=Q(pain__isnull=True) | Q(pain__lte=PAIN_MAX), name="reading_pain_range"),
            # Hip extension is the modified Thomas test; rotations are never measured in it.
            models.CheckConstraint(
                condition=Q(movement=Movement.EXTENSION, position=Position.MODIFIED_THOMAS)
                | (~Q(movement=Movement.EXTENSION) & ~Q(position=Position.MODIFIED_THOMAS)),
                name="reading_extension_is_thomas",
            ),
            # Either a value or "not tested" with a reason, never both.
            models.CheckConstraint(
                condition=Q(not_tested=False, degrees__isnull=False)
                | (Q(not_tested=True, degrees__isnull=True) & ~Q(not_tested_reason="")),
                name="reading_value_or_reason",
            ),
            models.CheckConstraint(
                condition=Q(degrees__isnull=True)
                | Q(movement__in=[m.value for m in ROTATIONS], degrees__gte=ACCEPTED[Movement.IR][0],
                    degrees__lte=ACCEPTED[Movement.IR][1])
                | Q(movement=Movement.EXTENSION, degrees__gte=ACCEPTED[Movement.EXTENSION][0],
                    degrees__lte=ACCEPTED[Movement.EXTENSION][1]),
                name="reading_degrees_accepted_range",
            ),
            # Half degrees, except from a digital inclinometer (tenths).
            models.CheckConstraint(
                condition=Q(degrees__isnull=True) | Q(instrument=Instrument.DIGITAL_INCLINOMETER)
                | Q(Exact(F("degrees") * 2, Round(F("degrees") * 2))),
                name="reading_half_degree_steps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.get_movement_display()}"

    def as_reading(self) -> findings.Reading:
        return findings.Reading(
            side=self.side, movement=self.movement, degrees=None if self.not_tested else self.degrees,
            position=self.position, mode=self.mode, instrument=self.instrument, pain=self.pain,
            end_feel=self.end_feel,
        )


def _open_findings(assessment: Assessment, table: findings.ReferenceTable) -> int:
    return sum(1 for f in assessment.findings(table) if f.is_open)


def update_athlete_summary(athlete: Athlete) -> None:
    """Copy the date and open-findings count of the athlete's latest assessment onto the athlete
    (for the athletes list, which cannot import this app)."""
    latest = Assessment.objects.for_athlete(athlete).newest_first().with_readings().first()
    if latest is None:
        athlete.set_assessment_summary(last_assessed_on=None, open_findings_count=0)
        return
    athlete.set_assessment_summary(last_assessed_on=latest.assessed_on,
                                   open_findings_count=_open_findings(latest, reference_table(athlete.clinic)))


def update_clinic_summaries(clinic: Clinic) -> int:
    """Recount the open findings of every assessed athlete of the clinic, after its reference or
    MDC values changed. Writes only the athletes whose count moved; returns how many."""
    table = reference_table(clinic)
    latest = Assessment.objects.filter(athlete=models.OuterRef("athlete")).newest_first().values("pk")[:1]
    changed = 0
    for assessment in Assessment.objects.for_clinic(clinic).filter(pk=models.Subquery(latest)).with_readings():
        count = _open_findings(assessment, table)
        if count != assessment.athlete.open_findings_count:
            assessment.athlete.set_assessment_summary(last_assessed_on=assessment.assessed_on,
                                                      open_findings_count=count)
            changed += 1
    return changed


# --- Programs and the emailing of their handouts ----------------------------------------------------
# The one import of the programs room from here: Django registers an app's models from its models
# module, and the programs sub-package belongs to this app (label "assessments").
from assessments.programs.models import (  # noqa: E402, F401, I001
    DayComment, ExerciseLog, HandoutDelivery, HandoutEmail, Program, ProgramItem, ProgramLink, ProgramVersion,
)

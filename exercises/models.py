"""The exercise library: a catalogue of exercises and program templates, with no athlete data.

An exercise or template with no clinic is shipped with RunPhys (loaded by the
``load_exercise_library`` command from ``exercises/library.py``) and read-only to every clinic; one
with a clinic belongs to that clinic and only its members see or change it. Clinic exercises are
archived, never deleted, so programs that prescribed them keep showing them.
"""

import json
import uuid
from collections.abc import Iterable
from typing import Self

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Lookup
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from exercises import item_lists
from exercises.dosage import Dosage
from runphys import uploads
from runphys.bounds import max_length_check, max_length_checks
from runphys.concurrency import BOOKKEEPING_FIELDS, Versioned
from runphys.models import Clinic, User
from runphys.tenancy import ClinicScopedQuerySet


class Region(models.TextChoices):
    """The part of the body an exercise works."""

    HIP = "hip", "Hip"
    PELVIS_TRUNK = "pelvis_trunk", "Pelvis and trunk"
    KNEE = "knee", "Knee"
    ANKLE_CALF = "ankle_calf", "Ankle and calf"
    FOOT = "foot", "Foot"
    HAMSTRING_THIGH = "hamstring_thigh", "Hamstring and thigh"
    GENERAL = "general", "General"


class Family(models.TextChoices):
    # The hip families: the ones an assessment's findings are treated with (clinical-reference §4).
    IR_MOBILITY = "ir_mobility", "IR mobility"
    ER_FLEXIBILITY = "er_flexibility", "ER and anterior-hip flexibility"
    EXTENSION_MOBILITY = "extension_mobility", "Hip extension mobility"
    CONTROL_STRENGTH = "control_strength", "Hip control and strength"
    # Families for any region: a clinic's calf, knee, foot or trunk work.
    MOBILITY = "mobility", "Mobility"
    FLEXIBILITY = "flexibility", "Stretching and flexibility"
    STRENGTH = "strength", "Strength"
    BALANCE = "balance", "Balance and control"
    RUNNING_DRILLS = "running_drills", "Running drills and plyometrics"


HIP_FAMILIES = (Family.IR_MOBILITY, Family.ER_FLEXIBILITY, Family.EXTENSION_MOBILITY, Family.CONTROL_STRENGTH)
# The regions a family's exercises may work; a family not named here fits every region. Hip control
# work includes the pelvis and trunk, since the control finding covers the pelvis and trunk moving.
FAMILY_REGIONS: dict[str, tuple[str, ...]] = {
    Family.IR_MOBILITY: (Region.HIP,),
    Family.ER_FLEXIBILITY: (Region.HIP,),
    Family.EXTENSION_MOBILITY: (Region.HIP,),
    Family.CONTROL_STRENGTH: (Region.HIP, Region.PELVIS_TRUNK),
}
# Words a library search matches to a region besides its label (a word matches a term it begins).
REGION_TERMS: dict[str, tuple[str, ...]] = {
    Region.HIP: ("hip", "glute", "gluteal", "buttock"),
    Region.PELVIS_TRUNK: ("pelvis", "pelvic", "trunk", "core", "abdominal", "lumbar"),
    Region.KNEE: ("knee", "patella", "patellar"),
    Region.ANKLE_CALF: ("ankle", "calf", "calves", "achilles", "soleus", "gastrocnemius", "shin"),
    Region.FOOT: ("foot", "feet", "toe", "arch", "plantar"),
    Region.HAMSTRING_THIGH: ("hamstring", "thigh", "quadriceps", "quads", "adductor", "groin"),
    Region.GENERAL: ("general", "whole body"),
}


def family_fits_region(family: str, region: str) -> bool:
    return region in FAMILY_REGIONS.get(family, Region.values)


def regions_matching(word: str) -> list[str]:
    """The regions a search word names: "calf" finds the ankle and calf, "hamstrings" the thigh."""
    word = word.lower()
    if len(word) < 3:
        return []
    return [region for region, terms in REGION_TERMS.items()
            if any(term.startswith(word) or word.startswith(term) for term in terms)]


class Finding(models.TextChoices):
    """What an exercise addresses; the assessments app maps its own findings onto these codes.
    They are all findings about the hip (and, for control, the pelvis and trunk)."""

    LOW_IR = "low_ir", "Low IR"
    LOW_ER = "low_er", "Low ER"
    ASYMMETRY = "asymmetry", "Asymmetry"
    POOR_CONTROL = "poor_control", "Poor control"
    LIMITED_EXTENSION = "limited_extension", "Limited extension"


# The regions an exercise must work to address each finding: a calf raise never addresses a hip finding.
FINDING_REGIONS: dict[str, tuple[str, ...]] = {
    Finding.LOW_IR: (Region.HIP,),
    Finding.LOW_ER: (Region.HIP,),
    Finding.ASYMMETRY: (Region.HIP,),
    Finding.LIMITED_EXTENSION: (Region.HIP,),
    Finding.POOR_CONTROL: (Region.HIP, Region.PELVIS_TRUNK),
}


def family_region_constraint() -> models.Q:
    """The database's version of ``family_fits_region``."""
    condition = models.Q(family__in=[f for f in Family.values if f not in FAMILY_REGIONS])
    for family, regions in FAMILY_REGIONS.items():
        condition |= models.Q(family=family, region__in=list(regions))
    return condition


class Equipment(models.TextChoices):
    BAND = "band", "Resistance band"
    BENCH = "bench", "Bench or step"
    BED = "bed", "Firm bed"
    WALL = "wall", "Wall"
    NONE = "none", "No equipment"


class CodeListField(models.JSONField):
    """A JSON list of choice codes (e.g. ``["low_ir", "asymmetry"]``), filterable with ``__has``.

    Django's JSON ``contains`` lookup does not exist on SQLite, and ArrayField is PostgreSQL-only,
    so the one lookup the library needs is written for both databases below.
    """

    def __init__(self, *args, codes: type[models.TextChoices] | None = None, **kwargs) -> None:
        self.codes = codes
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError("Expected a list of codes.", code="invalid")
        if self.codes is not None:
            unknown = sorted(set(value) - set(self.codes.values))
            if unknown:
                raise ValidationError(f"Unknown codes: {', '.join(unknown)}.", code="invalid_choice")


@CodeListField.register_lookup
class HasCode(Lookup):
    """``addresses__has="low_ir"``: the list holds that code."""

    lookup_name = "has"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # SQLite
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # lhs is the quoted column compiled by Django; the code itself is a parameter.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, (*lhs_params, str(self.rhs))

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*lhs_params, json.dumps([str(self.rhs)]))


MAX_LINES, MAX_LINE_LENGTH = 15, 300


class TextLinesField(models.JSONField):
    """A JSON list of at most ``MAX_LINES`` sentences of at most ``MAX_LINE_LENGTH`` characters
    (steps, cues, faults, cautions). The model checks the lines; the database bounds the stored JSON's
    length (a CHECK in ``Exercise.Meta``), allowing every character at its longest escaped form (a
    ``\\u`` surrogate pair, 12 characters) plus quotes and separators. See ``runphys.bounds``.
    """

    STORED_MAX = MAX_LINES * (MAX_LINE_LENGTH * 12 + 4) + 2

    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
            raise ValidationError("Expected a list of lines.", code="invalid")
        if len(value) > MAX_LINES:
            raise ValidationError(f"At most {MAX_LINES} lines.", code="too_many_lines")
        if any(len(line) > MAX_LINE_LENGTH for line in value):
            raise ValidationError(f"Keep each line under {MAX_LINE_LENGTH} characters.", code="line_too_long")


def https_only(value: str) -> None:
    """Video links open from a clinical page: only https, and the URL field checks the rest."""
    if not value.lower().startswith("https://"):
        raise ValidationError("Enter a full https:// link.", code="not_https")


class LibraryQuerySet(ClinicScopedQuerySet):
    """Rows shipped with RunPhys (no clinic), which every clinic sees and none changes, plus a
    clinic's own."""

    def for_user(self, user, *, include_archived: bool = False) -> Self:
        """Shipped rows and the user's clinic's own. Archived ones only when asked: a program that
        used an exercise or template must still find it by code."""
        if not getattr(user, "is_authenticated", False) or user.clinic is None:
            return self.none()
        qs = self.filter(models.Q(clinic__isnull=True) | models.Q(clinic=user.clinic))
        return qs if include_archived else qs.active()

    def editable_by(self, user) -> Self:
        """Only the user's clinic's own rows (archived included): shipped ones are read-only."""
        return super().for_user(user)

    def active(self) -> Self:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> Self:
        return self.filter(archived_at__isnull=False)

    def shipped(self) -> Self:
        return self.filter(clinic__isnull=True)


class ExerciseQuerySet(LibraryQuerySet):
    def search(self, text: str) -> Self:
        """Every word must appear in the name, the summary, the starting position, the steps or the
        cues, or name the exercise's region ("calf" finds ankle and calf work)."""
        qs = self
        for word in text.split()[:8]:
            qs = qs.filter(
                models.Q(name__icontains=word) | models.Q(summary__icontains=word)
                | models.Q(starting_position__icontains=word) | models.Q(steps__icontains=word)
                | models.Q(cues__icontains=word) | models.Q(region__in=regions_matching(word))
            )
        return qs

    def in_family(self, family: str) -> Self:
        return self.filter(family=family)

    def in_region(self, region: str) -> Self:
        return self.filter(region=region)

    def addressing(self, finding: str) -> Self:
        """Exercises that address the finding, in a region the finding is about."""
        return self.filter(addresses__has=finding, region__in=FINDING_REGIONS.get(finding, ()))

    def addressing_any(self, findings: Iterable[str]) -> Self:
        condition = models.Q(pk__in=[])
        for finding in findings:
            condition |= models.Q(addresses__has=finding, region__in=FINDING_REGIONS.get(finding, ()))
        return self.filter(condition)

    def with_equipment(self, equipment: str) -> Self:
        return self.filter(equipment__has=equipment)


class Exercise(Dosage, Versioned):
    """One exercise with its instructions, pictures and default dosage."""

    class Picture(models.TextChoices):
        START = "start", "Start position"
        END = "end", "End position"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="exercises",
        help_text="Empty for the exercises shipped with RunPhys.",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, help_text="Unique among shipped exercises; names their illustrations.")
    summary = models.CharField(max_length=240, help_text="One line: what it is for.")
    region = models.CharField(max_length=20, choices=Region, default=Region.HIP)
    family = models.CharField(max_length=20, choices=Family)
    addresses = CodeListField(codes=Finding, help_text="The findings this exercise addresses.")
    is_stretch = models.BooleanField(
        "stretching exercise", default=False,
        help_text="Static or assisted stretching: never suggested when a finding says refer or review.",
    )
    equipment = CodeListField(codes=Equipment)
    starting_position = models.TextField(max_length=1000)
    steps = TextLinesField(default=list, help_text="Ordered instructions, one sentence each.")
    cues = TextLinesField("coaching cues", default=list, blank=True)
    faults = TextLinesField("common faults", default=list, blank=True)
    cautions = TextLinesField(default=list, blank=True, help_text="When not to do it, or when to stop.")
    progression = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The harder next step."
    )
    regression = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="The easier step back."
    )
    progression_note = models.TextField(max_length=1000, blank=True,
                                        help_text="How to make this same exercise harder or easier.")
    video_url = models.URLField("video link", blank=True, validators=[https_only])
    credit = models.CharField("credit / source", max_length=300, blank=True)
    # Static SVGs static/exercises/<illustration>-start.svg and -end.svg; copies keep their source's.
    illustration = models.SlugField(max_length=120, blank=True, editable=False)
    start_picture = models.FileField(upload_to="exercise-pictures/", blank=True)
    end_picture = models.FileField(upload_to="exercise-pictures/", blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", editable=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta(Dosage.Meta):
        ordering = ["name", "id"]
        constraints = [
            *Dosage.Meta.constraints,
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(clinic__isnull=True), name="exercise_shipped_slug_unique"
            ),
            models.CheckConstraint(condition=models.Q(family__in=Family.values), name="exercise_family_valid"),
            models.CheckConstraint(condition=models.Q(region__in=Region.values), name="exercise_region_valid"),
            models.CheckConstraint(condition=family_region_constraint(), name="exercise_family_fits_region"),
            *max_length_checks(starting_position=1000, progression_note=1000),
            *(max_length_check(name, TextLinesField.STORED_MAX, stored_as_json=True)
              for name in ("steps", "cues", "faults", "cautions")),
        ]
        indexes = [models.Index(fields=["clinic", "archived_at"], name="exercise_clinic_archived")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exercises:detail", args=[self.code])

    def clean(self) -> None:
        super().clean()
        if not self.slug:
            self.slug = slugify(self.name)[:120] or "exercise"
        if Equipment.NONE in self.equipment and len(self.equipment) > 1:
            raise ValidationError({"equipment": "“No equipment” cannot go with other equipment."})
        self.clean_region()
        for field in ("progression", "regression"):
            linked = getattr(self, field)
            if linked is not None and self.pk is not None and linked.pk == self.pk:
                raise ValidationError({field: "An exercise cannot lead to itself."})

    def clean_region(self) -> None:
        """The family and the findings must suit the body region: hip families and the assessment's
        (hip) findings belong to hip work, so a calf exercise is never suggested for a hip finding."""
        if self.region not in Region.values or self.family not in Family.values:
            return  # the field's own choices report it
        region = Region(self.region).label.lower()
        errors = {}
        if not family_fits_region(self.family, self.region):
            errors["family"] = (f"“{Family(self.family).label}” is a family for hip work. For the {region}, "
                                "choose one of the families for any region.")
        unsuitable = [code for code in self.addresses if code in FINDING_REGIONS
                      and self.region not in FINDING_REGIONS[code]]
        if unsuitable:
            labels = ", ".join(Finding(code).label for code in unsuitable)
            errors["addresses"] = (f"{labels}: findings about the hip, which an exercise for the {region} does "
                                   "not address. Leave them unticked.")
        if errors:
            raise ValidationError(errors)

    def addresses_finding(self, finding: str) -> bool:
        """``addressing`` for one exercise: it names the finding and works a region the finding is about."""
        return finding in self.addresses and self.region in FINDING_REGIONS.get(finding, ())

    @property
    def is_shipped(self) -> bool:
        return self.clinic_id is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def picture_url(self, position: str) -> str | None:
        """The clinic's uploaded picture (through the clinic-checking view), else the drawn one."""
        if getattr(self, f"{position}_picture"):
            return reverse("exercises:picture", args=[self.code, position])
        if self.illustration:
            return static(f"exercises/{self.illustration}-{position}.svg")
        return None

    @property
    def start_picture_url(self) -> str | None:
        return self.picture_url(Exercise.Picture.START)

    @property
    def end_picture_url(self) -> str | None:
        return self.picture_url(Exercise.Picture.END)

    def pictures(self) -> list[tuple[str, str | None]]:
        """(caption, URL) for the start and end pictures, in that order."""
        return [(label, self.picture_url(value)) for value, label in Exercise.Picture.choices]

    def addresses_labels(self) -> list[str]:
        return [Finding(code).label for code in self.addresses if code in Finding.values]

    def equipment_labels(self) -> list[str]:
        return [Equipment(code).label for code in self.equipment if code in Equipment.values]

    @transaction.atomic
    def copy_to(self, clinic: Clinic, *, by: User) -> "Exercise":
        """A clinic's own editable copy. Uploaded pictures are duplicated, not shared, so that
        archiving or replacing one never changes the other."""
        copy = Exercise(clinic=clinic, copied_from=self, created_by=by)
        for field in self._meta.concrete_fields:
            if field.name in {"id", "code", "clinic", "copied_from", "created_by", "archived_at",
                              "created_at", "updated_at", "start_picture", "end_picture", *BOOKKEEPING_FIELDS}:
                continue
            setattr(copy, field.attname, getattr(self, field.attname))
        for position in Exercise.Picture.values:
            original = getattr(self, f"{position}_picture")
            if original:
                setattr(copy, f"{position}_picture", uploads.duplicate(original))
        copy.save()
        return copy

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at", "updated_at"])

    def restore(self) -> None:
        self.archived_at = None
        self.save(update_fields=["archived_at", "updated_at"])


class ProgramTemplate(Versioned):
    """A named, reusable list of exercises with their dosages ("IR in extension — phase 1")."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="program_templates",
        help_text="Empty for the templates shipped with RunPhys.",
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, blank=True, editable=False)
    description = models.TextField(max_length=2000, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", editable=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # As many as the template form once took: a template is a short list to start a program from.
    MAX_ITEMS = 30

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(clinic__isnull=True), name="program_template_shipped_slug_unique"
            ),
            *max_length_checks(description=2000),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exercises:template_detail", args=[self.code])

    @property
    def is_shipped(self) -> bool:
        return self.clinic_id is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @transaction.atomic
    def copy_to(self, clinic: Clinic, *, by: User) -> "ProgramTemplate":
        copy = ProgramTemplate.objects.create(
            clinic=clinic, name=self.name, description=self.description, copied_from=self, created_by=by
        )
        ProgramTemplateItem.objects.bulk_create(
            ProgramTemplateItem(template=copy, exercise_id=item.exercise_id, order=item.order, notes=item.notes,
                                reason=item.reason, **item.dosage_values())
            for item in self.items.all()
        )
        return copy

    # --- Shaping its items (the program builder; exercises.item_lists) ------------------------------

    def ordered_items(self, *, lock: bool = False) -> list["ProgramTemplateItem"]:
        items = self.items.select_for_update() if lock else self.items.all()
        return list(items.select_related("exercise").order_by("order", "pk"))

    def add_exercise(self, exercise: Exercise) -> "ProgramTemplateItem":
        """Append an exercise with its library dosage."""
        last = self.items.aggregate(last=models.Max("order"))["last"] or 0
        item = ProgramTemplateItem(template=self, exercise=exercise, order=last + 1)
        item.copy_dosage_from(exercise)
        item.save()
        return item

    @transaction.atomic
    def move(self, item: "ProgramTemplateItem", offset: int) -> None:
        item_lists.renumber(item_lists.moved(self.ordered_items(lock=True), item, offset))

    @transaction.atomic
    def reorder(self, codes: list[str]) -> None:
        """Put the items in the order of ``codes`` (each item's code once; ``NotTheSameItems`` otherwise)."""
        item_lists.renumber(item_lists.reordered(self.ordered_items(lock=True), codes))

    @transaction.atomic
    def remove(self, item: "ProgramTemplateItem") -> "ProgramTemplateItem":
        """Delete the item; returns it with ``order`` set to the place it had (1-based), for Undo."""
        return item_lists.removed(self.ordered_items(lock=True), item)

    @transaction.atomic
    def put_back(self, values: dict) -> "ProgramTemplateItem":
        """A removed item again, with the same dose, reason and place."""
        item = item_lists.rebuilt(ProgramTemplateItem, values, template=self)
        item.save()
        item_lists.renumber(item_lists.put_back(self.ordered_items(lock=True), item))
        return item

    def archive(self) -> None:
        self.archived_at = timezone.now()
        self.save(update_fields=["archived_at", "updated_at"])


class ProgramTemplateItemQuerySet(models.QuerySet):
    def editable_by(self, user) -> Self:
        """Items of the user's clinic's own templates (shipped ones are read-only)."""
        if not getattr(user, "is_authenticated", False) or user.clinic is None:
            return self.none()
        return self.filter(template__clinic=user.clinic)


class ProgramTemplateItem(Dosage, Versioned):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.ForeignKey(ProgramTemplate, on_delete=models.CASCADE, related_name="items")
    # PROTECT: exercises are archived, never deleted, and a template keeps showing what it holds.
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="template_items")
    order = models.PositiveSmallIntegerField(default=0)
    # As long as a program item's notes, so that saving a program as a template keeps them whole.
    notes = models.CharField(max_length=300, blank=True, help_text="Shown beside the exercise, e.g. “left side only”.")
    reason = models.CharField(
        "why it is there", max_length=300, blank=True,
        help_text="For the athlete, printed on the handout of a program made from the template, e.g. "
                  "“To let your hip turn inwards further”. Empty: “Chosen by your physio”.",
    )

    objects = ProgramTemplateItemQuerySet.as_manager()

    class Meta(Dosage.Meta):
        ordering = ["order", "id"]

    # What Undo keeps of a removed item: everything it was, so it comes back the same.
    UNDO_FIELDS = ("code", "exercise_id", "order", "notes", "reason", *Dosage.DOSAGE_FIELDS)

    def __str__(self) -> str:
        return f"{self.exercise} in {self.template}"

    @property
    def motive_label(self) -> str:
        """Why it is there (the builder list shows it like a program item's)."""
        return self.reason

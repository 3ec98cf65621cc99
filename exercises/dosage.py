"""How much of an exercise to do: the dosage fields shared by every prescribable thing.

``Dosage`` is abstract. The library's exercises carry it as their default dosage, program
templates carry it per item, and the assessments app reuses it for the items of a prescribed
program. The plausible ranges are those of clinical-reference §6 (proposed values): they are
validators (clear form messages) and database CheckConstraints (so bad data enters by no path).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

# Field -> (minimum, maximum, what the form says when a value is outside).
RANGES: dict[str, tuple[int, int, str]] = {
    "sets": (1, 10, "Sets must be from 1 to 10."),
    "reps": (1, 200, "Repetitions must be from 1 to 200."),
    "hold_seconds": (0, 300, "The hold must be from 0 to 300 seconds."),
    "rest_seconds": (0, 600, "The rest must be from 0 to 600 seconds."),
    "sessions_per_day": (1, 5, "Sessions a day must be from 1 to 5."),
    "days_per_week": (1, 7, "Days a week must be from 1 to 7."),
    "pain_ceiling": (0, 10, "The pain ceiling must be from 0 to 10."),
}
LOAD_KG_RANGE = (Decimal("0.5"), Decimal("200.0"))
# "3-1-1-0": eccentric, pause, concentric, pause (seconds; X = as fast as possible under control).
TEMPO_PATTERN = r"^([0-9]{1,2}|X)-([0-9]{1,2}|X)-([0-9]{1,2}|X)-([0-9]{1,2}|X)$"
# ACSM guidance for static stretching; used for guidance text and for the shipped library's checks.
STRETCH_HOLD_SECONDS = (10, 30)
STRETCH_REPS = (2, 4)
STRETCH_MIN_DAYS_PER_WEEK = 2


def range_validators(field: str) -> list:
    low, high, message = RANGES[field]
    return [MinValueValidator(low, message=message), MaxValueValidator(high, message=message)]


def range_constraint(field: str, *, nullable: bool = False) -> models.CheckConstraint:
    low, high, message = RANGES[field]
    condition = models.Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=f"%(app_label)s_%(class)s_{field}_range",
        violation_error_message=message,
    )


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both sides"
    ALTERNATING = "alternating", "Alternating sides"


class Load(models.TextChoices):
    NONE = "none", "No added load"
    BODY_WEIGHT = "body_weight", "Body weight"
    KG = "kg", "Weight in kg"
    BAND = "band", "Resistance band"


class BandColour(models.TextChoices):
    """Lightest to heaviest in the common colour scheme; brands differ, so the colour is what the
    athlete sees on their own band."""

    TAN = "tan", "Tan"
    YELLOW = "yellow", "Yellow"
    RED = "red", "Red"
    GREEN = "green", "Green"
    BLUE = "blue", "Blue"
    BLACK = "black", "Black"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"


class Dosage(models.Model):
    sets = models.PositiveSmallIntegerField(validators=range_validators("sets"))
    reps = models.PositiveSmallIntegerField("repetitions", validators=range_validators("reps"))
    hold_seconds = models.PositiveSmallIntegerField(
        "hold (seconds)", default=0, validators=range_validators("hold_seconds"),
        help_text="Per repetition; 0 for no hold. Static stretches: 10–30 s (ACSM).",
    )
    rest_seconds = models.PositiveSmallIntegerField(
        "rest between sets (seconds)", default=0, validators=range_validators("rest_seconds")
    )
    sessions_per_day = models.PositiveSmallIntegerField(default=1, validators=range_validators("sessions_per_day"))
    days_per_week = models.PositiveSmallIntegerField(validators=range_validators("days_per_week"))
    side = models.CharField(max_length=12, choices=Side, default=Side.BOTH)
    tempo = models.CharField(
        max_length=11, blank=True,
        validators=[RegexValidator(TEMPO_PATTERN, message="Write the tempo as four numbers like 3-1-1-0 (X = fast).")],
        help_text="Lowering-pause-lifting-pause in seconds, e.g. 3-1-1-0.",
    )
    load = models.CharField(max_length=12, choices=Load, default=Load.NONE)
    load_kg = models.DecimalField(
        "weight (kg)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[
            MinValueValidator(LOAD_KG_RANGE[0], message="The weight must be from 0.5 to 200 kg."),
            MaxValueValidator(LOAD_KG_RANGE[1], message="The weight must be from 0.5 to 200 kg."),
        ],
    )
    band_colour = models.CharField(max_length=8, choices=BandColour, blank=True)
    pain_ceiling = models.PositiveSmallIntegerField(
        "pain ceiling (0–10)", null=True, blank=True, validators=range_validators("pain_ceiling"),
        help_text="Stop or ease off if pain goes above this.",
    )
    progression_criterion = models.CharField(
        max_length=200, blank=True, help_text="When to make it harder, e.g. “3 × 15 smooth reps, pain ≤ 2/10”."
    )

    DOSAGE_FIELDS = (
        "sets", "reps", "hold_seconds", "rest_seconds", "sessions_per_day", "days_per_week", "side", "tempo",
        "load", "load_kg", "band_colour", "pain_ceiling", "progression_criterion",
    )

    class Meta:
        abstract = True
        constraints = [
            range_constraint("sets"),
            range_constraint("reps"),
            range_constraint("hold_seconds"),
            range_constraint("rest_seconds"),
            range_constraint("sessions_per_day"),
            range_constraint("days_per_week"),
            range_constraint("pain_ceiling", nullable=True),
            models.CheckConstraint(
                condition=models.Q(side__in=Side.values),
                name="%(app_label)s_%(class)s_side_valid",
                violation_error_message="Choose the side: left, right, both or alternating.",
            ),
            models.CheckConstraint(
                condition=models.Q(tempo="") | models.Q(tempo__regex=TEMPO_PATTERN),
                name="%(app_label)s_%(class)s_tempo_format",
                violation_error_message="Write the tempo as four numbers like 3-1-1-0 (X = fast).",
            ),
            models.CheckConstraint(
                condition=models.Q(band_colour="") | models.Q(band_colour__in=BandColour.values),
                name="%(app_label)s_%(class)s_band_colour_valid",
            ),
            # The load kind decides which detail is present: a weight for kg, a colour for a band,
            # neither otherwise.
            models.CheckConstraint(
                condition=(
                    models.Q(load=Load.KG, load_kg__isnull=False, load_kg__gte=LOAD_KG_RANGE[0],
                             load_kg__lte=LOAD_KG_RANGE[1], band_colour="")
                    | models.Q(load=Load.BAND, load_kg__isnull=True, band_colour__in=BandColour.values)
                    | models.Q(load__in=[Load.NONE, Load.BODY_WEIGHT], load_kg__isnull=True, band_colour="")
                ),
                name="%(app_label)s_%(class)s_load_detail",
                violation_error_message="A weight goes with a load in kg, a colour with a band, neither otherwise.",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.load == Load.KG and self.load_kg is None:
            errors["load_kg"] = "Enter the weight in kg."
        if self.load == Load.BAND and not self.band_colour:
            errors["band_colour"] = "Choose the band colour."
        if self.load != Load.KG and self.load_kg is not None:
            errors["load_kg"] = "A weight only goes with a load in kg."
        if self.load != Load.BAND and self.band_colour:
            errors["band_colour"] = "A band colour only goes with a resistance band."
        if errors:
            raise ValidationError(errors)

    def copy_dosage_from(self, other: "Dosage") -> None:
        for field in self.DOSAGE_FIELDS:
            setattr(self, field, getattr(other, field))

    def dosage_values(self) -> dict:
        return {field: getattr(self, field) for field in self.DOSAGE_FIELDS}

    @property
    def load_label(self) -> str:
        if self.load == Load.KG and self.load_kg is not None:
            return f"{self.load_kg.normalize():f} kg"
        if self.load == Load.BAND and self.band_colour:
            return f"{self.get_band_colour_display()} band"
        if self.load == Load.BODY_WEIGHT:
            return "Body weight"
        return ""

    @property
    def dose_line(self) -> str:
        """The dose in one line, the same on every page and on the handout:
        "3 × 10 · hold 5 s · left · once a day, 5 days a week"."""
        parts = [f"{self.sets} × {self.reps}"]
        if self.hold_seconds:
            parts.append(f"hold {self.hold_seconds} s")
        if self.rest_seconds:
            parts.append(f"rest {self.rest_seconds} s")
        parts += [Side(self.side).label.lower() if self.side in Side.values else self.side, self.frequency_label]
        return " · ".join(parts)

    @property
    def full_dose_line(self) -> str:
        """``dose_line`` with the load, tempo and pain ceiling, for the clinician's pages."""
        parts = [self.dose_line]
        if self.load_label:
            parts.append(self.load_label.lower())
        if self.tempo:
            parts.append(f"tempo {self.tempo}")
        if self.pain_ceiling is not None:
            parts.append(f"pain ≤ {self.pain_ceiling}/10")
        return " · ".join(parts)

    @property
    def frequency_label(self) -> str:
        per_day = "once a day" if self.sessions_per_day == 1 else f"{self.sessions_per_day} times a day"
        per_week = "every day" if self.days_per_week == 7 else f"{self.days_per_week} days a week"
        return f"{per_day}, {per_week}"

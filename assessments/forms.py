"""Forms of the assessments app.

The entry screen is several forms submitted together (``AssessmentEntry``): the assessment's
context, one small settings form per block of readings (position, mode, instrument) and one
``ReadingForm`` per slot of the left/right grid. The grid's layout is the entry template's (a
table with live differences is not a crispy layout); every other form keeps its layout in its
FormHelper.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from assessments import findings, plausibility
from assessments.models import Assessment, AssessmentDefaults, MdcSetting, Reading, ReferenceValue
from assessments.vocabulary import (
    ROTATION_POSITIONS,
    Compensation,
    EndFeel,
    Instrument,
    Mode,
    Movement,
    Position,
    Side,
)
from athletes.models import Athlete
from runphys import audit, concurrency, submissions
from runphys.models import Clinic, User

ROTATION_POSITION_CHOICES = [(p.value, p.label) for p in ROTATION_POSITIONS]


@dataclass(frozen=True)
class Block:
    """A group of readings sharing position, mode and instrument: one part of the entry grid."""

    name: str
    title: str
    movements: tuple[Movement, ...]
    required: bool
    position: Position | None = None  # fixed position; None = chosen on the form

    @property
    def is_rotation(self) -> bool:
        return self.position is None


BLOCKS = (
    Block("main", "Hip rotation", (Movement.IR, Movement.ER), required=True),
    Block("second", "Rotation in a second position (optional)", (Movement.IR, Movement.ER), required=False),
    Block("extension", "Hip extension, modified Thomas test (optional)", (Movement.EXTENSION,), required=False,
          position=Position.MODIFIED_THOMAS),
)
SIDES = (Side.LEFT, Side.RIGHT)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "assessed_on", "clinician", "complaint", "pain_at_rest", "pain_running", *[c.value for c in Compensation],
            "notes",
        ]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "pain_at_rest": forms.NumberInput(attrs={"min": 0, "max": 10, "step": 1}),
            "pain_running": forms.NumberInput(attrs={"min": 0, "max": 10, "step": 1}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, athlete: Athlete, clinic: Clinic, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.athlete = athlete
        self.fields["clinician"].queryset = User.objects.members_of(clinic, keeping=self.instance.clinician_id)
        self.fields["clinician"].empty_label = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # The entry page shows the form's non-field errors (a colleague's save) once, at its top;
        # crispy's whole-form template would repeat them above the Context section.
        self.helper.template = "assessments/_context_form.html"
        self.helper.layout = Layout(
            Fieldset(
                "Context",
                "complaint",
                Row(Column("pain_at_rest", css_class="col-sm-6"), Column("pain_running", css_class="col-sm-6")),
            ),
            Fieldset("Seen while running", *[c.value for c in Compensation]),
            "notes",
        )

    def clean_assessed_on(self) -> date:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("An assessment cannot be dated in the future.")
        if day < self.athlete.date_of_birth:
            raise forms.ValidationError("An assessment cannot be dated before the athlete was born.")
        return day


class BlockForm(forms.Form):
    """Position, mode and instrument of one block of readings."""

    position = forms.ChoiceField(choices=ROTATION_POSITION_CHOICES)
    mode = forms.ChoiceField(choices=Mode.choices)
    instrument = forms.ChoiceField(choices=Instrument.choices)

    def __init__(self, *args, block: Block, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.block = block
        if not block.is_rotation:
            del self.fields["position"]
            del self.fields["mode"]

    def setting(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "position": data.get("position", self.block.position),
            "mode": data.get("mode", Mode.PASSIVE),
            "instrument": data["instrument"],
        }


class ReadingForm(forms.ModelForm):
    """One side of one movement. ``degrees`` empty means not recorded, unless the slot is required."""

    class Meta:
        model = Reading
        fields = ["degrees", "pain", "end_feel", "not_tested", "not_tested_reason"]
        widgets = {
            "degrees": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal",
                                                "class": "form-control degrees-input"}),
            "pain": forms.NumberInput(attrs={"min": 0, "max": 10, "step": 1, "class": "form-control form-control-sm"}),
            "end_feel": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "not_tested": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "not_tested_reason": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        }

    def __init__(self, *args, block: Block, movement: Movement, side: Side, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.block, self.movement, self.side = block, movement, side
        self.instrument: str | None = None  # set from the block before validation
        low, high = plausibility.ACCEPTED[movement]
        message = f"{movement.label} must be between {findings.degrees(low)} and {findings.degrees(high)}."
        degrees = self.fields["degrees"]
        degrees.validators += [MinValueValidator(low, message), MaxValueValidator(high, message)]
        self.label = f"{side.label} {movement.short}" + (" (second position)" if block.name == "second" else "")
        degrees.widget.attrs.update({
            "aria-label": self.label,
            "data-side": side.value, "data-movement": movement.value, "data-block": block.name,
            "min": str(low), "max": str(high),
        })
        warn = plausibility.WARN.get(movement)
        if warn:
            degrees.widget.attrs.update({"data-warn-min": str(warn[0]), "data-warn-max": str(warn[1])})
        self.fields["end_feel"].required = False
        self.fields["not_tested_reason"].widget.attrs["placeholder"] = "e.g. too painful to lie prone"
        for name in ("pain", "end_feel", "not_tested", "not_tested_reason"):
            self.fields[name].widget.attrs["aria-label"] = f"{self.label}: {self.fields[name].label}"

    @property
    def has_details(self) -> bool:
        """Whether anything beyond the value was entered (the details section opens for it)."""
        if not self.is_bound:
            return bool(self.instance.pk and (self.instance.pain is not None or self.instance.not_tested
                                              or self.instance.end_feel != "not_tested"))
        data = self.data
        return bool(data.get(self.add_prefix("pain")) or data.get(self.add_prefix("not_tested"))
                    or data.get(self.add_prefix("not_tested_reason"))
                    or data.get(self.add_prefix("end_feel"), "not_tested") != "not_tested")

    def clean_end_feel(self) -> str:
        return self.cleaned_data.get("end_feel") or EndFeel.NOT_TESTED

    def clean(self) -> dict:
        cleaned = super().clean()
        value, not_tested = cleaned.get("degrees"), cleaned.get("not_tested")
        if value is None and not not_tested:
            # An empty slot is not saved, so the model's value-or-reason constraint does not apply.
            self._validate_constraints = False
        if value is not None and not_tested:
            self.add_error("not_tested", "Either enter a value or tick “not tested”, not both.")
        elif not_tested and not cleaned.get("not_tested_reason", "").strip():
            self.add_error("not_tested_reason", "Say why it was not tested.")
        elif value is None and not not_tested and "degrees" not in self.errors:
            details = cleaned.get("pain") is not None or cleaned.get("end_feel", "not_tested") != "not_tested"
            if self.block.required:
                self.add_error("degrees", "Enter the value, or tick “not tested” with a reason.")
            elif details:
                self.add_error("degrees", "Enter the value for the pain and end-feel given, or clear them.")
        if (value is not None and self.instrument and self.instrument != Instrument.DIGITAL_INCLINOMETER
                and (value * 2) % 1):
            self.add_error("degrees", "Use whole or half degrees (like 27.5); tenths need a digital inclinometer.")
        return cleaned

    @property
    def records_something(self) -> bool:
        return self.cleaned_data.get("degrees") is not None or bool(self.cleaned_data.get("not_tested"))

    def as_reading(self, setting: dict[str, str]) -> findings.Reading:
        data = self.cleaned_data
        return findings.Reading(
            side=self.side, movement=self.movement, degrees=None if data.get("not_tested") else data.get("degrees"),
            position=setting["position"], mode=setting["mode"], instrument=setting["instrument"],
            pain=data.get("pain"), end_feel=data.get("end_feel", "not_tested"),
        )


class ConfirmForm(forms.Form):
    """Confirmation of implausible values. ``warnings_key`` ties a tick to the warnings it answered,
    so changing a value to another unusual one asks again."""

    confirm = forms.BooleanField(required=False, label="I have checked these values and they are right",
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    warnings_key = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def key_for(warnings: list[str]) -> str:
        return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]


def _block_of(assessment: Assessment) -> dict[str, list[Reading]]:
    """Split saved readings into the entry blocks: extension; the rotation setting of the first
    reading saved (the main block); any other rotation setting (the second block)."""
    groups: dict[str, list[Reading]] = {"main": [], "second": [], "extension": []}
    main_setting = None
    for reading in sorted(assessment.readings.all(), key=lambda r: r.pk):
        if reading.movement == Movement.EXTENSION:
            groups["extension"].append(reading)
            continue
        setting = (reading.position, reading.mode)
        main_setting = main_setting or setting
        groups["main" if setting == main_setting else "second"].append(reading)
    return groups


class AssessmentEntry:
    """Everything the entry screen submits, validated and saved together."""

    def __init__(self, data=None, *, athlete: Athlete, clinic: Clinic, user: User,
                 instance: Assessment | None = None) -> None:
        self.athlete, self.user = athlete, user
        self.instance = instance or Assessment(athlete=athlete, clinician=user, assessed_on=timezone.localdate())
        self.assessment_form = AssessmentForm(data, instance=self.instance, athlete=athlete, clinic=clinic,
                                              prefix="assessment")
        if self.instance.pk:
            concurrency.track(self.assessment_form, self.instance)
        else:
            submissions.carry(self.assessment_form)
        defaults = AssessmentDefaults.for_clinic(clinic)
        saved = _block_of(self.instance) if self.instance.pk else {}
        # Validation writes the submitted values onto the reading instances: remember the saved ones.
        self.saved_values = {_reading_key(r): _reading_values(r) for rows in saved.values() for r in rows}
        self.block_forms: dict[str, BlockForm] = {}
        self.reading_forms: dict[str, dict[Movement, dict[Side, ReadingForm]]] = {}
        for block in BLOCKS:
            readings = saved.get(block.name, [])
            initial = {"position": defaults.position, "mode": defaults.mode, "instrument": defaults.instrument}
            if block.name == "second":
                initial["position"] = (Position.SEATED_90_90 if defaults.position == Position.PRONE
                                       else Position.PRONE)
            if readings:
                initial = {"position": readings[0].position, "mode": readings[0].mode,
                           "instrument": readings[0].instrument}
            self.block_forms[block.name] = BlockForm(data, block=block, prefix=block.name, initial=initial)
            by_slot = {(r.movement, r.side): r for r in readings}
            self.reading_forms[block.name] = {
                movement: {
                    side: ReadingForm(data, block=block, movement=movement, side=side,
                                      prefix=f"{block.name}-{movement.value}-{side.value}",
                                      instance=by_slot.get((movement.value, side.value)) or Reading())
                    for side in SIDES
                }
                for movement in block.movements
            }
        self.confirm_form = ConfirmForm(data, prefix="plausibility")
        self.warnings: list[str] = []
        if data is None:  # the common case starts at the left IR
            first = self.reading_forms["main"][Movement.IR][Side.LEFT]
            first.fields["degrees"].widget.attrs["autofocus"] = True

    # --- Iteration for the template ----------------------------------------------------------------

    def blocks(self) -> list[dict]:
        return [
            {"block": block, "form": self.block_forms[block.name],
             "rows": [{"movement": m, "sides": [forms_[Side.LEFT], forms_[Side.RIGHT]]}
                      for m, forms_ in self.reading_forms[block.name].items()],
             "has_values": any(f.is_bound and f.data.get(f.add_prefix("degrees")) or f.instance.pk
                               for forms_ in self.reading_forms[block.name].values() for f in forms_.values()),
             "has_details": any(f.has_details for forms_ in self.reading_forms[block.name].values()
                                for f in forms_.values()),
             "has_errors": any(f.errors for forms_ in self.reading_forms[block.name].values()
                               for f in forms_.values()) or bool(self.block_forms[block.name].errors)}
            for block in BLOCKS
        ]

    def all_reading_forms(self) -> list[tuple[Block, ReadingForm]]:
        return [(block, form) for block in BLOCKS for forms_ in self.reading_forms[block.name].values()
                for form in forms_.values()]

    # --- Validation --------------------------------------------------------------------------------

    def is_valid(self) -> bool:
        valid = self.assessment_form.is_valid()
        for block in BLOCKS:
            block_form = self.block_forms[block.name]
            valid = block_form.is_valid() and valid
            instrument = block_form.cleaned_data.get("instrument") if block_form.is_bound else None
            for form in (f for forms_ in self.reading_forms[block.name].values() for f in forms_.values()):
                form.instrument = instrument
                valid = form.is_valid() and valid
        if not valid:
            return False
        main, second = self.block_forms["main"].setting(), self.block_forms["second"].setting()
        if self._records("second") and (main["position"], main["mode"]) == (second["position"], second["mode"]):
            self.block_forms["second"].add_error(
                "position", "Choose a position or mode different from the first block, or clear these values.")
            return False
        self.warnings = plausibility.warnings(self.readings())
        if self.warnings:
            key = ConfirmForm.key_for(self.warnings)
            self.confirm_form.is_valid()
            confirmed = self.confirm_form.cleaned_data.get("confirm") and (
                self.confirm_form.cleaned_data.get("warnings_key") == key)
            # A fresh, unticked box whenever the warnings differ from the ones last confirmed.
            self.confirm_form = ConfirmForm(prefix="plausibility", initial={"warnings_key": key})
            if not confirmed:
                return False
        return True

    def _records(self, block_name: str) -> bool:
        return any(f.records_something for forms_ in self.reading_forms[block_name].values() for f in forms_.values())

    def readings(self) -> list[findings.Reading]:
        """The validated readings as the findings rules see them (only the slots filled in)."""
        result = []
        for block in BLOCKS:
            setting = self.block_forms[block.name].setting()
            for forms_ in self.reading_forms[block.name].values():
                result += [f.as_reading(setting) for f in forms_.values() if f.records_something]
        return result

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)

    @property
    def arc_warn(self) -> tuple:
        return plausibility.ARC_WARN

    @property
    def has_errors(self) -> bool:
        """Whether a value on the page is marked with an error. The assessment form's non-field
        error (a colleague saved first) has its own message at the top and marks no value."""
        forms_ = [*self.block_forms.values(), *(f for _, f in self.all_reading_forms())]
        own = self.assessment_form
        return (own.is_bound and bool(own.errors.keys() - {NON_FIELD_ERRORS})) or any(
            f.is_bound and f.errors for f in forms_)

    # --- Saving ------------------------------------------------------------------------------------

    @transaction.atomic
    def save(self, request: HttpRequest) -> tuple[Assessment, list[str]]:
        """Save the assessment and its readings; return it with the names of what changed."""
        creating = self.instance.pk is None
        assessment = self.assessment_form.save(commit=False)
        if creating:
            assessment.created_by = self.user
        assessment.save()
        changed = list(self.assessment_form.changed_data)
        rows = []
        for block in BLOCKS:
            setting = self.block_forms[block.name].setting()
            for form in (f for forms_ in self.reading_forms[block.name].values() for f in forms_.values()):
                if not form.records_something:
                    continue
                data = form.cleaned_data
                rows.append(Reading(
                    assessment=assessment, side=form.side, movement=form.movement, **setting,
                    degrees=None if data["not_tested"] else data["degrees"], pain=data.get("pain"),
                    end_feel=data["end_feel"], not_tested=data["not_tested"],
                    not_tested_reason=data["not_tested_reason"].strip() if data["not_tested"] else "",
                ))
        if not creating and {_reading_key(r): _reading_values(r) for r in rows} != self.saved_values:
            changed.append("readings")
        _store_readings(assessment, rows)
        if creating:
            filled = self.assessment_form.cleaned_data.items()
            changed = [name for name, value in filled if value not in (None, "", False)]
            changed.append("readings")
        audit.record("create" if creating else "update", request=request, target=assessment, fields=changed)
        return assessment, changed


def _store_readings(assessment: Assessment, rows: list[Reading]) -> None:
    """Make the assessment's readings ``rows``, in place: a reading of the same side, movement,
    position and mode keeps its row (and id), updated where a value changed; slots emptied are
    deleted, new ones created."""
    # Fresh from the database: validation wrote the submitted values onto the prefetched readings.
    saved = {_reading_key(r): r for r in Reading.objects.filter(assessment=assessment)}
    fields = ["instrument", "degrees", "pain", "end_feel", "not_tested", "not_tested_reason"]
    new, changed = [], []
    for row in rows:
        reading = saved.pop(_reading_key(row), None)
        if reading is None:
            new.append(row)
        elif _reading_values(reading) != _reading_values(row):
            for name in fields:
                setattr(reading, name, getattr(row, name))
            changed.append(reading)
    Reading.objects.filter(pk__in=[r.pk for r in saved.values()]).delete()
    Reading.objects.bulk_update(changed, fields)
    Reading.objects.bulk_create(new)


def _reading_key(reading: Reading) -> tuple:
    return reading.side, reading.movement, reading.position, reading.mode


def _reading_values(reading: Reading) -> tuple:
    return (reading.degrees, reading.instrument, reading.pain, reading.end_feel, reading.not_tested,
            reading.not_tested_reason)


class AssessmentDefaultsForm(forms.ModelForm):
    class Meta:
        model = AssessmentDefaults
        fields = ["position", "mode", "instrument"]
        labels = {"position": "Usual position for hip rotation", "mode": "Usual mode"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Row(Column("position"), Column("mode"), Column("instrument")))
        self.helper.add_input(Submit("submit", "Save defaults"))


class ReferenceValueForm(forms.ModelForm):
    """A clinic's own values for one reference key (the key itself is the shipped row's)."""

    class Meta:
        model = ReferenceValue
        fields = ["mean", "sd", "threshold", "band_low", "band_high", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("mean", "sd", "threshold", "band_low", "band_high"):
            self.fields[name].widget.attrs["step"] = "0.1"
        self.fields["source"].help_text = "Where your numbers come from; shown beside every finding that uses them."
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("mean"), Column("sd"), Column("threshold")),
            Row(Column("band_low"), Column("band_high")),
            Field("source"),
        )
        self.helper.add_input(Submit("submit", "Use these values in my clinic"))

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high = cleaned.get("band_low"), cleaned.get("band_high")
        if low is not None and high is not None and low > high:
            self.add_error("band_high", "The end of the usual range must not be below its start.")
        if cleaned.get("sd") is not None and cleaned["sd"] < 0:
            self.add_error("sd", "A standard deviation cannot be negative.")
        return cleaned


class MdcSettingForm(forms.ModelForm):
    class Meta:
        model = MdcSetting
        fields = ["degrees", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["degrees"].min_value = Decimal("0.5")
        self.fields["degrees"].max_value = Decimal(45)
        self.helper = FormHelper()
        self.helper.layout = Layout(Div("degrees", css_class="col-sm-4"), "source")
        self.helper.add_input(Submit("submit", "Use this value in my clinic"))

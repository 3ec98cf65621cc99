"""Forms of the exercise library: clinic exercises, their pictures, program templates and the
library's filters. Layouts live in each form's crispy helper."""

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.urls import reverse

from exercises.dosage import RANGES, Dosage, range_validators
from exercises.models import (
    HIP_FAMILIES,
    Equipment,
    Exercise,
    Family,
    Finding,
    ProgramTemplate,
    ProgramTemplateItem,
    Region,
)
from runphys import uploads
from runphys.models import User


class LinesField(forms.CharField):
    """A list of sentences typed one per line (steps, cues, faults, cautions)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        # CharField's own NUL check sees the list, not the lines; PostgreSQL's JSON refuses \u0000.
        if any("\x00" in line for line in value):
            raise forms.ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
        # The number of lines and their length: the model field's (exercises.models.TextLinesField).


def use_dosage_ranges(form: forms.BaseForm) -> None:
    """Give the numeric dosage inputs the §6 ranges: clear messages, and min/max for the browser."""
    for name, (low, high, _) in RANGES.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.validators = [
            v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ] + range_validators(name)
        field.widget.attrs.update({"min": low, "max": high})


def dosage_layout() -> Div:
    return Div(
        Row(Column("sets", css_class="col-6 col-md-3"), Column("reps", css_class="col-6 col-md-3"),
            Column("hold_seconds", css_class="col-6 col-md-3"), Column("rest_seconds", css_class="col-6 col-md-3")),
        Row(Column("sessions_per_day", css_class="col-6 col-md-3"), Column("days_per_week", css_class="col-6 col-md-3"),
            Column("side", css_class="col-6 col-md-3"), Column("tempo", css_class="col-6 col-md-3")),
        Row(Column("load", css_class="col-6 col-md-3"), Column("load_kg", css_class="col-6 col-md-3"),
            Column("band_colour", css_class="col-6 col-md-3"), Column("pain_ceiling", css_class="col-6 col-md-3")),
        "progression_criterion",
    )


# The family drop-downs group the hip families (the ones findings are treated with) apart.
FAMILY_GROUPS = [
    ("Hip work, suggested for the assessment's findings", [(f.value, f.label) for f in HIP_FAMILIES]),
    ("Any region", [(f.value, f.label) for f in Family if f not in HIP_FAMILIES]),
]


class ExerciseForm(forms.ModelForm):
    addresses = forms.MultipleChoiceField(
        label="Addresses", choices=Finding.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="The assessment's findings (about the hip) it is suggested for; none for other regions.",
    )
    equipment = forms.MultipleChoiceField(choices=Equipment.choices, widget=forms.CheckboxSelectMultiple)
    steps = LinesField(help_text="One step per line, in order.")
    cues = LinesField(label="Coaching cues", required=False, help_text="One per line.")
    faults = LinesField(label="Common faults", required=False, help_text="One per line.")
    cautions = LinesField(required=False, help_text="When not to do it, or when to stop. One per line.")
    start_picture = forms.FileField(
        label="Start position picture", required=False,
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
        help_text="JPEG, PNG or WebP, at most 5 MB. Replaces the current picture.",
    )
    end_picture = forms.FileField(
        label="End position picture", required=False,
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
        help_text="JPEG, PNG or WebP, at most 5 MB. Replaces the current picture.",
    )
    remove_start_picture = forms.BooleanField(label="Remove the uploaded start picture", required=False)
    remove_end_picture = forms.BooleanField(label="Remove the uploaded end picture", required=False)

    class Meta:
        model = Exercise
        fields = [
            "name", "summary", "region", "family", "addresses", "is_stretch", "equipment", "starting_position", "steps",
            "cues", "faults", "cautions", *Dosage.DOSAGE_FIELDS, "progression", "regression", "progression_note",
            "start_picture", "end_picture", "video_url", "credit",
        ]
        widgets = {
            "starting_position": forms.Textarea(attrs={"rows": 3}),
            "progression_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        use_dosage_ranges(self)
        self.fields["family"].choices = [("", "---------"), *FAMILY_GROUPS]
        # Active exercises the clinic can see, plus the ones already linked (they may be archived since).
        linked = [pk for pk in (self.instance.progression_id, self.instance.regression_id) if pk]
        linkable = (Exercise.objects.for_user(user) | Exercise.objects.filter(pk__in=linked)).exclude(
            pk=self.instance.pk).order_by("name")
        for name in ("progression", "regression"):
            self.fields[name].queryset = linkable
            self.fields[name].to_field_name = "code"
        self.stored_pictures = {p: getattr(self.instance, f"{p}_picture").name for p in Exercise.Picture.values}
        picture_fields = ["start_picture", "end_picture"]
        for position in Exercise.Picture.values:
            if self.stored_pictures[position]:
                picture_fields.append(f"remove_{position}_picture")
            else:
                del self.fields[f"remove_{position}_picture"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("About the exercise", "name", "summary", Row(Column("region"), Column("family")),
                     InlineCheckboxes("addresses"), "is_stretch",
                     InlineCheckboxes("equipment")),
            Fieldset("Instructions", "starting_position", "steps", "cues", "faults", "cautions"),
            Fieldset("Default dosage", dosage_layout()),
            Fieldset("Progression", Row(Column("progression"), Column("regression")), "progression_note"),
            Fieldset("Pictures", HTML('{% include "exercises/_form_pictures.html" %}'), *picture_fields),
            Fieldset("Links and credit", "video_url", "credit"),
        )
        self.helper.add_input(Submit("submit", "Save exercise"))

    def clean_picture(self, position: str):
        value = self.cleaned_data.get(f"{position}_picture")
        if isinstance(value, UploadedFile):
            return uploads.clean(value)
        return value  # the stored picture, or None: unchanged

    def clean_start_picture(self):
        return self.clean_picture(Exercise.Picture.START)

    def clean_end_picture(self):
        return self.clean_picture(Exercise.Picture.END)

    def clean(self) -> dict:
        cleaned = super().clean()
        for position in Exercise.Picture.values:
            new_upload = isinstance(cleaned.get(f"{position}_picture"), ContentFile)
            if cleaned.get(f"remove_{position}_picture") and not new_upload:
                cleaned[f"{position}_picture"] = False  # FileField: False clears, None keeps
        return cleaned

    def save(self, commit: bool = True) -> Exercise:
        exercise = super().save(commit=commit)
        if commit:
            # A replaced or removed picture is deleted from storage once the new state is committed.
            for position, old_name in self.stored_pictures.items():
                uploads.delete_replaced(old_name, getattr(exercise, f"{position}_picture"))
        return exercise


class ExerciseFilterForm(forms.Form):
    """The library's search box and filters. Unknown values are ignored rather than shown as errors."""

    OWNERS = [("", "All exercises"), ("shipped", "RunPhys library"), ("clinic", "My clinic's")]

    q = forms.CharField(label="Search", required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "autocomplete": "off", "placeholder": "Name, body region or a word from the steps",
    }))
    family = forms.ChoiceField(choices=[("", "Any family"), *FAMILY_GROUPS], required=False)
    region = forms.ChoiceField(choices=[("", "Any region"), *Region.choices], required=False)
    finding = forms.ChoiceField(label="Addresses", choices=[("", "Any finding"), *Finding.choices], required=False)
    equipment = forms.ChoiceField(choices=[("", "Any equipment"), *Equipment.choices], required=False)
    owner = forms.ChoiceField(label="From", choices=OWNERS, required=False)
    archived = forms.BooleanField(label="Include archived", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        url = reverse("exercises:list")
        # Live search: typing (debounced) or changing a filter swaps in the results partial; the
        # same form submits normally without JavaScript.
        self.fields["q"].widget.attrs.update({"hx-get": url, "hx-trigger": "input changed delay:300ms, search"})
        for name in ("region", "family", "finding", "equipment", "owner", "archived"):
            self.fields[name].widget.attrs.update({"hx-get": url, "hx-trigger": "change"})
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "exercise-filters"
        self.helper.disable_csrf = True
        self.helper.attrs = {
            "role": "search", "hx-get": url, "hx-trigger": "submit", "hx-target": "#exercise-results",
            "hx-swap": "outerHTML", "hx-push-url": "true", "hx-include": "closest form",
        }
        self.helper.layout = Layout(
            Row(Column("q", css_class="col-md-6"), Column("region", css_class="col-md-3"),
                Column("family", css_class="col-md-3")),
            Row(Column("finding", css_class="col-md-3"), Column("equipment", css_class="col-md-3"),
                Column("owner", css_class="col-md-2"), Column("archived", css_class="col-md-2 pt-md-4"),
                Column(Submit("search", "Search", css_class="btn-runphys"), css_class="col-md-2 pt-md-4 text-md-end")),
        )

    def values(self) -> dict:
        if self.is_valid():
            return self.cleaned_data
        return {name: self.cleaned_data.get(name, "") for name in self.fields if name not in self.errors}

    def apply(self, queryset: QuerySet[Exercise]) -> QuerySet[Exercise]:
        values = self.values()
        if values.get("q"):
            queryset = queryset.search(values["q"])
        if values.get("region"):
            queryset = queryset.in_region(values["region"])
        if values.get("family"):
            queryset = queryset.in_family(values["family"])
        if values.get("finding"):
            queryset = queryset.addressing(values["finding"])
        if values.get("equipment"):
            queryset = queryset.with_equipment(values["equipment"])
        if values.get("owner") == "shipped":
            queryset = queryset.shipped()
        elif values.get("owner") == "clinic":
            queryset = queryset.filter(clinic__isnull=False)
        return queryset

    @property
    def include_archived(self) -> bool:
        return bool(self.values().get("archived"))

    @property
    def is_filtered(self) -> bool:
        return any(self.values().get(name) for name in self.fields)


class ExercisePickerForm(ExerciseFilterForm):
    """The program builder's picker: the library search (names, steps, cues, regions) with the
    region and family filters. ``url`` answers with the results alone (htmx); without JavaScript
    the form submits to ``page_url``, the builder's own page, which shows the same results."""

    RESULTS = 12
    FILTERS = ("q", "region", "family")

    def __init__(self, *args, url: str, page_url: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FILTERS:
                del self.fields[name]
        self.fields["q"].label = "Find an exercise"
        self.fields["q"].widget.attrs.update({"hx-get": url, "placeholder": "Name, region or a word from the steps"})
        for name in ("region", "family"):
            self.fields[name].widget.attrs["hx-get"] = url
        self.helper.form_id = "exercise-picker"
        self.helper.form_action = f"{page_url}#exercise-picker"
        self.helper.attrs = {
            "role": "search", "hx-get": url, "hx-trigger": "submit", "hx-target": "#picker-results",
            "hx-swap": "outerHTML", "hx-include": "closest form",
        }
        self.helper.layout = Layout(
            Row(Column("q", css_class="col-12 col-md-6"), Column("region", css_class="col-6 col-md-3"),
                Column("family", css_class="col-6 col-md-3")),
            Submit("search", "Search", css_class="btn-runphys btn-sm mb-2"),
        )

    def results(self, exercises: QuerySet[Exercise]) -> tuple[list[Exercise], int]:
        """The first matches by name and how many match (two queries, whatever the library's size)."""
        matching = self.apply(exercises).order_by("name", "pk")
        return list(matching[: self.RESULTS]), matching.count()


class ProgramTemplateForm(forms.ModelForm):
    class Meta:
        model = ProgramTemplate
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TemplateItemForm(forms.ModelForm):
    """One exercise of a template: its dose within the §6 ranges, the note and the reason in the
    athlete's words. The page puts the form tag and its Save and Cancel around it."""

    class Meta:
        model = ProgramTemplateItem
        fields = [*Dosage.DOSAGE_FIELDS, "notes", "reason"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        use_dosage_ranges(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(dosage_layout(), "notes", "reason")

"""Forms for programs: the version's details, a suggested draft, items and their dosage.

Layouts live in each form's crispy helper. Every choice of an exercise or a template is limited to
what the user's clinic may prescribe (shipped and its own, not archived), so an exercise of another
clinic can never enter a program through a form.
"""

import uuid
from datetime import timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row, Submit
from django import forms
from django.utils import timezone

from assessments.programs.models import (
    COMMENT_MAX,
    FEELS,
    HANDOUT_NOTE_MAX,
    HandoutEmail,
    ProgramItem,
    ProgramVersion,
)
from assessments.programs.suggestions import Suggestions
from exercises.dosage import Dosage
from exercises.forms import dosage_layout, use_dosage_ranges
from exercises.models import Exercise, ProgramTemplate
from runphys.models import User

DEFAULT_TITLE = "Hip program"
DEFAULT_REVIEW_WEEKS = 4


class ProgramDetailsForm(forms.ModelForm):
    """Title, physio and dates of a draft version."""

    class Meta:
        model = ProgramVersion
        fields = ["title", "clinician", "starts_on", "review_on"]
        labels = {"clinician": "Physio named on the handout"}
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user: User, submit: str | None = "Save details", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = User.objects.members_of(user.clinic, keeping=self.instance.clinician_id)
        if self.instance.pk is None:
            today = timezone.localdate()
            self.initial.setdefault("title", DEFAULT_TITLE)
            self.initial.setdefault("clinician", user.pk)
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("review_on", today + timedelta(weeks=DEFAULT_REVIEW_WEEKS))
        self.helper = FormHelper()
        self.helper.form_tag = submit is not None
        self.helper.layout = Layout(
            Row(Column("title", css_class="col-md-6"), Column("clinician", css_class="col-md-6")),
            Row(Column("starts_on", css_class="col-6 col-md-3"), Column("review_on", css_class="col-6 col-md-3")),
        )
        if submit:
            self.helper.add_input(Submit("submit", submit))

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, review_on = cleaned.get("starts_on"), cleaned.get("review_on")
        if starts_on and review_on and review_on < starts_on:
            self.add_error("review_on", "The review date cannot be before the start date.")
        return cleaned

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SuggestionsForm(forms.Form):
    """Which suggested exercises go into the new draft (all, unless unticked), and optionally a
    template to add after them."""

    exercises = forms.MultipleChoiceField(label="Suggested exercises", required=False,
                                          widget=forms.CheckboxSelectMultiple)
    template = forms.ModelChoiceField(label="Also add a template", queryset=ProgramTemplate.objects.none(),
                                      required=False, to_field_name="code",
                                      help_text="Its exercises follow the suggestions, with the template's dosages.")

    def __init__(self, *args, user: User, suggestions: Suggestions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.fields["exercises"].choices = [(str(s.exercise.code), s.exercise.name) for s in suggestions.items]
        self.initial.setdefault("exercises", [str(s.exercise.code) for s in suggestions.items])
        self.fields["template"].queryset = ProgramTemplate.objects.for_user(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The suggestions are laid out by the page (each beside its reason); only the template here.
        self.helper.layout = Layout(Div("template", css_class="col-md-6"))

    def chosen(self) -> list:
        wanted = set(self.cleaned_data["exercises"])
        return [s for s in self.suggestions.items if str(s.exercise.code) in wanted]


class NewProgramForm(forms.Form):
    """A program written without a new assessment: empty, or from a template."""

    template = forms.ModelChoiceField(label="Start from a template", queryset=ProgramTemplate.objects.none(),
                                      required=False, to_field_name="code",
                                      help_text="Leave empty to start with no exercises.")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ProgramTemplate.objects.for_user(user)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Div("template", css_class="col-md-6"))


class AddExerciseForm(forms.Form):
    exercise = forms.ModelChoiceField(label="Exercise", queryset=Exercise.objects.none(), to_field_name="code",
                                      empty_label="Choose an exercise…")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = Exercise.objects.for_user(user).only("code", "name")
        self.fields["exercise"].widget.attrs["class"] = "form-select"


class AddTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label="Template", queryset=ProgramTemplate.objects.none(),
                                      to_field_name="code", empty_label="Choose a template…")

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ProgramTemplate.objects.for_user(user)
        self.fields["template"].widget.attrs["class"] = "form-select"


class ProgramItemForm(forms.ModelForm):
    """The dosage of one item within the §6 ranges, its side and the note for the athlete. The
    page puts the form tag and its Save and Cancel around it (in place in the list, or on its own)."""

    class Meta:
        model = ProgramItem
        fields = [*Dosage.DOSAGE_FIELDS, "notes"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        use_dosage_ranges(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(dosage_layout(), Field("notes"))


class SaveAsTemplateForm(forms.ModelForm):
    """"Save as template" on a version: the template's name and what it is for."""

    class Meta:
        model = ProgramTemplate
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"name": "How your clinic will find it, e.g. “IR in extension — phase 1”. "
                              "Nothing that names the athlete: every physio of the clinic sees it."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save as template"))


# --- Emailing handouts ---------------------------------------------------------------------------


class SendHandoutForm(forms.Form):
    """The physio's personal note, and a one-time key: the same confirmation page submitted twice
    sends once.

    The note is counted after its line endings are made ``\n``: a browser counts a line break as
    one character against ``maxlength`` but posts it as two (CR LF), so a note the textarea took
    whole is never refused for its line breaks."""

    note = forms.CharField(
        required=False, label="Personal note (optional)",
        help_text=f"Shown once, above the clinic's message, in this email only. Up to {HANDOUT_NOTE_MAX} characters.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": HANDOUT_NOTE_MAX, "data-testid": "send-note",
                                     "aria-describedby": "note-count", "data-count-into": "note-count"}),
    )
    request_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["request_key"] = uuid.uuid4()

    def clean_note(self) -> str:
        note = "\n".join(self.cleaned_data["note"].splitlines()).strip()
        if len(note) > HANDOUT_NOTE_MAX:
            raise forms.ValidationError(
                f"A personal note can be at most {HANDOUT_NOTE_MAX} characters; this one has {len(note)}. "
                "Shorten it and send again.")
        return note


class HandoutEmailForm(forms.ModelForm):
    class Meta:
        model = HandoutEmail
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save message"))


# --- The athlete's own view -------------------------------------------------------------------------

class ExerciseLogForm(forms.Form):
    """One tap on the athlete's page: an exercise done (with its pain and feel), or undone."""

    item = forms.UUIDField()
    day = forms.DateField()
    pain = forms.TypedChoiceField(choices=[("", "—")] + [(str(n), str(n)) for n in range(11)], coerce=int,
                                  empty_value=None, required=False, label="Pain during it (0–10)")
    feel = forms.ChoiceField(choices=[("", "—"), *FEELS], required=False, label="How it felt")
    undo = forms.BooleanField(required=False)

    def __init__(self, *args, today, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day not in (self.today, self.today - timedelta(days=1)):
            raise forms.ValidationError("Only today and yesterday can be logged.")
        return day


class DayCommentForm(forms.Form):
    text = forms.CharField(label="Anything to tell your physio about today?", max_length=COMMENT_MAX,
                           required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}))

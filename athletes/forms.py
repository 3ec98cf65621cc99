"""Forms of the athletes app. Each form's layout lives in its crispy-forms helper."""

from datetime import date
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row, Submit
from django import forms
from django.http import HttpRequest
from django.utils import timezone

from athletes.models import MAX_LONG_RUN_KM, MAX_WEEKLY_VOLUME_KM, Athlete, AthleteQuerySet, km_from, km_to
from runphys import throttle
from runphys.models import User

MIN_AGE, MAX_AGE = 10, 100
TREATING_LOCKED = "Only a clinic admin or the treating clinician can change who treats this athlete."
PAGE_SIZES = (25, 50, 100)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AthleteForm(forms.ModelForm):
    """Create or edit an athlete. Distances are typed in the clinic's unit and stored in km."""

    weekly_volume = forms.DecimalField(required=False, min_value=0, max_digits=6, decimal_places=1)
    long_run = forms.DecimalField(required=False, min_value=0, max_digits=6, decimal_places=1)

    class Meta:
        model = Athlete
        fields = [
            "first_name", "last_name", "date_of_birth", "sex", "email", "phone", "primary_clinician",
            "sport", "training_days_per_week", "years_running", "goal_event", "goal_event_on", "dominant_leg",
            "complaint_side", "complaint_onset_on", "complaint", "injury_history", "notes",
            "consent_email", "privacy_info_given_on",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "goal_event_on": DateInput(),
            "complaint_onset_on": DateInput(),
            "privacy_info_given_on": DateInput(),
            "complaint": forms.Textarea(attrs={"rows": 3}),
            "injury_history": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"primary_clinician": "Treating clinician", "consent_email": "Agrees to receive email from the clinic"}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        clinic = user.clinic
        self.unit = clinic.distance_unit
        self.fields["primary_clinician"].queryset = User.objects.members_of(
            clinic, keeping=self.instance.primary_clinician_id)
        self.fields["primary_clinician"].label_from_instance = lambda member: member.full_name or member.email
        if self.instance._state.adding:
            self.fields["primary_clinician"].initial = user.pk
        elif not self.instance.treating_clinician_can_be_changed_by(user):
            self.fields["primary_clinician"].disabled = True
            self.fields["primary_clinician"].help_text = TREATING_LOCKED
        self.fields["weekly_volume"].label = f"Weekly running volume ({self.unit})"
        self.fields["long_run"].label = f"Typical long run ({self.unit})"
        self.fields["weekly_volume"].initial = km_to(self.instance.weekly_volume_km, self.unit)
        self.fields["long_run"].initial = km_to(self.instance.long_run_km, self.unit)
        self.fields["email"].help_text = "Handouts and reminders go here, only if the athlete agrees below."
        self.fields["consent_email"].help_text = "RunPhys records when this answer was given and by whom."

        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "Athlete",
                Row(Column("first_name", css_class="col-md-6"), Column("last_name", css_class="col-md-6")),
                Row(Column("date_of_birth", css_class="col-md-4"), Column("sex", css_class="col-md-4"),
                    Column("primary_clinician", css_class="col-md-4")),
                Row(Column("email", css_class="col-md-6"), Column("phone", css_class="col-md-6")),
            ),
            Fieldset(
                "Running",
                Row(Column("sport", css_class="col-md-4"),
                    Column("weekly_volume", css_class="col-md-4"), Column("long_run", css_class="col-md-4")),
                Row(Column("training_days_per_week", css_class="col-md-4"),
                    Column("years_running", css_class="col-md-4"), Column("dominant_leg", css_class="col-md-4")),
                Row(Column("goal_event", css_class="col-md-8"), Column("goal_event_on", css_class="col-md-4")),
            ),
            Fieldset(
                "Complaint and history",
                Row(Column("complaint_side", css_class="col-md-4"), Column("complaint_onset_on", css_class="col-md-4")),
                "complaint",
                "injury_history",
                "notes",
            ),
            Fieldset(
                "Consent and information",
                Row(Column(Field("consent_email"), css_class="col-md-6"),
                    Column("privacy_info_given_on", css_class="col-md-6")),
            ),
        )
        self.helper.add_input(Submit("submit", "Save athlete"))

    def _distance_km(self, name: str, maximum_km: int, what: str) -> Decimal | None:
        km = km_from(self.cleaned_data.get(name), self.unit)
        if km is not None and km > maximum_km:
            limit = km_to(Decimal(maximum_km), self.unit)
            raise forms.ValidationError(f"{what} must be between 0 and {limit} {self.unit}.")
        return km

    def clean_weekly_volume(self) -> Decimal | None:
        return self._distance_km("weekly_volume", MAX_WEEKLY_VOLUME_KM, "Weekly volume")

    def clean_long_run(self) -> Decimal | None:
        return self._distance_km("long_run", MAX_LONG_RUN_KM, "A long run")

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born >= today:
            raise forms.ValidationError("The date of birth must be in the past.")
        age = age_on(born, today)
        if not MIN_AGE <= age <= MAX_AGE:
            raise forms.ValidationError(
                f"This date makes the athlete {age}; RunPhys records athletes aged {MIN_AGE} to {MAX_AGE}."
            )
        return born

    def clean_goal_event_on(self) -> date | None:
        day = self.cleaned_data.get("goal_event_on")
        # Only a newly typed date must lie ahead: an event that has passed since does not block other edits.
        if day and "goal_event_on" in self.changed_data and day < timezone.localdate():
            raise forms.ValidationError("The goal event date cannot be in the past.")
        return day

    def clean_complaint_onset_on(self) -> date | None:
        day = self.cleaned_data.get("complaint_onset_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The complaint cannot begin in the future.")
        return day

    def clean_privacy_info_given_on(self) -> date | None:
        day = self.cleaned_data.get("privacy_info_given_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("The information cannot have been given in the future.")
        return day

    def clean_primary_clinician(self) -> User | None:
        """A disabled field keeps the stored value whatever is posted; a posted change to it (the
        browser sends none) is refused rather than ignored, so the sender learns it did not happen."""
        clinician = self.cleaned_data.get("primary_clinician")
        if self.fields["primary_clinician"].disabled:
            posted = self.data.get(self.add_prefix("primary_clinician"))
            if posted is not None and posted != str(self.instance.primary_clinician_id or ""):
                raise forms.ValidationError(TREATING_LOCKED, code="treating_locked")
        return clinician

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        born = cleaned.get("date_of_birth")
        if cleaned.get("goal_event_on") and not cleaned.get("goal_event"):
            self.add_error("goal_event", "Name the event for this date.")
        onset = cleaned.get("complaint_onset_on")
        if born and onset and onset < born:
            self.add_error("complaint_onset_on", "The complaint cannot begin before the date of birth.")
        years = cleaned.get("years_running")
        if born and years is not None and years > age_on(born, timezone.localdate()):
            self.add_error("years_running", "More years of running than years of age.")
        return cleaned

    def save(self, commit: bool = True) -> Athlete:
        """Fill the athlete in. The view saves it with ``athlete.save(request=request)`` so that the
        audit log knows who made the change; ``commit=True`` saves without an actor."""
        athlete = super().save(commit=False)
        if athlete._state.adding:
            athlete.clinic = self.user.clinic
        athlete.weekly_volume_km = self.cleaned_data["weekly_volume"]
        athlete.long_run_km = self.cleaned_data["long_run"]
        athlete.record_email_consent(self.cleaned_data["consent_email"], by=self.user)
        if commit:
            athlete.save()
        return athlete


class AthleteFilterForm(forms.Form):
    """The list page's search, filters, sort and page size. Any invalid value falls back to its default.

    Rendered by hand in ``athletes/_athlete_filters.html`` rather than by crispy-forms: it sits on the
    busiest page, and crispy's per-field templates cost more than the page's queries
    (bench/athlete_list.py). The form still parses and validates every parameter.
    """

    q = forms.CharField(required=False, max_length=100, label="Name or email")
    sport = forms.ChoiceField(required=False, choices=[("", "Any sport"), *Athlete.Sport.choices])
    status = forms.ChoiceField(required=False, choices=[("active", "Active"), ("archived", "Archived"),
                                                        ("all", "Active and archived")])
    open_findings = forms.BooleanField(required=False, label="With open findings")
    sort = forms.ChoiceField(required=False, choices=[("name", "Name"), ("last_assessed", "Last assessment")])
    per_page = forms.TypedChoiceField(required=False, choices=[(n, f"{n} a page") for n in PAGE_SIZES],
                                      coerce=int, empty_value=PAGE_SIZES[0], label="Show")

    DEFAULTS = {"q": "", "sport": "", "status": "active", "open_findings": False, "sort": "name",
                "per_page": PAGE_SIZES[0]}

    def value(self, name: str):
        """The cleaned value, or the field's default when the input was invalid or missing."""
        self.is_valid()  # cleans; a field with an error is left out of cleaned_data
        value = getattr(self, "cleaned_data", {}).get(name)
        return self.DEFAULTS[name] if value in (None, "") else value

    def values(self) -> dict:
        """Every filter's effective value, for the template."""
        return {name: self.value(name) for name in self.DEFAULTS}

    def narrows(self) -> bool:
        """Whether the filters hide some of the clinic's active athletes (for the empty-state wording)."""
        return bool(self.value("q") or self.value("sport") or self.value("open_findings")
                    or self.value("status") != "active")

    def apply(self, athletes: AthleteQuerySet) -> AthleteQuerySet:
        status = self.value("status")
        if status == "active":
            athletes = athletes.active()
        elif status == "archived":
            athletes = athletes.archived()
        if sport := self.value("sport"):
            athletes = athletes.filter(sport=sport)
        if self.value("open_findings"):
            athletes = athletes.filter(open_findings_count__gt=0)
        if text := self.value("q"):
            athletes = athletes.search(text)
        return athletes


class ErasureForm(forms.Form):
    """The clinic admin confirms with their password and that they reviewed the retention rule."""

    reviewed = forms.BooleanField(
        label="I have checked the retention rule: this record may be erased now, or the law requires it.",
    )
    password = forms.CharField(label="Your password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user: User, request: HttpRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        self.helper = FormHelper()
        self.helper.attrs = {"data-confirm": "Erase this athlete's record? This cannot be undone."}
        self.helper.add_input(Submit("submit", "Erase record", css_class="btn-danger"))

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if throttle.in_form(throttle.check_password, self.request, password, user=self.user,
                            purpose=throttle.Purpose.ERASURE) is None:
            raise forms.ValidationError("That is not your password.")
        return password

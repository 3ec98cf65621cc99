"""Forms for accounts, members and the clinic's settings. Layout lives in each form's helper."""

import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth import password_validation
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone

from runphys import audit_log, emails, uploads
from runphys.models import AuditEvent, Clinic, Invitation, Membership, User


def submit_helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "full_name", "role"]
        labels = {"full_name": "Name (optional)"}

    def __init__(self, *args, clinic: Clinic, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.helper = submit_helper("Send invitation")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This address already has a RunPhys account.")
        if Invitation.objects.filter(clinic=self.clinic, email__iexact=email).pending().exists():
            raise forms.ValidationError("An invitation to this address is still pending.")
        return email


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Password again",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, invitation: Invitation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["full_name"].initial = invitation.full_name
        self.helper = submit_helper("Create my account")

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            candidate = User(email=self.invitation.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class ClinicForm(forms.ModelForm):
    # A plain file field, not the model's ImageField's: the upload pipeline (runphys.uploads) does
    # the checking, decoding and re-encoding, and refuses too many pixels before Pillow decodes any.
    # A plain file input: the stored logo is shown beside the form through its view (a "Currently"
    # link would point at the unrouted media URL and show the stored name).
    logo = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
        help_text="JPEG, PNG or WebP, at most 5 MB. Printed at the top of every handout.")
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = Clinic
        fields = ["name", "address", "phone", "email", "logo", "paper_size", "distance_unit", "handout_footer",
                  "time_zone", "program_link_grace_days"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "handout_footer": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stored_logo = self.instance.logo.name
        if not self.stored_logo:
            del self.fields["remove_logo"]
        else:  # right under the logo field, not after the last field
            self.order_fields([*list(self.fields)[:list(self.fields).index("logo") + 1], "remove_logo"])
        self.helper = submit_helper("Save clinic settings")

    def clean_name(self) -> str:
        # The name is the From display name and the subject of the clinic's handout emails.
        name = self.cleaned_data["name"]
        if emails.line_break_in(name):
            raise forms.ValidationError("The clinic's name must be on one line: it is the sender's name and the "
                                        "subject of the clinic's emails.")
        return name

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        if zone not in zoneinfo.available_timezones():
            raise forms.ValidationError("Choose a time zone by its name, like Europe/London or America/New_York.")
        return zone

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            return uploads.clean(logo, noun="logo")
        return logo  # the stored logo, or None: unchanged

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("remove_logo") and not isinstance(cleaned.get("logo"), ContentFile):
            cleaned["logo"] = False  # FileField: False clears, None keeps
        return cleaned

    def save(self, commit: bool = True) -> Clinic:
        clinic = super().save(commit=commit)
        if commit:
            uploads.delete_replaced(self.stored_logo, clinic.logo)
        return clinic


AUDIT_LOG_FIRST_DAY, AUDIT_LOG_LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


class SecondarySubmit(Submit):
    """A second submit button beside the main one, in Bootstrap's outline style (crispy's Submit
    always adds btn-primary)."""

    field_classes = "btn btn-outline-secondary"


def start_of_day(day: date | None, days_later: int = 0) -> datetime | None:
    """Midnight at the start of ``day`` (plus ``days_later``) in the current (the clinic's) time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=days_later), time.min))


class AuditLogFilterForm(forms.Form):
    """The clinic admin's audit-log filters: athlete, person, action, date range, record code.

    An athlete is typed by name (the form is POSTed, like the athlete list's search, so the name
    stays out of URLs and access logs) or given by code (the athlete's page links here with
    ``?athlete=<code>``); a person is chosen by their membership's code. Invalid filters show
    their errors and no events, never the whole log as if unfiltered.
    """

    athlete = forms.CharField(required=False, max_length=100, label="Athlete",
                              help_text="Their name, or their code from their page.",
                              widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    member = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, to_field_name="code",
                                    label="Person", empty_label="Anyone",
                                    help_text="What they did and what was done to their account.")
    action = forms.ChoiceField(required=False, label="Action")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(required=False, max_length=64, label="Record code",
                             help_text="One record: the code in a row below.")

    def __init__(self, *args, clinic: Clinic, export_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        member = self.fields["member"]
        member.queryset = Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__full_name")
        member.label_from_instance = lambda membership: membership.user.full_name or membership.user.email
        self.fields["action"].choices = [("", "Any action"), *sorted(AuditEvent.Action.choices,
                                                                      key=lambda choice: choice[1].lower())]
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = reverse("audit_log")
        self.helper.form_id = "audit-filters"
        self.helper.attrs = {"role": "search"}
        self.helper.layout = Layout(
            Row(Column("athlete", css_class="col-md-4"), Column("member", css_class="col-md-4"),
                Column("action", css_class="col-md-4")),
            Row(Column("date_from", css_class="col-6 col-md-3"), Column("date_to", css_class="col-6 col-md-3"),
                Column("target", css_class="col-md-6")),
        )
        self.helper.add_input(Submit("filter", "Filter"))
        if export_url:
            self.helper.add_input(SecondarySubmit("export", "Download CSV", formaction=export_url))

    def clean_athlete(self) -> list[uuid.UUID] | None:
        """The codes of the athletes meant: the one whose code was given, or those the name matches."""
        text = " ".join(self.cleaned_data["athlete"].split())
        if not text:
            return None
        try:
            return [uuid.UUID(text)]
        except ValueError:
            pass
        try:
            codes = audit_log.find_athletes(self.clinic, text)
        except audit_log.TooManyAthletes:
            raise forms.ValidationError(
                f"More than {audit_log.ATHLETES_AT_MOST} athletes match: type more of the name.") from None
        if not codes:
            raise forms.ValidationError("No athlete of the clinic has that name.")
        return codes

    def clean_target(self) -> str:
        return self.cleaned_data["target"].strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        for name in ("date_from", "date_to"):
            # The log starts with RunPhys; a date like 9999-12-31 would overflow the day after it.
            day = cleaned.get(name)
            if day and not AUDIT_LOG_FIRST_DAY <= day <= AUDIT_LOG_LAST_DAY:
                self.add_error(name, f"Choose a date between {AUDIT_LOG_FIRST_DAY.year} and {AUDIT_LOG_LAST_DAY.year}.")
                start = end = None
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def used(self) -> list[str]:
        """The names of the filters that narrow the log (for the export's audit event: names, not values)."""
        return [name for name, value in self.cleaned_data.items() if value] if self.is_valid() else []

    def events(self, events):
        """``events`` narrowed by the filters; none at all while a filter is invalid."""
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["athlete"]:
            events = audit_log.about_athletes(events, self.clinic, data["athlete"])
        if data["member"]:
            events = audit_log.about_person(events, data["member"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["target"]:
            events = events.naming(data["target"])
        return events.between(start_of_day(data["date_from"]), start_of_day(data["date_to"], days_later=1))

"""Forms of the login, re-authentication and two-factor pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from runphys import audit, throttle, twofactor
from runphys.models import AuthAttempt, Clinic, User


def code_field() -> forms.CharField:
    return forms.CharField(
        label="Code", max_length=32, strip=True,
        help_text="The six digits your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false",
                                      "autofocus": True}),
    )


class LoginForm(AuthenticationForm):
    """Django's login form, refused up front while the account or the address is cooling off."""

    error_messages = {
        "invalid_login": "The email address or password is not right. Please try again.",
        "inactive": "The email address or password is not right. Please try again.",
    }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            try:
                throttle.check(AuthAttempt.Kind.LOGIN, account=throttle.account_key(username),
                               ip=audit.client_ip(self.request))
            except throttle.Throttled as throttled:
                audit.record("login_refused", request=self.request, target_type="user")
                raise forms.ValidationError(throttled.message, code="throttled") from None
        return super().clean()


class CodeForm(forms.Form):
    """The second step of a login: a code for ``user``, checked (and throttled) in ``clean``."""

    code = code_field()

    def __init__(self, *args, user: User, request: HttpRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        self.device = None
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Verify"))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        try:
            self.device = twofactor.verify(self.user, code, request=self.request)
        except throttle.Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        if self.device is None:
            raise forms.ValidationError("That code is not right, or it has already been used.", code="invalid")
        return code


class ReauthenticationForm(forms.Form):
    """The user's password again, and a code when they have two-factor authentication."""

    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                 "autofocus": True}))

    def __init__(self, *args, user: User, request: HttpRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request
        if twofactor.is_enrolled(user):
            self.fields["code"] = code_field()
            self.fields["code"].widget.attrs.pop("autofocus")

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password is None:
            return cleaned
        try:
            throttle.check(AuthAttempt.Kind.LOGIN, account=throttle.account_key(self.user.email),
                           ip=audit.client_ip(self.request))
        except throttle.Throttled as throttled:
            raise forms.ValidationError(throttled.message, code="throttled") from None
        if authenticate(self.request, username=self.user.email, password=password) != self.user:
            self.add_error("password", "That is not your password.")
            return cleaned
        if "code" in self.fields and cleaned.get("code"):
            try:
                device = twofactor.verify(self.user, cleaned["code"], request=self.request)
            except throttle.Throttled as throttled:
                raise forms.ValidationError(throttled.message, code="throttled") from None
            if device is None:
                self.add_error("code", "That code is not right, or it has already been used.")
        return cleaned


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label="Code from the app", max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = twofactor.normalise(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Type the six digits the app shows.")
        return code


class ClinicTwoFactorForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ["require_two_factor"]
        labels = {"require_two_factor": "Require two-factor authentication for every member of the clinic"}

    def __init__(self, *args, admin: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.admin = admin

    def clean_require_two_factor(self) -> bool:
        required = self.cleaned_data["require_two_factor"]
        if required and not twofactor.is_enrolled(self.admin):
            raise forms.ValidationError("Turn on two-factor authentication for yourself first.")
        return required

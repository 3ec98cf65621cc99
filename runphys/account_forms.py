"""Forms of the login, re-authentication, password change and two-factor pages. Every password and
code goes through ``runphys.throttle``."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest

from runphys import throttle, twofactor
from runphys.models import Clinic, User


def code_field() -> forms.CharField:
    return forms.CharField(
        label="Code", max_length=32, strip=True,
        help_text="The six digits your authenticator app shows, or one of your backup codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false",
                                      "autofocus": True}),
    )


class LoginForm(AuthenticationForm):
    """Django's login form, with the password checked by ``throttle.check_password``: refused with
    the time to wait while the device, account or address is cooling off."""

    error_messages = {
        "invalid_login": "The email address or password is not right. Please try again.",
        "inactive": "The email address or password is not right. Please try again.",
    }

    def clean(self) -> dict:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = throttle.in_form(throttle.check_password, self.request, password, username=username,
                                        purpose=throttle.Purpose.LOGIN)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.user_cache.backend = LOGIN_BACKEND
        return self.cleaned_data


LOGIN_BACKEND = "runphys.throttle.ThrottledModelBackend"


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
        self.device = throttle.in_form(throttle.check_code, self.request, self.user, code,
                                       purpose=throttle.Purpose.LOGIN)
        if self.device is None:
            raise forms.ValidationError(WRONG_CODE, code="invalid")
        return code


WRONG_CODE = "That code is not right, or it has already been used."


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
        purpose = throttle.Purpose.REAUTHENTICATION
        if throttle.in_form(throttle.check_password, self.request, password, user=self.user, purpose=purpose) is None:
            self.add_error("password", "That is not your password.")
            return cleaned
        if "code" in self.fields and cleaned.get("code") and throttle.in_form(
                throttle.check_code, self.request, self.user, cleaned["code"], purpose=purpose) is None:
            self.add_error("code", WRONG_CODE)
        return cleaned


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, the old password checked by ``throttle.check_password``: a stolen
    session can no more guess it than the login page can."""

    def __init__(self, user: User, *args, request: HttpRequest, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if throttle.in_form(throttle.check_password, self.request, old_password, user=self.user,
                     purpose=throttle.Purpose.PASSWORD_CHANGE) is None:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class EnrolmentForm(forms.Form):
    """The first code of a new authenticator; a right one turns it on (``backup_codes`` then holds
    the fresh backup codes to show once). Checked through ``throttle.verify`` like every code."""

    code = forms.CharField(
        label="Code from the app", max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device, request: HttpRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device, self.request = device, request
        self.backup_codes: list[str] | None = None

    def clean_code(self) -> str:
        code = twofactor.normalise(self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Type the six digits the app shows.")
        self.backup_codes = throttle.in_form(
            throttle.verify, self.request, throttle.CODE, user=self.device.user,
            purpose=throttle.Purpose.TWO_FACTOR_SETUP, check=lambda: twofactor.confirm_enrolment(self.device, code))
        if self.backup_codes is None:
            raise forms.ValidationError("That code does not match. Check the app shows RunPhys and try the newest "
                                        "code.")
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

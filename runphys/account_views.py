"""Logging in (password, then a code for users with two-factor authentication), confirming one's
identity again before sensitive actions, and the two-factor settings of a user and a clinic."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordChangeView, PasswordResetConfirmView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from runphys import audit, sessions, twofactor
from runphys.account_forms import (
    ClinicTwoFactorForm,
    CodeForm,
    EnrolmentForm,
    LoginForm,
    ReauthenticationForm,
    ThrottledPasswordChangeForm,
)
from runphys.sessions import reauthentication_required

BACKUP_CODES_TO_SHOW = "runphys_backup_codes_to_show"


class PasswordLoginView(LoginView):
    """Step one: the password. A user with two-factor authentication is not logged in yet: the
    session remembers them for five minutes while ``login_code`` asks for the code."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if not twofactor.is_enrolled(user):
            return super().form_valid(form)
        twofactor.start_pending_login(self.request, user, user.backend, self.get_success_url())
        return redirect("login_code")


class AuditedPasswordChangeView(PasswordChangeView):
    """Django's password change (which keeps this session and ends the user's others), audited,
    the old password checked through the throttle."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return super().get_form_kwargs() | {"request": self.request}

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("password_changed", request=self.request, target_type="user", target_id=str(self.request.user.pk))
        return response


class AuditedPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's new-password page of a reset link (which ends every session of the user), audited."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        audit.record("password_reset", request=self.request, actor=form.user, target_type="user",
                     target_id=str(form.user.pk))
        return response


def safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("dashboard")


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app or a backup code."""
    pending = twofactor.pending_login(request)
    if pending is None:
        twofactor.end_pending_login(request)
        messages.info(request, "Please log in again.")
        return redirect("login")
    user, backend, next_url = pending
    form = CodeForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        twofactor.end_pending_login(request)
        login(request, user, backend=backend)
        sessions.mark_second_factor(request)
        codes_left = twofactor.backup_codes_left(user)
        if codes_left <= 2:
            messages.warning(request, f"You have {codes_left} backup code{'s' if codes_left != 1 else ''} left. "
                                      "Make new ones under Two-factor authentication.")
        return redirect(safe_next(request, next_url))
    return render(request, "registration/login_code.html", {"form": form})


@login_not_required
@require_GET
def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's own login form would skip the second factor and the throttle's messages:
    staff log in through the same two steps as everyone."""
    return redirect(f"{reverse('login')}?{urlencode({'next': safe_next(request, request.GET.get('next'))})}")


@require_GET
def admin_password_change(request: HttpRequest) -> HttpResponse:
    """The Django admin's password change would check the old password outside the throttle: staff
    change theirs on the same page as everyone."""
    return redirect("password_change")


@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next")
    form = ReauthenticationForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        sessions.mark_confirmed(request)
        if "code" in form.fields:
            sessions.mark_second_factor(request)
        audit.record("reauthenticated", request=request, target_type="user", target_id=str(request.user.pk))
        return redirect(safe_next(request, next_url))
    return render(request, "registration/reauthenticate.html", {"form": form, "next": safe_next(request, next_url)})


@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    clinic = user.clinic
    context = {
        "enrolled": twofactor.is_enrolled(user),
        "backup_codes_left": twofactor.backup_codes_left(user),
        "required": bool(clinic and clinic.require_two_factor),
    }
    if user.is_clinic_admin:
        context["clinic_form"] = ClinicTwoFactorForm(instance=clinic, admin=user)
    return render(request, "runphys/two_factor.html", context)


@require_POST
@reauthentication_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    twofactor.start_enrolment(request.user)
    return redirect("two_factor_confirm")


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@reauthentication_required
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    device = twofactor.authenticator(request.user, confirmed=False)
    if device is None:
        return redirect("two_factor")
    form = EnrolmentForm(request.POST or None, device=device, request=request)
    if request.method == "POST" and form.is_valid():
        sessions.mark_second_factor(request)
        audit.record("two_factor_enrolled", request=request, target_type="user", target_id=str(request.user.pk))
        request.session[BACKUP_CODES_TO_SHOW] = form.backup_codes
        messages.success(request, "Two-factor authentication is on.")
        return redirect("two_factor_backup_codes")
    context = {"form": form, "qr_code": twofactor.qr_code_svg(device), "secret": twofactor.secret(device)}
    return render(request, "runphys/two_factor_confirm.html", context)


@require_http_methods(["GET", "POST"])
@reauthentication_required
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """POST makes a new set (the old one stops working); GET shows a new set once."""
    if request.method == "POST":
        if not twofactor.is_enrolled(request.user):
            return redirect("two_factor")
        request.session[BACKUP_CODES_TO_SHOW] = twofactor.issue_backup_codes(request.user)
        audit.record("backup_codes_issued", request=request, target_type="user", target_id=str(request.user.pk))
        return redirect("two_factor_backup_codes")
    codes = request.session.pop(BACKUP_CODES_TO_SHOW, None)
    if not codes:
        return redirect("two_factor")
    return render(request, "runphys/two_factor_backup_codes.html", {"codes": codes})


@require_POST
@reauthentication_required
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    clinic = request.user.clinic
    if clinic is not None and clinic.require_two_factor:
        messages.error(request, "Your clinic requires two-factor authentication, so it cannot be turned off. "
                                "To move to a new phone, set it up again.")
        return redirect("two_factor")
    twofactor.remove(request.user)
    request.session.pop(sessions.SECOND_FACTOR, None)
    audit.record("two_factor_removed", request=request, target_type="user", target_id=str(request.user.pk))
    messages.success(request, "Two-factor authentication is off.")
    return redirect("two_factor")


@require_POST
@reauthentication_required
def clinic_two_factor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_clinic_admin:
        raise PermissionDenied("Only a clinic admin can do this.")
    clinic = request.user.clinic
    form = ClinicTwoFactorForm(request.POST, instance=clinic, admin=request.user)
    if form.is_valid():
        if form.has_changed():
            form.save()
            audit.record("clinic_two_factor_required" if clinic.require_two_factor else "clinic_two_factor_optional",
                         request=request, target=clinic, fields=["require_two_factor"])
        messages.success(request, "Every member must now use two-factor authentication."
                         if clinic.require_two_factor else "Two-factor authentication is now each member's choice.")
    else:
        for error in form.errors.get("require_two_factor", []):
            messages.error(request, error)
    return redirect("two_factor")

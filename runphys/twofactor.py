"""Two-factor authentication: a TOTP authenticator app plus single-use backup codes.

Built on django-otp (``TOTPDevice`` verifies codes with replay protection: a code, once accepted,
is never accepted again; ``StaticDevice`` holds the backup codes, each deleted when used). A user
has at most one confirmed authenticator and one set of backup codes. Enrolment creates an
unconfirmed device; it only counts once a code from it has been typed back.

Every code is checked through ``runphys.throttle.check_code`` (throttled and audited, like
passwords); django-otp's own exponential back-off is switched off in settings because it can grow
without bound.

Backup codes are stored as keyed digests, not as the codes (django-otp would store them as typed):
a copy of the database alone does not give anyone a way in. The digest is an HMAC with the
``SECRET_KEY``, cut to the 16 characters django-otp's token column holds (64 bits, for codes of 40
random bits that can only be tried ten times an hour); changing the ``SECRET_KEY`` retires every
backup code, and users make new ones from their two-factor page.
"""

import re
import time
from base64 import b32encode
from collections.abc import Callable

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from runphys import sessions
from runphys.models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
# The password step of a two-step login is good for this long.
PENDING_LOGIN_SECONDS = 5 * 60
PENDING_LOGIN = "runphys_pending_login"


def authenticator(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def with_enrolment(memberships: QuerySet) -> QuerySet:
    """Memberships annotated with ``two_factor``: whether the member has a confirmed authenticator."""
    return memberships.annotate(
        two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))
    )


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def start_enrolment(user: User) -> TOTPDevice:
    """A new unconfirmed authenticator with a fresh secret; an earlier unfinished one is dropped."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def confirm_enrolment(device: TOTPDevice, code: str) -> list[str] | None:
    """Activate ``device`` if ``code`` comes from it: it replaces any earlier authenticator and a
    fresh set of backup codes is returned (to show once). None if the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
        if not device.verify_token(normalise(code)):
            return None
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return issue_backup_codes(device.user)


def backup_code_digest(code: str) -> str:
    """What is stored for a backup code (see the module's docstring)."""
    return salted_hmac("runphys.twofactor.backup-code", normalise(code), algorithm="sha256").hexdigest()[:16]


def issue_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with new ones and return them (they are not shown again;
    only their digests are kept)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=backup_code_digest(code)) for code in codes)
    return codes


def remove(user: User) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def normalise(code: str) -> str:
    """Codes are read off a phone or a sheet of paper: spaces and dashes are not part of them."""
    return re.sub(r"[\s-]", "", code).lower()


def accepting_device(user: User, code: str) -> Device | None:
    """The device (authenticator or backup codes) that accepts ``code``, or None. Only through
    ``runphys.throttle.check_code``, which throttles and audits the check."""
    code = normalise(code)
    with transaction.atomic():
        # Locked rows: two requests with the same code cannot both succeed.
        if len(code) == 6 and code.isdigit():
            candidates = TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update()
            token = code
        else:
            candidates = StaticDevice.objects.filter(user=user, confirmed=True).select_for_update()
            token = backup_code_digest(code)
        for candidate in candidates:
            if candidate.verify_token(token):
                return candidate
    return None


def is_backup_codes(device: Device) -> bool:
    return isinstance(device, StaticDevice)


def secret(device: TOTPDevice) -> str:
    """The key as the base32 text authenticator apps accept, in groups of four for reading."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// link as an inline SVG QR code, drawn here: the secret never leaves the server.

    Safe to mark: segno writes only paths and presentation attributes, no text of ours.
    """
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=5, border=2, title="QR code for your authenticator app"))  # noqa: S308


# --- The two-step login ---------------------------------------------------------------------------

def start_pending_login(request: HttpRequest, user: User, backend: str, next_url: str) -> None:
    """The password was right; remember who is half logged in until the code arrives. A new
    session key already now: a key planted before the password step is worth nothing after it."""
    request.session.cycle_key()
    request.session[PENDING_LOGIN] = {"user": user.pk, "backend": backend, "at": time.time(), "next": next_url}


def pending_login(request: HttpRequest) -> tuple[User, str, str] | None:
    """(user, backend, next URL) of a password step less than five minutes old, else None."""
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending["at"] > PENDING_LOGIN_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending["backend"], pending["next"]) if user else None


def end_pending_login(request: HttpRequest) -> None:
    request.session.pop(PENDING_LOGIN, None)


# --- The clinic's requirement ---------------------------------------------------------------------

# Pages a user who must enrol can still reach: the enrolment itself and the way out.
ENROLMENT_URL_NAMES = {
    "two_factor", "two_factor_setup", "two_factor_confirm", "two_factor_backup_codes", "reauthenticate", "logout",
}


class TwoFactorRequiredMiddleware:
    """In a clinic that requires two-factor authentication, a session that has not passed a second
    factor reaches nothing but the enrolment pages (when the user has no authenticator yet) or is
    ended (when they have one: they log in again, with their code)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or sessions.passed_second_factor(request):
            return None
        clinic = user.clinic
        if clinic is None or not clinic.require_two_factor:
            return None
        url_name = request.resolver_match.url_name
        if is_enrolled(user):
            # A session from before the requirement (or from before this user enrolled elsewhere):
            # it has not seen the code, so it ends.
            if url_name == "logout":
                return None
            logout(request)
            messages.info(request, "Your clinic requires two-factor authentication: log in again with your code.")
            return redirect("login")
        if url_name in ENROLMENT_URL_NAMES:
            return None
        messages.info(request, "Your clinic requires two-factor authentication. Set it up to continue.")
        return redirect("two_factor")

"""Checking passwords and second-factor codes, throttled and audited, and throttling reset requests.

``verify`` is the one function through which every password or code is checked (logging in,
confirming again, the old password of a password change, the erasure form, setting up two-factor
authentication, the Django admin through the authentication backend); ``check_password`` and
``check_code`` are its two kinds. Each failure is audited and counted, each refusal audited.

Counting is a sliding window over recorded attempts (``AuthAttempt`` rows, so it holds across
gunicorn workers and machines, on SQLite and PostgreSQL alike). Who an attempt counts against:

- **A known browser** (a device cookie for the user, ``runphys.devices``): the device only, at most
  ``Limit.device`` failures per ``WINDOW``. Failures elsewhere never lock it, so a lock-out cannot
  be turned against the owner; a device past its limit is treated as an unknown browser.
- **An unknown browser**: the account, at most ``Limit.account`` failures per ``WINDOW``. The
  account is the matched user's id (``user_key``), found the way logging in finds it, so every
  spelling that reaches a user counts against that user; text that matches no user is its own key.
- **And its client address**, which cools off once failures against ``Limit.address`` *different*
  accounts came from it within ``WINDOW``. A clinic's shared address (NAT) where a few people
  mistype their own password is never locked, a password sprayed over many accounts is; and a
  locked address still lets in everyone whose browser is known.

Once a limit is reached, further attempts are refused without being checked, and without being
recorded: the cool-off ends at most ``WINDOW`` after the attempt that reached the limit, whatever
an attacker keeps sending. Concurrent requests can each pass the check before any of them records,
so the limits can be overshot by the number of requests in flight; they bound guessing, not exactly.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from runphys import audit, devices, fragments, guesses, twofactor
from runphys.models import AuthAttempt, User

WINDOW = timedelta(hours=1)
PASSWORD, CODE, RESET = AuthAttempt.Kind.LOGIN, AuthAttempt.Kind.SECOND_FACTOR, AuthAttempt.Kind.PASSWORD_RESET


@dataclass(frozen=True)
class Limit:
    account: int
    address: int  # different accounts failed from one address
    device: int = 0


LIMITS = {
    PASSWORD: Limit(account=10, address=20, device=10),
    CODE: Limit(account=10, address=20, device=10),
    # Requests, not failures: a person needs one email, not ten; the form says the same either way.
    RESET: Limit(account=5, address=20),
}


class Purpose:
    """What a password or code is checked for; it names the audit events."""

    LOGIN = "login"
    REAUTHENTICATION = "reauthentication"
    PASSWORD_CHANGE = "password_change"  # noqa: S105 (a purpose, not a password)
    ERASURE = "erasure_confirmation"
    TWO_FACTOR_SETUP = "two_factor_setup"


class Throttled(Exception):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"Throttled for {retry_after}.")
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        return max(1, ceil(self.retry_after.total_seconds() / 60))

    @property
    def message(self) -> str:
        return (f"Too many attempts. For your security, please wait {self.minutes} minute"
                f"{'s' if self.minutes != 1 else ''} and try again.")


def account_key(value: str) -> str:
    """A keyed hash of a throttle key (``user:<pk>``, ``device:<nonce>``, or an address as typed,
    in the form it is stored and looked up in), so nothing typed is kept in clear."""
    return salted_hmac("runphys.throttle", value, algorithm="sha256").hexdigest()


def user_key(user: User) -> str:
    return account_key(f"user:{user.pk}")


def typed_key(email: str) -> str:
    return account_key(User.objects.canonical_email(email))


def device_key(nonce: str) -> str:
    return account_key(f"device:{nonce}")


def retry_after(kind: str, *, account: str, ip: str | None, device: bool = False) -> timedelta | None:
    """How long until an attempt of ``kind`` against ``account`` (a device's key when ``device``;
    from ``ip``, when it counts) is allowed again, or None when it is allowed now."""
    limit = LIMITS[kind]
    recent = AuthAttempt.objects.filter(kind=kind).within(WINDOW)
    # Each lock lasts while `allowed` attempts (or accounts) are inside the window: until the
    # allowed-th most recent one leaves it.
    counted = [(recent.filter(account=account).order_by("-at").values_list("at", flat=True),
                limit.device if device else limit.account)]
    if ip:
        counted.append((recent.filter(ip_address=ip).values("account").annotate(last=Max("at"))
                        .order_by("-last").values_list("last", flat=True), limit.address))
    waits = []
    for times, allowed in counted:
        oldest_counted = next(iter(times[allowed - 1:allowed]), None)
        if oldest_counted is not None:
            waits.append(oldest_counted + WINDOW - timezone.now())
    return max(waits) if waits else None


def check(kind: str, *, account: str, ip: str | None) -> None:
    wait = retry_after(kind, account=account, ip=ip)
    if wait is not None:
        raise Throttled(wait)


def record(kind: str, *, account: str, ip: str | None, device: bool = False) -> str | None:
    """Count one attempt (on a device's key when ``device``). Returns "account", "device" or
    "address" when this attempt reached that limit (the cool-off starts now), else None."""
    now = timezone.now()
    AuthAttempt.objects.filter(at__lte=now - WINDOW).delete()
    AuthAttempt.objects.create(kind=kind, account=account, ip_address=ip, at=now)
    limit = LIMITS[kind]
    recent = AuthAttempt.objects.filter(kind=kind).within(WINDOW)
    if recent.filter(account=account).count() >= (limit.device if device else limit.account):
        return "device" if device else "account"
    if ip and recent.filter(ip_address=ip).values("account").distinct().count() >= limit.address:
        return "address"
    return None


LOCK_ACTIONS = {PASSWORD: "login_locked", CODE: "second_factor_locked", RESET: "password_reset_locked"}


def audit_lock(kind: str, reached: str, *, request: HttpRequest | None, user: User | None) -> None:
    """One audit event when a cool-off starts: on the account or device (naming the user when
    there is one), or on the address."""
    action = LOCK_ACTIONS[kind]
    if reached == "device":
        action = action.replace("_locked", "_device_locked")
    if reached in {"account", "device"} and user is not None:
        audit.record(action, request=request, actor=None, target_type="user", target_id=str(user.pk),
                     clinic=user.clinic)
    else:
        audit.record(action, request=request, target_type=reached)


# --- Checking a password or a code ----------------------------------------------------------------

def audit_stem(kind: str, purpose: str) -> str:
    """The start of the audit action of a failed or refused check: login_failed, second_factor_failed,
    reauthentication_failed, reauthentication_code_failed, password_change_failed, ..."""
    if purpose == Purpose.LOGIN:
        return "login" if kind == PASSWORD else "second_factor"
    return purpose if kind == PASSWORD else f"{purpose}_code"


def verify[Result](request: HttpRequest | None, kind: str, *, user: User | None, typed: str = "", purpose: str,
           check: Callable[[], Result]) -> Result | None:
    """Run ``check`` (a password or code check of ``user``; ``user`` is None when what was typed
    matches nobody, and ``check`` must then do the same work and fail) behind the throttle.

    Returns what ``check`` returned when it succeeded, None when it failed (counted and audited).
    Raises ``Throttled`` (audited) while the device, account or address is cooling off: the
    password or code is then not even checked.
    """
    nonce = devices.nonce_for(request, user)
    device = nonce is not None and retry_after(kind, account=device_key(nonce), ip=None, device=True) is None
    if device:
        # A browser this user logged in with: counted on its own, never refused for others' failures.
        account, ip = device_key(nonce), None
    else:
        account, ip = (user_key(user) if user is not None else typed_key(typed)), audit.client_ip(request)
    event = {"request": request, "target_type": "user", "target_id": str(user.pk) if user is not None else "",
             "clinic": user.clinic if user is not None else None,
             # A wrong code comes after the right password: it is the user's; a wrong password is nobody's.
             "actor": user if kind == CODE else None}
    wait = retry_after(kind, account=account, ip=ip, device=device)
    if wait is not None:
        audit.record(f"{audit_stem(kind, purpose)}_refused", **event)
        raise Throttled(wait)
    result = check()
    if not result:
        audit.record(f"{audit_stem(kind, purpose)}_failed", **event)
        reached = record(kind, account=account, ip=ip, device=device)
        if reached:
            audit_lock(kind, reached, request=request, user=user)
        return None
    return result


def check_password(request: HttpRequest | None, password: str, *, purpose: str, user: User | None = None,
                   username: str = "") -> User | None:
    """The user whose password ``password`` is (``user``, or the one ``username`` logs in as) if it
    is right and they may log in, else None. Raises ``Throttled``."""
    if user is None:
        user = User.objects.for_login(username)

    def matches() -> User | None:
        if user is None:
            # As much work as a real check, so an unknown address answers in the same time.
            User().set_password(password)
            return None
        return user if user.check_password(password) and user.is_active else None

    return verify(request, PASSWORD, user=user, typed=username, purpose=purpose, check=matches)


def check_code(request: HttpRequest | None, user: User, code: str, *, purpose: str):
    """The device (authenticator or backup codes) that accepts ``code`` for ``user``, or None.
    Raises ``Throttled``. A used backup code is audited."""
    device = verify(request, CODE, user=user, purpose=purpose, check=lambda: twofactor.accepting_device(user, code))
    if device is not None and twofactor.is_backup_codes(device):
        audit.record("backup_code_used", request=request, actor=user, target_type="user", target_id=str(user.pk))
    return device


def in_form[Result](checker: Callable[..., Result], /, *args, **kwargs) -> Result:
    """``check(*args, **kwargs)`` (``check_password``, ``check_code``, ``verify``) in a form's
    clean method: a cool-off becomes the form's error, saying how long to wait."""
    try:
        return checker(*args, **kwargs)
    except Throttled as cooling_off:
        raise ValidationError(cooling_off.message, code="throttled") from None


class ThrottledModelBackend(ModelBackend):
    """Django's authentication backend for any caller of ``authenticate()`` (the pages of this
    project call ``check_password`` directly, to show how long a cool-off lasts). While the
    device, account or address is cooling off the password is not even checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            return check_password(request, password, username=username, purpose=Purpose.LOGIN)
        except Throttled:
            raise PermissionDenied("Too many failed attempts.") from None

    def get_user(self, user_id):
        """The logged-in user of a request, loaded with their membership and clinic in one query
        (``User.objects.for_request``) instead of Django's two, or in none when this process kept
        them under the current page generation (``runphys.fragments``: a write to a user, a
        membership or a clinic retires them). The generation read here keys the page's fragments, and the
        user's newest record view their recently seen (``fragments.page_state``). A page drawn on a
        guess of that state (``runphys.guesses``) reads nothing here when the user kept under the
        guessed generation fits the session, and reads the state after all when not."""
        def key(token: str) -> str:
            return f"request-user:{token}:{user_id}"

        guess = guesses.standing(user_id)
        user = fragments.recall(key(guess.token)) if guess is not None else None
        if user is not None and guess.fits(user):
            token, last_view = guess.token, guess.last_view
        else:
            if guess is not None:
                guesses.drop()
            token, last_view = fragments.page_state(user_id)
            user = fragments.recall(key(token)) if token else None
            if user is None:
                user = User.objects.for_request(user_id)
                if user is not None and token and user.membership is not None:
                    fragments.keep(key(token), user)
        if user is not None and user.membership is not None:
            user.membership.page_generation = token
            user.membership.page_changes = fragments.changes_seen()
            user.membership.last_view = last_view
        return user if user is not None and self.user_can_authenticate(user) else None

"""Throttling of password guesses, second-factor guesses and password-reset requests.

A sliding window over recorded attempts (``AuthAttempt`` rows, so it holds across gunicorn
workers and machines, on SQLite and PostgreSQL alike): at most ``account`` attempts per account
and ``address`` attempts per client address within ``WINDOW``. Once a limit is reached, further
attempts are refused without being checked, and without being recorded: the cool-off therefore
ends at most ``WINDOW`` after the attempt that reached the limit, whatever an attacker keeps
sending. There is no permanent lock an attacker could inflict on a real user.

Concurrent requests can each pass the check before any of them records, so the limits can be
overshot by the number of requests in flight at that moment; they bound guessing, not exactly.
"""

from dataclasses import dataclass
from datetime import timedelta
from math import ceil

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from runphys import audit
from runphys.models import AuthAttempt, User

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    account: int
    address: int


LIMITS = {
    AuthAttempt.Kind.LOGIN: Limit(account=10, address=20),
    AuthAttempt.Kind.SECOND_FACTOR: Limit(account=10, address=20),
    # Requests, not failures: a person needs one email, not ten; the form says the same either way.
    AuthAttempt.Kind.PASSWORD_RESET: Limit(account=5, address=20),
}


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
    """A keyed hash of an email address (as typed, normalised) or of ``user:<pk>``."""
    return salted_hmac("runphys.throttle", value.strip().lower(), algorithm="sha256").hexdigest()


def user_key(user: User) -> str:
    return account_key(f"user:{user.pk}")


def retry_after(kind: str, *, account: str, ip: str | None) -> timedelta | None:
    """How long until an attempt of ``kind`` is allowed again, or None when it is allowed now."""
    limit = LIMITS[kind]
    recent = AuthAttempt.objects.filter(kind=kind).within(WINDOW).order_by("-at")
    waits = []
    for rows, allowed in ((recent.filter(account=account), limit.account),
                          (recent.filter(ip_address=ip) if ip else recent.none(), limit.address)):
        # The lock lasts while `allowed` attempts are inside the window: until the allowed-th most
        # recent one leaves it.
        oldest_counted = next(iter(rows.values_list("at", flat=True)[allowed - 1:allowed]), None)
        if oldest_counted is not None:
            waits.append(oldest_counted + WINDOW - timezone.now())
    return max(waits) if waits else None


def check(kind: str, *, account: str, ip: str | None) -> None:
    wait = retry_after(kind, account=account, ip=ip)
    if wait is not None:
        raise Throttled(wait)


def record(kind: str, *, account: str, ip: str | None) -> str | None:
    """Count one attempt. Returns "account" or "address" when this attempt reached that limit (the
    cool-off starts now), else None."""
    now = timezone.now()
    AuthAttempt.objects.filter(at__lte=now - WINDOW).delete()
    AuthAttempt.objects.create(kind=kind, account=account, ip_address=ip, at=now)
    limit = LIMITS[kind]
    recent = AuthAttempt.objects.filter(kind=kind).within(WINDOW)
    if recent.filter(account=account).count() >= limit.account:
        return "account"
    if ip and recent.filter(ip_address=ip).count() >= limit.address:
        return "address"
    return None


def audit_lock(kind: str, reached: str, *, request: HttpRequest | None, user: User | None) -> None:
    """One audit event when a cool-off starts: on the account (named when it exists) or the address."""
    action = {AuthAttempt.Kind.LOGIN: "login_locked", AuthAttempt.Kind.SECOND_FACTOR: "second_factor_locked",
              AuthAttempt.Kind.PASSWORD_RESET: "password_reset_locked"}[kind]
    if reached == "account" and user is not None:
        audit.record(action, request=request, actor=None, target_type="user", target_id=str(user.pk),
                     clinic=user.clinic)
    else:
        audit.record(action, request=request, target_type=reached)


class ThrottledModelBackend(ModelBackend):
    """Django's password check behind the login throttle.

    Every password check goes through here (the login form, re-authentication, the Django admin's
    form), so none of them is a way around the limits. While an account or address is cooling off
    the password is not even checked: a correct one is refused like a wrong one.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        account, ip = account_key(username), audit.client_ip(request)
        if retry_after(AuthAttempt.Kind.LOGIN, account=account, ip=ip) is not None:
            # Stops the authentication; Django then sends user_login_failed (audited).
            raise PermissionDenied("Too many failed attempts.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            reached = record(AuthAttempt.Kind.LOGIN, account=account, ip=ip)
            if reached:
                audit_lock(AuthAttempt.Kind.LOGIN, reached, request=request,
                           user=User.objects.filter(email__iexact=username.strip()).first())
        return user

    def get_user(self, user_id):
        """The logged-in user of a request, loaded with their membership and clinic in one query
        (``User.objects.for_request``) instead of Django's two."""
        user = User.objects.for_request(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

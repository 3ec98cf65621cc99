"""Device cookies: a browser that has logged in as a user before stays trusted for that user.

OWASP's "Slow Down Online Guessing Attacks with Device Cookies": after a successful login the
browser gets a signed cookie naming the user and a random nonce. A password or code typed in a
browser that carries such a cookie for that user is throttled per device (``runphys.throttle``),
not per account or address: an attacker guessing from elsewhere can lock the account for unknown
browsers, never for the owner's own. A device that fails too often itself becomes an unknown one.

The cookie is only a throttle key, not a credential: it lets nobody in without the password (and
code). It holds up to ``MAX_USERS`` users (a clinic's shared computer), each with the time it was
issued; an entry older than ``MAX_AGE`` counts for nothing. The signature uses ``SECRET_KEY``.
"""

import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from runphys.models import User

COOKIE = "runphys_device"
SALT = "runphys.devices"
MAX_AGE = timedelta(days=180)
MAX_USERS = 5
# Set on the request at login; DeviceCookieMiddleware writes it onto the response.
TO_SET = "_runphys_device_cookie"


def entries(request: HttpRequest | None) -> list[list]:
    """The cookie's live entries, ``[user id, nonce, issued at]``, newest first; [] if absent or forged."""
    raw = request.COOKIES.get(COOKIE) if request is not None else None
    if not raw:
        return []
    try:
        value = signing.loads(raw, salt=SALT)
    except signing.BadSignature:
        return []
    oldest = time.time() - MAX_AGE.total_seconds()
    if not isinstance(value, list):
        return []
    return [entry for entry in value
            if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], int | float) and entry[2] > oldest]


def nonce_for(request: HttpRequest | None, user: User | None) -> str | None:
    """The nonce of the device cookie this browser holds for ``user``, or None."""
    if user is None:
        return None
    return next((entry[1] for entry in entries(request) if entry[0] == user.pk), None)


@receiver(user_logged_in)
def remember_device(sender, request: HttpRequest, user: User, **kwargs) -> None:
    """A successful login: this browser gets a fresh nonce for the user (kept with up to
    ``MAX_USERS - 1`` other users of the same browser)."""
    others = [entry for entry in entries(request) if entry[0] != user.pk]
    value = [[user.pk, secrets.token_urlsafe(16), int(time.time())], *others][:MAX_USERS]
    setattr(request, TO_SET, signing.dumps(value, salt=SALT))


class DeviceCookieMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = getattr(request, TO_SET, None)
        if value:
            response.set_cookie(COOKIE, value, max_age=int(MAX_AGE.total_seconds()), httponly=True,
                                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response

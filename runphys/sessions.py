"""How long a login lasts, and how recent it must be for the most sensitive actions.

- Idle time-out: Django's own (``SESSION_COOKIE_AGE`` from the session's last save).
  ``SessionLifetimeMiddleware`` renews it on activity, but at most once every
  ``SESSION_RENEW_SECONDS``: saving the session on every request (Django's
  ``SESSION_SAVE_EVERY_REQUEST``) would cost every page a write to the session table, for a
  time-out that is measured in minutes anyway.
- Absolute time-out: ``SessionLifetimeMiddleware`` ends a session ``SESSION_ABSOLUTE_AGE`` after
  its login, however active it has been.
- Re-authentication: ``reauthentication_required`` sends the user to confirm their password (and
  second factor) when they last did so more than ``REAUTHENTICATION_WINDOW`` ago. A login counts.
- A password change ends every other session of the user (Django's session hash; the session that
  changed it is kept). Deactivation deletes all of them (``end_sessions_of_inactive_users``): Django
  alone would only ignore them, and they would come back if the account were reactivated.

Times are kept in the session as Unix timestamps (the session serialiser is JSON).
"""

import time
from collections.abc import Callable
from functools import wraps
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from runphys import audit
from runphys.models import User

LOGGED_IN_AT = "runphys_logged_in_at"
RENEWED_AT = "runphys_renewed_at"
SESSION_RENEW_SECONDS = 60
CONFIRMED_AT = "runphys_confirmed_at"
# Set when this session passed a second factor (at login or at enrolment).
SECOND_FACTOR = "runphys_second_factor"


@receiver(user_logged_in)
def stamp_login(sender, request, user, **kwargs) -> None:
    now = time.time()
    request.session[LOGGED_IN_AT] = now
    request.session[CONFIRMED_AT] = now
    request.session[RENEWED_AT] = now


@receiver(post_save, sender=User)
def end_sessions_of_inactive_users(sender, instance: User, **kwargs) -> None:
    if not instance.is_active:
        end_sessions(instance)


def end_sessions(user: User) -> int:
    """Delete every live session of ``user``. Sessions are not indexed by user, so each live one
    is decoded: fine for a clinic's few hundred sessions, and only on a deactivation."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            # Through the configured store, not the row: the store drops its cached copy too.
            import_module(settings.SESSION_ENGINE).SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def mark_confirmed(request: HttpRequest) -> None:
    request.session[CONFIRMED_AT] = time.time()


def recently_confirmed(request: HttpRequest) -> bool:
    confirmed_at = request.session.get(CONFIRMED_AT)
    return confirmed_at is not None and time.time() - confirmed_at < settings.REAUTHENTICATION_WINDOW.total_seconds()


def mark_second_factor(request: HttpRequest) -> None:
    request.session[SECOND_FACTOR] = True


def passed_second_factor(request: HttpRequest) -> bool:
    return bool(request.session.get(SECOND_FACTOR))


class SessionLifetimeMiddleware:
    """Ends a session ``SESSION_ABSOLUTE_AGE`` after its login (a session without a login time,
    made before this middleware existed, counts as expired), and renews a live one's idle
    time-out when it was last renewed ``SESSION_RENEW_SECONDS`` ago or more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            logged_in_at = request.session.get(LOGGED_IN_AT)
            if logged_in_at is None or time.time() - logged_in_at > settings.SESSION_ABSOLUTE_AGE.total_seconds():
                audit.record("session_expired", request=request, target_type="user",
                             target_id=str(request.user.pk))
                request.session.flush()
                request.user = AnonymousUser()
                messages.info(request, "Your session has ended. Please log in again.")
            else:
                renew_if_due(request)
        return self.get_response(request)


def renew_if_due(request: HttpRequest) -> None:
    """Mark the session changed (so it is saved with a fresh expiry) if its last renewal is due."""
    now = time.time()
    renewed_at = request.session.get(RENEWED_AT)
    if renewed_at is None or now - renewed_at >= SESSION_RENEW_SECONDS:
        request.session[RENEWED_AT] = now


def next_after_confirmation(request: HttpRequest) -> str:
    """Where to come back to: the page itself for a GET; for a POST, the page the form was on
    (the action cannot be replayed, so the user repeats it)."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return reverse("dashboard")


def reauthentication_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Put below ``require_POST`` / ``require_http_methods`` so a wrong method is still a 405."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if recently_confirmed(request):
            return view(request, *args, **kwargs)
        url = f"{reverse('reauthenticate')}?{urlencode({'next': next_after_confirmation(request)})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)

    return wrapper

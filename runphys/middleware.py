"""Response headers that Django's own middleware does not set."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from runphys import audit, guesses


class NoStoreMiddleware:
    """Pages seen by a logged-in user may show a health record: no browser or proxy may keep them.

    Static files never reach this (whitenoise answers first), so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


def permissions_policy(features: dict[str, tuple[str, ...]]) -> str:
    """The header's value: ``camera=()`` for a feature turned off, ``fullscreen=(self)`` for one kept."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    """Every response says which browser features the page may use (``settings.PERMISSIONS_POLICY``).

    Django has no setting for this header. The middleware sits before whitenoise, so static files
    (a stylesheet, a picture opened on its own) carry it too; a view may not loosen it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.value = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Permissions-Policy"] = self.value
        return response


class RequestSizeMiddleware:
    """A body over ``settings.REQUEST_BODY_MAX_BYTES`` is refused (413) before anything reads it.

    Django caps the form fields of a body, never its files, which are spooled to disk however large;
    a request without a Content-Length has no body for Django (it reads that many bytes), so the
    header is the whole of it. The proxy in front should refuse the same size (nginx
    ``client_max_body_size``) so that the bytes are not even sent on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body from a malformed length either
        if length > settings.REQUEST_BODY_MAX_BYTES:
            megabytes = settings.REQUEST_BODY_MAX_BYTES // (1024 * 1024)
            return render(request, "413.html", {"megabytes": megabytes}, status=413)
        return self.get_response(request)


class AuditMiddleware:
    """After the view, writes what a list page showed (``runphys.audit.shown``) as one INSERT (on a
    page drawn on a guess, the INSERT that checks it: ``runphys.guesses``); a
    404 raised by a view of a URL naming a record is logged as a denied attempt (``audit.denied``),
    and the 404 itself goes on unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        guess = guesses.GUESS.get()
        if guess is not None and guess.standing:
            guess.check(audit.shown_events(request))  # written only if the page's guess held
        else:
            audit.flush_shown(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404):
            audit.denied(request)

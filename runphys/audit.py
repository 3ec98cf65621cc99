"""Writing to the audit log.

Every view and change of a clinical record calls ``record`` (reads in the view, writes in the
model or queryset method that performs them). Authentication events arrive through Django's auth
signals, connected in ``runphys.apps``.
"""

from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

from runphys.models import AuditEvent, Clinic, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The right-most address is the one our own proxy appended; the rest is client-supplied.
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    clinic: Clinic | None = None,
    fields: Iterable[str] = (),
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event. ``target`` is a model instance with a ``code`` UUID (or pass the type and
    id explicitly); ``fields`` are field names only. The client address is the request's, or
    ``ip_address`` for an event recorded by the task worker on a request's behalf."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or str(getattr(target, "code", target.pk))
        if clinic is None:
            clinic = getattr(target, "clinic", None)
    if clinic is None and actor is not None:
        clinic = actor.clinic
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        clinic=clinic,
        target_type=target_type,
        target_id=target_id,
        fields=sorted(set(fields)),
        ip_address=client_ip(request) if request is not None else ip_address,
    )

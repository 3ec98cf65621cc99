"""Authentication events go to the audit log. The email tried on a failed login is not stored:
only that a failure happened, and from which address."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from runphys import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record("login", request=request, actor=user, target_type="user", target_id=str(user.pk))


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("logout", request=request, actor=user, target_type="user", target_id=str(user.pk))


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit.record("login_failed", request=request, target_type="user")

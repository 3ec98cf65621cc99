"""Logins and logouts go to the audit log. Failed and refused password and code checks are audited
where they are checked (``runphys.throttle.verify``): the email typed is never stored, only the
user it matched, and from which address."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from runphys import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record("login", request=request, actor=user, target_type="user", target_id=str(user.pk))


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("logout", request=request, actor=user, target_type="user", target_id=str(user.pk))


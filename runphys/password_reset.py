"""Asking for a password-reset email, without telling whether the address has an account.

The page answers every request the same way, and the request does the same work for every address:
it is throttled (``runphys.throttle``, per address typed and per client address) and then queues
one task, ``send_reset_email``, whether or not an account exists; no user is looked up in the web
request, so neither the answer nor its time depends on it. The task worker finds the user and
queues the email (``runphys.emails``) only when there is one.
"""

from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest
from django.tasks import task

from runphys import audit, emails, throttle
from runphys.models import User


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form on the page: it only queues the task."""

    def save(self, *, request: HttpRequest, use_https: bool = False, domain_override: str | None = None,
             **kwargs) -> None:
        email = self.cleaned_data["email"]
        account, ip = throttle.typed_key(email), audit.client_ip(request)
        try:
            throttle.check(throttle.RESET, account=account, ip=ip)
        except throttle.Throttled:
            audit.record("password_reset_refused", request=request, target_type="user")
            return
        reached = throttle.record(throttle.RESET, account=account, ip=ip)
        if reached == "address":
            throttle.audit_lock(throttle.RESET, reached, request=request, user=None)
        send_reset_email.enqueue(email, domain=domain_override or request.get_host(), use_https=use_https,
                                 account_locked=reached == "account", ip=ip)


class PasswordResetDeliveryForm(PasswordResetForm):
    """Django's reset form in the task worker: the email goes through the delivery queue."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None) -> None:
        emails.send_password_reset(context, to_email)


@task()
def send_reset_email(email: str, *, domain: str, use_https: bool, account_locked: bool, ip: str | None) -> int:
    """Queue the reset email for the account of ``email``, if there is one. Returns how many were
    queued (0 or 1). A request that reached the address typed's limit is audited here, where the
    account is looked up."""
    if account_locked:
        user = User.objects.for_login(email)
        audit.record("password_reset_locked", ip_address=ip, target_type="user" if user else "account",
                     target_id=str(user.pk) if user else "", clinic=user.clinic if user else None)
    form = PasswordResetDeliveryForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(email))
    form.save(domain_override=domain, use_https=use_https)
    return len(users)

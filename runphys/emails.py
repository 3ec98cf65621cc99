"""Building and sending email. Every message comes from three templates under
``templates/emails/``: ``<name>-subject.txt``, ``<name>-body.txt`` and ``<name>-body.html``.

Subjects never carry health details or an athlete's name. Nothing here fails silently.
"""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from runphys.models import Invitation


def build_message(name: str, context: dict, to: str, *, reply_to: str = "") -> EmailMultiAlternatives:
    # A subject is one line whatever the template or the data say: no header can be injected.
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to], reply_to=[reply_to] if reply_to else None)
    message.attach_alternative(html, "text/html")
    return message


def send_invitation(invitation: Invitation, accept_url: str) -> None:
    context = {"invitation": invitation, "clinic": invitation.clinic, "accept_url": accept_url}
    build_message("invitation", context, invitation.email, reply_to=invitation.clinic.email).send()

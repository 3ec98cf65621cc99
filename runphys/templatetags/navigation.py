"""The navbar's links and clinic menu, kept as a fragment per user (``runphys.fragments``).

Drawing them cost about 0.5 ms of every logged-in page, as much as a page's own kept parts (issue
19). The user menu beside them holds the logout form, whose CSRF token is the request's own, so it
stays in ``base.html`` and is drawn for every request.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from runphys import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def kept_nav(context) -> SafeString:
    request = context["request"]
    user = request.user
    return fragments.kept(request, "nav", (user.pk, user.is_clinic_admin), lambda: render_to_string(
        "runphys/_nav.html", {"user": user, "current_clinic": user.clinic, "current_membership": user.membership}))

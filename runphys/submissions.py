"""Idempotent creates: a double click, a retry or a page sent again makes one record, not two.

Every create form carries a one-time key, made at random when the page is rendered: a hidden field
of the form (``carry``), or ``{% submission_key %}`` in a plain form (library ``submissions``,
registered in settings like the programs' tags). ``once`` runs the create in one transaction that
starts by inserting the key (``SubmissionKey``, unique per user). The first submission inserts it
and stores the address of what it made beside it; a second one with the same key cannot insert it
(on PostgreSQL its INSERT waits on the unique index until the first commits; SQLite serialises
writers), so it makes nothing and is sent to the record the first one made. Keys are pruned on
write once they are ``KEEP_FOR`` old: a page left open longer than that creates again.

A POST without a key (no page of ours sends one) is created as before: the key protects the user
from their own repeats, and leaving it out gains a client nothing it could not do by sending twice.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms, template
from django.contrib import messages
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html

from runphys.models import SubmissionKey

FIELD = "submission_key"
KEEP_FOR = timedelta(days=2)
KEY_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{20,64}\Z")
REPEATED = "That form had already been sent; this is what it made. Nothing was made twice."

register = template.Library()


def new_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKeyField(forms.CharField):
    """The page's one-time key. Never a change of its own (not in ``changed_data``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, max_length=64, **kwargs)
        self.validators.append(RegexValidator(KEY_PATTERN, "This page's key is not valid: reload the page."))

    def has_changed(self, initial, data) -> bool:
        return False


def carry(form: forms.BaseForm) -> forms.BaseForm:
    """Give a create form its hidden one-time key (a fresh one on a new page; a re-rendered page
    keeps the key it was sent with)."""
    form.fields[FIELD] = SubmissionKeyField(initial=new_key())
    helper = getattr(form, "helper", None)
    if helper is not None:
        helper.render_hidden_fields = True  # a crispy layout renders only what it names otherwise
    return form


@register.simple_tag
def submission_key(*id_parts, oob: bool = False) -> str:
    """The hidden one-time key of a plain (not crispy) form. A form that stays on the page after it
    was sent (the builder's "Add" in the picker) has an id (``id_parts``): the response swaps in a
    fresh key for it (``oob``, htmx's out-of-band swap), so adding the same exercise again on
    purpose is a new submission while a double click is one. ``id_parts`` are joined by "-"."""
    element_id = "-".join(str(part) for part in id_parts)
    if not element_id:
        return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
    return format_html('<input type="hidden" name="{}" value="{}" id="{}" {}>', FIELD, new_key(), element_id,
                       "hx-swap-oob=true" if oob else "")


REPEATED_ADD = "That exercise had just been added: it is in the list once."


def key_of(source: forms.BaseForm | HttpRequest) -> str:
    """The key a form or a plain POST carried; "" when none or not one of ours."""
    if isinstance(source, HttpRequest):
        key = source.POST.get(FIELD, "")
    else:
        key = source.data.get(source.add_prefix(FIELD), "")
    return key if isinstance(key, str) and KEY_PATTERN.match(key) else ""


def earlier(request: HttpRequest, source: forms.BaseForm | HttpRequest) -> str | None:
    """Where the record an earlier submission with this key made is, if there was one: for a form
    whose validation the first submission changes (an invitation to this address is then pending)."""
    key = key_of(source)
    if not key:
        return None
    return SubmissionKey.objects.filter(user=request.user, key=key).values_list("result_url", flat=True).first()


@dataclass(frozen=True)
class Outcome:
    url: str  # where the record made is
    made: Any = None  # what this submission made; None when an earlier one with the key did

    def answer(self, request: HttpRequest, success: Callable[[Any], str]) -> HttpResponse:
        """To what was made, with ``success(made)`` as its message; after a repeat, to what the
        first submission made, saying so."""
        if self.made is not None:
            messages.success(request, success(self.made))
        else:
            messages.info(request, REPEATED)
        return redirect(self.url)


def once(request: HttpRequest, source: forms.BaseForm | HttpRequest, make: Callable[[], Any], *,
         url: Callable[[Any], str] | None = None) -> Outcome:
    """Run ``make`` once per key, in one transaction with the key's row; the record it returns is
    then at ``url(record)``, or at its ``get_absolute_url()``. An exception from ``make`` rolls the key back
    with everything else, so the page can be sent again."""
    key = key_of(source)
    with transaction.atomic():
        row = None
        if key:
            try:
                with transaction.atomic():
                    row = SubmissionKey.objects.create(user=request.user, key=key)
            except IntegrityError:
                return Outcome(SubmissionKey.objects.get(user=request.user, key=key).result_url)
        made = make()
        where = url(made) if url else made.get_absolute_url()
        if row is not None:
            row.result_url = where
            row.save(update_fields=["result_url"])
            SubmissionKey.objects.filter(user=request.user, created_at__lt=timezone.now() - KEEP_FOR).delete()
    return Outcome(where, made)

"""Optimistic concurrency for the edit forms of records: two physios saving the same record never
silently lose one of the saves.

Every record with an edit form (athlete, assessment, program version and item, exercise, program
template and item, clinic) is ``Versioned``: a ``lock_version`` counter with who changed it last
and when.
The edit page carries the version it showed in a hidden field (``track``); ``save`` writes in one
transaction that starts with a conditional ``UPDATE ... SET lock_version = loaded + 1 WHERE
lock_version = loaded``. On PostgreSQL a second save racing the first waits on the row lock that
UPDATE takes and then finds the version moved on; on SQLite writers are serialised and the UPDATE
is the transaction's first statement, so it sees the latest version too. A save against a changed
record is refused (``Conflict``): the form keeps what the user typed, says who changed the record
and when, and now carries the current version, so saving again after a review goes through.

A POST without the hidden field (no page of ours sends one) is checked against the version the
view has just read: it still cannot overwrite a save made in between, and a client that leaves the
field out gains nothing it could not get by reloading the page.
"""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

FIELD = "lock_version"


class Versioned(models.Model):
    """The version counter of a record edited through a form, and who changed it last and when."""

    lock_version = models.PositiveIntegerField(default=1, editable=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   editable=False, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


# The bookkeeping columns: never a clinician's change, never audited as one.
BOOKKEEPING_FIELDS = {"lock_version", "changed_by", "changed_at"}


class LoadedVersionField(forms.IntegerField):
    """The version the page showed. Never a change of its own (not in ``changed_data``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, min_value=1, max_value=2**31 - 1, **kwargs)

    def has_changed(self, initial, data) -> bool:
        return False


class Conflict(Exception):
    """Someone else saved the record after this page was loaded."""

    def __init__(self, record: Versioned) -> None:
        self.record = record
        by = record.changed_by
        who = (by.full_name or by.email) if by is not None else "Someone else"
        when = timezone.localtime(record.changed_at) if record.changed_at else None
        if when is None:
            at = ""
        elif when.date() == timezone.localdate():
            at = f" at {when:%H:%M}"
        else:
            at = f" on {when:%-d %b %Y} at {when:%H:%M}"
        super().__init__(f"{who} changed this record{at}, after you opened it. Your changes are below, not "
                         "saved: review them against the current record and save again.")


def track(form: forms.BaseForm, record: Versioned) -> forms.BaseForm:
    """Give an edit form the hidden field that carries the version of ``record`` it shows."""
    form.fields[FIELD] = LoadedVersionField(initial=record.lock_version)
    helper = getattr(form, "helper", None)
    if helper is not None:
        helper.render_hidden_fields = True  # a crispy layout renders only what it names otherwise
    return form


def loaded_version(form: forms.BaseForm, record: Versioned) -> int:
    loaded = form.cleaned_data.get(FIELD) if hasattr(form, "cleaned_data") else None
    return loaded or record.lock_version


def claim(record: Versioned, loaded: int, *, by) -> None:
    """Move ``record`` from version ``loaded`` to the next, or raise ``Conflict``. Call it inside the
    transaction that writes the record, before the write."""
    model = type(record)
    now = timezone.now()
    moved = model._base_manager.filter(pk=record.pk, lock_version=loaded).update(
        lock_version=loaded + 1, changed_by=by, changed_at=now)
    if not moved:
        raise Conflict(model._base_manager.select_related("changed_by").get(pk=record.pk))
    record.lock_version, record.changed_by, record.changed_at = loaded + 1, by, now


def save[T](form: forms.BaseForm, record: Versioned, *, by, write: Callable[[], T]) -> T:
    """``write()`` in one transaction with the claim of ``record`` at the version ``form`` carried.
    On a conflict nothing is written, and ``form`` keeps its data with the error and the current
    version before ``Conflict`` is raised."""
    try:
        with transaction.atomic():
            claim(record, loaded_version(form, record), by=by)
            return write()
    except Conflict as conflict:
        refuse(form, conflict)
        raise


def refuse(form: forms.BaseForm, conflict: Conflict) -> None:
    """Re-render ``form`` with the user's input, the conflict, and the version now current."""
    differing = [str(form.fields[name].label or name.replace("_", " ").capitalize()) for name in form.changed_data]
    form.data = form.data.copy()
    form.data[form.add_prefix(FIELD)] = str(conflict.record.lock_version)
    message = str(conflict)
    if differing:
        message += f" Where yours differs from the saved record: {', '.join(differing)}."
    form.add_error(None, message)

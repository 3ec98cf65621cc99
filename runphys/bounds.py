"""Bounded text: no free-text field takes more than its ``max_length``, whatever the path in.

Every ``TextField`` of ours has a ``max_length``, which Django uses in the form (``maxlength`` on
the textarea and its "Ensure this value has at most N characters" error) but never in the
database. ``max_length_checks`` gives the model the database half: a
``CHECK (LENGTH(column) <= N)`` per field, which ``full_clean`` evaluates too, so a script, a
queryset ``update`` or a future form that forgets the bound cannot store a megabyte either.

Why a CHECK on a ``text`` column rather than a ``CharField``: ``varchar(N)`` is enforced by
PostgreSQL but ignored by SQLite (the one-machine set-up), while a CHECK holds on both, and a later
change of bound replaces a constraint instead of rewriting the column. ``CharField``s keep
``varchar(N)``: PostgreSQL, the production database, enforces those, and the form and the model
check them on every database. ``tests/runphys/test_input_limits.py`` holds every text field of
every model to having both halves, with the same bound.
"""

from django.db import models
from django.db.models.functions import Cast, Length
from django.db.models.lookups import LessThanOrEqual


def max_length_check(field: str, limit: int, *, stored_as_json: bool = False) -> models.CheckConstraint:
    """``LENGTH(field) <= limit``; for a JSON column, the length of its text."""
    value = Cast(field, models.TextField()) if stored_as_json else models.F(field)
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(value), limit),
        name=f"%(app_label)s_%(class)s_{field}_max_length",
        violation_error_message=f"The {field.replace('_', ' ')} may be at most {limit} characters long.",
    )


def max_length_checks(**limits: int) -> list[models.CheckConstraint]:
    return [max_length_check(field, limit) for field, limit in limits.items()]

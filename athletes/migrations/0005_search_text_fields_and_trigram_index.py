"""Search that stays fast at 100,000 athletes (issue 19): ``search_text`` now holds the names, email
and phone digits between separators (so a whole name and a name's start can be ranked first), and
on PostgreSQL a trigram index (pg_trgm) serves its ``LIKE '%fragment%'`` matches. SQLite keeps the
plain scan: the index is PostgreSQL's alone, so it lives here and not in ``Athlete.Meta``."""

import unicodedata

import django.db.models.functions.text
import django.db.models.lookups
from django.contrib.postgres.operations import TrigramExtension
from django.db import DatabaseError, migrations, models

SEPARATOR = "|"


def fold(text):
    # A copy of athletes.models.searchable as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char) and char != SEPARATOR)


def search_text_of(first_name, last_name, email, phone):
    # A copy of athletes.models.search_text_of as it was when this migration was written.
    digits = "".join(char for char in phone or "" if char.isdigit())
    return SEPARATOR + SEPARATOR.join([fold(first_name), fold(last_name), fold(email), digits]) + SEPARATOR


def fill_search_text(apps, schema_editor):
    # A derived column, not a change anyone made: the historical model writes it without an audit event.
    Athlete = apps.get_model("athletes", "Athlete")
    batch = []
    for athlete in Athlete.objects.only("first_name", "last_name", "email", "phone").iterator(chunk_size=2000):
        athlete.search_text = search_text_of(athlete.first_name, athlete.last_name, athlete.email, athlete.phone)
        batch.append(athlete)
        if len(batch) == 2000:
            Athlete.objects.bulk_update(batch, ["search_text"])
            batch = []
    Athlete.objects.bulk_update(batch, ["search_text"])


class CreateTrigramExtension(TrigramExtension):
    """``CREATE EXTENSION pg_trgm``, failing with what to do about it rather than a bare error."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        try:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        except DatabaseError as error:
            raise RuntimeError(
                "RunPhys's athlete search needs PostgreSQL's pg_trgm extension, and this database user "
                f"could not create it ({error}). pg_trgm ships with PostgreSQL (the postgresql-contrib "
                "package on older systems); a superuser can create it once with: "
                "psql -d <database> -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm;' and then run migrate again."
            ) from error


class PostgreSQLOnly(migrations.RunSQL):
    """SQL for PostgreSQL only; nothing on SQLite."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('athletes', '0004_text_length_limits'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='athlete',
            name='athletes_athlete_search_text_max_length',
        ),
        migrations.AlterField(
            model_name='athlete',
            name='search_text',
            field=models.TextField(default='', editable=False, max_length=8802),
        ),
        migrations.AddConstraint(
            model_name='athlete',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length(models.F('search_text')), 8802), name='athletes_athlete_search_text_max_length', violation_error_message='The search text may be at most 8802 characters long.'),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        CreateTrigramExtension(),
        PostgreSQLOnly(
            "CREATE INDEX athlete_search_trigram ON athletes_athlete USING gin (search_text gin_trgm_ops)",
            "DROP INDEX IF EXISTS athlete_search_trigram",
        ),
    ]

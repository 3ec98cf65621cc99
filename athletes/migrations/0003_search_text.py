import unicodedata

from django.db import migrations, models


def fold(text):
    # A copy of athletes.models.searchable as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fill_search_text(apps, schema_editor):
    # A derived column, not a change anyone made: the historical model writes it without an audit event.
    Athlete = apps.get_model("athletes", "Athlete")
    batch = []
    for athlete in Athlete.objects.only("first_name", "last_name", "email").iterator(chunk_size=2000):
        athlete.search_text = fold(" ".join([athlete.first_name, athlete.last_name, athlete.email]))
        batch.append(athlete)
        if len(batch) == 2000:
            Athlete.objects.bulk_update(batch, ["search_text"])
            batch = []
    Athlete.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ('athletes', '0002_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='athlete',
            name='search_text',
            field=models.TextField(default='', editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]

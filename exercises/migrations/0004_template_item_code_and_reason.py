"""Template items get a code (for the builder's URLs, like program items), a reason in words, and
notes as long as a program item's (saving a program as a template keeps them whole)."""

import uuid

from django.db import migrations, models


def give_codes(apps, schema_editor):
    Item = apps.get_model("exercises", "ProgramTemplateItem")
    for item in Item.objects.filter(code__isnull=True).only("pk"):
        item.code = uuid.uuid4()
        item.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("exercises", "0003_text_length_limits")]

    operations = [
        migrations.AddField(
            model_name="programtemplateitem", name="code", field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="programtemplateitem", name="code",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="programtemplateitem", name="reason",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="why it is there",
                help_text="For the athlete, printed on the handout of a program made from the template, e.g. "
                          "“To let your hip turn inwards further”. Empty: “Chosen by your physio”.",
            ),
        ),
        migrations.AlterField(
            model_name="programtemplateitem", name="notes",
            field=models.CharField(blank=True, help_text="Shown beside the exercise, e.g. “left side only”.",
                                   max_length=300),
        ),
    ]

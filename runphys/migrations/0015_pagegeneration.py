import uuid

from django.db import migrations, models


def first_token(apps, schema_editor):
    apps.get_model("runphys", "PageGeneration").objects.create(pk=1, token=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [("runphys", "0014_audit_actor_views_index")]

    operations = [
        migrations.CreateModel(
            name="PageGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]

"""Logos stored before the upload pipeline were kept as uploaded: with their EXIF (camera, GPS),
PNG text chunks, appended bytes and the uploaded name, and served with a type guessed from it.
This passes each through ``runphys.uploads.clean`` now: re-encoded under a random name, the
original deleted. One that is not a picture by content (or too many pixels) is removed: it could
never have been shown as a logo, and keeping it would keep whatever it carries."""

import re

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import migrations

from runphys import uploads

PIPELINE_NAME = re.compile(r"logos/[0-9a-f]{32}\.(jpg|png|webp)")


def reencode_logos(apps, schema_editor) -> None:
    Clinic = apps.get_model("runphys", "Clinic")  # noqa: N806
    for clinic in Clinic.objects.exclude(logo=""):
        old = clinic.logo.name
        if PIPELINE_NAME.fullmatch(old):
            continue
        storage = clinic.logo.storage
        try:
            with storage.open(old, "rb") as stored:
                cleaned = uploads.clean(File(stored), noun="logo")
            clinic.logo = storage.save(f"logos/{cleaned.name}", cleaned)
        except (ValidationError, OSError):
            clinic.logo = ""
        clinic.save(update_fields=["logo"])
        storage.delete(old)


class Migration(migrations.Migration):
    dependencies = [("runphys", "0009_audit_target_ids")]

    operations = [migrations.RunPython(reencode_logos, migrations.RunPython.noop, elidable=True)]

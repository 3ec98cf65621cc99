"""Backup codes stored before they were kept as digests are replaced by their digests (the same
keyed HMAC as ``runphys.twofactor.backup_code_digest``, written out here so that the migration
does not change if that module does). The codes users hold keep working."""

from django.db import migrations
from django.utils.crypto import salted_hmac

DIGEST_LENGTH = 16


def digest(code: str) -> str:
    return salted_hmac("runphys.twofactor.backup-code", code.strip().lower(), algorithm="sha256").hexdigest()[:16]


def hash_plain_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.exclude(token__regex=r"^[0-9a-f]{16}$").iterator():
        token.token = digest(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):

    dependencies = [
        ("runphys", "0003_security"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]

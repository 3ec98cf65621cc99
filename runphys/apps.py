from django.apps import AppConfig, apps
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete


class RunphysConfig(AppConfig):
    name = "runphys"
    verbose_name = "RunPhys accounts and clinics"

    def ready(self) -> None:
        # Connecting the auth-event receivers; uploads also caps Pillow's pixel count for the process.
        from runphys import devices, fragments, sessions, signals, uploads  # noqa: F401

        connection_created.connect(fragments.install, dispatch_uid="page-fragments")

        # A deleted record takes its stored files with it. Connected per model that has files, not
        # for every sender: a receiver on a model turns off Django's fast (bulk) deletes for it.
        for model in apps.get_models():
            if any(isinstance(field, models.FileField) for field in model._meta.concrete_fields):
                post_delete.connect(uploads.delete_files_of, sender=model, dispatch_uid=f"files-of-{model._meta.label}")

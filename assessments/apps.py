from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The athletes app and runphys cannot import this one: export, erasure and the audit log ask
        # through hooks.
        from assessments.programs import athlete_records, audit_log

        athlete_records.register()
        audit_log.register()

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The athletes app cannot import this one: its export and erasure ask through hooks.
        from assessments.programs import athlete_records

        athlete_records.register()

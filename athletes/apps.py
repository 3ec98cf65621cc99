from django.apps import AppConfig


class AthletesConfig(AppConfig):
    name = "athletes"
    verbose_name = "Athletes"

    def ready(self) -> None:
        from athletes import audit_log

        audit_log.register()

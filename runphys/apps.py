from django.apps import AppConfig


class RunphysConfig(AppConfig):
    name = "runphys"
    verbose_name = "RunPhys accounts and clinics"

    def ready(self) -> None:
        from runphys import devices, sessions, signals  # noqa: F401  (connect the auth-event receivers)

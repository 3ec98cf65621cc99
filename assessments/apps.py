from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # The athletes app cannot import this one: its export and erasure ask through these hooks.
        from assessments.models import anonymise_free_text, export_section, has_assessments
        from athletes import erasure, export

        export.register_section("assessments", export_section)
        erasure.register_clinical_records(has_assessments)
        erasure.register_anonymiser(anonymise_free_text)

        # Programs and their issued handouts are part of the same record.
        from assessments.deliveries import forget_recipients
        from assessments.program_models import anonymise_programs, export_handouts, export_programs, has_programs

        export.register_section("programs", export_programs)
        export.register_file("handouts", export_handouts)
        erasure.register_clinical_records(has_programs)
        erasure.register_anonymiser(anonymise_programs)
        erasure.register_anonymiser(forget_recipients)

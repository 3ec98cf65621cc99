"""The one helper that scopes records to the requesting user's clinic.

Every model that holds clinic data uses ``ClinicScopedQuerySet`` and names the path from itself to
its clinic in ``clinic_path`` ("clinic" for an athlete, "athlete__clinic" for an assessment). Views
look records up through ``Model.objects.for_user(request.user)``, so a record of another clinic is
indistinguishable from one that does not exist: a 404, never a 403.
"""

from typing import Self

from django.db import models


class ClinicScopedQuerySet(models.QuerySet):
    clinic_path = "clinic"

    def for_user(self, user) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        clinic = user.clinic
        if clinic is None:
            return self.none()
        return self.filter(**{self.clinic_path: clinic})

    def for_clinic(self, clinic) -> Self:
        return self.filter(**{self.clinic_path: clinic})

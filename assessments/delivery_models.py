"""Emailing an issued handout: the clinic's message and the record of each send request.

The sending itself (queue, retries, never twice) is ``runphys.emails``; a ``HandoutDelivery``
ties one ``runphys.EmailDelivery`` to the program version it carried.
"""

import uuid

from django.db import models

from runphys.models import Clinic, EmailDelivery
from runphys.tenancy import ClinicScopedQuerySet

DEFAULT_HANDOUT_MESSAGE = (
    "Here is the exercise program we agreed at your appointment. The PDF attached shows each exercise "
    "with pictures, how many sets and repetitions to do, and why it is in your program.\n\n"
    "Tick the weekly chart as you go and bring it to your next visit."
)


class HandoutEmail(models.Model):
    """The words a clinic puts in every handout email (one per clinic; the default until edited)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="handout_email")
    message = models.TextField(
        max_length=2000, default=DEFAULT_HANDOUT_MESSAGE,
        help_text="Plain text, shown above the instructions and your clinic's contact details.",
    )

    def __str__(self) -> str:
        return f"Handout email of {self.clinic}"

    @classmethod
    def for_clinic(cls, clinic: Clinic) -> "HandoutEmail":
        return cls.objects.filter(clinic=clinic).first() or cls(clinic=clinic)


class HandoutDeliveryQuerySet(ClinicScopedQuerySet):
    clinic_path = "version__program__athlete__clinic"

    def with_email(self) -> "HandoutDeliveryQuerySet":
        return self.select_related("email", "email__requested_by")


class HandoutDelivery(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey("assessments.ProgramVersion", on_delete=models.PROTECT, related_name="deliveries")
    email = models.OneToOneField(EmailDelivery, on_delete=models.PROTECT, related_name="handout")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HandoutDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Handout delivery {self.code}"

    @property
    def is_pending(self) -> bool:
        return self.email.is_pending

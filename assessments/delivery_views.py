"""Emailing an issued handout: confirm and send, watch the delivery, edit the clinic's message."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from assessments import deliveries
from assessments.delivery_forms import HandoutEmailForm, SendHandoutForm
from assessments.delivery_models import HandoutDelivery, HandoutEmail
from assessments.program_models import ProgramVersion
from runphys import audit
from runphys.emails import EmailLimitReached
from runphys.views import require_clinic_admin


@require_http_methods(["GET", "POST"])
def send_handout(request: HttpRequest, code: UUID) -> HttpResponse:
    """GET shows the recipient and the message; POST (with the page's one-time key) queues it."""
    versions = ProgramVersion.objects.for_user(request.user).select_related("program__athlete__clinic", "clinician")
    version = get_object_or_404(versions, code=code)
    athlete = version.program.athlete
    refusal = deliveries.refusal(version)
    form = SendHandoutForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            delivery, created = deliveries.send(version, by=request.user,
                                                request_key=str(form.cleaned_data["request_key"]))
        except EmailLimitReached as error:
            messages.error(request, str(error))
        else:
            if created:
                audit.record("email_handout", request=request, target=athlete, fields=["email"])
                messages.success(request, f"The handout is on its way to {athlete.email}.")
            else:
                messages.info(request, "That email was already queued; it is sent once.")
            return redirect(version.program)
    subject, body = ("", "") if refusal else deliveries.preview(version)
    audit.record("view", request=request, target=athlete)
    return render(request, "assessments/handout_send.html", {
        "version": version, "program": version.program, "athlete": athlete, "form": form,
        "refusal": refusal, "subject": subject, "body": body,
    }, status=409 if refusal and request.method == "POST" else 200)


@require_GET
def delivery_status(request: HttpRequest, code: UUID) -> HttpResponse:
    """The status badge of one delivery; htmx polls it while the delivery is queued or sending."""
    delivery = get_object_or_404(HandoutDelivery.objects.for_user(request.user).with_email(), code=code)
    return render(request, "assessments/_delivery_status.html", {"delivery": delivery})


@require_http_methods(["GET", "POST"])
def handout_email_settings(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    instance = HandoutEmail.for_clinic(request.user.clinic)
    form = HandoutEmailForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record("clinic_update", request=request, target=request.user.clinic, fields=["handout_email"])
        messages.success(request, "Handout email message saved.")
        return redirect("deliveries:message")
    return render(request, "assessments/handout_email_form.html", {"form": form})

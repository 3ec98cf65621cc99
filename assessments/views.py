"""Recording and reading assessments, and the clinic's reference values and defaults.

Every lookup goes through a clinic-scoped queryset (another clinic's record is a 404), every read
and write of an assessment is audited, and every POST redirects.
"""

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.forms import AssessmentDefaultsForm, AssessmentEntry, MdcSettingForm, ReferenceValueForm
from assessments.models import (
    Assessment,
    AssessmentDefaults,
    MdcSetting,
    ReferenceValue,
    reference_table,
    update_athlete_summary,
    update_clinic_summaries,
)
from athletes.models import Athlete
from runphys import audit, concurrency, fragments, submissions
from runphys.views import require_clinic_admin

PAGE_SIZE = 50


@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The clinic's assessments, newest first, with each one's open findings."""
    assessments = Assessment.objects.for_user(request.user).newest_first().with_readings()
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    table = reference_table(request.user.clinic)
    rows = [(assessment, [f for f in assessment.findings(table) if f.is_open]) for assessment in page]
    audit.shown(request, "assessment", page)
    audit.shown(request, "athlete", [assessment.athlete for assessment in page])
    return render(request, "assessments/assessment_list.html", {"page": page, "rows": rows})


def _entry(request: HttpRequest, athlete: Athlete, instance: Assessment | None) -> HttpResponse:
    entry = AssessmentEntry(request.POST if request.method == "POST" else None, athlete=athlete,
                            clinic=request.user.clinic, user=request.user, instance=instance)
    context = {"entry": entry, "athlete": athlete, "assessment": instance}
    if request.method == "POST" and entry.is_valid():
        def write() -> Assessment:
            assessment, _ = entry.save(request)
            update_athlete_summary(athlete)
            return assessment

        if instance is None:
            done = submissions.once(request, entry.assessment_form, write)
            if not done.made:
                messages.info(request, submissions.REPEATED)
                return redirect(done.url)
            messages.success(request, "Assessment saved.")
            return redirect(done.url)
        try:
            assessment = concurrency.save(entry.assessment_form, instance, by=request.user, write=write)
        except concurrency.Conflict:
            return render(request, "assessments/assessment_form.html", context, status=409)
        messages.success(request, "Assessment updated.")
        return redirect(assessment)
    if request.method == "GET" and instance is not None:
        audit.record("view", request=request, target=instance)
    return render(request, "assessments/assessment_form.html", context)


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, athlete_code: UUID) -> HttpResponse:
    athlete = get_object_or_404(Athlete.objects.for_user(request.user).active(), code=athlete_code)
    return _entry(request, athlete, None)


@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.for_user(request.user).with_readings().filter(athlete__anonymised_at__isnull=True),
        code=code)
    return _entry(request, assessment.athlete, assessment)


@require_GET
def assessment_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    """The assessment's readings, findings, comparisons and charts: the content is a fragment kept
    per clinic, assessment and day (``runphys.fragments``), so a repeat visit runs no query for it."""
    clinic = request.user.clinic
    assessment, body = fragments.kept_record(
        request, "assessment", (getattr(clinic, "pk", None), code, clinic and clinic.today()),
        load=lambda: get_object_or_404(Assessment.objects.for_user(request.user).with_readings(), code=code),
        draw=lambda assessment: _assessment_body(assessment, clinic))
    # The scoped lookup found it in the user's clinic: no query for the athlete's clinic.
    audit.record("view", request=request, target=assessment, clinic=clinic)
    return render(request, "assessments/assessment_detail.html", {"assessment": assessment, "body": body})


def _assessment_body(assessment: Assessment, clinic) -> SafeString:
    return render_to_string("assessments/_assessment_body.html", {
        "assessment": assessment, "athlete": assessment.athlete, "rows": assessment.reading_rows(),
        "report": assessment.report(reference_table(clinic)),
    })


# --- Reference values, MDC and clinic defaults ------------------------------------------------------


@require_GET
def references(request: HttpRequest) -> HttpResponse:
    """The reference values and MDC95 values in force for the clinic, each with its source and,
    where the clinic changed it, the value shipped with RunPhys beside it."""
    clinic = request.user.clinic
    shipped_refs = {row.key: row for row in ReferenceValue.objects.shipped()}
    shipped_mdc = {row.key: row for row in MdcSetting.objects.shipped()}
    context = {
        "references": [(row, shipped_refs.get(row.key)) for row in ReferenceValue.objects.in_force_for(clinic)],
        "mdcs": [(row, shipped_mdc.get(row.key)) for row in MdcSetting.objects.in_force_for(clinic)],
        "defaults": AssessmentDefaults.for_clinic(clinic),
    }
    return render(request, "assessments/references.html", context)


def _override_target(model, request: HttpRequest, code: UUID):
    """The clinic's override row for the key of ``code`` (unsaved when there is none yet), and the
    shipped row. ``code`` may name a shipped row or the clinic's own override; never another clinic's."""
    clinic = request.user.clinic
    row = get_object_or_404(model.objects.filter(clinic__isnull=True) | model.objects.filter(clinic=clinic), code=code)
    key_fields = {"measure", "position", "mode", "sex"} if model is ReferenceValue else {"situation"}
    key = {name: getattr(row, name) for name in key_fields}
    shipped = model.objects.shipped().filter(**key).first()
    override = model.objects.filter(clinic=clinic, **key).first()
    if override is None:
        override = model(clinic=clinic, **key)
        if shipped is not None:
            for field in model._meta.concrete_fields:
                if field.name not in {"id", "code", "clinic", "updated_at", "updated_by"}:
                    setattr(override, field.attname, getattr(shipped, field.attname))
    return override, shipped


def _edit_override(request: HttpRequest, model, form_class, code: UUID, template: str) -> HttpResponse:
    require_clinic_admin(request)
    row, shipped = _override_target(model, request, code)
    form = form_class(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        creating = row.pk is None
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.updated_by = request.user
            saved.save()
            audit.record("create" if creating else "update", request=request, target=saved,
                         clinic=request.user.clinic, fields=form.changed_data)
            update_clinic_summaries(request.user.clinic)
        messages.success(request, "Your clinic now uses these values. New findings use them at once.")
        return redirect("assessments:references")
    return render(request, template, {"form": form, "row": row, "shipped": shipped})


def _restore(request: HttpRequest, model, code: UUID) -> HttpResponse:
    require_clinic_admin(request)
    row = get_object_or_404(model.objects.filter(clinic=request.user.clinic), code=code)
    with transaction.atomic():
        audit.record("delete", request=request, target=row, clinic=request.user.clinic)
        row.delete()
        update_clinic_summaries(request.user.clinic)
    messages.success(request, "Back to the value shipped with RunPhys.")
    return redirect("assessments:references")


@require_http_methods(["GET", "POST"])
def reference_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    return _edit_override(request, ReferenceValue, ReferenceValueForm, code, "assessments/reference_form.html")


@require_POST
def reference_restore(request: HttpRequest, code: UUID) -> HttpResponse:
    return _restore(request, ReferenceValue, code)


@require_http_methods(["GET", "POST"])
def mdc_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    return _edit_override(request, MdcSetting, MdcSettingForm, code, "assessments/mdc_form.html")


@require_POST
def mdc_restore(request: HttpRequest, code: UUID) -> HttpResponse:
    return _restore(request, MdcSetting, code)


@require_http_methods(["GET", "POST"])
def defaults_edit(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    defaults = AssessmentDefaults.for_clinic(request.user.clinic)
    form = AssessmentDefaultsForm(request.POST or None, instance=defaults)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record("update", request=request, target_type="assessmentdefaults",
                     target_id=str(request.user.clinic.code), fields=form.changed_data)
        messages.success(request, "Assessment defaults saved.")
        return redirect("assessments:references")
    return render(request, "assessments/defaults_form.html", {"form": form})

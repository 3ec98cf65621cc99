"""The athletes' pages, and the dashboard.

The dashboard lives here rather than in runphys because it is the athletes' home (recently seen
athletes and a quick search) and runphys imports no domain app; the project URLconf routes "/" to
``dashboard`` under the name "dashboard".

Every page that shows one athlete's record appends a "view" event to the audit log; writes are
audited by the model itself (``Athlete.save``/``delete`` with the request). The list, its search
and the dashboard log the athletes they showed as one "list" event a page (``audit.shown``).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from athletes import erasure, export, paging
from athletes.forms import AthleteFilterForm, AthleteForm, ErasureForm
from athletes.models import Athlete
from runphys import audit, concurrency, fragments, submissions
from runphys.sessions import reauthentication_required
from runphys.views import render_list


def get_athlete(request: HttpRequest, code: UUID) -> Athlete:
    athletes = Athlete.objects.for_user(request.user).select_related("primary_clinician", "consent_email_by")
    return get_object_or_404(athletes, code=code)


def record_view(request: HttpRequest, athlete: Athlete) -> None:
    event = audit.record("view", request=request, target=athlete, clinic=request.user.clinic)
    fragments.viewed(request.user.pk, event.pk)  # the dashboard's recently seen changes with it


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The physio's home: its three lists are tags that keep them as fragments (``runphys.fragments``)."""
    return render(request, "athletes/dashboard.html")


@require_http_methods(["GET", "POST"])
def athlete_list(request: HttpRequest) -> HttpResponse:
    """The clinic's athletes. Searches arrive by POST so that what was typed (usually a name) stays out
    of URLs, browser history and access logs; nothing changes, so the results are rendered directly."""
    form = AthleteFilterForm(request.POST if request.method == "POST" else request.GET)
    clinic_athletes = Athlete.objects.for_user(request.user)
    today = timezone.localdate()

    def results() -> SafeString:
        page = paging.page_of(form.apply(clinic_athletes.for_list()), clinic_athletes=clinic_athletes,
                              sort=form.value("sort"), per_page=form.value("per_page"), token=form.data.get("page"),
                              search=form.value("q"))
        audit.shown(request, "athlete", page)
        return render_to_string("athletes/_athlete_results.html", {
            "page": page, "athletes": page.athletes, "narrowed": form.narrows(), "today": today})

    # A page of the list is kept (runphys.fragments) unless a search was typed: what a person types
    # (usually a name) is never part of a key or kept.
    filters = form.values()
    if filters["q"]:
        drawn = results()
    else:
        clinic = request.user.clinic
        parts = (getattr(clinic, "pk", None), today, *(filters[name] for name in sorted(filters)),
                 *paging.read_cursor(form.data.get("page")))  # what the signed cursor says, never the raw text
        drawn = fragments.kept(request, "athlete-list", parts, results)
    context = {"form": form, "filters": filters, "results": drawn}
    return render_list(request, "athletes/athlete_list.html", context)


@require_http_methods(["GET", "POST"])
def athlete_create(request: HttpRequest) -> HttpResponse:
    if request.user.clinic is None:
        raise PermissionDenied("Only members of a clinic can add athletes.")
    form = submissions.carry(AthleteForm(request.POST or None, user=request.user))
    if request.method == "POST" and form.is_valid():
        def make() -> Athlete:
            athlete = form.save(commit=False)
            athlete.save(request=request)
            return athlete

        done = submissions.once(request, form, make)
        return done.answer(request, lambda made: f"{made.full_name} added.")
    return render(request, "athletes/athlete_form.html", {"form": form})


@require_GET
def athlete_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    """The athlete's profile and timeline: both are a fragment kept per clinic, athlete and day
    (``runphys.fragments``) with the athlete it was drawn from; the buttons above them (forms with
    this request's CSRF token, what the user's role allows) are drawn for every request."""
    clinic = request.user.clinic
    athlete, body = fragments.kept_record(
        request, "athlete", (getattr(clinic, "pk", None), code, clinic and clinic.today()),
        load=lambda: get_athlete(request, code),
        draw=lambda athlete: render_to_string("athletes/_athlete_body.html",
                                              {"athlete": athlete, "current_clinic": clinic}))
    record_view(request, athlete)
    return render(request, "athletes/athlete_detail.html", {
        "athlete": athlete, "body": body, "can_export": athlete.can_be_exported_by(request.user),
    })


@require_http_methods(["GET", "POST"])
def athlete_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    athlete = get_athlete(request, code)
    if athlete.is_anonymised:
        messages.error(request, "This record has been anonymised and can no longer be edited.")
        return redirect(athlete)
    form = concurrency.track(AthleteForm(request.POST or None, instance=athlete, user=request.user), athlete)
    if request.method == "POST":
        if form.is_valid():
            if not form.has_changed():
                messages.info(request, "Nothing changed.")
                return redirect(athlete)
            try:
                concurrency.save(form, athlete, by=request.user,
                                 write=lambda: form.save(commit=False).save(request=request))
            except concurrency.Conflict:
                return render(request, "athletes/athlete_form.html", {"form": form, "athlete": athlete},
                              status=409)
            messages.success(request, "Changes saved.")
            return redirect(athlete)
        if form.has_error("primary_clinician", "treating_locked"):
            audit.record("update_refused", request=request, target=athlete, fields=["primary_clinician"])
    else:
        record_view(request, athlete)
    return render(request, "athletes/athlete_form.html", {"form": form, "athlete": athlete})


@require_POST
def athlete_archive(request: HttpRequest, code: UUID) -> HttpResponse:
    athlete = get_athlete(request, code)
    athlete.archive(request=request)
    messages.success(request, f"{athlete.full_name} archived. Their record is kept and can be restored.")
    return redirect(athlete)


@require_POST
def athlete_unarchive(request: HttpRequest, code: UUID) -> HttpResponse:
    athlete = get_athlete(request, code)
    if athlete.is_anonymised:
        messages.error(request, "An anonymised record stays archived.")
    else:
        athlete.unarchive(request=request)
        messages.success(request, f"{athlete.full_name} is active again.")
    return redirect(athlete)


@require_POST
@reauthentication_required
def athlete_export(request: HttpRequest, code: UUID) -> HttpResponse:
    athlete = get_athlete(request, code)
    if not athlete.can_be_exported_by(request.user):
        raise PermissionDenied("Only the treating clinician or a clinic admin can export this record.")
    exported = export.build(athlete)
    audit.record("export", request=request, target=athlete, clinic=request.user.clinic)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


@require_http_methods(["GET", "POST"])
@reauthentication_required
def athlete_erase(request: HttpRequest, code: UUID) -> HttpResponse:
    athlete = get_athlete(request, code)
    if not request.user.is_clinic_admin:
        raise PermissionDenied("Only a clinic admin can erase a record.")
    form = ErasureForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        outcome = erasure.erase(athlete, request=request)
        if outcome is erasure.Outcome.DELETED:
            messages.success(request, "The athlete's record has been deleted.")
            return redirect("athlete_list")
        messages.success(request, "The athlete's record has been anonymised; de-identified measurements are kept.")
        return redirect(athlete)
    if request.method == "GET":
        record_view(request, athlete)
    return render(request, "athletes/athlete_erase.html", {
        "athlete": athlete,
        "form": form,
        "outcome": erasure.planned_outcome(athlete),
        "retention_years": erasure.ADULT_RETENTION_YEARS,
        "retention_ends_on": erasure.retention_ends_on(athlete),
    })

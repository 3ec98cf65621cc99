"""Pages of the exercise library: browse and search, read, copy and adapt, clinic pictures, and
program templates.

Shipped exercises and templates are visible to every clinic and changeable by none: every view
that changes something looks the record up through ``editable_by``, so a shipped one is a 404
there, exactly like another clinic's. The catalogue holds no athlete data, so only its writes are
audited.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises.forms import (
    ExerciseFilterForm,
    ExerciseForm,
    ProgramTemplateForm,
    ProgramTemplateItemFormSet,
    item_helper,
)
from exercises.models import Exercise, ProgramTemplate
from runphys import audit, concurrency, submissions, uploads
from runphys.models import Clinic
from runphys.views import render_list

PAGE_SIZE = 24


def clinic_of(request: HttpRequest) -> Clinic:
    """The clinic that will own what the user creates. A user outside any clinic (a bare
    superuser) must not create rows without one: those would be "shipped" to every clinic."""
    clinic = request.user.clinic
    if clinic is None:
        raise PermissionDenied("Only members of a clinic can add exercises or templates.")
    return clinic


@require_GET
def exercise_list(request: HttpRequest) -> HttpResponse:
    filters = ExerciseFilterForm(request.GET)
    exercises = filters.apply(Exercise.objects.for_user(request.user, include_archived=filters.include_archived))
    page = Paginator(exercises, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page}
    # The search box asks for the results alone; the same URL without htmx gives the whole page.
    return render_list(request, "exercises/exercise_list.html", context)


@require_GET
def exercise_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    exercise = get_object_or_404(
        Exercise.objects.for_user(request.user, include_archived=True).select_related(
            "progression", "regression", "copied_from"
        ),
        code=code,
    )
    return render(request, "exercises/exercise_detail.html", {"exercise": exercise})


@require_http_methods(["GET", "POST"])
def exercise_create(request: HttpRequest) -> HttpResponse:
    exercise = Exercise(clinic=clinic_of(request), created_by=request.user)
    form = submissions.carry(
        ExerciseForm(request.POST or None, request.FILES or None, instance=exercise, user=request.user))
    if request.method == "POST" and form.is_valid():
        def make() -> Exercise:
            made = form.save()
            audit.record("exercise_create", request=request, target=made)
            return made

        done = submissions.once(request, form, make)
        if done.made:
            messages.success(request, f"“{done.made.name}” added to your clinic's exercises.")
        else:
            messages.info(request, submissions.REPEATED)
        return redirect(done.url)
    return render(request, "exercises/exercise_form.html", {"form": form, "exercise": None})


@require_http_methods(["GET", "POST"])
def exercise_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.editable_by(request.user), code=code)
    form = concurrency.track(
        ExerciseForm(request.POST or None, request.FILES or None, instance=exercise, user=request.user), exercise)
    context = {"form": form, "exercise": exercise}
    if request.method == "POST" and form.is_valid():
        def write() -> None:
            form.save()
            audit.record("exercise_update", request=request, target=exercise, fields=form.changed_data)

        try:
            concurrency.save(form, exercise, by=request.user, write=write)
        except concurrency.Conflict:
            return render(request, "exercises/exercise_form.html", context, status=409)
        messages.success(request, f"“{exercise.name}” saved.")
        return redirect(exercise)
    return render(request, "exercises/exercise_form.html", context)


@require_POST
def exercise_copy(request: HttpRequest, code: UUID) -> HttpResponse:
    source = get_object_or_404(Exercise.objects.for_user(request.user), code=code)
    def make() -> Exercise:
        copy = source.copy_to(clinic_of(request), by=request.user)
        audit.record("exercise_copy", request=request, target=copy)
        return copy

    done = submissions.once(request, request, make, url=lambda copy: reverse("exercises:edit", args=[copy.code]))
    if done.made:
        messages.success(request, f"“{done.made.name}” is now one of your clinic's exercises: adapt it here.")
    else:
        messages.info(request, submissions.REPEATED)
    return redirect(done.url)


@require_POST
def exercise_archive(request: HttpRequest, code: UUID) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.editable_by(request.user).active(), code=code)
    with transaction.atomic():
        exercise.archive()
        audit.record("exercise_archive", request=request, target=exercise, fields=["archived_at"])
    messages.success(request, f"“{exercise.name}” archived. Programs that use it still show it.")
    return redirect(exercise)


@require_POST
def exercise_restore(request: HttpRequest, code: UUID) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.editable_by(request.user).archived(), code=code)
    with transaction.atomic():
        exercise.restore()
        audit.record("exercise_restore", request=request, target=exercise, fields=["archived_at"])
    messages.success(request, f"“{exercise.name}” is back in your library.")
    return redirect(exercise)


@require_GET
def exercise_picture(request: HttpRequest, code: UUID, position: str) -> FileResponse:
    """An uploaded picture, only for members of the clinic that owns the exercise."""
    if position not in Exercise.Picture.values:
        raise Http404("No such picture.")
    exercise = get_object_or_404(Exercise.objects.for_user(request.user, include_archived=True), code=code)
    picture = getattr(exercise, f"{position}_picture")
    if not picture:
        raise Http404("No picture uploaded.")
    return uploads.serve(picture.name, picture.storage)


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = ProgramTemplate.objects.for_user(request.user).annotate(item_count=Count("items")).order_by(
        F("clinic").asc(nulls_last=True), "name"
    )
    return render(request, "exercises/template_list.html", {"templates": templates})


@require_GET
def template_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    template = get_object_or_404(ProgramTemplate.objects.for_user(request.user, include_archived=True), code=code)
    items = template.items.select_related("exercise")
    return render(request, "exercises/template_detail.html", {"program_template": template, "items": items})


def template_form_page(request: HttpRequest, template: ProgramTemplate, action: str) -> HttpResponse:
    """Create and edit share one page: the template's name and its items as a formset."""
    form = ProgramTemplateForm(request.POST or None, instance=template)
    if template.pk:
        concurrency.track(form, template)
    else:
        submissions.carry(form)
    formset = ProgramTemplateItemFormSet(request.POST or None, instance=template, user=request.user, prefix="items")
    context = {"form": form, "formset": formset, "item_helper": item_helper(),
               "program_template": template if template.pk else None}
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        def write() -> ProgramTemplate:
            saved = form.save()
            formset.instance = saved
            formset.save_in_order()
            audit.record(action, request=request, target=saved,
                         fields=[*form.changed_data, *(["items"] if formset.has_changed() else [])])
            return saved

        if template.pk is None:
            done = submissions.once(request, form, write)
            if not done.made:
                messages.info(request, submissions.REPEATED)
                return redirect(done.url)
            template = done.made
        else:
            try:
                concurrency.save(form, template, by=request.user, write=write)
            except concurrency.Conflict:
                return render(request, "exercises/template_form.html", context, status=409)
        messages.success(request, f"Template “{template.name}” saved.")
        return redirect(template)
    return render(request, "exercises/template_form.html", context)


@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    template = ProgramTemplate(clinic=clinic_of(request), created_by=request.user)
    return template_form_page(request, template, "program_template_create")


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    template = get_object_or_404(ProgramTemplate.objects.editable_by(request.user), code=code)
    return template_form_page(request, template, "program_template_update")


@require_POST
def template_copy(request: HttpRequest, code: UUID) -> HttpResponse:
    source = get_object_or_404(ProgramTemplate.objects.for_user(request.user), code=code)
    def make() -> ProgramTemplate:
        copy = source.copy_to(clinic_of(request), by=request.user)
        audit.record("program_template_copy", request=request, target=copy)
        return copy

    done = submissions.once(request, request, make,
                            url=lambda copy: reverse("exercises:template_edit", args=[copy.code]))
    if done.made:
        messages.success(request, f"Template “{done.made.name}” copied to your clinic: adapt it here.")
    else:
        messages.info(request, submissions.REPEATED)
    return redirect(done.url)


@require_POST
def template_archive(request: HttpRequest, code: UUID) -> HttpResponse:
    template = get_object_or_404(ProgramTemplate.objects.editable_by(request.user).active(), code=code)
    with transaction.atomic():
        template.archive()
        audit.record("program_template_archive", request=request, target=template, fields=["archived_at"])
    messages.success(request, f"Template “{template.name}” archived.")
    return redirect("exercises:template_list")

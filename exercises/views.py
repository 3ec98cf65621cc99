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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises import item_lists
from exercises.forms import ExerciseFilterForm, ExerciseForm, ExercisePickerForm, ProgramTemplateForm, TemplateItemForm
from exercises.models import Exercise, ProgramTemplate, ProgramTemplateItem
from runphys import audit, concurrency, submissions, uploads
from runphys.models import Clinic
from runphys.views import is_htmx, render_list

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
        return done.answer(request, lambda made: f"“{made.name}” added to your clinic's exercises.")
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
    return done.answer(request, lambda made: f"“{made.name}” is now one of your clinic's exercises: adapt it here.")


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


def _builder_urls(template: ProgramTemplate) -> dict:
    """What the shared builder list (templates/exercises/_builder_list.html) posts to."""
    return {
        "move": "exercises:template_item_move", "edit": "exercises:template_item_edit",
        "remove": "exercises:template_item_remove",
        "order": reverse("exercises:template_items_order", args=[template.code]),
        "items": reverse("exercises:template_items", args=[template.code]),
        "restore": reverse("exercises:template_item_restore", args=[template.code]),
        "page": template.get_absolute_url(), "target": "#template-items",
    }


def _items_context(request: HttpRequest, template: ProgramTemplate, *, error: str = "",
                   removed: ProgramTemplateItem | None = None, fresh_key=None) -> dict:
    clinic = request.user.clinic
    editable = template.clinic_id is not None and clinic is not None and template.clinic_id == clinic.pk \
        and not template.is_archived
    notice = {"code": removed.code, "name": removed.exercise.name} if removed else None
    if notice is None and editable and request.GET.get("removed"):
        notice = item_lists.removed_notice(request, "template", template.pk, request.GET["removed"])
    return {"program_template": template, "items": template.ordered_items(), "editable": editable,
            "urls": _builder_urls(template), "error": error, "removed": notice, "fresh_key": fresh_key}


def _picker_context(request: HttpRequest, template: ProgramTemplate) -> dict:
    picker = ExercisePickerForm(request.GET, url=reverse("exercises:template_picker", args=[template.code]),
                                page_url=template.get_absolute_url())
    found, count = picker.results(Exercise.objects.for_user(request.user))
    return {"picker": picker, "found": found, "found_count": count, "target": "#template-items",
            "add_url": reverse("exercises:template_item_add", args=[template.code])}


def _items_response(request: HttpRequest, template: ProgramTemplate, **context) -> HttpResponse:
    """The refreshed list for htmx; otherwise back to the template's page."""
    if is_htmx(request):
        return render(request, "exercises/_template_items.html", _items_context(request, template, **context))
    if context.get("error"):
        messages.error(request, context["error"])
    if context.get("removed"):
        return redirect(f"{template.get_absolute_url()}?removed={context['removed'].code}#template-items")
    return redirect(template)


def _editable_template(request: HttpRequest, code: UUID) -> ProgramTemplate:
    return get_object_or_404(ProgramTemplate.objects.editable_by(request.user).active(), code=code)


def _template_item(request: HttpRequest, code: UUID) -> ProgramTemplateItem:
    return get_object_or_404(ProgramTemplateItem.objects.editable_by(request.user)
                             .filter(template__archived_at__isnull=True).select_related("exercise", "template"),
                             code=code)


@require_GET
def template_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    """A template's exercises; a clinic's own is shaped here with the program builder."""
    template = get_object_or_404(ProgramTemplate.objects.for_user(request.user, include_archived=True), code=code)
    context = _items_context(request, template)
    if context["editable"]:
        context |= _picker_context(request, template)
    return render(request, "exercises/template_detail.html", context)


def template_form_page(request: HttpRequest, template: ProgramTemplate, action: str) -> HttpResponse:
    """Create and edit share one page: the template's name and what it is for. Its exercises are
    shaped on its own page, like a program's."""
    creating = template.pk is None
    form = ProgramTemplateForm(request.POST or None, instance=template)
    if template.pk:
        concurrency.track(form, template)
    else:
        submissions.carry(form)
    context = {"form": form, "program_template": None if creating else template}
    if request.method == "POST" and form.is_valid():
        def write() -> ProgramTemplate:
            saved = form.save()
            audit.record(action, request=request, target=saved, fields=form.changed_data)
            return saved

        if creating:
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
        then = " Now add its exercises." if creating else ""
        messages.success(request, f"Template “{template.name}” saved.{then}")
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


# --- A template's items: the program builder -----------------------------------------------------

@require_GET
def template_items(request: HttpRequest, code: UUID) -> HttpResponse:
    return _items_response(request, _editable_template(request, code))


@require_GET
def template_picker(request: HttpRequest, code: UUID) -> HttpResponse:
    template = _editable_template(request, code)
    if not is_htmx(request):
        return redirect(f"{template.get_absolute_url()}?{request.GET.urlencode()}#exercise-picker")
    return render(request, "exercises/_picker.html#results", _picker_context(request, template))


def _changed(request: HttpRequest, template: ProgramTemplate, **context) -> HttpResponse:
    audit.record("program_template_update", request=request, target=template, fields=["items"])
    return _items_response(request, template, **context)


@require_POST
def template_item_add(request: HttpRequest, code: UUID) -> HttpResponse:
    template = _editable_template(request, code)
    exercise = Exercise.objects.for_user(request.user).filter(code=_uuid(request.POST.get("exercise"))).first()
    if exercise is None:
        return _items_response(request, template, error="That exercise is not in your library (any more).")
    if template.items.count() >= ProgramTemplate.MAX_ITEMS:
        return _items_response(request, template,
                               error=f"A template holds at most {ProgramTemplate.MAX_ITEMS} exercises.")
    done = submissions.once(request, request, lambda: template.add_exercise(exercise),
                            url=lambda item: template.get_absolute_url())
    if done.made is None:  # a double click: the first one added it
        return _items_response(request, template, error=submissions.REPEATED_ADD, fresh_key=exercise.code)
    return _changed(request, template, fresh_key=exercise.code)


def _uuid(value) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


@require_POST
def template_items_order(request: HttpRequest, code: UUID) -> HttpResponse:
    template = _editable_template(request, code)
    try:
        template.reorder(request.POST.getlist("item"))
    except item_lists.NotTheSameItems as error:
        return _items_response(request, template, error=str(error))
    return _changed(request, template)


@require_POST
def template_item_move(request: HttpRequest, code: UUID) -> HttpResponse:
    item = _template_item(request, code)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        return HttpResponseBadRequest("Move an item up or down.")
    item.template.move(item, offset)
    return _changed(request, item.template)


@require_POST
def template_item_remove(request: HttpRequest, code: UUID) -> HttpResponse:
    item = _template_item(request, code)
    template = item.template
    removed = template.remove(item)
    item_lists.remember_removed(request, "template", template.pk, removed, ProgramTemplateItem.UNDO_FIELDS)
    return _changed(request, template, removed=removed)


@require_POST
def template_item_restore(request: HttpRequest, code: UUID) -> HttpResponse:
    template = _editable_template(request, code)
    values = item_lists.removed_values(request, "template", template.pk, request.POST.get("item", ""))
    if values is None:
        return _items_response(request, template, error="There is nothing to undo here any more.")
    template.put_back(values)
    item_lists.forget_removed(request, values["code"])
    return _changed(request, template)


@require_http_methods(["GET", "POST"])
def template_item_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    """An item's dose, notes and reason: in place with htmx, else on a page of its own."""
    item = _template_item(request, code)
    template = item.template
    form = concurrency.track(TemplateItemForm(request.POST if request.method == "POST" else None, instance=item),
                             item)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            concurrency.save(form, item, by=request.user, write=form.save)
        except concurrency.Conflict:
            status = 409
        else:
            if is_htmx(request):
                return _changed(request, template)
            audit.record("program_template_update", request=request, target=template, fields=["items"])
            messages.success(request, f"Dosage of “{item.exercise.name}” saved.")
            return redirect(template)
    context = {"program_template": template, "item": item, "form": form, "urls": _builder_urls(template)}
    if is_htmx(request):
        response = render(request, "exercises/_builder_dose.html", context, status=status)
        if request.method == "POST":
            response["HX-Retarget"], response["HX-Reswap"] = f"#item-{item.code}", "outerHTML"
        return response
    return render(request, "exercises/template_item_form.html", context, status=status)


@require_POST
def template_copy(request: HttpRequest, code: UUID) -> HttpResponse:
    source = get_object_or_404(ProgramTemplate.objects.for_user(request.user), code=code)
    def make() -> ProgramTemplate:
        copy = source.copy_to(clinic_of(request), by=request.user)
        audit.record("program_template_copy", request=request, target=copy)
        return copy

    done = submissions.once(request, request, make, url=lambda copy: copy.get_absolute_url())
    return done.answer(request, lambda made: f"Template “{made.name}” copied to your clinic: adapt it here.")


@require_POST
def template_archive(request: HttpRequest, code: UUID) -> HttpResponse:
    template = get_object_or_404(ProgramTemplate.objects.editable_by(request.user).active(), code=code)
    with transaction.atomic():
        template.archive()
        audit.record("program_template_archive", request=request, target=template, fields=["archived_at"])
    messages.success(request, f"Template “{template.name}” archived.")
    return redirect("exercises:template_list")

"""Programs: from an assessment's findings to a draft, shaping it, issuing it, and its handout.

Every lookup goes through a clinic-scoped queryset, so another clinic's program, version or item is
a 404. Every read and write is audited. Mutations are POST-only and redirect, except the builder's
item actions that htmx calls (add from the picker, add a template, reorder, move, edit a dose,
remove and undo): an htmx request gets the refreshed list of items back, any other request is
redirected to the program.
"""

import logging
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import findings
from assessments.models import Assessment, reference_table
from assessments.programs import adherence, deliveries, handouts, suggestions
from assessments.programs.forms import (
    AddExerciseForm,
    AddTemplateForm,
    HandoutEmailForm,
    NewProgramForm,
    ProgramDetailsForm,
    ProgramItemForm,
    SaveAsTemplateForm,
    SendHandoutForm,
    SuggestionsForm,
)
from assessments.programs.models import (
    FrozenVersion,
    HandoutDelivery,
    HandoutEmail,
    Program,
    ProgramItem,
    ProgramLink,
    ProgramStateError,
    ProgramVersion,
)
from athletes.models import Athlete
from exercises import item_lists
from exercises.forms import ExercisePickerForm
from exercises.models import Exercise
from runphys import audit, concurrency, pdf, submissions
from runphys.emails import EmailLimitReached
from runphys.views import is_htmx, require_clinic_admin

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
FROZEN_MESSAGE = "This version has been issued and cannot change. Start a new version to make changes."


def _program(request: HttpRequest, code: UUID) -> Program:
    return get_object_or_404(Program.objects.for_user(request.user).with_versions(), code=code)


def _draft(request: HttpRequest, program: Program) -> ProgramVersion | None:
    draft = program.draft
    if draft is None:
        messages.error(request, FROZEN_MESSAGE)
    return draft


def _refer_flags(program: Program, user) -> list[findings.Finding]:
    """The source assessment's refer/review flags, for the banner beside the draft."""
    if program.assessment_id is None:
        return []
    assessment = Assessment.objects.with_readings().get(pk=program.assessment_id)
    return [f for f in assessment.findings(reference_table(user.clinic)) if f.code == findings.Code.REFER_REVIEW]


def _builder_urls(program: Program) -> dict:
    """What the shared builder list (templates/exercises/_builder_list.html) posts to."""
    return {
        "move": "programs:item_move", "edit": "programs:item_edit", "remove": "programs:item_remove",
        "order": reverse("programs:items_order", args=[program.code]),
        "items": reverse("programs:items", args=[program.code]),
        "restore": reverse("programs:item_restore", args=[program.code]),
        "page": program.get_absolute_url(), "target": "#program-items",
    }


def _items_context(request: HttpRequest, program: Program, version: ProgramVersion, **extra) -> dict:
    items = version.ordered_items()
    context = {
        "program": program,
        "version": version,
        "items": items,
        "editable": version.is_draft,
        "urls": _builder_urls(program),
        "add_template": AddTemplateForm(user=request.user),
        "refer_flags": _refer_flags(program, request.user),
        "removed": item_lists.removed_notice(request, "program", version.pk, request.GET.get("removed")),
    }
    context["held_back"] = [i for i in items if suggestions.held_back_sides(i.exercise, context["refer_flags"]) & (
        {i.side} if i.side in suggestions.SIDES else set(suggestions.SIDES))]
    return context | extra


def _items_response(request: HttpRequest, program: Program, version: ProgramVersion, *, error: str = "",
                    removed: ProgramItem | None = None, **extra) -> HttpResponse:
    """The refreshed list of items for htmx; otherwise back to the program page (with the Undo of
    a removal, named by the removed item's code only)."""
    if is_htmx(request):
        notice = {"code": removed.code, "name": removed.exercise.name} if removed else None
        context = _items_context(request, program, version, error=error, **extra) | {"removed": notice}
        return render(request, "assessments/_program_items.html", context)
    if error:
        messages.error(request, error)
    if removed:
        return redirect(f"{program.get_absolute_url()}?removed={removed.code}#program-items")
    return redirect(program)


def _picker(request: HttpRequest, program: Program) -> ExercisePickerForm:
    return ExercisePickerForm(request.GET, url=reverse("programs:picker", args=[program.code]),
                              page_url=program.get_absolute_url())


def _picker_context(request: HttpRequest, program: Program) -> dict:
    picker = _picker(request, program)
    found, count = picker.results(Exercise.objects.for_user(request.user))
    return {"picker": picker, "found": found, "found_count": count, "program": program,
            "add_url": reverse("programs:item_add", args=[program.code]), "target": "#program-items"}


# --- Lists and creation ---------------------------------------------------------------------------

@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    """The clinic's programs, newest first, with the state of each one's latest version."""
    page = Paginator(Program.objects.for_user(request.user).with_versions().newest_first(), PAGE_SIZE)
    page = page.get_page(request.GET.get("page"))
    audit.shown(request, "program", page)
    audit.shown(request, "athlete", [program.athlete for program in page])
    return render(request, "assessments/program_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest, assessment_code: UUID) -> HttpResponse:
    """"Create program" on an assessment: a draft pre-filled with the suggested exercises."""
    assessment = get_object_or_404(
        Assessment.objects.for_user(request.user).with_readings()
        .filter(athlete__archived_at__isnull=True, athlete__anonymised_at__isnull=True),
        code=assessment_code,
    )
    report = assessment.report(reference_table(request.user.clinic))
    suggested = suggestions.for_report(report, request.user)
    data = request.POST if request.method == "POST" else None
    details = submissions.carry(ProgramDetailsForm(data, user=request.user, submit=None))
    choice = SuggestionsForm(data, user=request.user, suggestions=suggested)
    if request.method == "POST" and details.is_valid() and choice.is_valid():
        def make() -> Program:
            program = suggestions.start_from_assessment(
                assessment, by=request.user, details=details.details(), chosen=choice.chosen(),
                template=choice.cleaned_data["template"],
            )
            audit.record("create", request=request, target=program, fields=["items", *details.Meta.fields])
            return program

        done = submissions.once(request, details, make)
        return done.answer(
            request, lambda _: "Draft program created. Check every exercise and its dosage before issuing it.")
    if request.method == "GET":
        audit.record("view", request=request, target=assessment)
    return render(request, "assessments/program_create.html", {
        "assessment": assessment, "athlete": assessment.athlete, "suggestions": suggested,
        "details": details, "choice": choice, "rows": list(zip(choice["exercises"], suggested.items, strict=True)),
        "report": report,
    })


@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest, athlete_code: UUID) -> HttpResponse:
    """A program without a new assessment (a progression): empty, or from a template."""
    athlete = get_object_or_404(
        Athlete.objects.for_user(request.user).active().filter(anonymised_at__isnull=True), code=athlete_code
    )
    data = request.POST if request.method == "POST" else None
    details = submissions.carry(ProgramDetailsForm(data, user=request.user, submit=None))
    start = NewProgramForm(data, user=request.user)
    if request.method == "POST" and details.is_valid() and start.is_valid():
        def make() -> Program:
            program = Program.start(athlete=athlete, by=request.user, **details.details())
            if start.cleaned_data["template"] is not None:
                program.latest.add_template(start.cleaned_data["template"])
            audit.record("create", request=request, target=program, fields=details.Meta.fields)
            return program

        done = submissions.once(request, details, make)
        return done.answer(request, lambda _: "Draft program created.")
    if request.method == "GET":
        audit.record("view", request=request, target=athlete)
    return render(request, "assessments/program_new.html", {"athlete": athlete, "details": details, "start": start})


# --- One program ----------------------------------------------------------------------------------

@require_GET
def program_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    """The latest version (editable while it is a draft) and every issued version with its PDF."""
    program = _program(request, code)
    context = _items_context(request, program, program.latest, athlete=program.athlete,
                             versions=program.all_versions(), **_follow_up(program))
    if program.latest.is_draft:
        context |= _picker_context(request, program)
    audit.record("view", request=request, target=program)
    return render(request, "assessments/program_detail.html", context)


def _follow_up(program: Program) -> dict:
    """The athlete's link and what they logged through it, for the program page."""
    issued = program.issued_versions
    if not issued:
        return {}
    today = program.athlete.clinic.today()
    link = ProgramLink.objects.filter(program=program).open().first()
    if link:
        link.program = program  # already loaded, with its athlete and clinic
    followed = adherence.of_program(program, today=today)
    return {
        "link": link, "link_url": settings.SITE_URL + link.path() if link else "",
        "link_ended": link.why_ended(issued[0], today) if link else "No link",
        "link_expires_on": link.expires_on(issued[0]) if link else None,
        "adherence": followed, "adherence_bars": adherence.week_bars(followed.weeks),
        "pain_sparks": adherence.sparks(followed.pain, today=today),
    }


@require_POST
def link_revoke(request: HttpRequest, code: UUID) -> HttpResponse:
    """End the athlete's link at once (one click on the program page)."""
    program = _program(request, code)
    link = ProgramLink.objects.filter(program=program).open().first()
    if link and link.end(by=request.user):
        audit.record("revoke_link", request=request, target=program, fields=["link"])
        messages.success(request, "The athlete's link has ended. Send a fresh one when they need it again.")
    return redirect(program)


@require_POST
def link_fresh(request: HttpRequest, code: UUID) -> HttpResponse:
    """A fresh link for the athlete; the one before ends."""
    program = _program(request, code)
    if not program.issued_versions:
        messages.error(request, "Issue the program first: the link shows its latest issued version.")
        return redirect(program)
    ProgramLink.fresh(program, by=request.user)
    audit.record("fresh_link", request=request, target=program, fields=["link"])
    messages.success(request, "A fresh link is ready; the old one no longer works. Email the handout to send it.")
    return redirect(program)


@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    """Title, physio and dates of the draft."""
    program = _program(request, code)
    draft = _draft(request, program)
    if draft is None:
        return redirect(program)
    form = concurrency.track(
        ProgramDetailsForm(request.POST if request.method == "POST" else None, instance=draft, user=request.user),
        draft)
    context = {"program": program, "version": draft, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            concurrency.save(form, draft, by=request.user, write=form.save)
        except concurrency.Conflict:
            return render(request, "assessments/program_edit.html", context, status=409)
        audit.record("update", request=request, target=draft, fields=form.changed_data)
        messages.success(request, "Program details saved.")
        return redirect(program)
    if request.method == "GET":
        audit.record("view", request=request, target=draft)
    return render(request, "assessments/program_edit.html", context)


@require_POST
def program_issue(request: HttpRequest, code: UUID) -> HttpResponse:
    """Freeze the draft and queue its handout (rendered by the task worker, not here)."""
    program = _program(request, code)
    if issued := submissions.earlier(request, request):  # a double click: the draft is gone by now
        messages.info(request, submissions.REPEATED)
        return redirect(issued)
    draft = _draft(request, program)
    if draft is None:
        return redirect(program)
    def make() -> Program:
        handouts.issue(draft, by=request.user)
        audit.record("issue", request=request, target=draft, fields=["status"])
        return program

    try:
        done = submissions.once(request, request, make)
    except ProgramStateError as error:
        messages.error(request, str(error))
        return redirect(program)
    return done.answer(request, lambda _: f"Version {draft.number} issued. Its handout is being prepared.")


@require_POST
def program_revise(request: HttpRequest, code: UUID) -> HttpResponse:
    """Editing an issued program: a new draft version copied from the last issued one."""
    program = _program(request, code)
    had_draft = program.draft is not None
    draft = program.revise(by=request.user)
    if not had_draft:
        audit.record("create", request=request, target=draft, fields=["items"])
        messages.success(request, f"Version {draft.number} started as a draft from version {draft.number - 1}.")
    return redirect(program)


@require_POST
def program_discard(request: HttpRequest, code: UUID) -> HttpResponse:
    """Throw the draft away: back to the last issued version, or no program at all if none was."""
    program = _program(request, code)
    draft = _draft(request, program)
    if draft is None:
        return redirect(program)
    audit.record("delete", request=request, target=draft)
    if program.discard_draft():
        messages.success(request, "Draft program discarded.")
        return redirect("programs:list")
    messages.success(request, "Draft discarded; the last issued version stands.")
    return redirect(program)


# --- Items: the program builder (htmx) --------------------------------------------------------------

@require_GET
def items(request: HttpRequest, code: UUID) -> HttpResponse:
    """The list of items alone (the Cancel of an in-place dose form swaps it back in)."""
    program = _program(request, code)
    audit.record("view", request=request, target=program.latest)
    return _items_response(request, program, program.latest)


@require_GET
def picker(request: HttpRequest, code: UUID) -> HttpResponse:
    """The picker's results for its search and filters (the library holds no athlete data: not
    audited, like the library's own search)."""
    program = _program(request, code)
    if not is_htmx(request):
        return redirect(f"{program.get_absolute_url()}?{request.GET.urlencode()}#exercise-picker")
    return render(request, "exercises/_picker.html#results", _picker_context(request, program))


@require_POST
def item_add(request: HttpRequest, code: UUID) -> HttpResponse:
    program = _program(request, code)
    version = program.latest
    if not version.is_draft:
        return _items_response(request, program, version, error=FROZEN_MESSAGE)
    form = AddExerciseForm(request.POST, user=request.user)
    if not form.is_valid():
        return _items_response(request, program, version, error="That exercise is not in your library (any more).")
    exercise = form.cleaned_data["exercise"]
    done = submissions.once(request, request, lambda: version.add_exercise(exercise),
                            url=lambda item: program.get_absolute_url())
    if done.made is None:  # a double click: the first one added it
        return _items_response(request, program, version, error=submissions.REPEATED_ADD, fresh_key=exercise.code)
    audit.record("update", request=request, target=version, fields=["items"])
    return _items_response(request, program, version, fresh_key=exercise.code)


@require_POST
def item_add_template(request: HttpRequest, code: UUID) -> HttpResponse:
    program = _program(request, code)
    version = program.latest
    if not version.is_draft:
        return _items_response(request, program, version, error=FROZEN_MESSAGE)
    form = AddTemplateForm(request.POST, user=request.user)
    if not form.is_valid():
        return _items_response(request, program, version, error="Choose a template from the list.",
                               add_template=form)
    version.add_template(form.cleaned_data["template"])
    audit.record("update", request=request, target=version, fields=["items"])
    return _items_response(request, program, version)


def _item(request: HttpRequest, code: UUID) -> ProgramItem:
    return get_object_or_404(
        ProgramItem.objects.for_user(request.user).select_related("exercise", "version__program"), code=code
    )


@require_POST
def items_order(request: HttpRequest, code: UUID) -> HttpResponse:
    """The whole order at once, as a drag or Alt+arrow left it: every item's code once."""
    program = _program(request, code)
    version = program.latest
    try:
        version.reorder(request.POST.getlist("item"))
    except FrozenVersion:
        return _items_response(request, program, version, error=FROZEN_MESSAGE)
    except item_lists.NotTheSameItems as error:
        return _items_response(request, program, version, error=str(error))
    audit.record("update", request=request, target=version, fields=["items"])
    return _items_response(request, program, version)


@require_POST
def item_move(request: HttpRequest, code: UUID) -> HttpResponse:
    item = _item(request, code)
    version, program = item.version, item.version.program
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        return HttpResponseBadRequest("Move an item up or down.")
    try:
        version.move(item, offset)
    except FrozenVersion:
        return _items_response(request, program, version, error=FROZEN_MESSAGE)
    audit.record("update", request=request, target=version, fields=["items"])
    return _items_response(request, program, version)


@require_POST
def item_remove(request: HttpRequest, code: UUID) -> HttpResponse:
    """Remove an item; the page offers Undo (the item is kept in this session until then)."""
    item = _item(request, code)
    version, program = item.version, item.version.program
    try:
        removed = version.remove(item)
    except FrozenVersion:
        return _items_response(request, program, version, error=FROZEN_MESSAGE)
    item_lists.remember_removed(request, "program", version.pk, removed, ProgramItem.UNDO_FIELDS)
    audit.record("update", request=request, target=version, fields=["items"])
    return _items_response(request, program, version, removed=removed)


@require_POST
def item_restore(request: HttpRequest, code: UUID) -> HttpResponse:
    """Undo a removal: the item again, with the same dose, reason and place."""
    program = _program(request, code)
    version = program.latest
    values = item_lists.removed_values(request, "program", version.pk, request.POST.get("item", ""))
    if values is None:
        return _items_response(request, program, version, error="There is nothing to undo here any more.")
    try:
        version.put_back(values)
    except FrozenVersion:
        return _items_response(request, program, version, error=FROZEN_MESSAGE)
    item_lists.forget_removed(request, values["code"])
    audit.record("update", request=request, target=version, fields=["items"])
    return _items_response(request, program, version)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    """The dosage of one item, within the §6 ranges: in place in the list with htmx (Save gives
    the list back, an error the form again), else on a page of its own with a Cancel link."""
    item = _item(request, code)
    program = item.version.program
    if not item.version.is_draft:
        messages.error(request, FROZEN_MESSAGE)
        return redirect(program)
    form = concurrency.track(ProgramItemForm(request.POST if request.method == "POST" else None, instance=item), item)
    context = {"program": program, "item": item, "form": form, "urls": _builder_urls(program)}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            concurrency.save(form, item, by=request.user, write=form.save)
        except concurrency.Conflict:
            status = 409
        else:
            audit.record("update", request=request, target=item, fields=form.changed_data)
            if is_htmx(request):
                return _items_response(request, program, item.version)
            messages.success(request, f"Dosage of “{item.exercise.name}” saved.")
            return redirect(program)
    if request.method == "GET":
        audit.record("view", request=request, target=item)
    if is_htmx(request):
        response = render(request, "exercises/_builder_dose.html", context, status=status)
        if request.method == "POST":  # errors: the form again, in place of itself
            response["HX-Retarget"], response["HX-Reswap"] = f"#item-{item.code}", "outerHTML"
        return response
    return render(request, "assessments/program_item_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def save_as_template(request: HttpRequest, code: UUID) -> HttpResponse:
    """Any version, draft or issued, as a clinic template (its exercises, doses, notes and reasons)."""
    version = get_object_or_404(ProgramVersion.objects.for_user(request.user).select_related("program__athlete"),
                                code=code)
    form = submissions.carry(SaveAsTemplateForm(request.POST or None, initial={"name": version.title}))
    if request.method == "POST" and form.is_valid():
        def make():
            details = {name: value for name, value in form.cleaned_data.items() if name != submissions.FIELD}
            template = version.save_as_template(by=request.user, **details)
            audit.record("view", request=request, target=version, fields=["items"])
            audit.record("program_template_create", request=request, target=template)
            return template

        done = submissions.once(request, form, make)
        return done.answer(request, lambda made: f"Template “{made.name}” saved with {len(version.ordered_items())} "
                                                 "exercises. Every physio of the clinic can now start from it.")
    if request.method == "GET":
        audit.record("view", request=request, target=version)
    return render(request, "assessments/save_as_template.html",
                  {"version": version, "program": version.program, "form": form})


# --- Handouts -------------------------------------------------------------------------------------

def _version(request: HttpRequest, code: UUID) -> ProgramVersion:
    return get_object_or_404(ProgramVersion.objects.for_user(request.user).for_handout(), code=code)


@require_GET
def handout_preview(request: HttpRequest, code: UUID) -> HttpResponse:
    """The draft's handout as a web page. An issued version's handout is its stored PDF."""
    version = _version(request, code)
    if version.is_issued:
        return redirect("programs:handout_pdf", code=version.code)
    handout = handouts.build(version, for_pdf=False)
    audit.record("view", request=request, target=version)
    return render(request, handouts.TEMPLATE, {
        "handout": handout,
        "back_url": version.program.get_absolute_url(),
        "pdf_url": reverse("programs:handout_pdf", args=[version.code]),
    })


@require_GET
def handout_state(request: HttpRequest, code: UUID) -> HttpResponse:
    """Where an issued version's handout is; htmx polls it while the handout is being prepared.
    Not audited: it shows the state of a file, none of the record (like ``delivery_status``)."""
    version = get_object_or_404(ProgramVersion.objects.for_user(request.user).select_related("program"), code=code)
    return render(request, "assessments/program_detail.html#handout-state", {"version": version})


@require_POST
def handout_retry(request: HttpRequest, code: UUID) -> HttpResponse:
    """"Try again" after a failed render."""
    version = get_object_or_404(ProgramVersion.objects.for_user(request.user).select_related("program"), code=code)
    if handouts.retry(version):
        audit.record("retry_handout", request=request, target=version, fields=["pdf"])
        messages.success(request, "The handout is being prepared again.")
    return redirect(version.program)


@require_GET
def handout_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    """An issued version's stored PDF, served as it was issued (never rendered again); a draft's
    PDF, rendered now and marked as a draft."""
    version = _version(request, code)
    if version.is_issued and not version.handout_ready:
        messages.info(request, "The handout is still being prepared." if version.handout_pending else
                      f"The handout could not be produced: {version.handout_error}")
        return redirect(version.program)
    if version.is_issued:
        try:
            stored = version.pdf.open("rb")
        except FileNotFoundError as error:
            logger.error("The stored handout of version %s is missing from the media storage", version.code)
            raise Http404("The stored handout is missing.") from error
        audit.record("download", request=request, target=version)
        return FileResponse(stored, as_attachment=True, filename=version.pdf_filename(),
                            content_type="application/pdf")
    try:
        data = handouts.render_pdf(handouts.build(version))
    except pdf.RenderFailed as error:
        messages.error(request, f"The draft handout could not be produced: {error}")
        return redirect(version.program)
    audit.record("view", request=request, target=version, fields=["pdf"])
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="exercise-program-v{version.number}-draft.pdf"'
    return response


# --- Emailing handouts ---------------------------------------------------------------------------


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
            delivery, created = deliveries.send(version, by=request.user, note=form.cleaned_data["note"],
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
    # The preview shows the note as it stands (a re-rendered form keeps what was typed).
    note = form.cleaned_data.get("note", "") if form.is_bound and form.is_valid() else ""
    subject, body = ("", "") if refusal else deliveries.preview(version, note=note)
    audit.record("view", request=request, target=athlete)
    return render(request, "assessments/handout_send.html", {
        "version": version, "program": version.program, "athlete": athlete, "form": form,
        "refusal": refusal, "subject": subject, "body": body,
        "link_url": "" if refusal else deliveries.athlete_link_url(version),
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

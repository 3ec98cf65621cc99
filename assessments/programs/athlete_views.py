"""The athlete's own program on their phone, through the private link: no login.

``/p/<token>/`` shows today's exercises of the latest issued version and takes what the athlete
logs: done, pain during it and how it felt, per exercise and day, and one comment a day. Only
today and yesterday can be logged; today's entries can be changed or undone until midnight in the
clinic's time zone, yesterday's only added. Every item is looked up inside the link's own program,
so a tampered form can never reach another program.

A wrong token is a 404, answered like any other; an ended link is a plain page that names the
clinic and nothing else. Every open and every log is audited as done by the athlete through the
link (clinic, program, client address; never the token), and the audit rows also throttle: per
link and per client address, and per client address for wrong tokens. Responses are ``no-store``
(the project's middleware), ``noindex`` and ``Referrer-Policy: no-referrer``, under the CSP.

The link's forms carry no CSRF token and its views are exempt from the CSRF check, a deliberate
departure from the rest of the house: CSRF guards an ambient credential (a session cookie), and a
link has none; the token in the path is the whole credential, so a forged cross-site post can do
nothing that the holder of the URL cannot already do, and the athlete's phone keeps no cookie.
The check would also refuse every real post: under ``no-referrer`` Chromium sends ``Origin: null``
with a form, which Django's origin check rejects (found by the phone-sized browser test).
"""

import logging
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from assessments.programs import handouts
from assessments.programs.forms import DayCommentForm, ExerciseLogForm
from assessments.programs.models import DayComment, ExerciseLog, ProgramItem, ProgramLink, ProgramVersion
from exercises.models import Exercise
from runphys import audit, uploads
from runphys.models import AuditEvent

logger = logging.getLogger(__name__)

LINK_ACTIONS = ("link_view", "link_log")
PER_LINK_PER_HOUR = 240
PER_ADDRESS_PER_HOUR = 600
WRONG_TOKENS_PER_ADDRESS_PER_HOUR = 20


class Throttled(Exception):
    pass


def _private(response: HttpResponse) -> HttpResponse:
    """The athlete is not logged in, so the project's no-store middleware does not see them."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _recent(**filters) -> int:
    return AuditEvent.objects.filter(at__gt=timezone.now() - timedelta(hours=1), **filters).count()


def _throttle(request: HttpRequest, link: ProgramLink | None) -> None:
    address = audit.client_ip(request)
    if link is None:
        if _recent(action="link_denied", ip_address=address) >= WRONG_TOKENS_PER_ADDRESS_PER_HOUR:
            raise Throttled
        return
    if (_recent(action__in=LINK_ACTIONS, target_id=str(link.code)) >= PER_LINK_PER_HOUR
            or _recent(action__in=LINK_ACTIONS, ip_address=address) >= PER_ADDRESS_PER_HOUR):
        raise Throttled


def with_link(view):
    """Resolve the token to its link and the version it shows, or answer for an unusable one."""

    @csrf_exempt
    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        link = (ProgramLink.objects.select_related("program__athlete__clinic")
                .filter(digest=ProgramLink.digest_of(token)).first())
        try:
            _throttle(request, link)
        except Throttled:
            return _private(render(request, "athlete/throttled.html", status=429))
        if link is None:
            audit.record("link_denied", request=request, target_type="programlink")
            raise Http404
        clinic = link.program.athlete.clinic
        version = (ProgramVersion.objects.for_handout().filter(program=link.program).issued()
                   .order_by("-number").first())
        if link.why_ended(version, clinic.today()):
            return _private(render(request, "athlete/ended.html", {"clinic": clinic}, status=404))
        return _private(view(request, link, version, *args, **kwargs))

    return wrapper


def _item(version: ProgramVersion, code) -> ProgramItem:
    """An item of the version the link shows, and only of it."""
    for item in version.items.all():
        if str(item.code) == str(code):
            return item
    raise Http404


@require_GET
@with_link
def athlete_program(request: HttpRequest, link: ProgramLink, version: ProgramVersion) -> HttpResponse:
    clinic = link.program.athlete.clinic
    today = clinic.today()
    items = list(version.items.all())
    logs = {(log.item_id, log.day): log for log in ExerciseLog.objects.filter(
        item__in=items, day__in=[today, today - timedelta(days=1)])}
    comment = DayComment.objects.filter(program=link.program, day=today).first()
    cards = handouts.online_exercises(version, link)
    audit.record("link_view", request=request, target=link, clinic=clinic)
    return render(request, "athlete/program.html", {
        "link": link, "version": version, "clinic": clinic, "athlete_first_name": link.program.athlete.first_name,
        "today": today, "yesterday": today - timedelta(days=1),
        "rows": [(card, logs.get((item.pk, today)), logs.get((item.pk, today - timedelta(days=1))))
                 for card, item in zip(cards, items, strict=True)],
        "comment_form": DayCommentForm(initial={"text": comment.text if comment else ""}), "pain_scale": range(11),
    })


@require_POST
@with_link
def athlete_log(request: HttpRequest, link: ProgramLink, version: ProgramVersion) -> HttpResponse:
    """Log (or change, or undo) one exercise for today or yesterday."""
    clinic = link.program.athlete.clinic
    form = ExerciseLogForm(request.POST, today=clinic.today())
    if not form.is_valid():
        return render(request, "athlete/log_refused.html", {"link": link, "clinic": clinic, "form": form},
                      status=400)
    item = _item(version, form.cleaned_data["item"])
    day, today = form.cleaned_data["day"], clinic.today()
    existing = ExerciseLog.objects.filter(item=item, day=day).first()
    if existing and day != today:
        return render(request, "athlete/log_refused.html", {"link": link, "clinic": clinic, "form": form,
                                                            "reason": "Yesterday's entry is already saved."},
                      status=409)
    if form.cleaned_data["undo"]:
        if existing:
            existing.delete()
    else:
        values = {"done": True, "pain": form.cleaned_data["pain"], "feel": form.cleaned_data["feel"]}
        try:
            with transaction.atomic():
                ExerciseLog.objects.update_or_create(item=item, day=day, defaults={"version": version, **values})
        except IntegrityError:  # two taps at once: the other one made the row; this one updates it
            ExerciseLog.objects.filter(item=item, day=day).update(**values)
    audit.record("link_log", request=request, target=link, clinic=clinic, fields=["exercise_log"])
    return redirect(f"{link.path()}#item-{item.code}")


@require_POST
@with_link
def athlete_comment(request: HttpRequest, link: ProgramLink, version: ProgramVersion) -> HttpResponse:
    clinic = link.program.athlete.clinic
    form = DayCommentForm(request.POST)
    if not form.is_valid():
        return render(request, "athlete/log_refused.html", {"link": link, "clinic": clinic, "form": form},
                      status=400)
    text, today = form.cleaned_data["text"], clinic.today()
    if text:
        DayComment.objects.update_or_create(program=link.program, day=today,
                                            defaults={"version": version, "text": text})
    else:
        DayComment.objects.filter(program=link.program, day=today).delete()
    audit.record("link_log", request=request, target=link, clinic=clinic, fields=["day_comment"])
    return redirect(f"{link.path()}#comment")


@require_GET
@with_link
def athlete_picture(request: HttpRequest, link: ProgramLink, version: ProgramVersion, item_code,
                    position: str) -> HttpResponse:
    """An uploaded exercise picture of this program, sized for a phone; only through the link."""
    item = _item(version, item_code)
    if position not in Exercise.Picture.values:
        raise Http404
    exercise = get_object_or_404(Exercise.objects.filter(pk=item.exercise_id))
    name = handouts.phone_copy(exercise, position, link.program.athlete.clinic_id)
    if not name:
        raise Http404
    return uploads.serve(name)


@require_GET
@with_link
def athlete_logo(request: HttpRequest, link: ProgramLink, version: ProgramVersion) -> HttpResponse:
    name = handouts.print_copy(link.program.athlete.clinic.logo, handouts.PRINT_LOGO_LONG_SIDE) \
        if link.program.athlete.clinic.logo else None
    if not name:
        raise Http404
    return uploads.serve(name)

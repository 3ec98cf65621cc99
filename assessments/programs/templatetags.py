"""The athlete page's program and email entries, without the athletes app importing assessments.

Registered as the template library ``handout_deliveries`` in ``TEMPLATES["OPTIONS"]["libraries"]``
(settings): Django looks for tag libraries only in an app's own ``templatetags`` package, and this
one belongs to the programs room, which the assessments package never imports.
"""

from datetime import timedelta

from django import template
from django.db.models import Count, Exists, OuterRef, Subquery, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.programs import adherence
from assessments.programs.models import DayComment, ExerciseLog, HandoutDelivery, Program, ProgramLink, ProgramVersion
from runphys import audit, fragments
from runphys.models import EmailDelivery

register = template.Library()
WORKLIST_ROWS = 8
WORKLIST_FIELDS = ("title", "updated_at", "review_on", "number", "status", "program__code",
                   "program__athlete__code", "program__athlete__first_name", "program__athlete__last_name")


@register.simple_tag
def handout_deliveries(athlete, limit: int = 20):
    """The athlete's most recent handout emails, newest first, in one query."""
    # Only what an entry shows: an email row carries the whole message in two text columns.
    return list(
        HandoutDelivery.objects.filter(version__program__athlete=athlete)
        .select_related("email", "version__program")
        .only("code", "created_at", "email__status", "email__sent_at", "email__attempts", "email__last_error",
              "version__title", "version__number", "version__status", "version__program__code")[:limit]
    )


@register.simple_tag
def athlete_programs(athlete):
    """The athlete's programs, newest first, each with its versions prefetched and, for the
    timeline, ``followed``: the exercise days the athlete logged in the last 7 days against those
    prescribed, and their latest comment (three more queries whatever the numbers)."""
    # Through the athlete (no join back to it); an entry shows a version's title, number and issue date.
    programs = list(athlete.programs.with_versions(related=False).newest_first())
    issued = [next((v for v in p.all_versions() if v.is_issued), None) for p in programs]
    if not any(issued):
        for program in programs:
            program.followed = None
        return programs
    prefetch_related_objects([v for v in issued if v], "items")
    today = athlete.clinic.today()
    done = dict(ExerciseLog.objects.filter(version__program__in=programs, done=True,
                                           day__gt=today - timedelta(days=7))
                .values("version__program").annotate(days=Count("pk")).values_list("version__program", "days"))
    comments = {}
    for comment in DayComment.objects.filter(program__in=programs).order_by("program", "-day"):
        comments.setdefault(comment.program_id, comment)
    for program, version in zip(programs, issued, strict=True):
        program.followed = None if version is None else {
            "done": done.get(program.pk, 0), "prescribed": adherence.prescribed_per_week(version),
            "comment": comments.get(program.pk)}
    return programs


@register.simple_tag(takes_context=True)
def needs_attention(context, user) -> list[dict]:
    """The dashboard's "needs attention": athletes of the user's clinic whose exercise pain rose,
    or who logged nothing for a week on an active program (``adherence.needs_attention``); a fixed
    number of queries whatever the number of athletes or logs."""
    if user.clinic is None:
        return []
    # EXISTS rather than a join and DISTINCT over every column of the program and the athlete, and
    # only the columns a row shows: this was the dashboard's widest query.
    working_link = ProgramLink.objects.filter(program=OuterRef("pk"), ended_at__isnull=True)
    programs = list(Program.objects.for_user(user).filter(
        Exists(working_link), athlete__archived_at__isnull=True, athlete__anonymised_at__isnull=True,
    ).with_first_issue().select_related("athlete")
        .only("code", "athlete__code", "athlete__first_name", "athlete__last_name"))
    by_pk = {p.pk: p for p in programs}
    rows: dict[int, dict] = {}
    # Every program here has a working link (the filter above) and came with its first issue: no
    # need to look either up again.
    for attention in adherence.needs_attention(programs, today=user.clinic.today(), open_links=set(by_pk),
                                               first_issue={p.pk: p.first_issued_at for p in programs}):
        program = by_pk[attention.program_id]
        row = rows.setdefault(program.pk, {"athlete": program.athlete, "program": program, "reasons": []})
        row["reasons"].append(attention.reason)
    audit.shown(context["request"], "athlete", [row["athlete"] for row in rows.values()])
    return sorted(rows.values(), key=lambda row: (row["athlete"].last_name.lower(), row["athlete"].first_name))


@register.simple_tag(takes_context=True)
def kept_needs_attention(context, user):
    """``needs_attention`` drawn, kept as a fragment (``runphys.fragments``): the same for every
    member of the clinic on a day."""
    if user.clinic is None:
        return ""
    return fragments.kept(context["request"], "needs-attention", (user.clinic.pk, user.clinic.today()), lambda:
                          render_to_string("assessments/_needs_attention_rows.html",
                                           {"attention": needs_attention(context, user)}))


@register.simple_tag(takes_context=True)
def kept_worklist(context, user):
    """``worklist`` drawn, kept as a fragment per physio and day (``runphys.fragments``)."""
    if user.clinic is None:
        return ""
    parts = (user.pk, user.is_clinic_admin, user.clinic.today())
    return fragments.kept(context["request"], "worklist", parts, lambda:
                          render_to_string("assessments/_worklist_rows.html", {"work": worklist(context, user)}))


@register.simple_tag
def adherence_between(athlete, start, end):
    """Exercise days done and prescribed between two assessments (for the later one's page)."""
    return adherence.since_assessment(athlete, start, end)


@register.simple_tag(takes_context=True)
def worklist(context, user) -> dict:
    """The dashboard's worklist for the logged-in physio (the whole clinic for an admin): drafts not
    issued, programs whose review is due this week or past, handout emails that failed or may not
    have arrived. One query a bucket, two when it holds more than it shows, whatever the numbers;
    each row links to its page."""
    if user.clinic is None:
        return {}
    today = user.clinic.today()
    end_of_week = today + timedelta(days=6 - today.weekday())
    active = {"program__athlete__archived_at__isnull": True, "program__athlete__anonymised_at__isnull": True}
    mine = {} if user.is_clinic_admin else {"clinician": user}
    # Only what a row shows: the rows' SQL and model set-up are most of the dashboard's time.
    versions = (ProgramVersion.objects.for_user(user).filter(**active, **mine).select_related("program__athlete")
                .only(*WORKLIST_FIELDS))
    latest = ProgramVersion.objects.filter(program=OuterRef("program")).order_by("-number").values("number")[:1]
    drafts = versions.drafts().order_by("-updated_at")
    reviews = versions.issued().filter(review_on__lte=end_of_week, number=Subquery(latest)).order_by("review_on")
    failed = (HandoutDelivery.objects.for_user(user).filter(
        email__status__in=[EmailDelivery.Status.FAILED, EmailDelivery.Status.UNSURE],
        email__failed_at__gte=timezone.now() - timedelta(days=30),
        **({} if user.is_clinic_admin else {"email__requested_by": user}))
        .select_related("email", "version__program__athlete")
        .only("email__last_error", "email__failed_at", *(f"version__{name}" for name in WORKLIST_FIELDS))
        .order_by("-email__failed_at"))
    work = {"today": today, "scope": "your clinic" if user.is_clinic_admin else "you"}
    for name, rows in (("drafts", drafts), ("reviews", reviews), ("failed", failed)):
        first = list(rows[:WORKLIST_ROWS])
        work[name] = first
        # Counted only when the first rows fill the list: mostly one query a bucket.
        work[f"{name}_count"] = rows.count() if len(first) == WORKLIST_ROWS else len(first)
        versions = first if name != "failed" else [delivery.version for delivery in first]
        audit.shown(context["request"], "athlete", [version.program.athlete for version in versions])
    return work

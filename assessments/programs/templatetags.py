"""The athlete page's program and email entries, without the athletes app importing assessments.

Registered as the template library ``handout_deliveries`` in ``TEMPLATES["OPTIONS"]["libraries"]``
(settings): Django looks for tag libraries only in an app's own ``templatetags`` package, and this
one belongs to the programs room, which the assessments package never imports.
"""

from datetime import timedelta

from django import template
from django.db.models import Count, prefetch_related_objects

from assessments.programs import adherence
from assessments.programs.models import DayComment, ExerciseLog, HandoutDelivery, Program

register = template.Library()


@register.simple_tag
def handout_deliveries(athlete, limit: int = 20):
    """The athlete's most recent handout emails, newest first, in one query."""
    return list(
        HandoutDelivery.objects.filter(version__program__athlete=athlete)
        .with_email()
        .select_related("version__program")[:limit]
    )


@register.simple_tag
def athlete_programs(athlete):
    """The athlete's programs, newest first, each with its versions prefetched and, for the
    timeline, ``followed``: the exercise days the athlete logged in the last 7 days against those
    prescribed, and their latest comment (three more queries whatever the numbers)."""
    programs = list(Program.objects.for_athlete(athlete).with_versions().newest_first())
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


@register.simple_tag
def needs_attention(user) -> list[dict]:
    """The dashboard's "needs attention": athletes of the user's clinic whose exercise pain rose,
    or who logged nothing for a week on an active program (``adherence.needs_attention``); a fixed
    number of queries whatever the number of athletes or logs."""
    if user.clinic is None:
        return []
    programs = Program.objects.for_user(user).filter(
        athlete__archived_at__isnull=True, athlete__anonymised_at__isnull=True, links__ended_at__isnull=True,
    ).select_related("athlete").distinct()
    programs = list(programs)
    by_pk = {p.pk: p for p in programs}
    rows: dict[int, dict] = {}
    for attention in adherence.needs_attention(programs, today=user.clinic.today()):
        program = by_pk[attention.program_id]
        row = rows.setdefault(program.pk, {"athlete": program.athlete, "program": program, "reasons": []})
        row["reasons"].append(attention.reason)
    return sorted(rows.values(), key=lambda row: (row["athlete"].last_name.lower(), row["athlete"].first_name))


@register.simple_tag
def adherence_between(athlete, start, end):
    """Exercise days done and prescribed between two assessments (for the later one's page)."""
    return adherence.since_assessment(athlete, start, end)

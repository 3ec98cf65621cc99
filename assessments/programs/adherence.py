"""How a program went, from what the athlete logged through their link: exercise days done
versus prescribed week by week, pain per exercise, their comments, and which athletes need the
physio's attention.

"Needs attention" (clinical-reference §8, proposed): an exercise whose latest logged pain is at
least ``PAIN_RISE`` points above the athlete's own recent level for it (the mean of their earlier
logs of it within ``RECENT_DAYS``), or an active program with nothing logged for
``QUIET_DAYS`` days. Counts are exercise days: an exercise prescribed on five days a week is five
a week whatever its sessions per day, and a day is done when the athlete ticked it.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q, prefetch_related_objects

from assessments.programs.models import DayComment, ExerciseLog, Program, ProgramLink, ProgramVersion

PAIN_RISE = 2  # the NPRS MCID (Farrar 2001), as clinical-reference §8 proposes
RECENT_DAYS = 14
QUIET_DAYS = 7
WEEKS_SHOWN = 8
PAIN_SOURCE = ("A rise of 2 points or more over the athlete's own recent level is worth attention "
               "(proposed, from the NPRS MCID of about 2 points, Farrar 2001; clinical reference §8)")


@dataclass(frozen=True)
class Week:
    starts_on: date
    done: int
    prescribed: int

    @property
    def share(self) -> float:
        return min(self.done / self.prescribed, 1.0) if self.prescribed else 0.0


@dataclass(frozen=True)
class PainTrend:
    exercise: str
    points: tuple[tuple[date, int], ...]  # (day, pain), oldest first

    @property
    def latest(self) -> int | None:
        return self.points[-1][1] if self.points else None


@dataclass(frozen=True)
class Attention:
    athlete_id: int
    program_id: int
    reason: str


@dataclass(frozen=True)
class Adherence:
    weeks: tuple[Week, ...]
    pain: tuple[PainTrend, ...]
    comments: tuple[DayComment, ...]
    rising: tuple[str, ...]  # what rose, in words

    @property
    def done(self) -> int:
        return sum(w.done for w in self.weeks)

    @property
    def prescribed(self) -> int:
        return sum(w.prescribed for w in self.weeks)

    @property
    def logged_anything(self) -> bool:
        return bool(self.done or self.pain or self.comments)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def prescribed_per_week(version: ProgramVersion) -> int:
    return sum(item.days_per_week for item in version.items.all())


def rising_pain(logs: Sequence[ExerciseLog], names: dict[int, str]) -> list[str]:
    """What rose by ``PAIN_RISE`` or more over the athlete's own recent level (logs oldest first)."""
    by_exercise: dict[int, list[ExerciseLog]] = defaultdict(list)
    for log in logs:
        if log.pain is not None:
            by_exercise[log.item.exercise_id].append(log)
    rising = []
    for exercise_id, entries in by_exercise.items():
        latest, earlier = entries[-1], entries[:-1]
        window = [e.pain for e in earlier if (latest.day - e.day).days <= RECENT_DAYS]
        if not window:
            continue
        level = Decimal(sum(window)) / len(window)
        if latest.pain - level >= PAIN_RISE:
            rising.append(f"{names.get(exercise_id, 'An exercise')}: pain {latest.pain}/10 on {latest.day:%-d %b}, "
                          f"up from about {level.quantize(Decimal('0.1')).normalize():f}/10")
    return rising


def of_program(program: Program, *, today: date, since: date | None = None) -> Adherence:
    """The program's adherence from its first issue (or ``since``) to ``today``, in a fixed
    number of queries whatever the number of logs."""
    versions = sorted((v for v in program.all_versions() if v.is_issued), key=lambda v: v.issued_at)
    prefetch_related_objects(versions, "items")
    if not versions:
        return Adherence((), (), (), ())
    logs = list(ExerciseLog.objects.filter(version__program=program).select_related("item__exercise")
                .order_by("day", "item__order"))
    comments = tuple(DayComment.objects.filter(program=program).order_by("-day")[:20])
    start = since or versions[0].issued_at.date()
    weeks = []
    week = monday(max(start, today - timedelta(weeks=WEEKS_SHOWN - 1)))
    while week <= today:
        in_force = [v for v in versions if v.issued_at.date() <= week + timedelta(days=6)] or versions[:1]
        days = [log for log in logs if week <= log.day < week + timedelta(days=7) and log.done and log.day >= start]
        weeks.append(Week(week, len(days), prescribed_per_week(in_force[-1])))
        week += timedelta(days=7)
    trends: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for log in logs:
        if log.pain is not None and log.day >= start:
            trends[log.item.exercise.name].append((log.day, log.pain))
    names = {log.item.exercise_id: log.item.exercise.name for log in logs}
    return Adherence(tuple(weeks), tuple(PainTrend(name, tuple(points)) for name, points in trends.items()),
                     comments, tuple(rising_pain(logs, names)))


def needs_attention(programs: Iterable[Program], *, today: date, open_links: set[int] | None = None,
                    first_issue: dict[int, datetime | None] | None = None) -> list[Attention]:
    """Rising exercise pain, or nothing logged for ``QUIET_DAYS`` days on an active program (one
    with a working link, issued at least that long ago): three queries whatever the numbers, one
    fewer for each of what the caller already knows: which programs have a working link
    (``open_links``, their pks) and when each was first issued (``first_issue``, by pk)."""
    programs = {p.pk: p for p in programs}
    if not programs:
        return []
    if open_links is None:
        open_links = set(ProgramLink.objects.filter(program_id__in=programs).open()
                         .values_list("program_id", flat=True))
    window = today - timedelta(days=RECENT_DAYS + QUIET_DAYS)
    # Only what the rules read (and the status a version reads as it loads): an exercise row
    # carries its whole text.
    logs = list(ExerciseLog.objects.filter(version__program_id__in=programs, day__gte=window)
                .select_related("item__exercise", "version")
                .only("day", "pain", "version__program", "version__status", "item__exercise__name")
                .order_by("day", "pk"))
    if first_issue is None:
        first_issue = dict(Program.objects.filter(pk__in=programs).with_first_issue()
                           .values_list("pk", "first_issued_at"))
    by_program: dict[int, list[ExerciseLog]] = defaultdict(list)
    for log in logs:
        by_program[log.version.program_id].append(log)
    found = []
    for pk, program in programs.items():
        entries = by_program.get(pk, [])
        names = {log.item.exercise_id: log.item.exercise.name for log in entries}
        for reason in rising_pain(entries, names):
            found.append(Attention(program.athlete_id, pk, reason))
        issued = first_issue.get(pk)
        last = max((log.day for log in entries), default=None)
        if pk in open_links and issued and (today - issued.date()).days >= QUIET_DAYS and (
                last is None or (today - last).days >= QUIET_DAYS):
            found.append(Attention(program.athlete_id, pk, f"Nothing logged for {QUIET_DAYS} days or more"))
    return found


def since_assessment(athlete, start: date, end: date) -> tuple[int, int] | None:
    """(exercise days done, prescribed) between two assessments, or None when nothing was issued."""
    versions = list(ProgramVersion.objects.filter(program__athlete=athlete).issued()
                    .filter(Q(issued_at__date__lte=end)).prefetch_related("items").order_by("issued_at"))
    if not versions:
        return None
    done = ExerciseLog.objects.filter(version__program__athlete=athlete, day__gt=start, day__lte=end,
                                      done=True).count()
    days = (end - max(start, versions[0].issued_at.date())).days
    prescribed = round(prescribed_per_week(versions[-1]) * max(days, 0) / 7)
    return done, prescribed


# --- Small server-drawn charts (templates/assessments/adherence.svg) -----------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 340, 110, 18, 86


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    label: str
    day_label: str


@dataclass(frozen=True)
class Spark:
    exercise: str
    polyline: str
    dots: tuple[tuple[float, float, int, date], ...]
    latest: int | None


def week_bars(weeks: Sequence[Week]) -> tuple[Bar, ...]:
    if not weeks:
        return ()
    slot = (CHART_WIDTH - 20) / len(weeks)
    plot = CHART_BOTTOM - CHART_TOP
    bars = []
    for number, week in enumerate(weeks):
        height = round(week.share * plot, 1)
        bars.append(Bar(x=round(10 + number * slot + slot * 0.15, 1), width=round(slot * 0.7, 1),
                        y=round(CHART_BOTTOM - height, 1), height=height, label=f"{week.done}/{week.prescribed}",
                        day_label=f"{week.starts_on.day} {week.starts_on:%b}"))
    return tuple(bars)


def sparks(trends: Sequence[PainTrend], *, today: date, days: int = 28) -> tuple[Spark, ...]:
    """Pain (0–10) per exercise over the last ``days`` days, as small lines."""
    first = today - timedelta(days=days - 1)
    width, height = 200, 40
    shown = []
    for trend in trends:
        points = [(round((day - first).days / max(days - 1, 1) * width, 1), round(height - pain / 10 * height, 1),
                   pain, day) for day, pain in trend.points if day >= first]
        if points:
            shown.append(Spark(trend.exercise, " ".join(f"{x},{y}" for x, y, _, _ in points), tuple(points),
                               trend.latest))
    return tuple(shown)

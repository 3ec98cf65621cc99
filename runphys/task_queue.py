"""The task queue's own bookkeeping: rows of tasks whose worker died.

django-tasks-db marks a row "running" when a worker takes it and "successful" or "failed" when the
task returns. A worker killed in between (a deploy, the OOM killer, a lost machine) leaves the row
"running" for ever; the work itself is recovered from our own records (an email delivery's lease,
a handout's render state), but the row would stay, misleading anyone who reads the queue.
``fail_orphans`` marks such rows failed once they have run longer than their task can
(``TASK_RUNNING_LIMITS``, else ``TASK_ORPHANED_AFTER``). A live worker that finishes later still
records its own result over it.
"""

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class WorkerLost(Exception):
    """Recorded as the error of a task row whose worker died (never raised)."""


ORPHAN_EXCEPTION = f"{__name__}.{WorkerLost.__qualname__}"
ORPHAN_TRACEBACK = "The worker running this task stopped before it finished; marked failed by the sweep.\n"


def fail_orphans() -> int:
    """Mark failed the "running" task rows older than their task's limit. Returns how many."""
    now = timezone.now()
    limits = settings.TASK_RUNNING_LIMITS
    too_old = Q(~Q(task_path__in=list(limits)), started_at__lt=now - settings.TASK_ORPHANED_AFTER)
    for task_path, limit in limits.items():
        too_old |= Q(task_path=task_path, started_at__lt=now - limit)
    return DBTaskResult.objects.filter(too_old, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
        exception_class_path=ORPHAN_EXCEPTION, traceback=ORPHAN_TRACEBACK,
    )

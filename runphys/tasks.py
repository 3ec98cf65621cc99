"""Background tasks (Django's tasks API; the database-backed queue of django-tasks-db)."""

from django.tasks import task

from runphys import emails


@task()
def deliver_email(delivery_id: int) -> str:
    return emails.deliver(delivery_id)

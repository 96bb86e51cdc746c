"""Background work for survivor voice, run by the task worker (django-tasks).

The task takes ids only and re-reads everything, so it does nothing if the mark
was removed meanwhile, and a task delivered twice sends one email.
"""

from datetime import datetime

from django_tasks import task

from vawg.core import jobs
from vawg.voice import services


@task()
def notify_safeguarding_contact(feedback_id: int, actor_id: int | None) -> bool:
    return services.safeguarding_notify(feedback_id=feedback_id, actor_id=actor_id)


def fail_stale(*, now: datetime) -> int:
    """A notification whose worker stopped is marked failed and queued again (run by
    `manage.py fail_stale_tasks`, vawg.core.jobs). The email is short work with no job row
    of its own, so its start is its heartbeat. Queueing again is safe: the task re-reads
    the mark and records the sending in the same transaction; a worker killed between
    sending and committing means the mailbox may hear twice, never not at all."""
    requeued = 0
    for result in jobs.stopped_tasks(notify_safeguarding_contact, now=now):
        if jobs.task_fail(result.pk, now=now):
            notify_safeguarding_contact.enqueue(
                *result.args_kwargs["args"], **result.args_kwargs["kwargs"]
            )
            requeued += 1
    return requeued

"""Background work whose worker stopped: the rule that finds it, shared by every app.

The task worker (django-tasks' database backend, `manage.py db_worker`) marks a task
RUNNING when it claims it, and SUCCESSFUL or FAILED when the task returns or raises. A
worker killed part-way (SIGKILL, out of memory, the machine lost) does neither, and
nothing else notices: the task, and the job it was doing, would say "running" for ever.

The rule. A job being worked on keeps a heartbeat, a time it updates as it goes (at each
step and progress report); the library's own record of when a worker claimed its task
counts as one too. It has stopped when its task is no longer waiting in the queue and
either the task has ended without finishing the job, or the latest heartbeat is older
than `TASK_STALE_MINUTES`. A job whose task still waits in the queue has not started: a
busy queue, or no worker running, is not a worker that died.

The app that owns the job marks it failed, with its own message, and keeps or erases its
inputs by its own rules for failed jobs; `task_fail` marks the task's result FAILED too,
so that the library's records agree. Each app's `tasks` module may define
`fail_stale(now)`, which `manage.py fail_stale_tasks` runs every few minutes.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

DEFAULT_STALE_MINUTES = 10


class WorkerStopped(Exception):
    """Recorded as a task's error when the worker running it stopped part-way."""


def stale_before(now: datetime) -> datetime:
    """A heartbeat older than this is a worker that stopped."""
    minutes = getattr(settings, "TASK_STALE_MINUTES", DEFAULT_STALE_MINUTES)
    return now - timedelta(minutes=minutes)


def task_of(task_id) -> DBTaskResult | None:
    """The library's result of a task: its status and when a worker claimed it (None: no
    task, or its result was pruned)."""
    if task_id is None:
        return None
    return DBTaskResult.objects.filter(pk=task_id).only("status", "started_at").first()


def stopped(*, heartbeat_at: datetime | None, task: DBTaskResult | None, now: datetime) -> bool:
    """The rule, for a job its owner says is being worked on (checking, queued, running).

    `task` is its task's result (`task_of`), or None when it has none: work done in a
    web request or a command, whose heartbeat alone says whether it is alive."""
    if task is not None and task.status == TaskResultStatus.READY:
        return False  # waiting its turn in the queue
    if task is not None and task.status in {
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.FAILED,
    }:
        return True  # the task ended, the job did not: it will not move again
    beats = [t for t in (heartbeat_at, task and task.started_at) if t is not None]
    return not beats or max(beats) < stale_before(now)


def task_fail(task_id, *, now: datetime) -> bool:
    """Mark a task the library still has RUNNING as FAILED: its worker stopped."""
    if task_id is None:
        return False
    error = WorkerStopped("The worker running this task stopped before it finished.")
    return bool(
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
            traceback=f"{WorkerStopped.__qualname__}: {error}\n",
        )
    )


def stopped_tasks(task: Task, *, now: datetime) -> QuerySet[DBTaskResult]:
    """Results of `task` RUNNING since before the stale limit.

    For a short task with no job row of its own (an email), its start is its heartbeat."""
    return DBTaskResult.objects.filter(
        task_path=task.module_path,
        status=TaskResultStatus.RUNNING,
        started_at__lt=stale_before(now),
    )

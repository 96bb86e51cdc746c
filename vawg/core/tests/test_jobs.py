"""The rule that finds background work whose worker stopped (vawg.core.jobs)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vawg.core import jobs
from vawg.voice.tasks import notify_safeguarding_contact

NOW = timezone.now()
FRESH = NOW - timedelta(minutes=9)
OLD = NOW - timedelta(minutes=11)


def task(status, started_at=None) -> DBTaskResult:
    return DBTaskResult(status=status, started_at=started_at)


@pytest.mark.parametrize(
    ("heartbeat_at", "task_result", "stopped"),
    [
        # Waiting its turn in the queue: never, however old (no worker has it).
        (OLD, task(TaskResultStatus.READY), False),
        (None, task(TaskResultStatus.READY), False),
        # Claimed by a worker: alive while its heartbeat is fresh...
        (FRESH, task(TaskResultStatus.RUNNING, OLD), False),
        (OLD, task(TaskResultStatus.RUNNING, OLD), True),
        # ... or the claim itself is (a job queued long ago, just picked up).
        (OLD, task(TaskResultStatus.RUNNING, FRESH), False),
        # The task ended but the job did not finish: at once.
        (FRESH, task(TaskResultStatus.FAILED, FRESH), True),
        (FRESH, task(TaskResultStatus.SUCCESSFUL, FRESH), True),
        # No task (a request or command did it, or the result was pruned): the heartbeat.
        (FRESH, None, False),
        (OLD, None, True),
        (None, None, True),
    ],
)
def test_the_stale_rule(heartbeat_at, task_result, stopped):
    assert jobs.stopped(heartbeat_at=heartbeat_at, task=task_result, now=NOW) is stopped


def test_the_limit_is_the_setting(settings):
    settings.TASK_STALE_MINUTES = 30
    assert jobs.stale_before(NOW) == NOW - timedelta(minutes=30)
    assert not jobs.stopped(heartbeat_at=OLD, task=None, now=NOW)
    del settings.TASK_STALE_MINUTES
    assert jobs.stale_before(NOW) == NOW - timedelta(minutes=jobs.DEFAULT_STALE_MINUTES)


@pytest.mark.django_db
def test_only_a_running_task_is_marked_failed():
    waiting = notify_safeguarding_contact.enqueue(1, None)
    running = notify_safeguarding_contact.enqueue(2, None)
    DBTaskResult.objects.get(pk=running.id).claim("worker-1")
    assert jobs.task_of(waiting.id).status == TaskResultStatus.READY
    assert jobs.task_of(None) is None

    assert not jobs.task_fail(waiting.id, now=NOW)
    assert jobs.task_fail(running.id, now=NOW)
    assert not jobs.task_fail(running.id, now=NOW)  # once
    failed = DBTaskResult.objects.get(pk=running.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "vawg.core.jobs.WorkerStopped"
    assert "worker running this task stopped" in failed.traceback
    # The library reads it back as a failed result with that error.
    [error] = failed.task_result.errors
    assert error.exception_class_path == "vawg.core.jobs.WorkerStopped"
    assert jobs.task_of(waiting.id).status == TaskResultStatus.READY


@pytest.mark.django_db
def test_stopped_tasks_are_those_running_since_before_the_limit():
    old = notify_safeguarding_contact.enqueue(1, None)
    new = notify_safeguarding_contact.enqueue(2, None)
    for result in (old, new):
        DBTaskResult.objects.get(pk=result.id).claim("worker-1")
    DBTaskResult.objects.filter(pk=old.id).update(started_at=OLD)
    stopped = jobs.stopped_tasks(notify_safeguarding_contact, now=timezone.now())
    assert [str(r.pk) for r in stopped] == [str(old.id)]

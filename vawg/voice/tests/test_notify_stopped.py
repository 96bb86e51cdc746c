"""A safeguarding email whose worker stopped is queued again, and sent once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vawg.voice import services, tasks
from vawg.voice.models import SafeguardingRoute
from vawg.voice.tests.factories import make_feedback

pytestmark = pytest.mark.django_db

TASK_PATH = "vawg.voice.tasks.notify_safeguarding_contact"


def test_a_notification_whose_worker_stopped_is_queued_again_and_sent_once(
    partnership, personas, django_capture_on_commit_callbacks
):
    SafeguardingRoute.objects.create(
        partnership=partnership, text="Phone the duty team.", notify_email="duty@example.org"
    )
    admin = personas["partnership_admin"]
    feedback = make_feedback(partnership)
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_triage(
            feedback=feedback, actor=admin, status="triaged", safeguarding=True
        )
    [first] = DBTaskResult.objects.filter(task_path=TASK_PATH)
    first.claim("worker-1")  # ... and the worker died before sending

    now = timezone.now()
    assert tasks.fail_stale(now=now) == 0  # it may still be sending
    later = now + timedelta(minutes=11)
    assert tasks.fail_stale(now=later) == 1
    assert tasks.fail_stale(now=later) == 0
    first.refresh_from_db()
    assert first.status == TaskResultStatus.FAILED
    [again] = DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY)
    assert again.args_kwargs == first.args_kwargs

    assert again.task.call(*again.args_kwargs["args"]) is True
    assert again.task.call(*again.args_kwargs["args"]) is False
    assert len(mail.outbox) == 1

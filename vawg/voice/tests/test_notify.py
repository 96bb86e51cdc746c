"""Marking feedback for the safeguarding route emails the route's mailbox, from the task worker:
only that an item needs attention and a link, never what was written; audited; sent once."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from vawg.audit.models import AuditEvent
from vawg.voice import services, tasks
from vawg.voice.models import Feedback, SafeguardingRoute
from vawg.voice.tests.factories import make_feedback

pytestmark = pytest.mark.django_db

SECRET = "He waits outside the school on Tuesdays."  # noqa: S105 - a test webhook secret
TASK_PATH = "vawg.voice.tasks.notify_safeguarding_contact"


@pytest.fixture
def admin(personas):
    return personas["partnership_admin"]


@pytest.fixture
def route(partnership):
    return SafeguardingRoute.objects.create(
        partnership=partnership,
        text="Phone the duty team at once.",
        contact="Duty team",
        notify_email="duty-team@example.org",
    )


def _triage(feedback, actor, *, safeguarding: bool, status: str = "triaged") -> Feedback:
    return services.feedback_triage(
        feedback=feedback, actor=actor, status=status, safeguarding=safeguarding
    )


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK_PATH))


def test_marking_queues_one_task_after_commit(
    partnership, route, admin, django_capture_on_commit_callbacks
):
    feedback = make_feedback(partnership, text=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        _triage(feedback, admin, safeguarding=True)
    [queued] = _queued()
    assert queued.args_kwargs == {"args": [feedback.pk, admin.pk], "kwargs": {}}
    # Nothing is sent in the request itself: the worker sends it.
    assert mail.outbox == []


def test_only_a_new_mark_queues_a_task(
    partnership, route, admin, django_capture_on_commit_callbacks
):
    feedback = make_feedback(partnership)
    with django_capture_on_commit_callbacks(execute=True):
        _triage(feedback, admin, safeguarding=False)  # triaged, not marked
        _triage(feedback, admin, safeguarding=True)  # marked: one task
        _triage(feedback, admin, safeguarding=True, status="closed")  # still marked: none
    assert len(_queued()) == 1


def test_the_task_emails_the_mailbox_a_link_and_no_feedback_text(partnership, route, admin):
    feedback = make_feedback(partnership, text=SECRET)
    _triage(feedback, admin, safeguarding=True)

    assert tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk) is True

    [email] = mail.outbox
    assert email.to == ["duty-team@example.org"]
    assert email.subject == "Survivor feedback needs attention"
    link = "http://127.0.0.1:8000" + reverse(
        "voice:feedback-detail", kwargs={"partnership": "wandsworth", "pk": feedback.pk}
    )
    assert link in email.body
    assert "needs attention" in email.body
    # No feedback text, no triage detail, no name of the member of staff who marked it.
    for private in ("school", "Tuesdays", admin.username, admin.get_full_name() or admin.username):
        assert private not in email.body
        assert private not in email.subject
    feedback.refresh_from_db()
    assert feedback.safeguarding_notified_at is not None
    event = AuditEvent.objects.get(summary__startswith="Emailed the safeguarding route")
    assert event.actor_id == admin.pk
    assert event.object_id == str(feedback.pk)
    assert event.partnership_id == partnership.pk
    assert "duty-team" not in str(event.detail)


def test_a_task_delivered_twice_sends_one_email(partnership, route, admin):
    feedback = make_feedback(partnership)
    _triage(feedback, admin, safeguarding=True)
    tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk)
    assert tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk) is False
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(summary__startswith="Emailed the").count() == 1


def test_nothing_is_sent_if_the_mark_was_removed_before_the_worker_ran(partnership, route, admin):
    feedback = make_feedback(partnership)
    _triage(feedback, admin, safeguarding=True)
    _triage(feedback, admin, safeguarding=False)
    assert tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk) is False
    assert mail.outbox == []


def test_nothing_is_sent_without_a_mailbox_or_for_deleted_feedback(partnership, admin):
    SafeguardingRoute.objects.create(partnership=partnership, text="Phone.", contact="Duty line")
    feedback = make_feedback(partnership)
    _triage(feedback, admin, safeguarding=True)
    assert tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk) is False
    assert tasks.notify_safeguarding_contact.call(feedback.pk + 1000, admin.pk) is False
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(summary__startswith="Emailed the").exists()


def test_a_new_mark_after_removal_is_sent_again(partnership, route, admin):
    feedback = make_feedback(partnership, received_on=date(2026, 5, 2))
    _triage(feedback, admin, safeguarding=True)
    tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk)
    _triage(feedback, admin, safeguarding=False)
    _triage(feedback, admin, safeguarding=True)
    tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk)
    assert len(mail.outbox) == 2


def test_a_failing_mail_server_leaves_the_mark_unsent_for_a_retry(
    partnership, route, admin, monkeypatch
):
    feedback = make_feedback(partnership)
    _triage(feedback, admin, safeguarding=True)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk)
    feedback.refresh_from_db()
    assert feedback.safeguarding_notified_at is None
    assert not AuditEvent.objects.filter(summary__startswith="Emailed the").exists()


def test_staff_set_the_mailbox_on_the_route_page(client_for, admin, partnership):
    client = client_for(admin)
    url = reverse("voice:safeguarding-route", kwargs={"partnership": "wandsworth"})
    bad = client.post(url, {"text": "Phone.", "contact": "Duty", "notify_email": "duty at x"})
    assert bad.status_code == 400
    assert "Enter an email address in the correct format" in bad.content.decode()
    good = client.post(
        url, {"text": "Phone.", "contact": "Duty", "notify_email": "duty-team@example.org"}
    )
    assert good.status_code == 302
    assert SafeguardingRoute.objects.get(partnership=partnership).notify_email == (
        "duty-team@example.org"
    )
    assert 'value="duty-team@example.org"' in client.get(url).content.decode()


def test_the_feedback_page_says_whether_the_mailbox_was_told(
    client_for, admin, partnership, route, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    feedback = make_feedback(partnership, text=SECRET)
    url = reverse("voice:feedback-detail", kwargs={"partnership": "wandsworth", "pk": feedback.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "triaged", "safeguarding": "on"})
    assert response.status_code == 302
    assert len(_queued()) == 1
    assert "will be emailed shortly" in client.get(url).content.decode()
    tasks.notify_safeguarding_contact.call(feedback.pk, admin.pk)
    assert "mailbox was emailed on" in client.get(url).content.decode()

"""Services: validation, tenancy and the audit trail."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from vawg.audit.models import AuditEvent
from vawg.learning import services
from vawg.learning.models import Participant, Recommendation
from vawg.learning.tests.factories import (
    make_attendance,
    make_initiative,
    make_participant,
    make_review,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return personas["partnership_admin"]


def test_recording_the_same_attendee_twice_updates_the_row(partnership, admin):
    session = make_session(partnership)
    organisation = partnership.organisations.first()
    services.attendance_record(
        session=session, actor=admin, attendee_reference="AB-12", organisation=organisation
    )
    services.attendance_record(
        session=session,
        actor=admin,
        attendee_reference="AB-12",
        organisation=organisation,
        confidence_before=2,
        confidence_after=5,
    )
    attendance = session.attendances.get()
    assert (attendance.confidence_before, attendance.confidence_after) == (2, 5)
    event = AuditEvent.objects.filter(object_type="learning.Attendance").first()
    # The trail names fields, never the values (no attendee reference in it).
    assert event.detail == {"fields": ["confidence_after", "confidence_before"]}
    assert "AB-12" not in str(event.detail) + event.summary


@pytest.mark.parametrize("reference", ["Jane Smith", "JS", "jane@example.org", ""])
def test_an_attendee_reference_cannot_be_a_name(partnership, admin, reference):
    with pytest.raises(ValidationError) as error:
        services.attendance_record(
            session=make_session(partnership),
            actor=admin,
            attendee_reference=reference,
            organisation=partnership.organisations.first(),
        )
    assert "attendee_reference" in error.value.message_dict


def test_an_organisation_of_another_partnership_is_refused(partnership, other_partnership, admin):
    with pytest.raises(ValidationError) as error:
        services.attendance_record(
            session=make_session(partnership),
            actor=admin,
            attendee_reference="X-1",
            organisation=other_partnership.organisations.first(),
        )
    assert error.value.message_dict["organisation"] == [
        "Choose an organisation of this partnership."
    ]


def test_a_course_cannot_link_another_partnerships_action(partnership, other_partnership, admin):
    from vawg.strategy.tests.factories import make_action, make_priority, make_strategy

    action = make_action(make_priority(make_strategy(other_partnership)))
    with pytest.raises(ValidationError):
        services.course_save(
            partnership=partnership, actor=admin, title="Awareness", actions=[action]
        )


def test_an_embedded_recommendation_needs_evidence_and_dates(partnership, admin):
    review = make_review(partnership)
    with pytest.raises(ValidationError) as error:
        services.recommendation_save(
            review=review,
            actor=admin,
            number="1",
            text="Share the learning",
            owner=partnership.organisations.first(),
            due_on=date(2026, 3, 31),
            status=Recommendation.Status.EMBEDDED,
        )
    assert set(error.value.message_dict) == {"completed_on", "embedded_on", "evidence"}


def test_a_published_review_needs_a_date_and_a_secure_link(partnership, admin):
    with pytest.raises(ValidationError) as error:
        services.review_save(
            partnership=partnership,
            actor=admin,
            reference="DHR 2022/01",
            kind="dhr",
            status="published",
            commissioned_on=date(2022, 1, 5),
            report_url="http://example.org/report",
        )
    assert set(error.value.message_dict) == {"published_on", "report_url"}


def test_review_references_are_unique_in_a_partnership_only(partnership, other_partnership, admin):
    common = {"kind": "sar", "status": "in_progress", "commissioned_on": date(2024, 1, 1)}
    services.review_save(partnership=partnership, actor=admin, reference="SAR 1", **common)
    services.review_save(partnership=other_partnership, actor=admin, reference="SAR 1", **common)
    with pytest.raises(ValidationError) as error:
        services.review_save(partnership=partnership, actor=admin, reference="sar 1", **common)
    assert "A review with this reference already exists." in str(error.value)


def test_a_removed_attendance_is_audited(partnership, admin):
    attendance = make_attendance(make_session(partnership))
    pk = attendance.pk
    services.attendance_remove(attendance=attendance, actor=admin)
    assert AuditEvent.objects.filter(action="delete", object_id=str(pk)).exists()


# --- Renewal reminders --------------------------------------------------------------


@pytest.fixture
def due_soon(partnership, personas):
    register = make_initiative(partnership, "White Ribbon", reminder_days=60)
    make_participant(register, "Alpha Housing", renewal_due=date(2026, 3, 1))  # in 59 days
    make_participant(register, "Beta Surgery", renewal_due=date(2026, 6, 1))  # too far ahead
    make_participant(
        register,
        "Gamma Cafe",
        renewal_due=date(2026, 2, 1),
        status=Participant.Status.WITHDRAWN,
        ended_on=date(2025, 12, 1),
    )
    return register


def test_it_reminds_admins_once_per_renewal_date(
    due_soon, partnership, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_renewal_reminders", "--today", "2026-01-01", stdout=StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    admin_emails = {
        m.user.email
        for m in partnership.memberships.filter(role="partnership_admin").select_related("user")
    }
    assert set(message.to) == admin_emails
    assert "1 register entry is due for renewal" in message.body
    # No names of participants or people in the email.
    for name in ("Alpha", "Beta", "Gamma", "Wandsworth", "White Ribbon"):
        assert name not in message.body + message.subject

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_renewal_reminders", "--today", "2026-01-02", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_a_new_renewal_date_is_reminded_again(due_soon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.renewal_reminders_send(on=date(2026, 1, 1))
    alpha = Participant.objects.get(name="Alpha Housing")
    assert alpha.reminded_for == date(2026, 3, 1)
    alpha.renewal_due = date(2029, 3, 1)
    alpha.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.renewal_reminders_send(on=date(2029, 2, 1))
    # Alpha's new date; Beta's renewal date has passed, so there is nothing left to remind.
    assert sent.participants == 1

"""Meetings: the agenda from referrals since the last meeting, attendance, holding, actions."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.marac import services
from vawg.marac.models import CaseAction
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral

pytestmark = pytest.mark.django_db


def test_the_agenda_takes_referrals_since_the_last_meeting_and_flags_them(partnership):
    earlier = make_referral(partnership, on=date(2025, 12, 1), victim="Test Victim 030")
    hold_meeting(make_meeting(partnership, on=date(2025, 12, 10)))
    repeat = make_referral(partnership, on=date(2026, 1, 2), victim="Test Victim 030")
    children = make_referral(
        partnership, on=date(2026, 1, 3), victim="Test Victim 031", children_in_household=2
    )
    make_referral(partnership, on=date(2026, 1, 30), victim="Test Victim 032")  # after the date
    meeting = make_meeting(partnership, on=date(2026, 1, 20))
    assert services.agenda_build(meeting=meeting, actor=None) == 2
    items = list(meeting.agenda.select_related("referral"))
    assert [i.referral for i in items] == [repeat, children]
    assert items[0].referral.is_repeat and items[0].referral.repeat_of == earlier
    assert items[1].referral.children_in_household == 2
    # Building again adds nothing twice.
    assert services.agenda_build(meeting=meeting, actor=None) == 0


def test_attendance_needs_an_invited_agency_and_the_confidentiality_statement(partnership):
    invited = partnership.organisations.first()
    other = make_organisation(partnership, "Test Uninvited Agency")
    meeting = make_meeting(partnership, agencies=[invited])
    with pytest.raises(ValidationError):
        services.attendance_record(
            meeting=meeting, organisation=other, attendee_name="Test Rep", accepted=True, actor=None
        )
    with pytest.raises(ValidationError, match="confidentiality"):
        services.attendance_record(
            meeting=meeting,
            organisation=invited,
            attendee_name="Test Rep",
            accepted=False,
            actor=None,
        )
    attendance = services.attendance_record(
        meeting=meeting, organisation=invited, attendee_name="Test Rep", accepted=True, actor=None
    )
    assert attendance.statement_version == services.CONFIDENTIALITY_STATEMENT_VERSION


def test_a_meeting_is_held_only_on_or_after_its_date_with_an_agenda_and_attendance(partnership):
    make_referral(partnership, on=date(2026, 1, 2))
    meeting = make_meeting(partnership, on=date(2026, 1, 20))
    with pytest.raises(ValidationError, match="agenda"):
        services.meeting_hold(meeting=meeting, actor=None, today=date(2026, 1, 20))
    services.agenda_build(meeting=meeting, actor=None)
    with pytest.raises(ValidationError, match="attended"):
        services.meeting_hold(meeting=meeting, actor=None, today=date(2026, 1, 20))
    with pytest.raises(ValidationError, match="before its date"):
        hold_meeting(meeting, today=date(2026, 1, 19))
    meeting.refresh_from_db()
    held = services.meeting_hold(meeting=meeting, actor=None, today=date(2026, 1, 20))
    assert held.status == "held"
    with pytest.raises(ValidationError):
        services.agenda_build(meeting=held, actor=None)


@pytest.fixture
def action(partnership):
    make_referral(partnership, on=date(2026, 1, 2))
    meeting = hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    return services.case_action_add(
        item=meeting.agenda.get(),
        organisation=partnership.organisations.first(),
        description="Test action: safety planning",
        due_on=date(2026, 2, 3),
        actor=None,
    )


def test_only_the_assigned_agency_or_the_coordinator_completes_an_action(partnership, action):
    other = make_organisation(partnership, "Test Other Agency")
    with pytest.raises(PermissionDenied):
        services.case_action_complete(
            action=action,
            actor=None,
            agencies={other.pk},
            coordinator=False,
            completed_on=date(2026, 2, 1),
            note="",
            today=date(2026, 2, 2),
        )
    done = services.case_action_complete(
        action=action,
        actor=None,
        agencies={action.organisation_id},
        coordinator=False,
        completed_on=date(2026, 2, 3),
        note="Done",
        today=date(2026, 2, 4),
    )
    assert done.on_time
    with pytest.raises(ValidationError, match="already"):
        services.case_action_complete(
            action=action,
            actor=None,
            agencies=set(),
            coordinator=True,
            completed_on=date(2026, 2, 3),
            note="",
            today=date(2026, 2, 4),
        )


def test_completion_dates_must_be_real(action):
    for day, today in [(date(2026, 3, 1), date(2026, 2, 1)), (date(2026, 1, 1), date(2026, 2, 1))]:
        with pytest.raises(ValidationError):
            services.case_action_complete(
                action=action,
                actor=None,
                agencies=set(),
                coordinator=True,
                completed_on=day,
                note="",
                today=today,
            )


def test_overdue_actions_are_chased_once_a_week_without_case_detail(partnership, action, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rep = make_member(Role.MARAC_REPRESENTATIVE, partnership, organisation=action.organisation)
    assert services.actions_chase(today=date(2026, 2, 3)) == 0  # due today: not overdue yet
    assert services.actions_chase(today=date(2026, 2, 4)) == 1
    assert services.actions_chase(today=date(2026, 2, 4)) == 0  # same day again: idempotent
    assert services.actions_chase(today=date(2026, 2, 10)) == 0  # within the week
    assert services.actions_chase(today=date(2026, 2, 11)) == 1
    action.refresh_from_db()
    assert (action.last_chased_on, action.chase_count) == (date(2026, 2, 11), 2)
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [rep.email]
    assert "Test" not in mail.outbox[0].body and "MARAC-" not in mail.outbox[0].body
    assert "/marac/actions/?show=overdue" in mail.outbox[0].body  # straight to the overdue


def test_completed_actions_are_not_chased(action):
    CaseAction.objects.filter(pk=action.pk).update(completed_on=date(2026, 2, 1))
    assert services.actions_chase(today=date(2026, 3, 1)) == 0

"""The reminder command: fixed dates, idempotent, and no detail in the email."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.delivery.models import Reminder, Status
from vawg.delivery.tests.factories import make_world, post

pytestmark = pytest.mark.django_db

# 2025/26 Q3 ends 31 December 2025; updates are due 14 January 2026.
BEFORE_WINDOW = "2025-12-30"
IN_WINDOW = "2026-01-05"


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas, actions=3)


def test_it_sends_nothing_before_the_reminder_window(world):
    call_command("send_update_reminders", today=BEFORE_WINDOW)
    assert mail.outbox == []


def test_it_reminds_each_lead_once_per_period(world):
    call_command("send_update_reminders", today=IN_WINDOW)
    call_command("send_update_reminders", today="2026-01-06")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.lead.email]
    assert "3 actions need a progress update for 2025/26 Q3" in mail.outbox[0].body
    assert "14 January 2026" in mail.outbox[0].body
    assert Reminder.objects.get().actions_due == 3


def test_the_email_names_no_action_and_no_person(world):
    post(
        world.action,
        world.periods[2],
        world.lead,
        status=Status.AT_RISK,
        commentary="Venue lost",
        today=date(2026, 1, 2),
    )
    call_command("send_update_reminders", today=IN_WINDOW)
    body = mail.outbox[0].body
    assert "2 actions need" in body
    assert world.action.ref not in body and world.action.activity not in body
    assert "Venue lost" not in body and world.lead.username not in body


def test_leads_who_have_posted_everything_get_nothing(world):
    for action in world.strategy.actions.all():
        post(action, world.periods[2], world.lead, today=date(2026, 1, 2))
    call_command("send_update_reminders", today=IN_WINDOW)
    assert mail.outbox == []


def test_leads_of_other_organisations_get_nothing(world, partnership):
    make_member(
        Role.ACTION_LEAD, partnership, organisation=make_organisation(partnership, "Police")
    )
    call_command("send_update_reminders", today=IN_WINDOW)
    assert [m.to for m in mail.outbox] == [[world.lead.email]]


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_update_reminders", today="5/1/2026")

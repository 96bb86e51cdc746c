"""The MARAC coordinator's home page: the next meeting, referrals not yet on an agenda,
and actions overdue."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.marac import services
from vawg.marac.models import CaseAction
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)


def page(client_for, user, url=HOME) -> str:
    return client_for(user).get(url).content.decode()


def marac_url(name, **kwargs):
    return reverse(f"marac:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def test_the_coordinator_sees_a_referral_not_listed_until_it_is_on_an_agenda(
    partnership, personas, client_for
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    make_referral(partnership, on=date(2026, 2, 2))
    shown = page(client_for, coordinator)
    assert "No MARAC meeting is scheduled" in shown
    assert "1 referral not yet on a meeting&#x27;s agenda" in shown
    assert f'href="{marac_url("meeting-new")}"' in shown
    meeting = make_meeting(partnership, on=date(2026, 2, 17))
    shown = page(client_for, coordinator)
    assert "Next MARAC meeting: 17 February 2026" in shown
    assert f'href="{marac_url("meeting-agenda", pk=meeting.pk)}"' in shown
    services.agenda_build(meeting=meeting, actor=None)
    assert "not yet on a meeting" not in page(client_for, coordinator)


def test_the_coordinator_sees_an_overdue_action_until_it_is_completed(
    partnership, personas, client_for
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    make_referral(partnership, on=date(2026, 1, 2))
    meeting = hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    action = services.case_action_add(
        item=meeting.agenda.get(),
        organisation=partnership.organisations.first(),
        description="Test action: safety planning",
        due_on=date(2026, 2, 3),
        actor=None,
    )
    shown = page(client_for, coordinator)
    assert "1 MARAC action overdue" in shown
    assert f'href="{marac_url("action-list")}"' in shown
    CaseAction.objects.filter(pk=action.pk).update(completed_on=date(2026, 2, 9))
    assert "action overdue" not in page(client_for, coordinator)


def test_only_the_coordinator_sees_them(partnership, personas, client_for):
    make_referral(partnership, on=date(2026, 2, 2))
    for role in (Role.MARAC_REPRESENTATIVE, Role.PRACTITIONER, Role.PARTNERSHIP_ADMIN):
        shown = page(client_for, personas[role])
        assert "not yet on a meeting" not in shown
        assert "MARAC meeting" not in shown


def test_another_partnerships_referrals_never_count(partnership, other_partnership, client_for):
    make_referral(partnership, on=date(2026, 2, 2))
    coordinator = make_member(Role.MARAC_COORDINATOR, other_partnership)
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    assert "not yet on a meeting" not in page(client_for, coordinator, home)

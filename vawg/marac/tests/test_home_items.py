"""The MARAC coordinator's home page: the next meeting, referrals not yet on an agenda,
and actions overdue."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.marac import services
from vawg.marac.models import CaseAction
from vawg.marac.tests.factories import (
    details,
    hold_meeting,
    make_assessment,
    make_meeting,
    make_referral,
)

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
    assert f'href="{marac_url("meeting-detail", pk=meeting.pk)}#agenda"' in shown
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
    assert f'href="{marac_url("action-list")}?show=overdue"' in shown
    CaseAction.objects.filter(pk=action.pk).update(completed_on=date(2026, 2, 9))
    assert "action overdue" not in page(client_for, coordinator)


def test_only_the_coordinator_sees_them(partnership, personas, client_for):
    make_referral(partnership, on=date(2026, 2, 2))
    for role in (Role.MARAC_REPRESENTATIVE, Role.PRACTITIONER, Role.PARTNERSHIP_ADMIN):
        shown = page(client_for, personas[role])
        assert "not yet on a meeting" not in shown
        assert "Next MARAC meeting:" not in shown
        assert "No MARAC meeting is scheduled" not in shown


def test_another_partnerships_referrals_never_count(partnership, other_partnership, client_for):
    make_referral(partnership, on=date(2026, 2, 2))
    coordinator = make_member(Role.MARAC_COORDINATOR, other_partnership)
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    assert "not yet on a meeting" not in page(client_for, coordinator, home)


# --- The practitioner: their own work in progress ------------------------------------


def screen(partnership, practitioner, on):
    return services.screening_record(
        partnership=partnership,
        practitioner=practitioner,
        organisation=None,
        screened_on=on,
        disclosed=True,
        immediate_danger=False,
        agrees_to_checklist=True,
    )


def test_the_practitioner_sees_their_work_until_it_is_done(partnership, personas, client_for):
    practitioner = personas[Role.PRACTITIONER]
    shown = page(client_for, practitioner)
    # Nothing in progress: the page still offers the work they start.
    assert "Nothing needs your attention" in shown
    assert f'href="{marac_url("screening-new")}"' in shown
    assert f'href="{marac_url("assessment-new")}"' in shown

    screening = screen(partnership, practitioner, date(2026, 2, 3))
    screen(partnership, practitioner, date(2025, 12, 1))  # weeks ago: not in progress
    screen(partnership, personas[Role.MARAC_COORDINATOR], date(2026, 2, 3))  # not theirs
    shown = page(client_for, practitioner)
    assert "1 screening waiting for a risk checklist" in shown
    assert f'href="{marac_url("assessment-new")}?screening={screening.pk}"' in shown

    assessment = make_assessment(
        partnership, practitioner, on=date(2026, 2, 4), screening=screening
    )
    shown = page(client_for, practitioner)
    assert "waiting for a risk checklist" not in shown
    assert "1 risk checklist meeting MARAC criteria, not yet referred" in shown
    assert f'href="{marac_url("assessment-detail", pk=assessment.pk)}"' in shown

    referral = services.referral_make(
        assessment=assessment,
        referrer=practitioner,
        organisation=partnership.organisations.first(),
        referred_on=date(2026, 2, 5),
        details=details(),
    )
    shown = page(client_for, practitioner)
    assert "not yet referred" not in shown
    assert "1 referral you made, not yet on a MARAC agenda" in shown
    assert f'href="{marac_url("referral-list")}"' in shown
    assert referral.reference not in shown  # counts and links only
    services.agenda_build(meeting=make_meeting(partnership, on=date(2026, 2, 17)), actor=None)
    assert "Nothing needs your attention" in page(client_for, practitioner)


def test_a_checklist_below_the_criteria_is_not_work_to_refer(partnership, personas, client_for):
    practitioner = personas[Role.PRACTITIONER]
    make_assessment(partnership, practitioner, yes=2, on=date(2026, 2, 4))
    assert "not yet referred" not in page(client_for, practitioner)


# --- The MARAC representative: their agency's meeting and actions ---------------------


def agency_of(user, partnership):
    return user.memberships.get(partnership=partnership).organisation


def test_the_representative_sees_their_agencys_meeting_and_actions(
    partnership, personas, client_for
):
    rep = personas[Role.MARAC_REPRESENTATIVE]
    agency = agency_of(rep, partnership)
    other = make_organisation(partnership, "Test Housing Service")
    shown = page(client_for, rep)
    assert "No MARAC meeting your agency attends is scheduled" in shown
    assert "Nothing needs your attention" in shown

    make_referral(partnership, on=date(2026, 1, 2))
    held = hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    item = held.agenda.get()
    for organisation, due in (
        (agency, date(2026, 2, 3)),
        (agency, date(2026, 2, 20)),
        (other, date(2026, 2, 1)),
        (agency, date(2026, 3, 30)),
    ):
        services.case_action_add(
            item=item,
            organisation=organisation,
            description="Test action",
            due_on=due,
            actor=None,
        )
    # A meeting the agency is not invited to comes first; theirs is the one shown.
    make_meeting(partnership, on=date(2026, 2, 12), agencies=[other])
    upcoming = make_meeting(partnership, on=date(2026, 2, 17), agencies=[agency])
    shown = page(client_for, rep)
    assert "Next MARAC meeting your agency attends: 17 February 2026" in shown
    assert f'href="{marac_url("meeting-detail", pk=upcoming.pk)}"' in shown
    assert "1 MARAC action for your agency overdue" in shown
    assert "1 MARAC action for your agency due by 24 February 2026" in shown
    assert f'href="{marac_url("action-list")}?show=overdue"' in shown
    assert f'href="{marac_url("action-list")}?show=open"' in shown
    assert item.referral.reference not in shown  # counts and links only
    # The coordinator's own items, not these, say it for every agency.
    coordinator = page(client_for, personas[Role.MARAC_COORDINATOR])
    assert "your agency" not in coordinator

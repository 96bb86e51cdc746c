"""What delivery puts on each role's home page: updates due and returned for the action
lead, updates to review for the chair, the round's exceptions for the admin and what is
red and why for the board member."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.delivery import services
from vawg.delivery.models import Status
from vawg.delivery.tests.factories import approve, approved, make_world, post
from vawg.strategy.models import Strategy

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 20)  # inside 2025/26 Q3; Q2's deadline has passed
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})
OTHER_HOME = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})


@pytest.fixture
def world(partnership, personas, monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)
    return make_world(partnership, personas)


def page(client_for, user, url=HOME) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def delivery_url(name, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def test_the_action_lead_sees_the_updates_due_until_they_post(world, client_for):
    for period in world.periods[:2]:  # the rounds already past, posted: nothing overdue
        post(world, period, world.lead)
    shown = page(client_for, world.lead)
    assert "1 update due for 2025/26 Q3" in shown
    assert f'href="{delivery_url("my-actions")}"' in shown
    post(world, world.q3, world.lead)
    shown = page(client_for, world.lead)
    assert "update due" not in shown
    assert "Nothing needs your attention" in shown


def test_the_action_lead_sees_an_update_returned_until_they_resubmit(world, client_for):
    update = post(world, world.q3, world.lead)
    services.update_review(
        update=update,
        actor=world.chair,
        standing=services.standing_for(world.chair, update.action.strategy.partnership),
        decision=services.Decision.RETURN,
        comment="Say which schools.",
        version=update.version,
    )
    assert "1 update returned to you for changes" in page(client_for, world.lead)
    update.refresh_from_db()
    post(world, world.q3, world.lead, version=update.version)
    assert "returned to you" not in page(client_for, world.lead)


def test_the_chair_sees_updates_waiting_for_review_until_reviewed(world, client_for):
    update = post(world, world.q3, world.lead)
    shown = page(client_for, world.chair)
    assert "1 update waiting for your review" in shown
    assert f'href="{delivery_url("review-list")}"' in shown
    approve(update, world.chair)
    assert "waiting for your review" not in page(client_for, world.chair)


def next_round(world, monkeypatch):
    """Q3 reported on track, and Q3's deadline passed: the board's round is now Q3."""
    approved(world.action, world.q3, Status.ON_TRACK, world.lead, world.chair)
    day = date.fromordinal(world.q3.update_deadline.toordinal() + 1)
    monkeypatch.setattr("vawg.core.views._today", lambda: day)


def test_the_admin_sees_the_rounds_exceptions(world, client_for, monkeypatch):
    approved(world.action, world.q2, Status.AT_RISK, world.lead, world.chair)
    shown = page(client_for, world.admin)
    assert "1 action at risk or off track in 2025/26 Q2" in shown
    dashboard = delivery_url("dashboard", strategy=world.strategy.slug)
    assert f'href="{dashboard}?period={world.q2.pk}"' in shown
    next_round(world, monkeypatch)
    assert "at risk or off track" not in page(client_for, world.admin)


def test_the_board_member_sees_what_is_red_and_why(world, personas, client_for, monkeypatch):
    reason = "The provider withdrew in August; a new one is being commissioned. " * 4
    approved(world.action, world.q2, Status.OFF_TRACK, world.lead, world.chair, commentary=reason)
    board = personas[Role.BOARD_MEMBER]
    shown = page(client_for, board)
    assert "1 action off track (red) in 2025/26 Q2" in shown
    assert "The provider withdrew in August" in shown
    assert reason.strip() not in shown  # cut short
    action_url = reverse(
        "strategy:action-detail", kwargs={"partnership": "wandsworth", "pk": world.action.pk}
    )
    assert f'href="{action_url}"' in shown
    # Only the board member's page lists the red actions (the admin has the exceptions).
    assert "off track (red)" not in page(client_for, world.admin)
    next_round(world, monkeypatch)
    assert "off track (red)" not in page(client_for, board)


def test_roles_without_the_permission_see_no_delivery_items(world, personas, client_for):
    post(world, world.q3, world.lead)
    for role in (Role.PRACTITIONER, Role.ANALYST, Role.BOARD_MEMBER):
        shown = page(client_for, personas[role])
        assert "waiting for your review" not in shown
        assert "update due" not in shown


def test_another_partnerships_updates_never_count(world, personas, client_for):
    approved(world.action, world.q2, Status.OFF_TRACK, world.lead, world.chair)
    post(world, world.q3, world.lead)
    shown = page(client_for, personas["outsider"], OTHER_HOME)
    assert "at risk or off track" not in shown
    assert "waiting for your review" not in shown
    assert "Nothing needs your attention" in shown


# --- Overdue updates -------------------------------------------------------------


def test_the_action_lead_sees_updates_overdue_linked_to_their_forms(world, client_for):
    # Q1 and Q2 (deadlines passed) have no update: both overdue, each linked to its form.
    shown = page(client_for, world.lead)
    assert "2 updates overdue" in shown
    assert f'href="{delivery_url("my-actions")}"' in shown
    for period in world.periods[:2]:
        form = delivery_url("update-edit", pk=world.action.pk, period=period.pk)
        assert f'href="{form}"' in shown
    assert "not started" in shown
    # Q3's deadline is still ahead: due, not overdue.
    q3_form = delivery_url("update-edit", pk=world.action.pk, period=world.q3.pk)
    assert f'href="{q3_form}"' not in shown


def test_rounds_that_closed_before_the_plan_came_onto_the_platform_are_not_overdue(
    world, client_for
):
    # The plan arrived after Q1's deadline and before Q2's: only Q2 was ever asked for.
    q1, q2 = world.periods[:2]
    arrived = datetime.combine(q1.update_deadline + timedelta(days=1), time(9), tzinfo=UTC)
    Strategy.objects.filter(pk=world.strategy.pk).update(added_at=arrived)
    shown = page(client_for, world.lead)
    assert "1 update overdue" in shown
    assert delivery_url("update-edit", pk=world.action.pk, period=q2.pk) in shown
    assert delivery_url("update-edit", pk=world.action.pk, period=q1.pk) not in shown


def test_a_draft_or_returned_update_stays_overdue_and_a_late_one_can_be_posted(world, client_for):
    q1, q2 = world.periods[:2]
    post(world, q1, world.lead, submit=False)  # a draft, never submitted
    update = post(world, q2, world.lead)
    services.update_review(
        update=update,
        actor=world.chair,
        standing=services.standing_for(world.chair, update.action.strategy.partnership),
        decision=services.Decision.RETURN,
        comment="Say which schools.",
        version=update.version,
    )
    shown = page(client_for, world.lead)
    assert "2 updates overdue" in shown
    assert "a draft, not submitted" in shown
    assert "returned for changes" in shown
    # The late Q1 update is posted through its form, from the home page's link.
    form = delivery_url("update-edit", pk=world.action.pk, period=q1.pk)
    client = client_for(world.lead)
    assert client.get(form).status_code == 200
    response = client.post(
        form,
        {"version": 1, "status": Status.ON_TRACK, "commentary": "Late, but done.", "submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    shown = page(client_for, world.lead)
    assert "1 update overdue" in shown
    q2_form = delivery_url("update-edit", pk=world.action.pk, period=q2.pk)
    assert f'href="{q2_form}"' in shown  # one left: the item links straight to its form
    assert f'href="{form}"' not in shown


def test_periods_outside_the_plan_are_not_overdue(world, client_for):
    world.strategy.start_year, world.strategy.end_year = 2026, 2028
    world.strategy.save(update_fields=["start_year", "end_year"])
    assert "overdue" not in page(client_for, world.lead)


def test_only_the_leading_organisation_sees_its_overdue_updates(world, personas, client_for):
    for user in (world.chair, world.admin, personas[Role.BOARD_MEMBER]):
        assert "updates overdue" not in page(client_for, user)
    assert "updates overdue" not in page(client_for, personas["outsider"], OTHER_HOME)


def test_the_board_is_told_the_plan_has_lapsed_beside_its_red_actions(
    world, personas, client_for, monkeypatch
):
    approved(world.action, world.q2, Status.OFF_TRACK, world.lead, world.chair)
    board = personas[Role.BOARD_MEMBER]
    assert "The plan has lapsed" not in page(client_for, board)
    world.strategy.end_year = 2024  # ended 31 March 2025, before Q2
    world.strategy.save(update_fields=["end_year"])
    shown = page(client_for, board)
    assert "1 action off track (red) in 2025/26 Q2" in shown
    assert f"The plan has lapsed: {world.strategy.title} ended in March 2025." in shown

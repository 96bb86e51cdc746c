"""The admin moves when a quarter's updates are due: audited, checked, and read by the
cycle at once (the period due, the reminders, what is overdue)."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.delivery import services
from vawg.delivery.tests.factories import make_world

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def deadline(day: date) -> dict:
    return {
        "update_deadline_0": str(day.day),
        "update_deadline_1": str(day.month),
        "update_deadline_2": str(day.year),
    }


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


def test_the_admin_sees_each_year_s_quarters_with_their_deadlines(client_for, world):
    page = client_for(world.admin).get(url("periods")).content.decode()
    assert "2025/26" in page and "2025/26 Q3" in page
    assert "14 Jan 2026" in page  # Q3's default: 14 days after the quarter ends
    assert url("period-edit", pk=world.q3.pk) in page


def test_moving_a_deadline_changes_what_is_due_and_is_audited(client_for, world):
    q3 = world.q3
    response = client_for(world.admin).post(
        url("period-edit", pk=q3.pk), deadline(date(2026, 1, 30))
    )
    assert response.status_code == 302
    q3.refresh_from_db()
    assert q3.update_deadline == date(2026, 1, 30)
    # On 20 January Q3 is still the round due: its deadline is now later.
    assert services.period_due(world.strategy.partnership, date(2026, 1, 20)) == q3
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(q3.pk))
    assert event.actor_id == world.admin.pk
    assert event.detail == {"from": "2026-01-14", "to": "2026-01-30"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (deadline(date(2025, 12, 30)), "on or after the quarter&#x27;s last day, 31 December 2025"),
        (deadline(date(2026, 6, 1)), "within 90 days of the quarter&#x27;s end, by 31 March 2026"),
        (
            {"update_deadline_0": "31", "update_deadline_1": "2", "update_deadline_2": "2026"},
            "The deadline date must be a real date",
        ),
        (
            {"update_deadline_0": "", "update_deadline_1": "", "update_deadline_2": ""},
            "Enter the date updates are due by.",
        ),
        ({}, "Enter the date updates are due by."),
        (
            {"update_deadline_0": "x", "update_deadline_1": "1", "update_deadline_2": "2026"},
            "The day of the deadline date must be a number.",
        ),
    ],
)
def test_a_wrong_deadline_is_refused_with_a_message_and_nothing_changes(
    client_for, world, data, message
):
    response = client_for(world.admin).post(url("period-edit", pk=world.q3.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    world.q3.refresh_from_db()
    assert world.q3.update_deadline == date(2026, 1, 14)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


def test_only_the_admin_moves_deadlines_and_only_their_own(
    client_for, world, personas, other_partnership
):
    for role in (Role.ACTION_LEAD, Role.WORKSTREAM_CHAIR, Role.BOARD_MEMBER, Role.ANALYST):
        response = client_for(personas[role]).post(
            url("period-edit", pk=world.q3.pk), deadline(date(2026, 1, 20))
        )
        assert response.status_code == 403, role
    theirs = reverse("delivery:period-edit", kwargs={"partnership": "lambeth", "pk": world.q3.pk})
    assert client_for(personas["outsider"]).get(theirs).status_code == 404
    world.q3.refresh_from_db()
    assert world.q3.update_deadline == date(2026, 1, 14)

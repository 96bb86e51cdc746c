"""The audit viewer: the partnership's own events only, filtered, paginated, newest first."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.audit.services import record
from vawg.core.permissions import Role

LONDON = ZoneInfo("Europe/London")
URL = reverse("audit:event-list", kwargs={"partnership": "wandsworth"})


@pytest.fixture
def admin(personas):
    return personas[Role.PARTNERSHIP_ADMIN]


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


def at(monkeypatch, when: datetime) -> None:
    """Fix the clock the audit trail stamps events with."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: when)


def shown(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def test_it_shows_this_partnerships_events_newest_first(admin_client, partnership, admin):
    first = record(action="create", actor=admin, partnership=partnership, object_type="x.Y")
    second = record(action="update", actor=admin, partnership=partnership, object_type="x.Y")
    response = admin_client.get(URL)
    assert response.status_code == 200
    events = [e for e in shown(response) if e.object_type == "x.Y"]
    assert events == [second, first]
    assert (admin.get_full_name() or admin.username) in response.content.decode()


def test_it_never_shows_another_partnerships_events(
    admin_client, partnership, other_partnership, personas
):
    outsider = personas["outsider"]
    record(action="export", actor=outsider, partnership=other_partnership, summary="Lambeth only")
    record(action="sign_in", actor=outsider, obj=outsider)
    response = admin_client.get(URL)
    assert all(e.partnership_id != other_partnership.pk for e in shown(response))
    assert all(e.actor_id != outsider.pk for e in shown(response))
    assert b"Lambeth only" not in response.content


def test_it_shows_sign_ins_of_its_own_members(admin_client, personas):
    analyst = personas[Role.ANALYST]
    event = record(action="sign_in", actor=analyst, obj=analyst)
    assert event in shown(admin_client.get(URL))


def test_it_shows_sign_ins_of_a_member_of_both_partnerships(admin_client, personas, partnership):
    outsider = personas["outsider"]
    make_member(Role.BOARD_MEMBER, partnership, user=outsider)
    event = record(action="sign_in", actor=outsider, obj=outsider)
    assert event in shown(admin_client.get(URL))


def test_it_filters_by_action(admin_client, partnership, admin):
    record(action="create", actor=admin, partnership=partnership)
    export = record(action="export", actor=admin, partnership=partnership)
    assert shown(admin_client.get(URL, {"action": "export"})) == [export]


def test_it_filters_by_who(admin_client, partnership, personas):
    analyst = personas[Role.ANALYST]
    record(action="create", actor=personas[Role.PARTNERSHIP_ADMIN], partnership=partnership)
    theirs = record(action="export", actor=analyst, partnership=partnership)
    response = admin_client.get(URL, {"actor": analyst.pk})
    assert shown(response) == [theirs]


def test_it_offers_only_this_partnerships_members_as_who(admin_client, personas):
    response = admin_client.get(URL)
    choices = dict(response.context["form"].fields["actor"].choices)
    assert personas[Role.ANALYST].pk in choices
    assert personas["outsider"].pk not in choices


def test_it_refuses_someone_from_another_partnership_as_who(admin_client, personas):
    response = admin_client.get(URL, {"actor": personas["outsider"].pk})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Choose one of the options for “Who”." in response.content.decode()


def test_it_filters_by_type_of_record(admin_client, partnership, admin):
    record(action="create", actor=admin, partnership=partnership, object_type="strategy.Action")
    quirk = record(
        action="update", actor=admin, partnership=partnership, object_type="strategy.Quirk"
    )
    response = admin_client.get(URL, {"object_type": "strategy.Quirk"})
    assert shown(response) == [quirk]


def test_it_filters_by_dates(admin_client, partnership, admin, monkeypatch):
    at(monkeypatch, datetime(2025, 3, 31, 23, 30, tzinfo=LONDON))
    before = record(action="create", actor=admin, partnership=partnership)
    at(monkeypatch, datetime(2025, 4, 1, 0, 30, tzinfo=LONDON))
    first_day = record(action="create", actor=admin, partnership=partnership)
    at(monkeypatch, datetime(2025, 4, 30, 23, 59, tzinfo=LONDON))
    last_day = record(action="create", actor=admin, partnership=partnership)
    at(monkeypatch, datetime(2025, 5, 1, 0, 1, tzinfo=LONDON))
    after = record(action="create", actor=admin, partnership=partnership)
    monkeypatch.undo()
    response = admin_client.get(
        URL,
        {
            "date_from_0": "1",
            "date_from_1": "4",
            "date_from_2": "2025",
            "date_to_0": "30",
            "date_to_1": "4",
            "date_to_2": "2025",
        },
    )
    events = shown(response)
    assert events == [last_day, first_day]
    assert before not in events and after not in events


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2025"},
            "The from date must be a real date, for example 31 3 2026.",
        ),
        (
            {"date_from_0": "1", "date_from_1": "", "date_from_2": "2025"},
            "Enter the month of the from date.",
        ),
        (
            {"date_to_0": "x", "date_to_1": "4", "date_to_2": "2025"},
            "The day of the to date must be a number.",
        ),
        (
            {
                "date_from_0": "2",
                "date_from_1": "4",
                "date_from_2": "2025",
                "date_to_0": "1",
                "date_to_1": "4",
                "date_to_2": "2025",
            },
            "The to date must be the same as or after the from date.",
        ),
    ],
)
def test_it_explains_a_wrong_date(admin_client, data, message):
    response = admin_client.get(URL, data)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


def test_it_shows_fifty_events_a_page(admin_client, partnership, admin):
    for _ in range(120):
        record(action="create", actor=admin, partnership=partnership)
    page_one = admin_client.get(URL)
    assert len(shown(page_one)) == 50
    assert b"govuk-pagination" in page_one.content
    page_three = admin_client.get(URL, {"page": 3, "action": "create"})
    assert len(shown(page_three)) == 20
    assert b"action=create" in page_three.content
    # A page number that makes no sense shows a page, not an error.
    assert admin_client.get(URL, {"page": "nonsense"}).status_code == 200


def test_it_reads_in_a_constant_number_of_queries(admin_client, partnership, personas):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(URL).status_code == 200
        return len(context)

    record(action="create", actor=personas[Role.ANALYST], partnership=partnership)
    few = queries()
    for person in personas.values():
        for _ in range(5):
            record(action="update", actor=person, partnership=partnership)
    assert queries() == few


def test_it_sends_anonymous_visitors_to_sign_in(client, partnership):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.PARTNERSHIP_ADMIN, Role.REGIONAL_OFFICER)]
)
def test_it_refuses_members_without_the_admin_role(client_for, personas, role):
    assert client_for(personas[role]).get(URL).status_code == 403


def test_it_hides_the_trail_from_another_partnerships_admin(client_for, personas):
    assert client_for(personas["outsider"]).get(URL).status_code == 404


def test_it_refuses_other_methods(admin_client):
    assert admin_client.post(URL).status_code == 405


def test_its_filter_form_puts_no_csrf_token_in_the_address(admin_client):
    content = admin_client.get(URL).content.decode()
    filter_form = content.split('<form method="get"', 1)[1].split("</form>", 1)[0]
    assert "csrfmiddlewaretoken" not in filter_form
    assert 'name="date_from_0"' in filter_form

"""Source quirks: the admin's list, and completing one with the form its code needs."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.core.testing import make_body
from vawg.strategy.models import Quirk
from vawg.strategy.tests.factories import (
    make_action,
    make_measure_of_success,
    make_priority,
    make_quirk,
    make_strategy,
)

Code = Quirk.Code


def list_url(partnership) -> str:
    return reverse("strategy:quirk-list", kwargs={"partnership": partnership.slug})


def resolve_url(quirk, partnership=None) -> str:
    partnership = partnership or quirk.strategy.partnership
    return reverse(
        "strategy:quirk-resolve", kwargs={"partnership": partnership.slug, "pk": quirk.pk}
    )


@pytest.fixture
def strategy(partnership):
    return make_strategy(partnership, "vawg-2022-25", title="Wandsworth VAWG Strategy")


@pytest.fixture
def action(strategy):
    return make_action(make_priority(strategy, "AB"), "AB.01", leads=("Key partners",))


@pytest.fixture
def admin(personas, client_for):
    return client_for(personas["partnership_admin"])


def updates() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count()


# --- The list ----------------------------------------------------------------


@pytest.fixture
def quirks(strategy, action, partnership):
    later = make_strategy(partnership, "vawg-2025-28", title="Later VAWG Strategy", start_year=2025)
    return {
        "open": make_quirk(strategy, Code.NO_DELIVER_BY, action=action, detail="No date for AB.01"),
        "done": make_quirk(
            strategy,
            Code.DUPLICATE_REF,
            action=action,
            detail="AB.01 used twice",
            resolved_at=timezone.now(),
            resolution_note="Both kept",
        ),
        "later": make_quirk(later, Code.NUMBERING_GAP, detail="IH.04 is missing"),
    }


def test_it_lists_open_and_completed_quirks_by_strategy(quirks, admin, partnership):
    response = admin.get(list_url(partnership))
    assert response.status_code == 200
    assert re.search(r'value="all"\s+checked="checked"', response.text)  # the default filter
    groups = {s.slug: [q.pk for q in items] for s, items in response.context["groups"]}
    assert groups == {
        "vawg-2025-28": [quirks["later"].pk],
        "vawg-2022-25": [quirks["open"].pk, quirks["done"].pk],
    }
    text = response.text
    assert "Wandsworth VAWG Strategy" in text and "Later VAWG Strategy" in text
    assert "No date for AB.01" in text and "AB.01 used twice" in text
    assert "Completed" in text and "Note: Both kept" in text
    assert resolve_url(quirks["open"]) in text
    assert resolve_url(quirks["done"]) not in text


def test_it_filters_open_or_completed(quirks, admin, partnership):
    open_only = admin.get(list_url(partnership), {"status": "open"})
    assert "No date for AB.01" in open_only.text
    assert "AB.01 used twice" not in open_only.text
    completed = admin.get(list_url(partnership), {"status": "completed"})
    assert "AB.01 used twice" in completed.text
    assert "No date for AB.01" not in completed.text
    assert "IH.04 is missing" not in completed.text


def test_an_unknown_filter_gives_a_specific_error(quirks, admin, partnership):
    response = admin.get(list_url(partnership), {"status": "everything"})
    assert response.status_code == 200
    assert response.context["groups"] is None
    assert "Choose open, completed, or open and completed." in response.text


def test_the_list_is_for_admins_only(quirks, personas, client_for, partnership):
    response = client_for(personas["action_lead"]).get(list_url(partnership))
    assert response.status_code == 403


def test_the_list_is_not_shown_to_another_partnership(quirks, personas, client_for, partnership):
    assert client_for(personas["outsider"]).get(list_url(partnership)).status_code == 404


def test_the_list_requires_sign_in(client, partnership):
    response = client.get(list_url(partnership))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_list_refuses_post(admin, partnership):
    assert admin.post(list_url(partnership)).status_code == 405


# --- Completing one: the form suits the code ---------------------------------


def test_a_lost_direction_asks_increase_or_decrease(strategy, admin):
    measure = make_measure_of_success(strategy, "Victims report feeling safer")
    quirk = make_quirk(strategy, Code.DIRECTION_LOST, measure_of_success=measure)
    response = admin.get(resolve_url(quirk))
    assert response.status_code == 200
    assert "Victims report feeling safer" in response.text
    assert re.search(r'name="direction"[^>]*value="increase"', response.text)
    assert re.search(r'name="direction"[^>]*value="decrease"', response.text)


def test_a_missing_date_asks_for_a_date(strategy, action, admin):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    response = admin.get(resolve_url(quirk))
    for part in ("deliver_by_0", "deliver_by_1", "deliver_by_2"):
        assert f'name="{part}"' in response.text
    assert "govuk-date-input" in response.text


def test_a_missing_lead_offers_the_partnerships_organisations_and_bodies(
    strategy, action, admin, partnership, other_partnership
):
    body = make_body(partnership, "Survivor Forum")
    quirk = make_quirk(strategy, Code.NO_LEAD, action=action)
    response = admin.get(resolve_url(quirk))
    council = partnership.organisations.get()
    assert f'value="organisation-{council.pk}"' in response.text
    assert f'value="body-{body.pk}"' in response.text
    assert other_partnership.organisations.get().name not in response.text


def test_other_codes_ask_for_a_note(strategy, action, admin):
    quirk = make_quirk(strategy, Code.DUPLICATE_REF, action=action)
    response = admin.get(resolve_url(quirk))
    assert "How has this been dealt with?" in response.text
    assert 'name="direction"' not in response.text


# --- Completing one: what a POST does -----------------------------------------


def test_it_completes_a_lost_direction(strategy, admin, personas):
    measure = make_measure_of_success(strategy, "Victims report feeling safer")
    quirk = make_quirk(strategy, Code.DIRECTION_LOST, measure_of_success=measure)
    response = admin.post(resolve_url(quirk), {"direction": "increase", "note": "Board agreed"})
    assert response.status_code == 302
    assert response.url == list_url(strategy.partnership)
    measure.refresh_from_db()
    quirk.refresh_from_db()
    assert measure.direction == "increase"
    assert quirk.resolved_at is not None
    assert quirk.resolved_by_id == personas["partnership_admin"].pk
    assert quirk.resolution_note == "Board agreed"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert (event.object_type, event.object_id) == ("strategy.Quirk", str(quirk.pk))
    followed = admin.get(response.url)
    assert "Quirk completed: Increase/decrease not stated." in followed.text


def test_it_completes_a_missing_date(strategy, action, admin):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    response = admin.post(
        resolve_url(quirk), {"deliver_by_0": "31", "deliver_by_1": "3", "deliver_by_2": "2026"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.deliver_by == date(2026, 3, 31)
    assert action.deliver_by_as_written == ""  # the source's silence stays on record


def test_it_resolves_an_unrecognised_lead_to_an_organisation(strategy, action, admin, partnership):
    quirk = make_quirk(strategy, Code.UNRESOLVED_LEAD, action=action, detail="'Key partners'")
    council = partnership.organisations.get()
    response = admin.post(resolve_url(quirk), {"lead": f"organisation-{council.pk}"})
    assert response.status_code == 302
    lead = action.leads.get()
    assert lead.organisation == council
    assert lead.name_as_written == "Key partners"


def test_it_names_a_body_as_lead_where_the_source_named_none(strategy, admin, partnership):
    action = make_action(strategy.priorities.create(code="IH", order=9, title="Help"), "IH.01")
    body = make_body(partnership, "Survivor Forum")
    quirk = make_quirk(strategy, Code.NO_LEAD, action=action)
    assert admin.post(resolve_url(quirk), {"lead": f"body-{body.pk}"}).status_code == 302
    assert [lead.body for lead in action.leads.all()] == [body]


def test_it_acknowledges_other_codes_with_a_note(strategy, action, admin):
    quirk = make_quirk(strategy, Code.DUPLICATE_REF, action=action)
    response = admin.post(resolve_url(quirk), {"note": "Checked: both actions are distinct"})
    assert response.status_code == 302
    quirk.refresh_from_db()
    assert not quirk.open
    assert quirk.resolution_note == "Checked: both actions are distinct"


# --- Bad input changes nothing -------------------------------------------------


def assert_unchanged(quirk, before_updates: int) -> None:
    quirk.refresh_from_db()
    assert quirk.open
    assert updates() == before_updates


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "The deliver-by date must be a real date"),
        ("", "3", "2026", "Enter the day of the deliver-by date."),
        ("1", "x", "2026", "The month of the deliver-by date must be a number."),
        ("1", "3", "26", "Enter the deliver-by year as four digits"),
        ("", "", "", "Enter the date this action is to be delivered by."),
    ],
)
def test_a_bad_date_says_what_is_wrong_and_changes_nothing(
    strategy, action, admin, day, month, year, message
):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    response = admin.post(
        resolve_url(quirk), {"deliver_by_0": day, "deliver_by_1": month, "deliver_by_2": year}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert response.context["form"].errors
    action.refresh_from_db()
    assert action.deliver_by is None
    assert_unchanged(quirk, 0)


def test_a_missing_direction_says_so_and_changes_nothing(strategy, admin):
    measure = make_measure_of_success(strategy, "Victims report feeling safer")
    quirk = make_quirk(strategy, Code.DIRECTION_LOST, measure_of_success=measure)
    response = admin.post(resolve_url(quirk), {"note": "Not sure"})
    assert response.status_code == 200
    assert "Choose whether this measure should increase or decrease." in response.text
    measure.refresh_from_db()
    assert measure.direction == ""
    assert_unchanged(quirk, 0)


def test_a_missing_lead_choice_says_so_and_changes_nothing(strategy, action, admin):
    quirk = make_quirk(strategy, Code.UNRESOLVED_LEAD, action=action)
    response = admin.post(resolve_url(quirk), {"lead": ""})
    assert response.status_code == 200
    assert "Choose the organisation or body that leads this action." in response.text
    assert action.leads.get().organisation is None
    assert_unchanged(quirk, 0)


def test_another_partnerships_organisation_cannot_be_chosen(
    strategy, action, admin, other_partnership
):
    quirk = make_quirk(strategy, Code.UNRESOLVED_LEAD, action=action)
    theirs = other_partnership.organisations.get()
    response = admin.post(resolve_url(quirk), {"lead": f"organisation-{theirs.pk}"})
    assert response.status_code == 200
    assert "Choose an organisation or body from the list." in response.text
    assert action.leads.get().organisation is None
    assert_unchanged(quirk, 0)


def test_a_note_is_needed_where_nothing_can_be_filled_in(strategy, action, admin):
    quirk = make_quirk(strategy, Code.TEXT_GARBLED, action=action)
    response = admin.post(resolve_url(quirk), {"note": "   "})
    assert response.status_code == 200
    assert "Enter a note saying how this quirk has been dealt with." in response.text
    assert_unchanged(quirk, 0)


def test_a_completed_quirk_cannot_be_completed_twice(strategy, action, admin):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    payload = {"deliver_by_0": "31", "deliver_by_1": "3", "deliver_by_2": "2026"}
    assert admin.post(resolve_url(quirk), payload).status_code == 302
    again = admin.post(
        resolve_url(quirk), {"deliver_by_0": "1", "deliver_by_1": "1", "deliver_by_2": "2027"}
    )
    assert again.status_code == 409
    assert "It cannot be completed twice." in again.text
    action.refresh_from_db()
    assert action.deliver_by == date(2026, 3, 31)
    assert updates() == 1
    assert "It cannot be completed twice." in admin.get(resolve_url(quirk)).text


# --- Who may complete one --------------------------------------------------------


def test_another_partnerships_quirk_is_404(other_partnership, admin, partnership):
    theirs = make_quirk(make_strategy(other_partnership), Code.OTHER)
    assert admin.get(resolve_url(theirs, partnership)).status_code == 404
    assert admin.post(resolve_url(theirs, partnership), {"note": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.open


def test_completing_is_for_admins_only(strategy, action, personas, client_for):
    quirk = make_quirk(strategy, Code.OTHER, action=action)
    client = client_for(personas["workstream_chair"])
    assert client.get(resolve_url(quirk)).status_code == 403
    assert client.post(resolve_url(quirk), {"note": "Done"}).status_code == 403
    quirk.refresh_from_db()
    assert quirk.open


def test_completing_is_not_open_to_another_partnership(strategy, personas, client_for):
    quirk = make_quirk(strategy, Code.OTHER)
    assert client_for(personas["outsider"]).get(resolve_url(quirk)).status_code == 404


def test_completing_requires_sign_in(client, strategy):
    quirk = make_quirk(strategy, Code.OTHER)
    response = client.post(resolve_url(quirk), {"note": "Done"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))
    quirk.refresh_from_db()
    assert quirk.open


def test_completing_refuses_other_methods(strategy, admin):
    quirk = make_quirk(strategy, Code.OTHER)
    assert admin.put(resolve_url(quirk)).status_code == 405
    assert admin.delete(resolve_url(quirk)).status_code == 405


def test_the_list_query_count_does_not_grow_with_the_quirks(
    strategy, action, admin, partnership, django_assert_max_num_queries
):
    measure = make_measure_of_success(strategy)
    make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    make_quirk(strategy, Code.DIRECTION_LOST, measure_of_success=measure)
    with CaptureQueriesContext(connection) as few:
        assert admin.get(list_url(partnership)).status_code == 200
    for _ in range(10):
        more = make_action(action.priority)
        make_quirk(strategy, Code.NO_LEAD, action=more)
        make_quirk(
            strategy, Code.DIRECTION_LOST, measure_of_success=make_measure_of_success(strategy)
        )
    with django_assert_max_num_queries(len(few)):
        response = admin.get(list_url(partnership))
    assert sum(len(quirks) for _, quirks in response.context["groups"]) == 22

"""Completing source quirks and exporting the plan: the rules, with the database."""

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vawg.accounts.testing import make_user
from vawg.audit.models import AuditEvent
from vawg.core.testing import make_body, make_organisation
from vawg.strategy.models import Quirk
from vawg.strategy.services import DIRECTION_BASIS, quirk_resolve, strategy_export
from vawg.strategy.tests.factories import (
    make_action,
    make_lead,
    make_measure_of_success,
    make_plan,
    make_priority,
    make_quirk,
    make_strategy,
)

Code = Quirk.Code


@pytest.fixture
def strategy(partnership):
    return make_strategy(partnership, "vawg-2022-25")


@pytest.fixture
def action(strategy):
    return make_action(make_priority(strategy, "AB"), "AB.01")


@pytest.fixture
def actor(db):
    return make_user()


def test_it_completes_a_lost_direction_and_records_it(strategy, actor):
    measure = make_measure_of_success(strategy, "Victims report feeling safer")
    quirk = make_quirk(strategy, Code.DIRECTION_LOST, measure_of_success=measure)
    result = quirk_resolve(
        quirk=quirk, actor=actor, note="Agreed by the board", direction="increase"
    )
    measure.refresh_from_db()
    assert (measure.direction, measure.direction_basis) == ("increase", DIRECTION_BASIS)
    assert result.resolved_at is not None
    assert result.resolved_by_id == actor.pk
    assert result.resolution_note == "Agreed by the board"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert event.actor_id == actor.pk
    assert event.partnership_id == strategy.partnership_id
    assert event.detail == {
        "code": "direction_lost",
        "strategy_id": strategy.pk,
        "measure_of_success_id": measure.pk,
        "direction": "increase",
    }
    assert "Agreed by the board" not in json.dumps(event.detail) + event.summary


def test_it_refuses_a_direction_that_is_not_increase_or_decrease(strategy, actor):
    measure = make_measure_of_success(strategy)
    quirk = make_quirk(strategy, Code.DIRECTION_LOST, measure_of_success=measure)
    with pytest.raises(ValidationError) as error:
        quirk_resolve(quirk=quirk, actor=actor, note="", direction="sideways")
    assert error.value.message_dict == {
        "direction": ["Choose whether this measure should increase or decrease."]
    }
    quirk.refresh_from_db()
    assert quirk.open


def test_it_sets_the_deliver_by_date(strategy, action, actor):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    quirk_resolve(quirk=quirk, actor=actor, note="", deliver_by=date(2026, 3, 31))
    action.refresh_from_db()
    assert action.deliver_by == date(2026, 3, 31)


def test_it_resolves_the_lead_the_quirk_names(strategy, action, actor, partnership):
    make_lead(action, "Key partners", order=1)
    named = make_lead(action, "Faith groups", order=2)
    quirk = make_quirk(
        strategy, Code.UNRESOLVED_LEAD, action=action, detail="The lead 'Faith groups' (AB.01)"
    )
    forum = make_body(partnership, "Faith Forum")
    quirk_resolve(quirk=quirk, actor=actor, note="", body=forum)
    named.refresh_from_db()
    assert named.body == forum
    assert action.leads.get(name_as_written="Key partners").body is None


def test_it_adds_a_lead_where_the_source_named_none(strategy, action, actor, partnership):
    council = partnership.organisations.get()
    quirk = make_quirk(strategy, Code.NO_LEAD, action=action)
    quirk_resolve(quirk=quirk, actor=actor, note="", organisation=council)
    lead = action.leads.get()
    assert (lead.organisation, lead.order) == (council, 1)
    action.refresh_from_db()
    assert action.leads_as_written == ""


def test_it_refuses_another_partnerships_organisation(strategy, action, actor, other_partnership):
    quirk = make_quirk(strategy, Code.NO_LEAD, action=action)
    with pytest.raises(ValidationError, match="of this partnership"):
        quirk_resolve(
            quirk=quirk, actor=actor, note="", organisation=other_partnership.organisations.get()
        )
    assert not action.leads.exists()


def test_it_refuses_both_an_organisation_and_a_body(strategy, action, actor, partnership):
    quirk = make_quirk(strategy, Code.NO_LEAD, action=action)
    with pytest.raises(ValidationError, match="one organisation or body"):
        quirk_resolve(
            quirk=quirk,
            actor=actor,
            note="",
            organisation=partnership.organisations.get(),
            body=make_body(partnership),
        )
    assert not action.leads.exists()


def test_it_refuses_a_completion_that_does_not_suit_the_code(strategy, action, actor, partnership):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    with pytest.raises(ValidationError, match="cannot be completed with direction"):
        quirk_resolve(quirk=quirk, actor=actor, note="", direction="increase")
    organisation = make_organisation(partnership)
    with pytest.raises(ValidationError, match="cannot be completed with lead"):
        quirk_resolve(
            quirk=quirk,
            actor=actor,
            note="",
            deliver_by=date(2026, 1, 1),
            organisation=organisation,
        )
    action.refresh_from_db()
    assert action.deliver_by is None
    assert not AuditEvent.objects.exists()


def test_it_needs_a_note_where_nothing_can_be_filled_in(strategy, actor):
    quirk = make_quirk(strategy, Code.HEADING_LOST)
    with pytest.raises(ValidationError) as error:
        quirk_resolve(quirk=quirk, actor=actor, note="  ")
    assert "note" in error.value.message_dict
    done = quirk_resolve(quirk=quirk, actor=actor, note="Heading restored from the PDF")
    assert not done.open


def test_a_lost_direction_without_its_measure_is_acknowledged_with_a_note(strategy, actor):
    quirk = make_quirk(strategy, Code.DIRECTION_LOST)
    assert not quirk_resolve(quirk=quirk, actor=actor, note="Measure dropped by the board").open


def test_it_cannot_complete_a_quirk_twice(strategy, action, actor):
    quirk = make_quirk(strategy, Code.NO_DELIVER_BY, action=action)
    quirk_resolve(quirk=quirk, actor=actor, note="", deliver_by=date(2026, 3, 31))
    # The stale object still looks open: the service re-reads it under a lock.
    with pytest.raises(ValidationError, match="cannot be completed twice"):
        quirk_resolve(quirk=quirk, actor=actor, note="", deliver_by=date(2027, 1, 1))
    action.refresh_from_db()
    assert action.deliver_by == date(2026, 3, 31)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).count() == 1


def test_an_already_completed_quirk_keeps_its_first_completion(strategy, actor):
    quirk = make_quirk(strategy, Code.OTHER, resolved_at=timezone.now(), resolution_note="First")
    with pytest.raises(ValidationError):
        quirk_resolve(quirk=quirk, actor=actor, note="Second")
    quirk.refresh_from_db()
    assert quirk.resolution_note == "First"


# --- Exports -------------------------------------------------------------------


def test_it_exports_json_and_audits_it(partnership, actor):
    plan = make_plan(partnership, actions=2)
    file = strategy_export(strategy=plan, fmt="json", actor=actor)
    assert file.filename == "wandsworth-vawg-2022-25.json"
    assert file.content_type == "application/json; charset=utf-8"
    assert json.loads(file.content)["strategy"]["slug"] == "vawg-2022-25"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor_id, event.object_id, event.detail) == (
        actor.pk,
        str(plan.pk),
        {"format": "json"},
    )


def test_it_exports_csv_with_one_row_per_action(partnership, actor):
    plan = make_plan(partnership, actions=3)
    file = strategy_export(strategy=plan, fmt="csv", actor=actor)
    assert file.filename.endswith(".csv")
    assert len(file.content.strip().splitlines()) == 1 + 3


def test_it_refuses_an_unknown_format_without_auditing(partnership, actor):
    plan = make_plan(partnership, actions=1)
    with pytest.raises(ValueError):
        strategy_export(strategy=plan, fmt="xlsx", actor=actor)
    assert not AuditEvent.objects.exists()

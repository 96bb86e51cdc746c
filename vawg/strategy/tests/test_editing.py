"""Editing the plan in the app, its version history, and the annual rollover."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.strategy import editing
from vawg.strategy.editing_forms import ActionForm, ObjectiveForm
from vawg.strategy.models import Action, PlanChange, Priority, Strategy
from vawg.strategy.selectors import strategy_rolled_over
from vawg.strategy.tests.factories import (
    make_objective,
    make_plan,
    make_priority,
    make_strategy,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return personas[Role.PARTNERSHIP_ADMIN.value]


@pytest.fixture
def plan(partnership):
    return make_plan(partnership, actions=3)


def test_editing_an_action_keeps_before_and_after(plan, admin):
    action = plan.actions.first()
    editing.plan_item_save(
        obj=action, values={"activity": "New words"}, actor=admin, measures=["Only one now"]
    )
    change = PlanChange.objects.get()
    assert change.kind == PlanChange.Kind.EDITED
    assert change.before["activity"].startswith("Activity number")
    assert change.after["activity"] == "New words"
    assert change.after["measures"] == ["Only one now"]
    assert list(action.measures.values_list("text", flat=True)) == ["Only one now"]


def test_saving_without_a_change_logs_nothing(plan, admin):
    action = plan.actions.first()
    editing.plan_item_save(obj=action, values={"activity": action.activity}, actor=admin)
    assert not PlanChange.objects.exists()


def test_adding_an_action_puts_it_at_the_end(plan, admin):
    priority = plan.priorities.first()
    action = editing.plan_item_save(
        obj=Action(strategy=plan),
        values={"priority": priority, "ref": "AB.NEW", "activity": "Something new"},
        actor=admin,
        measures=["First", "", "Second"],
    )
    assert action.order == max(plan.actions.values_list("order", flat=True))
    assert [m.label for m in action.measures.all()] == ["(a)", "(b)"]
    assert PlanChange.objects.get().kind == PlanChange.Kind.ADDED


def test_a_priority_of_another_plan_is_refused(plan, admin, partnership):
    other = make_priority(make_plan(partnership, actions=0, slug="other"), "ZZ")
    with pytest.raises(ValidationError):
        editing.plan_item_save(
            obj=Action(strategy=plan),
            values={"priority": other, "ref": "X", "activity": "Y"},
            actor=admin,
        )


def test_a_duplicate_priority_code_is_refused(plan, admin):
    with pytest.raises(ValidationError, match="already has the code"):
        editing.plan_item_save(
            obj=Priority(strategy=plan), values={"code": "AB", "title": "Again"}, actor=admin
        )


def test_moving_swaps_with_the_neighbour(plan, admin):
    first, second, third = plan.actions.order_by("order")
    editing.plan_item_move(obj=third, up=True, actor=admin)
    assert list(plan.actions.order_by("order")) == [first, third, second]
    editing.plan_item_move(obj=first, up=True, actor=admin)  # already first: nothing happens
    assert list(plan.actions.order_by("order")) == [first, third, second]


def test_retiring_keeps_the_action_and_restoring_brings_it_back(plan, admin):
    action = plan.actions.first()
    editing.plan_item_retire(obj=action, retire=True, actor=admin)
    assert Action.objects.live().filter(pk=action.pk).count() == 0
    with pytest.raises(ValidationError, match="already retired"):
        editing.plan_item_retire(obj=action, retire=True, actor=admin)
    editing.plan_item_retire(obj=action, retire=False, actor=admin)
    assert Action.objects.live().filter(pk=action.pk).exists()
    assert list(PlanChange.objects.order_by("pk").values_list("kind", flat=True)) == [
        "retired",
        "restored",
    ]


def test_rollover_carries_forward_what_is_not_complete(plan, admin, personas, partnership):
    from vawg.delivery.models import Status
    from vawg.delivery.tests.factories import approved, make_world

    world = make_world(partnership, personas, actions=3)
    done, slipping, untouched = world.strategy.actions.order_by("order")
    approved(done, world.q2, Status.COMPLETE, world.lead, world.chair)
    approved(slipping, world.q2, Status.OFF_TRACK, world.lead, world.chair, commentary="Stalled")
    make_objective(done.priority, "Keep going")
    result = editing.strategy_rollover(
        strategy=world.strategy,
        slug="plan-2026",
        title="Plan 2026/27",
        start_year=2026,
        end_year=2027,
        actor=admin,
    )
    assert (result.carried, result.left_complete) == (2, 1)
    new = result.strategy
    assert new.previous == world.strategy
    carried = list(new.actions.order_by("order"))
    assert [a.carried_from for a in carried] == [slipping, untouched]
    assert carried[0].leads.get().organisation == slipping.leads.get().organisation
    assert new.priorities.get().objectives.get().text == "Keep going"
    # Its years' quarters are there for its first updates.
    labels = set(partnership.reporting_periods.values_list("label", flat=True))
    assert {"2026/27 Q1", "2027/28 Q4"} <= labels
    with pytest.raises(ValidationError, match="already has a plan"):
        editing.strategy_rollover(
            strategy=world.strategy,
            slug="plan-2026",
            title="Again",
            start_year=2026,
            end_year=2027,
            actor=admin,
        )
    assert Strategy.objects.filter(slug="plan-2026").count() == 1


def test_the_edit_pages_work_for_the_admin(client_for, plan, admin):
    client = client_for(admin)
    kwargs = {"partnership": "wandsworth", "strategy": plan.slug}
    assert client.get(reverse("strategy:plan-edit", kwargs=kwargs)).status_code == 200
    action = plan.actions.first()
    target = reverse(
        "strategy:plan-item-edit", kwargs={**kwargs, "kind": "action", "pk": action.pk}
    )
    assert client.get(target).status_code == 200
    response = client.post(
        target,
        {"priority": action.priority_id, "ref": "AB.77", "activity": "Edited", "measures": "One"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.ref == "AB.77"
    bad = client.post(target, {"priority": action.priority_id, "ref": "", "activity": ""})
    assert "Enter the reference" in bad.content.decode()
    history = client.get(reverse("strategy:plan-history", kwargs=kwargs)).content.decode()
    assert "Edited action" in history


def test_an_objective_is_added_to_a_priority(client_for, plan, admin):
    priority = plan.priorities.first()
    client = client_for(admin)
    target = reverse(
        "strategy:plan-item-add",
        kwargs={"partnership": "wandsworth", "strategy": plan.slug, "kind": "objective"},
    )
    response = client.post(f"{target}?priority={priority.pk}", {"text": "Reach every school"})
    assert response.status_code == 302
    assert priority.objectives.filter(text="Reach every school").exists()


@pytest.mark.parametrize(
    "junk", ["abc", "-1", "0", "99999999999999999999", "é\u0000", "", "' OR 1=1 --", "x" * 5000]
)
def test_an_objective_for_a_junk_priority_is_not_found(client_for, plan, admin, junk):
    """Regression: `?priority=abc` went straight into the lookup and answered 500."""
    target = reverse(
        "strategy:plan-item-add",
        kwargs={"partnership": "wandsworth", "strategy": plan.slug, "kind": "objective"},
    )
    response = client_for(admin).get(target, {"priority": junk})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_objective_for_another_plan_s_priority_is_not_found(
    client_for, plan, admin, other_partnership
):
    theirs = make_plan(other_partnership, slug="their-plan").priorities.first()
    target = reverse(
        "strategy:plan-item-add",
        kwargs={"partnership": "wandsworth", "strategy": plan.slug, "kind": "objective"},
    )
    assert client_for(admin).get(target, {"priority": theirs.pk}).status_code == 404


def test_another_partnership_s_plan_is_not_found(client_for, plan, personas):
    response = client_for(personas["outsider"]).get(
        reverse("strategy:plan-edit", kwargs={"partnership": "lambeth", "strategy": plan.slug})
    )
    assert response.status_code == 404


def test_the_rollover_page_creates_the_plan(client_for, plan, admin):
    client = client_for(admin)
    target = reverse(
        "strategy:rollover", kwargs={"partnership": "wandsworth", "strategy": plan.slug}
    )
    assert client.get(target).status_code == 200
    response = client.post(
        target, {"title": "Next", "slug": "next-year", "start_year": 2026, "end_year": 2027}
    )
    assert response.status_code == 302
    assert Strategy.objects.get(slug="next-year").actions.count() == 3


def test_reloading_the_source_keeps_a_lead_the_admin_added(partnership, admin):
    from django.conf import settings

    from vawg.core.testing import make_organisation
    from vawg.delivery.services import action_lead_assign
    from vawg.strategy.loader import load_strategy_file

    load_strategy_file(settings.SEED_STRATEGY_FILES[0])
    action = Action.objects.filter(strategy__partnership=partnership).first()
    police = make_organisation(partnership, "A police team")
    action_lead_assign(action=action, organisation=police, actor=admin)
    load_strategy_file(settings.SEED_STRATEGY_FILES[0])
    assert action.leads.filter(organisation=police, from_source=False).exists()


def test_assigning_a_lead_resolves_the_no_lead_quirk_and_a_reload_keeps_both(
    other_partnership, personas
):
    from django.conf import settings

    from vawg.core.testing import make_organisation
    from vawg.delivery.services import action_lead_assign
    from vawg.strategy.loader import load_strategy_file
    from vawg.strategy.models import Quirk

    load_strategy_file(settings.SEED_STRATEGY_FILES[1])  # Lambeth's plan names no leads
    action = Action.objects.filter(strategy__partnership=other_partnership).first()
    quirk = action.quirks.get(code=Quirk.Code.NO_LEAD)
    before = Quirk.objects.count()
    housing = make_organisation(other_partnership, "A housing team")
    action_lead_assign(action=action, organisation=housing, actor=personas["outsider"])

    quirk.refresh_from_db()
    assert quirk.resolved_at is not None
    assert "A housing team" in quirk.resolution_note
    load_strategy_file(settings.SEED_STRATEGY_FILES[1])
    assert Quirk.objects.count() == before
    assert Quirk.objects.get(pk=quirk.pk).resolved_at is not None
    assert action.leads.filter(organisation=housing).exists()


def test_the_rollover_suggests_the_year_after_the_plan_starts(partnership):
    long_plan = make_strategy(partnership, "vawg", title="VAWG", start_year=2022, end_year=2027)
    assert editing.rollover_defaults(long_plan) == {
        "title": "VAWG – action plan 2023/24",
        "slug": "vawg-2023",
        "start_year": 2023,
        "end_year": 2027,
    }
    one_year = make_strategy(partnership, "x" * 50, start_year=2025, end_year=2025)
    suggested = editing.rollover_defaults(one_year)
    # Never ending before it starts; the slug kept to the field's 50 characters.
    assert (suggested["start_year"], suggested["end_year"]) == (2026, 2026)
    assert suggested["slug"] == "x" * 50


def test_a_plan_is_known_to_be_rolled_over_once_its_actions_are_carried(plan, admin):
    assert not strategy_rolled_over(strategy=plan)
    editing.strategy_rollover(
        strategy=plan, slug="next", title="Next", start_year=2026, end_year=2027, actor=admin
    )
    assert strategy_rolled_over(strategy=plan)
    assert not strategy_rolled_over(strategy=Strategy.objects.get(slug="next"))


def test_a_new_objective_belongs_to_its_priority_and_the_rest_to_the_plan(plan):
    priority = plan.priorities.first()
    objective = editing.plan_item_new(kind="objective", strategy=plan, parent=priority)
    assert objective.pk is None and objective.priority == priority
    for kind, model in (("priority", Priority), ("action", Action)):
        item = editing.plan_item_new(kind=kind, strategy=plan)
        assert type(item) is model and item.pk is None and item.strategy == plan


def test_only_the_action_form_replaces_measures(plan):
    priority = plan.priorities.first()
    data = {"priority": priority.pk, "ref": "AB.9", "activity": "Do", "measures": "One\nTwo"}
    action_form = ActionForm(data, strategy=plan)
    assert action_form.is_valid(), action_form.errors
    assert action_form.service_kwargs() == {
        "values": {"priority": priority, "ref": "AB.9", "activity": "Do", "deliver_by": None},
        "measures": ["One", "Two"],
    }
    objective_form = ObjectiveForm({"number": "1", "text": "Educate"}, strategy=plan)
    assert objective_form.is_valid(), objective_form.errors
    assert objective_form.service_kwargs() == {"values": {"number": "1", "text": "Educate"}}

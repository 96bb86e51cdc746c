"""Editing the plan in the app: add, edit, reorder, retire and restore priorities,
objectives and actions, and roll a plan over into next year's.

Every change writes a PlanChange (the fields before and after: the plan's version
history) and an audit event. Nothing is deleted: a retired item leaves the live
plan, keeps its history, and can be restored.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.periods import periods_ensure_range
from vawg.strategy.models import (
    Action,
    ActionLead,
    ActionMeasure,
    Objective,
    PlanChange,
    Priority,
    Strategy,
)
from vawg.strategy.registries import finished_actions

KINDS: dict[str, type[Model]] = {"priority": Priority, "objective": Objective, "action": Action}
# The fields an admin edits, per kind: what a PlanChange records before and after.
FIELDS = {
    "priority": ["code", "title", "summary", "workstream_id"],
    "objective": ["number", "text"],
    "action": ["ref", "activity", "priority_id", "deliver_by", "deliver_by_as_written"],
}


def strategy_of(obj: Model) -> Strategy:
    return obj.priority.strategy if isinstance(obj, Objective) else obj.strategy


def kind_of(obj: Model) -> str:
    return next(k for k, model in KINDS.items() if isinstance(obj, model))


def _state(obj: Model) -> dict:
    state = {}
    for name in FIELDS[kind_of(obj)]:
        value = getattr(obj, name)
        state[name] = value.isoformat() if isinstance(value, date) else value
    if isinstance(obj, Action):
        state["measures"] = [m.text for m in obj.measures.all()] if obj.pk else []
    return state


def _log(obj, kind: str, actor, before: dict, after: dict, request=None) -> None:
    strategy = strategy_of(obj)
    PlanChange.objects.create(
        strategy=strategy,
        kind=kind,
        object_type=kind_of(obj),
        object_id=obj.pk,
        before=before,
        after=after,
        actor_id=getattr(actor, "pk", None),
    )
    record(
        action=AuditAction.CREATE if kind == PlanChange.Kind.ADDED else AuditAction.UPDATE,
        actor=actor,
        partnership=strategy.partnership_id,
        obj=obj,
        summary=f"Plan {kind_of(obj)} {PlanChange.Kind(kind).label.lower()}",
        detail={"strategy_id": strategy.pk},
        request=request,
    )


def plan_item_new(*, kind: str, strategy: Strategy, parent: Priority | None = None) -> Model:
    """A new, unsaved item of `kind` for plan_item_save: an objective belongs to its
    priority (`parent`), a priority or an action to the plan itself."""
    model = KINDS[kind]
    return model(priority=parent) if kind == "objective" else model(strategy=strategy)


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


@transaction.atomic
def plan_item_save(
    *,
    obj: Model,
    values: dict,
    actor,
    measures: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Model:
    """Save a new or edited priority, objective or action with `values` (field -> value).
    For an action, `measures` replaces its "how will we know" measures."""
    adding = obj.pk is None
    before = {} if adding else _state(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    if adding:
        if isinstance(obj, Priority):
            obj.order = _next_order(obj.strategy.priorities)
        elif isinstance(obj, Objective):
            obj.order = _next_order(obj.priority.objectives)
            obj.kind = obj.kind or Objective.Kind.OBJECTIVE
        else:
            # Positions are unique across the plan; a new action goes at its end.
            obj.order = _next_order(obj.strategy.actions)
    if isinstance(obj, Action) and obj.priority.strategy_id != obj.strategy_id:
        raise ValidationError({"priority": "Choose a priority of this plan."})
    if (
        isinstance(obj, Priority)
        and obj.strategy.priorities.filter(code=obj.code).exclude(pk=obj.pk).exists()
    ):
        raise ValidationError({"code": f"Another priority already has the code {obj.code}."})
    obj.full_clean()
    obj.save()
    if isinstance(obj, Action) and measures is not None:
        _replace_measures(obj, measures)
    after = _state(obj)
    if adding or after != before:
        kind = PlanChange.Kind.ADDED if adding else PlanChange.Kind.EDITED
        _log(obj, kind, actor, before, after, request)
    return obj


def _replace_measures(action: Action, measures: list[str]) -> None:
    wanted = [m.strip() for m in measures if m.strip()]
    existing = list(action.measures.order_by("order"))
    for index, text in enumerate(wanted):
        if index < len(existing):
            if existing[index].text != text:
                existing[index].text = text
                existing[index].save(update_fields=["text"])
        else:
            ActionMeasure.objects.create(
                action=action, order=index + 1, label=f"({chr(97 + index)})", text=text
            )
    # Measures beyond the list are removed; achievements against them go with them.
    for measure in existing[len(wanted) :]:
        measure.delete()


@transaction.atomic
def plan_item_move(*, obj: Model, up: bool, actor, request: HttpRequest | None = None) -> None:
    """Swap the item with its neighbour (among its live siblings)."""
    if isinstance(obj, Priority):
        siblings = obj.strategy.priorities.all()
    elif isinstance(obj, Objective):
        siblings = obj.priority.objectives.all()
    else:
        siblings = obj.strategy.actions.filter(priority=obj.priority)
    siblings = siblings.filter(retired_at__isnull=True)
    neighbour = (
        siblings.filter(order__lt=obj.order).order_by("-order").first()
        if up
        else siblings.filter(order__gt=obj.order).order_by("order").first()
    )
    if neighbour is None:
        return
    mine, theirs = obj.order, neighbour.order
    model = type(obj)
    # Through a free position, so a unique constraint on order never sees a clash.
    spare = (model.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    model.objects.filter(pk=obj.pk).update(order=spare)
    model.objects.filter(pk=neighbour.pk).update(order=mine)
    model.objects.filter(pk=obj.pk).update(order=theirs)
    obj.order = theirs
    _log(obj, PlanChange.Kind.MOVED, actor, {"order": mine}, {"order": theirs}, request)


@transaction.atomic
def plan_item_retire(
    *, obj: Model, retire: bool, actor, request: HttpRequest | None = None
) -> None:
    """Retire (or restore) an item. A retired action keeps all its progress history."""
    if (obj.retired_at is not None) == retire:
        word = "retired" if retire else "live"
        raise ValidationError(f"This {kind_of(obj)} is already {word}.")
    obj.retired_at = timezone.now() if retire else None
    obj.save(update_fields=["retired_at"])
    kind = PlanChange.Kind.RETIRED if retire else PlanChange.Kind.RESTORED
    _log(obj, kind, actor, {"retired": not retire}, {"retired": retire}, request)


# --- Annual rollover --------------------------------------------------------------


def rollover_defaults(strategy: Strategy) -> dict:
    """What the rollover form suggests for next year's plan: the year after this plan's start,
    named after it, and ending no earlier than it does."""
    start = strategy.start_year + 1
    return {
        "title": f"{strategy.title} – action plan {start}/{str(start + 1)[-2:]}",
        "slug": f"{strategy.slug}-{start}"[:50],
        "start_year": start,
        "end_year": max(strategy.end_year, start),
    }


@dataclass(frozen=True)
class Rollover:
    strategy: Strategy
    carried: int
    left_complete: int


@transaction.atomic
def strategy_rollover(
    *,
    strategy: Strategy,
    slug: str,
    title: str,
    start_year: int,
    end_year: int,
    actor,
    request: HttpRequest | None = None,
) -> Rollover:
    """Next year's action plan from this one: its live priorities and objectives, and the
    actions not yet complete, each linked to the action it carries forward. Which actions
    are complete, the apps that know say (rollover steps, vawg.strategy.registries)."""
    if Strategy.objects.filter(partnership=strategy.partnership, slug=slug).exists():
        raise ValidationError({"slug": f"The partnership already has a plan called “{slug}”."})
    if end_year < start_year:
        raise ValidationError({"end_year": "The end year must not be before the start year."})
    new = Strategy(
        partnership=strategy.partnership,
        slug=slug,
        title=title,
        start_year=start_year,
        end_year=end_year,
        vision=strategy.vision,
        summary=strategy.summary,
        previous=strategy,
    )
    new.full_clean()
    new.save()
    periods_ensure_range(partnership=new.partnership, first=new.starts_on, last=new.ends_on)
    live = strategy.actions.live()
    complete = finished_actions(live)
    actions = live.prefetch_related("measures", "leads").order_by("order")
    by_priority: dict[int, list[Action]] = {}
    left_complete = 0
    for action in actions:
        if action.pk in complete:
            left_complete += 1
            continue
        by_priority.setdefault(action.priority_id, []).append(action)
    position = 0
    for priority in strategy.priorities.filter(retired_at__isnull=True).order_by("order"):
        copy = Priority.objects.create(
            strategy=new,
            order=priority.order,
            code=priority.code,
            number=priority.number,
            title=priority.title,
            summary=priority.summary,
            aims=priority.aims,
            in_plan_only=priority.in_plan_only,
            workstream=priority.workstream,
        )
        for objective in priority.objectives.filter(retired_at__isnull=True):
            Objective.objects.create(
                priority=copy,
                kind=objective.kind,
                order=objective.order,
                number=objective.number,
                text=objective.text,
            )
        for action in by_priority.get(priority.pk, []):
            position += 1
            carried = Action.objects.create(
                strategy=new,
                priority=copy,
                order=position,
                ref=action.ref,
                ref_assigned=action.ref_assigned,
                activity=action.activity,
                sub_activities=action.sub_activities,
                measures_intro=action.measures_intro,
                leads_as_written=action.leads_as_written,
                deliver_by=action.deliver_by,
                deliver_by_as_written=action.deliver_by_as_written,
                carried_from=action,
            )
            ActionMeasure.objects.bulk_create(
                ActionMeasure(action=carried, order=m.order, label=m.label, text=m.text)
                for m in action.measures.all()
            )
            ActionLead.objects.bulk_create(
                ActionLead(
                    action=carried,
                    order=lead.order,
                    name_as_written=lead.name_as_written,
                    organisation_id=lead.organisation_id,
                    body_id=lead.body_id,
                    from_source=False,
                )
                for lead in action.leads.all()
            )
    PlanChange.objects.create(
        strategy=strategy,
        kind=PlanChange.Kind.ROLLED_OVER,
        object_type="strategy",
        object_id=strategy.pk,
        after={"into": new.slug, "carried": position, "left_complete": left_complete},
        actor_id=actor.pk,
    )
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=strategy.partnership_id,
        obj=new,
        summary=f"Rolled the plan over into {new.title}",
        detail={"from_strategy_id": strategy.pk, "carried": position},
        request=request,
    )
    return Rollover(new, position, left_complete)

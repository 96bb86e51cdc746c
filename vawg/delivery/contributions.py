"""What delivery adds to strategy's action page and to the plan's rollover, registered
from DeliveryConfig.ready() (vawg.strategy.registries): strategy imports none of it."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from vawg.delivery import selectors, services
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.strategy.models import Action
from vawg.strategy.registries import ActionPanel, RolloverStep, action_panels, rollover_steps


def action_progress(request: HttpRequest, action: Action) -> dict:
    """The action's updates across periods, with every version, for its page."""
    standing = services.standing_for(request.user, request.partnership)
    return {
        "updates": selectors.action_history(action=action),
        "can_see_evidence": standing.may_see_evidence(action),
        "can_update": standing.may_update(action),
    }


def completed_actions(actions: QuerySet[Action]) -> QuerySet:
    """The ids of the actions whose latest approved update says complete."""
    latest_status = Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"), state=UpdateState.APPROVED)
        .order_by("-period__start")
        .values("status")[:1]
    )
    return (
        actions.annotate(latest_status=latest_status)
        .filter(latest_status=Status.COMPLETE)
        .values_list("pk", flat=True)
    )


def register() -> None:
    action_panels.register(
        "delivery.progress", ActionPanel("delivery/_timeline.html", action_progress), order=10
    )
    rollover_steps.register("delivery.complete", RolloverStep(completed_actions))

"""What other apps add to strategy's pages and to the plan's rollover.

Strategy sits below the domain apps that point at its actions (delivery, measures, voice,
learning) and imports none of them. Where its action page, its published plan or its
annual rollover needs what they hold, it declares here what a contribution is, and each
app registers its own from its AppConfig.ready() (vawg.core.registry).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from vawg.core.models import Partnership
from vawg.core.permissions import roles_grant
from vawg.core.registry import PanelContent, Registry
from vawg.strategy.models import Action


@dataclass(frozen=True)
class ActionPanel:
    """A section of an action's page that another app holds.

    `context(request, action)` gives what `template` needs; `permission`, when set, is
    the one the viewer's roles must grant for the panel to be shown at all (the page
    itself needs only strategy.view)."""

    template: str
    context: Callable[[HttpRequest, Action], dict[str, Any]]
    permission: str | None = None


@dataclass(frozen=True)
class PlanPanel:
    """A section of the published plan, the public's page: `context(partnership)` must
    give only what the public may see, and must record nothing about the visitor."""

    template: str
    context: Callable[[Partnership], dict[str, Any]]


@dataclass(frozen=True)
class RolloverStep:
    """Another app's part in rolling a plan over into next year's.

    `finished(actions)` takes the old plan's live actions and answers the ids of those it
    counts as complete: they are left behind rather than carried forward."""

    finished: Callable[[QuerySet[Action]], Iterable[int]]


action_panels: Registry[ActionPanel] = Registry("strategy.action_panels")
plan_panels: Registry[PlanPanel] = Registry("strategy.plan_panels")
rollover_steps: Registry[RolloverStep] = Registry("strategy.rollover_steps")


def action_panels_for(*, request: HttpRequest, action: Action) -> list[PanelContent]:
    """The panels this viewer may see on the action's page, in order."""
    return [
        PanelContent(panel.template, panel.context(request, action))
        for panel in action_panels
        if panel.permission is None or roles_grant(request.roles, panel.permission)
    ]


def plan_panels_for(*, partnership: Partnership) -> list[PanelContent]:
    """The published plan's contributed sections, in order."""
    return [PanelContent(panel.template, panel.context(partnership)) for panel in plan_panels]


def finished_actions(actions: QuerySet[Action]) -> set[int]:
    """The ids of the actions any rollover step counts as complete."""
    finished: set[int] = set()
    for step in rollover_steps:
        finished.update(step.finished(actions))
    return finished

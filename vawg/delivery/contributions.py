"""What delivery adds to strategy's action page, to the plan's rollover and to each role's
home page, registered from DeliveryConfig.ready() (vawg.strategy.registries,
vawg.core.home): neither strategy nor core imports any of it."""

from datetime import date
from urllib.parse import urlencode

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import Truncator

from vawg.core.home import Group, HomeItem, Line, Shown, home_items, plural
from vawg.core.permissions import Role
from vawg.core.region import RegionSection, region_sections
from vawg.delivery import selectors, services
from vawg.delivery.models import WORRYING, ProgressUpdate, Status, UpdateState
from vawg.delivery.region import delivery_section
from vawg.strategy.models import Action, Strategy
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


# --- Home page items -------------------------------------------------------------

# How many red actions the board member's item lists before "and N more".
RED_LISTED = 5
# How many overdue updates the action lead's item lists, each with a link to its form.
OVERDUE_LISTED = 10


def _url(request: HttpRequest, name: str, query: dict | None = None, **kwargs) -> str:
    url = reverse(f"delivery:{name}", kwargs={"partnership": request.partnership.slug, **kwargs})
    return f"{url}?{urlencode(query)}" if query else url


def _lead_actions(request: HttpRequest, today: date) -> selectors.MyActions:
    standing = services.standing_for(request.user, request.partnership)
    period = services.period_due(request.partnership, today)
    return selectors.my_actions(partnership=request.partnership, standing=standing, period=period)


def home_updates_due(request: HttpRequest, today: date) -> Shown | None:
    data = _lead_actions(request, today)
    if data.period is None:
        return None
    text = (
        f"{plural(data.due_count, 'update', 'updates')} due for {data.period.label}, "
        f"by {data.period.update_deadline:%-d %B %Y}"
    )
    return Shown(text, _url(request, "my-actions"), count=data.due_count)


def home_updates_returned(request: HttpRequest, today: date) -> Shown | None:
    returned = _lead_actions(request, today).returned
    text = f"{plural(len(returned), 'update', 'updates')} returned to you for changes"
    return Shown(text, _url(request, "my-actions"), count=len(returned))


def home_reviews_waiting(request: HttpRequest, today: date) -> Shown | None:
    standing = services.standing_for(request.user, request.partnership)
    waiting = selectors.review_queue(partnership=request.partnership, standing=standing)
    text = f"{plural(len(waiting), 'update', 'updates')} waiting for your review"
    return Shown(text, _url(request, "review-list"), count=len(waiting))


def _round(request: HttpRequest, today: date, statuses) -> tuple[str, list, str, Strategy] | None:
    """The latest plan's approved updates in `statuses` for the round the board reviews,
    with the period's label, the plan's dashboard for that round and the plan."""
    strategies = selectors.strategies_for(partnership=request.partnership)
    period = services.period_reported(request.partnership, today)
    if not strategies or period is None:
        return None
    updates = selectors.approved_with_status(
        strategy=strategies[0], period=period, statuses=statuses
    )
    query = {"period": period.pk}
    if len(statuses) == 1:
        query["status"] = next(iter(statuses))
    url = _url(request, "dashboard", query, strategy=strategies[0].slug)
    return period.label, updates, url, strategies[0]


def home_exceptions(request: HttpRequest, today: date) -> Shown | None:
    found = _round(request, today, WORRYING)
    if found is None:
        return None
    label, updates, url, _plan = found
    text = f"{plural(len(updates), 'action', 'actions')} at risk or off track in {label}"
    return Shown(text, url, count=len(updates))


def home_red_actions(request: HttpRequest, today: date) -> Shown | None:
    """What is red and why: the off-track actions with their lead's words, cut short."""
    found = _round(request, today, {Status.OFF_TRACK})
    if found is None:
        return None
    label, updates, url, plan = found
    lines = tuple(
        Line(
            str(update.action),
            reverse(
                "strategy:action-detail",
                kwargs={"partnership": request.partnership.slug, "pk": update.action_id},
            ),
            note=Truncator(update.commentary).chars(140) or "No reason given.",
        )
        for update in updates[:RED_LISTED]
    )
    text = f"{plural(len(updates), 'action', 'actions')} off track (red) in {label}"
    return Shown(
        text,
        url,
        count=len(updates),
        lines=lines,
        more=len(updates) - len(lines),
        note=lapsed_note(plan, today),
    )


def lapsed_note(plan: Strategy, today: date) -> str:
    """What the strategy's lapsed banner says, in a line: a board member reading its red
    actions must know they report on a plan that has ended (Strategy.lapsed_on)."""
    if not plan.lapsed_on(today):
        return ""
    return (
        f"The plan has lapsed: {plan.title} ended in {plan.ends_on:%B %Y}. Your partnership "
        "admin can roll it over into a new plan or extend it."
    )


def home_updates_overdue(request: HttpRequest, today: date) -> Shown | None:
    """Updates whose period's deadline has passed without one being submitted, each
    linked to its update form, where a late update is still taken."""
    standing = services.standing_for(request.user, request.partnership)
    overdue = selectors.overdue_updates(
        partnership=request.partnership, standing=standing, today=today
    )
    forms = [
        _url(request, "update-edit", pk=item.action.pk, period=item.period.pk)
        for item in overdue[:OVERDUE_LISTED]
    ]
    lines = tuple(
        Line(
            f"{item.action}: {item.period.label}",
            url,
            note=f"Due by {item.period.update_deadline:%-d %B %Y}; {item.state}",
        )
        for item, url in zip(overdue, forms, strict=False)
    )
    # One overdue update: straight to its form. More: to My actions, with each listed here.
    url = forms[0] if len(overdue) == 1 else _url(request, "my-actions")
    text = f"{plural(len(overdue), 'update', 'updates')} overdue"
    return Shown(text, url, count=len(overdue), lines=lines, more=len(overdue) - len(lines))


def register_home() -> None:
    home_items.register(
        "delivery.updates_overdue", HomeItem(home_updates_overdue, "delivery.update"), order=9
    )
    home_items.register(
        "delivery.updates_due", HomeItem(home_updates_due, "delivery.update"), order=10
    )
    home_items.register(
        "delivery.updates_returned", HomeItem(home_updates_returned, "delivery.update"), order=11
    )
    home_items.register(
        "delivery.reviews_waiting", HomeItem(home_reviews_waiting, "delivery.review"), order=12
    )
    home_items.register(
        "delivery.exceptions", HomeItem(home_exceptions, "strategy.manage"), order=13
    )
    home_items.register(
        "delivery.red_actions",
        HomeItem(
            home_red_actions,
            "strategy.view",
            group=Group.ATTENTION,
            roles=frozenset({Role.BOARD_MEMBER}),
        ),
        order=14,
    )


def register() -> None:
    action_panels.register(
        "delivery.progress", ActionPanel("delivery/_timeline.html", action_progress), order=10
    )
    rollover_steps.register("delivery.complete", RolloverStep(completed_actions))
    register_home()
    region_sections.register("delivery.on_track", RegionSection(delivery_section), order=30)

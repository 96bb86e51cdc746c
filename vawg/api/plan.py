"""The partner API: the plan (scope read:plan), for the token's own partnership only.

Strategies with their priorities, actions with their latest approved progress, the
reporting periods, and the published "you said, we did" themes. Only approved progress
updates are ever read, and of survivor voice only what the partnership has published:
never feedback itself. Counts here are of strategies, priorities and actions, which are
about no one. Every answer carries an ETag and answers If-None-Match with 304.
"""

from django.http import HttpRequest
from ninja import Path, Query, Router

from vawg.api import plan_schemas as out
from vawg.api.auth import TokenAuth
from vawg.api.periods import period_asked
from vawg.api.problems import ApiProblem, Problem
from vawg.api.respond import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, conditional, page_of
from vawg.api.scopes import Scope
from vawg.delivery import selectors as delivery
from vawg.strategy import selectors as strategy
from vawg.voice import selectors as voice

router = Router()

READ = TokenAuth(Scope.READ_PLAN)
LARGEST_ID = 2**63 - 1  # the largest a record's id can be
NOT_FOUND = {404: Problem}
SLUG = r"^[-a-zA-Z0-9_]+$"
STATUS = Query(None, description="Only actions with this status.")

PAGE = Query(1, ge=1, le=10000, description="The page, from 1.")
PAGE_SIZE = Query(
    DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="How many items a page holds."
)


# --- Strategies ---------------------------------------------------------------------------


def _strategy(summary: strategy.StrategySummary) -> dict:
    plan = summary.strategy
    return {
        "slug": plan.slug,
        "title": plan.title,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "lapsed": plan.lapsed,
        "successor": summary.successor.slug if summary.successor else None,
        "priority_count": summary.priority_count,
        "action_count": summary.action_count,
    }


@router.get(
    "/strategies",
    response={200: out.StrategyPage, 304: None},
    auth=READ,
    summary="The partnership's strategies, newest first",
)
def list_strategies(request: HttpRequest, page: int = PAGE, page_size: int = PAGE_SIZE):
    """Each strategy with its years, whether it has lapsed, its successor, and how many live
    priorities and actions it holds."""
    summaries = strategy.strategy_summaries(partnership=request.auth.partnership)
    items, paging = page_of(request, summaries, page=page, page_size=page_size)
    return conditional(
        request, out.StrategyPage(items=[out.StrategyOut(**_strategy(s)) for s in items], **paging)
    )


@router.get(
    "/strategies/{slug}",
    response={200: out.StrategyDetailOut, 304: None, **NOT_FOUND},
    auth=READ,
    summary="One strategy with its priorities",
)
def get_strategy(
    request: HttpRequest, slug: str = Path(..., min_length=1, max_length=50, pattern=SLUG)
):
    """The strategy with this slug, and its live priorities in the plan's order: each one's
    code, title and leading workstream."""
    found = strategy.strategy_summaries(partnership=request.auth.partnership, slug=slug)
    if not found:
        raise ApiProblem(404, "There is no strategy with this slug in this token's partnership.")
    summary = found[0]
    priorities = [
        out.PriorityOut(
            code=p.code,
            title=p.title,
            workstream=p.workstream.name if p.workstream else None,
        )
        for p in summary.priorities
    ]
    return conditional(request, out.StrategyDetailOut(**_strategy(summary), priorities=priorities))


# --- Actions ------------------------------------------------------------------------------


def _update(update) -> out.ApprovedUpdateOut | None:
    if update is None:
        return None
    return out.ApprovedUpdateOut(
        period=update.period.label,
        status=update.status,
        status_label=out.status_label(update.status),
        commentary=update.commentary,
        next_milestone=update.next_milestone,
        next_milestone_date=update.next_milestone_date,
    )


def _action(standing: delivery.ActionStanding) -> dict:
    action = standing.action
    status = standing.status if standing.latest is not None else out.NO_UPDATE
    return {
        "id": action.pk,
        "ref": action.ref,
        "activity": action.activity,
        "priority_code": action.priority.code,
        "priority_title": action.priority.title,
        "strategy": action.strategy.slug,
        "leads": [
            out.ActionLeadOut(name=str(lead), organisation_id=lead.organisation_id)
            for lead in action.leads.all()
        ],
        "deliver_by": action.deliver_by,
        "status": status,
        "status_label": out.status_label(status),
        "latest_update": _update(standing.latest),
    }


@router.get(
    "/actions",
    response={200: out.ActionPage, 304: None, **NOT_FOUND},
    auth=READ,
    summary="The live actions, each with its latest approved progress",
)
def list_actions(
    request: HttpRequest,
    strategy: str = Query("", max_length=50, description="A strategy's slug."),
    priority: str = Query("", max_length=10, description="A priority's code."),
    status: out.ActionStatus | None = STATUS,
    lead: str = Query(
        "", max_length=300, description="A lead organisation's id, or a lead's name (any case)."
    ),
    period: str = Query(
        "",
        max_length=50,
        description="A reporting period's label, e.g. '2026/27 Q2': the status as at that "
        "period, from the latest update approved for it or an earlier one. A label the "
        "partnership does not hold answers 422.",
    ),
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
):
    """The partnership's live actions in the plan's order, filtered as asked. An action's
    status and latest update come only from approved progress updates."""
    partnership = request.auth.partnership
    as_at = None
    if period:
        as_at = period_asked(partnership, period)
    wanted = {
        "strategy": strategy,
        "priority": priority,
        "lead": lead,
        "status": "" if status is None else status.value,
    }
    if any("\x00" in value for value in wanted.values()):
        standings = []  # no stored slug, code or name holds one
    else:
        if wanted["status"] == out.NO_UPDATE:
            wanted["status"] = delivery.NO_UPDATE
        standings = delivery.action_standings(partnership=partnership, period=as_at, **wanted)
    items, paging = page_of(request, standings, page=page, page_size=page_size)
    return conditional(
        request,
        out.ActionPage(
            as_at=as_at.label if as_at else None,
            items=[out.ActionOut(**_action(s)) for s in items],
            **paging,
        ),
    )


@router.get(
    "/actions/{action_id}",
    response={200: out.ActionDetailOut, 304: None, **NOT_FOUND},
    auth=READ,
    summary="One live action, with its approved update history",
)
def get_action(request: HttpRequest, action_id: int = Path(..., ge=1, le=LARGEST_ID)):
    """The action as in the list, and every approved update of it, oldest period first."""
    record = delivery.action_record(partnership=request.auth.partnership, pk=action_id)
    history = [
        out.ApprovedHistoryOut(
            period=u.period.label,
            status=u.status,
            status_label=out.status_label(u.status),
            commentary=u.commentary,
        )
        for u in record.history
    ]
    return conditional(request, out.ActionDetailOut(**_action(record.standing), history=history))


# --- Periods and "you said, we did" -------------------------------------------------------


@router.get(
    "/periods",
    response={200: out.ReportingPeriodPage, 304: None},
    auth=READ,
    summary="The partnership's reporting periods, oldest first",
)
def list_periods(request: HttpRequest, page: int = PAGE, page_size: int = PAGE_SIZE):
    """Each reporting period's label (the `period` filter of the actions takes it), its
    first and last days, and the deadline for its progress updates."""
    periods = delivery.reporting_periods(partnership=request.auth.partnership)
    items, paging = page_of(request, periods, page=page, page_size=page_size)
    return conditional(
        request,
        out.ReportingPeriodPage(
            items=[
                out.ReportingPeriodOut(
                    label=p.label, start=p.start, end=p.end, update_deadline=p.update_deadline
                )
                for p in items
            ],
            **paging,
        ),
    )


@router.get(
    "/you-said-we-did",
    response={200: out.YouSaidWeDidPage, 304: None},
    auth=READ,
    summary="The partnership's published 'you said, we did' themes",
)
def list_you_said_we_did(request: HttpRequest, page: int = PAGE, page_size: int = PAGE_SIZE):
    """What survivors told the partnership, in summary, and what it did in response: the
    published themes only, as the public page shows them. No feedback is ever sent."""
    themes = list(voice.published_themes(partnership=request.auth.partnership))
    items, paging = page_of(request, themes, page=page, page_size=page_size)
    return conditional(
        request,
        out.YouSaidWeDidPage(
            items=[
                out.YouSaidWeDidOut(title=t.name, you_said=t.you_said, we_did=t.we_did)
                for t in items
            ],
            **paging,
        ),
    )

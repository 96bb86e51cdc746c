"""Reading the strategy: every query is scoped to the partnership and costs the same at any size."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.strategy.models import (
    Action,
    ActionLead,
    ActionMeasure,
    Priority,
    Quirk,
    Strategy,
)


def strategies_for(*, partnership: Partnership) -> QuerySet[Strategy]:
    return scoped(Strategy.objects.all(), partnership).order_by("-start_year", "title")


def strategy_for_detail(*, partnership: Partnership, slug: str) -> Strategy:
    """One strategy with everything its page shows, in a fixed number of queries."""
    actions = Action.objects.for_browsing().order_by("order")
    priorities = Priority.objects.select_related("workstream").prefetch_related(
        "objectives", Prefetch("actions", queryset=actions)
    )
    queryset = (
        Strategy.objects.annotate(
            open_quirk_count=Count("quirks", filter=Q(quirks__resolved_at__isnull=True))
        )
        .select_related("previous")
        .prefetch_related(
            "principles",
            Prefetch("priorities", queryset=priorities),
            "governance__body",
            "measures_of_success",
        )
    )
    return get_scoped_or_404(queryset, partnership, slug=slug)


def strategy_rolled_over(*, strategy: Strategy) -> bool:
    """Whether any plan already carries this one's actions forward."""
    return Action.objects.filter(carried_from__strategy=strategy).exists()


def strategy_successor(*, strategy: Strategy) -> Strategy | None:
    """The partnership's latest plan starting after this one (a rollover or a new strategy)."""
    return (
        Strategy.objects.filter(
            partnership_id=strategy.partnership_id, start_year__gt=strategy.start_year
        )
        .order_by("-start_year", "-pk")
        .first()
    )


def strategy_for_export(*, partnership: Partnership, slug: str) -> Strategy:
    return get_scoped_or_404(Strategy.objects.all(), partnership, slug=slug)


# --- Finding actions ---------------------------------------------------------


def _matches(term: str) -> Q:
    measures = ActionMeasure.objects.filter(action=OuterRef("pk"), text__icontains=term)
    leads = ActionLead.objects.filter(action=OuterRef("pk")).filter(
        Q(name_as_written__icontains=term)
        | Q(organisation__name__icontains=term)
        | Q(body__name__icontains=term)
    )
    condition = (
        Q(ref__icontains=term)
        | Q(activity__icontains=term)
        | Q(measures_intro__icontains=term)
        | Q(leads_as_written__icontains=term)
        | Q(Exists(measures))
        | Q(Exists(leads))
    )
    return condition | Q(sub_activities_text__icontains=term)


def actions_matching(
    *,
    partnership: Partnership,
    q: str = "",
    priority: str = "",
    lead: int | None = None,
    strategy: str = "",
) -> QuerySet[Action]:
    """Actions matching every word of `q` (in ref, activity, sub-activities, measures or
    leads) and the filters: priority code, lead organisation id, strategy slug."""
    actions = scoped(Action.objects.for_browsing(), partnership)
    for term in q.split():
        actions = actions.filter(_matches(term))
    if priority:
        actions = actions.filter(priority__code=priority)
    if lead is not None:
        actions = actions.filter(
            Exists(ActionLead.objects.filter(action=OuterRef("pk"), organisation_id=lead))
        )
    if strategy:
        actions = actions.filter(strategy__slug=strategy)
    return actions.select_related("strategy").order_by(
        "strategy__start_year", "strategy_id", "priority__order", "order"
    )


@dataclass(frozen=True)
class SearchOptions:
    """The choices the action search offers, all from the partnership's own plan."""

    strategies: list[tuple[str, str]] = field(default_factory=list)
    priorities: list[tuple[str, str]] = field(default_factory=list)
    leads: list[tuple[int, str]] = field(default_factory=list)


def action_search_options(*, partnership: Partnership) -> SearchOptions:
    strategies = [(s.slug, s.title) for s in strategies_for(partnership=partnership)]
    priorities: dict[str, str] = {}
    for code, title in (
        scoped(Priority.objects.all(), partnership)
        .order_by("strategy__start_year", "order")
        .values_list("code", "title")
    ):
        priorities.setdefault(code, f"{code} – {title}")
    leads = list(
        scoped(Organisation.objects.all(), partnership)
        .filter(led_actions__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
    return SearchOptions(strategies, list(priorities.items()), leads)


def action_for_detail(*, partnership: Partnership, pk: int) -> Action:
    queryset = Action.objects.select_related("priority", "strategy").prefetch_related(
        "priority__objectives",
        "measures",
        "leads__organisation",
        "leads__body",
        "quirks",
        "carried_to__strategy",
    )
    return get_scoped_or_404(queryset, partnership, pk=pk)


# --- Source quirks -----------------------------------------------------------


class QuirkStatus:
    OPEN = "open"
    COMPLETED = "completed"
    ALL = "all"
    CHOICES = [(ALL, "Open and completed"), (OPEN, "Open"), (COMPLETED, "Completed")]


def _quirks(partnership: Partnership) -> QuerySet[Quirk]:
    return scoped(Quirk.objects.all(), partnership).select_related(
        "strategy", "priority", "objective", "action", "measure_of_success"
    )


def quirks_by_strategy(
    *, partnership: Partnership, status: str = QuirkStatus.ALL
) -> list[tuple[Strategy, list[Quirk]]]:
    """The partnership's quirks grouped by strategy, open ones first within each."""
    quirks = _quirks(partnership)
    if status == QuirkStatus.OPEN:
        quirks = quirks.filter(resolved_at__isnull=True)
    elif status == QuirkStatus.COMPLETED:
        quirks = quirks.filter(resolved_at__isnull=False)
    quirks = quirks.order_by(
        "-strategy__start_year", "strategy_id", F("resolved_at").asc(nulls_first=True), "pk"
    )
    return [
        (strategy, list(items)) for strategy, items in groupby(quirks, key=lambda q: q.strategy)
    ]


def quirk_for_resolution(*, partnership: Partnership, pk: int) -> Quirk:
    queryset = _quirks(partnership).prefetch_related("action__leads")
    return get_scoped_or_404(queryset, partnership, pk=pk)


def lead_choices(*, partnership: Partnership) -> dict[str, list[tuple[int, str]]]:
    """Who may be named as an action's lead: the partnership's organisations and bodies."""
    return {
        "organisations": list(
            scoped(Organisation.objects.all(), partnership).values_list("pk", "name")
        ),
        "bodies": list(
            scoped(PartnershipBody.objects.all(), partnership).values_list("pk", "name")
        ),
    }


# --- For the partner API -------------------------------------------------------


@dataclass(frozen=True)
class StrategySummary:
    """A strategy with the size of its live plan, its live priorities (with their
    workstreams) and its successor (the rule of strategy_successor)."""

    strategy: Strategy
    priority_count: int
    action_count: int
    successor: Strategy | None
    priorities: list[Priority]


def strategy_summaries(
    *, partnership: Partnership, slug: str | None = None
) -> list[StrategySummary]:
    """The partnership's strategies (or the one with `slug`), newest first, in three
    queries whatever their number."""
    live = Priority.objects.filter(retired_at__isnull=True).select_related("workstream")
    strategies = scoped(Strategy.objects.select_related("partnership"), partnership)
    if slug is not None:
        strategies = strategies.filter(slug=slug)
    rows = list(
        strategies.annotate(
            priority_count=Count(
                "priorities", filter=Q(priorities__retired_at__isnull=True), distinct=True
            ),
            action_count=Count(
                "actions", filter=Q(actions__retired_at__isnull=True), distinct=True
            ),
        )
        .prefetch_related(Prefetch("priorities", queryset=live.order_by("order")))
        .order_by("-start_year", "title")
    )
    every = list(scoped(Strategy.objects.all(), partnership).only("pk", "slug", "start_year"))
    found = []
    for strategy in rows:
        later = [s for s in every if s.start_year > strategy.start_year]
        found.append(
            StrategySummary(
                strategy=strategy,
                priority_count=strategy.priority_count,
                action_count=strategy.action_count,
                successor=max(later, key=lambda s: (s.start_year, s.pk)) if later else None,
                priorities=list(strategy.priorities.all()),
            )
        )
    return found

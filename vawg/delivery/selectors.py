"""Reads for action plan delivery. Every list is a fixed number of queries whatever the
number of actions or periods (the tests assert it at two sizes)."""

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from vawg.accounts.models import User
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.meetings import last_board_meeting
from vawg.core.models import (
    BodyMeeting,
    Organisation,
    Partnership,
    PartnershipBody,
    ReportingPeriod,
)
from vawg.core.periods import reporting_year_start, year_label
from vawg.delivery.models import (
    STATUS_COLOURS,
    WORRYING,
    Evidence,
    ImportFile,
    ProgressUpdate,
    Status,
    UpdateState,
)
from vawg.delivery.services import Standing, standing_for
from vawg.strategy.models import Action, ActionLead, Priority, Strategy

NO_UPDATE = "none"
NO_UPDATE_LABEL = "No approved update"


def periods_for(partnership: Partnership, today: date) -> list[ReportingPeriod]:
    """Periods that have started, newest first: the ones anyone can report on."""
    return list(partnership.reporting_periods.filter(start__lte=today).order_by("-start"))


def period_for(partnership: Partnership, pk: int) -> ReportingPeriod:
    return get_scoped_or_404(ReportingPeriod.objects.all(), partnership, pk=pk)


def _previous_period(period: ReportingPeriod) -> ReportingPeriod | None:
    return (
        ReportingPeriod.objects.filter(partnership_id=period.partnership_id, start__lt=period.start)
        .order_by("-start")
        .first()
    )


def _latest_approved(until: date | None = None) -> Subquery:
    """The status of an action's latest approved update (up to periods starting by `until`)."""
    updates = ProgressUpdate.objects.filter(action=OuterRef("pk"), state=UpdateState.APPROVED)
    if until is not None:
        updates = updates.filter(period__start__lte=until)
    return Subquery(updates.order_by("-period__start").values("status")[:1])


def _actions(partnership: Partnership) -> QuerySet[Action]:
    return (
        scoped(Action.objects.live(), partnership)
        .select_related("priority", "priority__workstream", "strategy")
        .prefetch_related(
            Prefetch("leads", queryset=ActionLead.objects.select_related("organisation", "body"))
        )
    )


# --- My actions ---------------------------------------------------------------


@dataclass
class MyActions:
    period: ReportingPeriod | None
    actions: list[Action]
    returned: list[ProgressUpdate]
    due_count: int
    overdue: list["Overdue"] = field(default_factory=list)


def my_actions(
    *, partnership: Partnership, standing: Standing, period: ReportingPeriod | None
) -> MyActions:
    """The actions the user's organisation leads, each with its update for `period`
    (as `action.this_period`, a list of none or one), and anything returned to them."""
    actions = _actions(partnership).filter(
        Exists(
            ActionLead.objects.filter(
                action=OuterRef("pk"), organisation_id__in=standing.lead_organisations
            )
        )
    )
    if period is not None:
        actions = actions.prefetch_related(
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.filter(period=period),
                to_attr="this_period",
            )
        )
    # `this_period` is the Prefetch's list (to_attr), which the model's type cannot know.
    rows = list(actions.order_by("strategy__start_year", "priority__order", "order"))
    if period is None:
        for action in rows:
            action.this_period = []  # type: ignore[attr-defined]
    returned = list(
        scoped(ProgressUpdate.objects.all(), partnership)
        .filter(
            state=UpdateState.RETURNED,
            action__retired_at__isnull=True,
            action__leads__organisation_id__in=standing.lead_organisations,
        )
        .select_related("action", "period")
        .distinct()
        .order_by("period__start", "action__order")
    )
    due = 0
    for action in rows:
        updates: list[ProgressUpdate] = action.this_period  # type: ignore[attr-defined]
        if not updates or updates[0].state not in (UpdateState.SUBMITTED, UpdateState.APPROVED):
            due += 1
    return MyActions(period, rows, returned, due)


@dataclass(frozen=True)
class Overdue:
    """An action's update for a period whose deadline has passed: never started, a draft
    not submitted, or returned and not resubmitted (`update` is None when never started)."""

    action: Action
    period: ReportingPeriod
    update: ProgressUpdate | None

    @property
    def state(self) -> str:
        if self.update is None:
            return "not started"
        if self.update.state == UpdateState.RETURNED:
            return "returned for changes"
        return "a draft, not submitted"


def my_work(
    *, partnership: Partnership, standing: Standing, period: ReportingPeriod | None, today: date
) -> MyActions:
    """`my_actions`, with the updates overdue from earlier periods first. An update both
    returned and overdue is listed once, as overdue."""
    data = my_actions(partnership=partnership, standing=standing, period=period)
    data.overdue = overdue_updates(partnership=partnership, standing=standing, today=today)
    late = {(item.action.pk, item.period.pk) for item in data.overdue}
    data.returned = [u for u in data.returned if (u.action_id, u.period_id) not in late]
    return data


def overdue_updates(*, partnership: Partnership, standing: Standing, today: date) -> list[Overdue]:
    """The updates overdue on the actions the user's organisation leads: for each period
    of the action's plan whose deadline passed before `today`, one not submitted. Late
    updates are still taken (services.update_save refuses only periods not yet started),
    so each is dealt with on its update form. Oldest period first."""
    actions = list(
        _actions(partnership)
        .filter(
            Exists(
                ActionLead.objects.filter(
                    action=OuterRef("pk"), organisation_id__in=standing.lead_organisations
                )
            )
        )
        .order_by("strategy__start_year", "priority__order", "order")
    )
    if not actions:
        return []
    closed = list(partnership.reporting_periods.filter(update_deadline__lt=today).order_by("start"))
    updates = {
        (u.action_id, u.period_id): u
        for u in ProgressUpdate.objects.filter(action__in=actions, period__in=closed)
    }
    first_month = partnership.reporting_year_start_month
    found = []
    for period in closed:
        for action in actions:
            plan = action.strategy
            # A period outside the action's plan (Strategy.ends_on: the end of its last
            # reporting year) is not one it was due to report on.
            begins = date(plan.start_year, first_month, 1)
            if not begins <= period.start < date(plan.end_year + 1, first_month, 1):
                continue
            # Nor is a round whose deadline had passed before the plan came onto the platform.
            if period.update_deadline < timezone.localtime(plan.added_at).date():
                continue
            update = updates.get((action.pk, period.pk))
            if update is None or update.state in (UpdateState.DRAFT, UpdateState.RETURNED):
                found.append(Overdue(action, period, update))
    return found


def review_queue(*, partnership: Partnership, standing: Standing) -> list[ProgressUpdate]:
    """Updates awaiting review that this user may review."""
    updates = scoped(ProgressUpdate.objects.all(), partnership).filter(state=UpdateState.SUBMITTED)
    if not standing.admin:
        updates = updates.filter(action__priority__workstream_id__in=standing.workstreams)
    return list(
        updates.select_related("action", "action__priority", "period", "author").order_by(
            "submitted_at"
        )
    )


def unassigned_actions(*, partnership: Partnership) -> list[Action]:
    """Live actions no organisation leads, so no action lead can report on them."""
    led = ActionLead.objects.filter(action=OuterRef("pk"), organisation__isnull=False)
    return list(
        _actions(partnership)
        .filter(~Exists(led))
        .order_by("strategy__start_year", "priority__order", "order")
    )


def organisations_for(partnership: Partnership) -> list[Organisation]:
    return list(scoped(Organisation.objects.all(), partnership).order_by("name"))


# --- Updates and their history -------------------------------------------------


def action_for_update(*, partnership: Partnership, pk: int) -> Action:
    queryset = Action.objects.select_related("priority", "strategy").prefetch_related(
        "measures", "leads__organisation", "leads__body"
    )
    return get_scoped_or_404(queryset, partnership, pk=pk)


def update_for(*, action: Action, period: ReportingPeriod) -> ProgressUpdate | None:
    return (
        ProgressUpdate.objects.filter(action=action, period=period)
        .prefetch_related("achievements", "evidence")
        .first()
    )


def update_for_review(*, partnership: Partnership, pk: int) -> ProgressUpdate:
    queryset = ProgressUpdate.objects.select_related(
        "action", "action__priority", "action__strategy", "period", "author"
    ).prefetch_related(
        "achievements__measure", "evidence", "action__measures", "action__leads__organisation"
    )
    return get_scoped_or_404(queryset, partnership, pk=pk)


@dataclass(frozen=True)
class UpdateToEdit:
    """An action's update for one period (None before the first save), as its lead sees it."""

    action: Action
    period: ReportingPeriod
    update: ProgressUpdate | None
    standing: Standing

    @property
    def closed(self) -> bool:
        """Submitted or decided: it can be read, but no longer changed."""
        return self.update is not None and not self.update.editable


@dataclass(frozen=True)
class UpdateInHand:
    """One update, and what the user asking for it may do on its action."""

    update: ProgressUpdate
    standing: Standing

    @property
    def awaiting_review(self) -> bool:
        return self.update.state == UpdateState.SUBMITTED


def update_to_edit(*, partnership: Partnership, user: User, pk: int, period: int) -> UpdateToEdit:
    """Action `pk`'s update for `period`, for a lead of the action's organisation (or an
    admin) to write; anyone else is refused before they see the form."""
    action = action_for_update(partnership=partnership, pk=pk)
    chosen = period_for(partnership, period)
    standing = standing_for(user, partnership)
    if not standing.may_update(action):
        raise PermissionDenied("You may only update actions your organisation leads.")
    return UpdateToEdit(action, chosen, update_for(action=action, period=chosen), standing)


def update_for_evidence(*, partnership: Partnership, user: User, pk: int) -> UpdateInHand:
    """Update `pk`, for a lead of its action's organisation (or an admin) to evidence."""
    update = update_for_review(partnership=partnership, pk=pk)
    standing = standing_for(user, partnership)
    if not standing.may_update(update.action):
        raise PermissionDenied("You may only add evidence to actions your organisation leads.")
    return UpdateInHand(update, standing)


def update_to_review(*, partnership: Partnership, user: User, pk: int) -> UpdateInHand:
    """Update `pk`, for a chair of its priority's workstream (or an admin) to review."""
    update = update_for_review(partnership=partnership, pk=pk)
    standing = standing_for(user, partnership)
    if not standing.may_review(update.action):
        raise PermissionDenied("You may only review updates for your workstream's priorities.")
    return UpdateInHand(update, standing)


def evidence_for(*, partnership: Partnership, pk: int) -> Evidence:
    queryset = Evidence.objects.select_related(
        "update",
        "update__action",
        "update__action__priority",
        "update__action__strategy",
        "update__period",
    ).prefetch_related("update__action__leads")
    return get_scoped_or_404(queryset, partnership, pk=pk)


def action_history(*, action: Action) -> list[ProgressUpdate]:
    """Every update of the action, oldest period first, with its versions and evidence."""
    return list(
        ProgressUpdate.objects.filter(action=action)
        .select_related("period")
        .prefetch_related("versions", "achievements__measure", "evidence")
        .order_by("period__start")
    )


# --- The dashboard and its exceptions -----------------------------------------


@dataclass
class Filters:
    priority: str = ""
    workstream: int | None = None
    organisation: int | None = None
    status: str = ""


@dataclass
class ActionRow:
    action: Action
    status: str  # the approved status this period, or NO_UPDATE
    state: str  # the state of this period's update, or ""
    previous: str  # the approved status last period, or NO_UPDATE
    latest: str  # the latest approved status up to this period, or NO_UPDATE

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def previous_label(self) -> str:
        return status_label(self.previous)

    @property
    def latest_label(self) -> str:
        return status_label(self.latest)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "")

    @property
    def leads(self) -> str:
        return "; ".join(str(lead) for lead in self.action.leads.all()) or "No lead named"


def status_label(status: str) -> str:
    return Status(status).label if status in Status.values else NO_UPDATE_LABEL


@dataclass
class PriorityCounts:
    priority: Priority
    counts: list[tuple[str, str, int]]  # (status, label, count) in scale order
    total: int


@dataclass
class Dashboard:
    strategy: Strategy
    period: ReportingPeriod
    previous_period: ReportingPeriod | None
    today: date
    rows: list[ActionRow]
    distribution: list[PriorityCounts]
    no_update: list[ActionRow] = field(default_factory=list)
    overdue: list[ActionRow] = field(default_factory=list)
    no_deliver_by: list[ActionRow] = field(default_factory=list)
    turned: list[ActionRow] = field(default_factory=list)


SCALE = [*Status.values, NO_UPDATE]


def dashboard(
    *,
    partnership: Partnership,
    strategy: Strategy,
    period: ReportingPeriod,
    filters: Filters,
    today: date,
) -> Dashboard:
    """Every live action of `strategy` with its status for `period`, and the exceptions:
    no update posted, overdue, no deliver-by date, turned amber or red since last period."""
    previous = _previous_period(period)
    actions = _actions(partnership).filter(strategy=strategy)
    if filters.priority:
        actions = actions.filter(priority__code=filters.priority)
    if filters.workstream:
        actions = actions.filter(priority__workstream_id=filters.workstream)
    if filters.organisation:
        actions = actions.filter(
            Exists(
                ActionLead.objects.filter(
                    action=OuterRef("pk"), organisation_id=filters.organisation
                )
            )
        )
    actions = actions.annotate(latest_status=_latest_approved(until=period.start)).order_by(
        "priority__order", "order"
    )
    wanted = [period.pk] + ([previous.pk] if previous else [])
    updates = scoped(ProgressUpdate.objects.all(), partnership).filter(
        action__strategy=strategy, period_id__in=wanted
    )
    by_key = {
        (u.action_id, u.period_id): (u.state, u.status)
        for u in updates.only("action_id", "period_id", "state", "status")
    }

    rows = []
    for action in actions:
        state, status = by_key.get((action.pk, period.pk), ("", ""))
        prev_state, prev_status = (
            by_key.get((action.pk, previous.pk), ("", "")) if previous else ("", "")
        )
        rows.append(
            ActionRow(
                action=action,
                status=status if state == UpdateState.APPROVED else NO_UPDATE,
                state=state,
                previous=prev_status if prev_state == UpdateState.APPROVED else NO_UPDATE,
                latest=action.latest_status or NO_UPDATE,
            )
        )
    if filters.status:
        rows = [r for r in rows if r.status == filters.status]

    result = Dashboard(strategy, period, previous, today, rows, _distribution(rows))
    for row in rows:
        if row.state not in (UpdateState.SUBMITTED, UpdateState.APPROVED):
            result.no_update.append(row)
        if row.latest != Status.COMPLETE:
            deliver_by = row.action.deliver_by
            if deliver_by is None:
                result.no_deliver_by.append(row)
            elif deliver_by < today:
                result.overdue.append(row)
        if row.status in WORRYING and row.previous != row.status:
            result.turned.append(row)
    return result


def _distribution(rows: list[ActionRow]) -> list[PriorityCounts]:
    by_priority: dict[int, Counter] = defaultdict(Counter)
    priorities: dict[int, Priority] = {}
    for row in rows:
        priorities[row.action.priority_id] = row.action.priority
        by_priority[row.action.priority_id][row.status] += 1
    return [
        PriorityCounts(
            priority,
            [(s, status_label(s), by_priority[pk][s]) for s in SCALE],
            sum(by_priority[pk].values()),
        )
        for pk, priority in sorted(priorities.items(), key=lambda item: item[1].order)
    ]


def dashboard_options(*, partnership: Partnership, strategy: Strategy) -> dict:
    return {
        "priorities": list(
            strategy.priorities.filter(retired_at__isnull=True).values_list("code", "title")
        ),
        "workstreams": list(
            scoped(PartnershipBody.objects.all(), partnership)
            .filter(priorities__strategy=strategy)
            .distinct()
            .values_list("pk", "name")
        ),
        "organisations": list(
            scoped(Organisation.objects.all(), partnership)
            .filter(led_actions__action__strategy=strategy)
            .distinct()
            .order_by("name")
            .values_list("pk", "name")
        ),
    }


# --- What changed since the last board ------------------------------------------


@dataclass
class Change:
    update: ProgressUpdate
    before: str

    @property
    def before_label(self) -> str:
        return status_label(self.before)


def last_board(*, partnership: Partnership, today: date) -> BodyMeeting | None:
    """The meeting "what changed" starts from unless a date is typed: the last one held by
    the partnership's strategic board (vawg.core.meetings)."""
    return last_board_meeting(partnership, today)


def changes_since(*, partnership: Partnership, strategy: Strategy, since: date) -> list[Change]:
    """Updates approved on or after `since`, each with the action's approved status
    before it (from the latest earlier period), so the board sees what moved."""
    earlier = ProgressUpdate.objects.filter(
        action=OuterRef("action"),
        state=UpdateState.APPROVED,
        period__start__lt=OuterRef("period__start"),
    ).order_by("-period__start")
    start = timezone.make_aware(datetime.combine(since, time.min))
    updates = (
        scoped(ProgressUpdate.objects.all(), partnership)
        .filter(action__strategy=strategy, state=UpdateState.APPROVED, reviewed_at__gte=start)
        .annotate(before=Subquery(earlier.values("status")[:1]))
        .select_related("action", "action__priority", "period")
        .order_by("action__priority__order", "action__order", "period__start")
    )
    return [Change(u, u.before or NO_UPDATE) for u in updates]


# --- The published plan --------------------------------------------------------


def strategy_for(*, partnership: Partnership, slug: str) -> Strategy:
    return get_scoped_or_404(Strategy.objects.all(), partnership, slug=slug)


def strategies_for(*, partnership: Partnership) -> list[Strategy]:
    return list(scoped(Strategy.objects.all(), partnership).order_by("-start_year", "title"))


def published_plan(*, partnership: Partnership) -> list[tuple[Strategy, list[Priority]]]:
    """The live plan, each action carrying `published` (its latest approved update, or None).
    Only approved updates reach it; commentary only where staff marked it public."""
    latest_id = Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"), state=UpdateState.APPROVED)
        .order_by("-period__start")
        .values("pk")[:1]
    )
    actions = (
        Action.objects.live()
        .annotate(published_id=latest_id)
        .prefetch_related(
            "measures",
            Prefetch("leads", queryset=ActionLead.objects.select_related("organisation", "body")),
        )
        .order_by("order")
    )
    priorities = (
        Priority.objects.filter(retired_at__isnull=True)
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("order")
    )
    strategies = list(
        scoped(Strategy.objects.all(), partnership)
        .prefetch_related(Prefetch("priorities", queryset=priorities))
        .order_by("-start_year", "title")
    )
    shown = [a for s in strategies for p in s.priorities.all() for a in p.actions.all()]
    ids = [pk for a in shown if (pk := _published_id(a))]
    published = {
        u.pk: u
        for u in ProgressUpdate.objects.filter(pk__in=ids)
        .select_related("period")
        .only(
            "pk",
            "status",
            "commentary",
            "commentary_public",
            "period__label",
            "period__start",
            "reviewed_at",
            "next_milestone",
            "action_id",
        )
    }
    for a in shown:
        pk = _published_id(a)
        # For the page only: `published` is not a field of the model.
        a.published = published.get(pk) if pk else None  # type: ignore[attr-defined]
    return [(s, list(s.priorities.all())) for s in strategies]


def _published_id(action: Action) -> int | None:
    # Annotated on the prefetched actions by published_plan, which the model's type cannot know.
    return action.published_id  # type: ignore[attr-defined]


def status_counts(rows: list[ActionRow]) -> list[tuple[str, str, int]]:
    counts = Counter(r.status for r in rows)
    return [(s, status_label(s), counts[s]) for s in SCALE]


def import_file_for(*, partnership: Partnership, pk: int) -> ImportFile:
    return get_scoped_or_404(ImportFile.objects.select_related("strategy"), partnership, pk=pk)


# --- For the home page ------------------------------------------------------------


def approved_with_status(
    *, strategy: Strategy, period: ReportingPeriod, statuses: Collection[str]
) -> list[ProgressUpdate]:
    """The approved updates of `strategy`'s live actions for `period` whose status is one
    of `statuses`, in the plan's order: the board's exceptions for the round."""
    return list(
        ProgressUpdate.objects.filter(
            action__strategy=strategy,
            action__retired_at__isnull=True,
            period=period,
            state=UpdateState.APPROVED,
            status__in=list(statuses),
        )
        .select_related("action", "action__priority")
        .order_by("action__priority__order", "action__order")
    )


# --- For reports ----------------------------------------------------------------------


def latest_approved_updates(
    *, partnership: Partnership, strategy: Strategy, until: date
) -> dict[int, ProgressUpdate]:
    """Each live action's latest approved update for a period starting by `until`, by
    action id: the commentary a report quotes for why an action stands where it does."""
    updates = (
        scoped(ProgressUpdate.objects.all(), partnership)
        .filter(
            action__strategy=strategy,
            action__retired_at__isnull=True,
            state=UpdateState.APPROVED,
            period__start__lte=until,
        )
        .select_related("period")
        .order_by("action_id", "-period__start")
    )
    latest: dict[int, ProgressUpdate] = {}
    for update in updates:
        latest.setdefault(update.action_id, update)
    return latest


def strategy_on(*, partnership: Partnership, day: date) -> Strategy | None:
    """The partnership's plan running on `day` (the newest whose years hold it), else its
    newest plan."""
    strategies = strategies_for(partnership=partnership)
    # A plan's years name reporting years by the year they start in.
    start_month = partnership.reporting_year_start_month
    year = day.year if day.month >= start_month else day.year - 1
    running = [s for s in strategies if s.start_year <= year <= s.end_year]
    found = running or strategies
    return found[0] if found else None


# --- For the partner API ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionStanding:
    """A live action and its latest approved update (up to a period, where one is asked
    for); drafts, submitted and returned updates are never read."""

    action: Action
    latest: ProgressUpdate | None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest is not None else NO_UPDATE


def reporting_periods(*, partnership: Partnership) -> list[ReportingPeriod]:
    """All the partnership's reporting periods, oldest first."""
    return list(scoped(ReportingPeriod.objects.all(), partnership).order_by("start"))


def period_labelled(*, partnership: Partnership, label: str) -> ReportingPeriod:
    """The partnership's period with `label` (e.g. "2026/27 Q2"), else 404."""
    return get_scoped_or_404(ReportingPeriod.objects.order_by("start"), partnership, label=label)


def period_example(*, partnership: Partnership) -> str:
    """A quarter's label in the partnership's own style, to show how one is written."""
    found = (
        scoped(ReportingPeriod.objects.all(), partnership)
        .filter(label__contains=" Q")
        .order_by("-start")
        .values_list("label", flat=True)
        .first()
    )
    return found or "2026/27 Q3"


def last_finished_quarter(*, partnership: Partnership, today: date) -> ReportingPeriod | None:
    """The latest quarter that ended before `today`."""
    return (
        scoped(ReportingPeriod.objects.all(), partnership)
        .filter(label__contains=" Q", end__lt=today)
        .order_by("-start")
        .first()
    )


def _led_by(lead: str):
    """An action led by organisation id `lead`, or by a lead of that name (any case)."""
    if lead.isascii() and lead.isdigit() and len(lead) <= 18:
        return Exists(ActionLead.objects.filter(action=OuterRef("pk"), organisation_id=int(lead)))
    leads = ActionLead.objects.filter(action=OuterRef("pk"))
    return (
        Exists(leads.filter(organisation__name__iexact=lead))
        | Exists(leads.filter(body__name__iexact=lead))
        | Exists(leads.filter(name_as_written__iexact=lead))
    )


def action_standings(
    *,
    partnership: Partnership,
    strategy: str = "",
    priority: str = "",
    lead: str = "",
    status: str = "",
    period: ReportingPeriod | None = None,
) -> list[ActionStanding]:
    """The live actions matching the filters (strategy slug, priority code, lead, status),
    in the plan's order, each with its latest approved update for a period starting by
    `period`'s start (or ever): the status as it stood then. Three queries."""
    actions = _actions(partnership)
    if strategy:
        actions = actions.filter(strategy__slug=strategy)
    if priority:
        actions = actions.filter(priority__code=priority)
    if lead:
        actions = actions.filter(_led_by(lead))
    updates = ProgressUpdate.objects.filter(action=OuterRef("pk"), state=UpdateState.APPROVED)
    if period is not None:
        updates = updates.filter(period__start__lte=period.start)
    rows = list(
        actions.annotate(
            latest_id=Subquery(updates.order_by("-period__start").values("pk")[:1])
        ).order_by("strategy__start_year", "strategy_id", "priority__order", "order", "pk")
    )
    ids = [a.latest_id for a in rows if a.latest_id]
    latest = {
        u.pk: u
        for u in ProgressUpdate.objects.filter(
            pk__in=ids, state=UpdateState.APPROVED
        ).select_related("period")
    }
    found = [ActionStanding(a, latest.get(a.latest_id)) for a in rows]
    if status:
        found = [s for s in found if s.status == status]
    return found


@dataclass(frozen=True)
class ActionRecord:
    standing: ActionStanding
    history: list[ProgressUpdate]  # the approved updates, oldest period first


def action_record(*, partnership: Partnership, pk: int) -> ActionRecord:
    """Live action `pk` with its latest approved update and every approved update."""
    queryset = (
        Action.objects.live()
        .select_related("priority", "priority__workstream", "strategy")
        .prefetch_related(
            Prefetch("leads", queryset=ActionLead.objects.select_related("organisation", "body"))
        )
    )
    action = get_scoped_or_404(queryset, partnership, pk=pk)
    history = list(
        ProgressUpdate.objects.filter(action=action, state=UpdateState.APPROVED)
        .select_related("period")
        .order_by("period__start")
    )
    return ActionRecord(ActionStanding(action, history[-1] if history else None), history)


# --- Reporting periods --------------------------------------------------------


def periods_by_year(*, partnership: Partnership) -> list[tuple[str, list[ReportingPeriod]]]:
    """The partnership's quarters, grouped by reporting year, latest year first."""
    years: dict[date, list[ReportingPeriod]] = {}
    for period in partnership.reporting_periods.order_by("start"):
        years.setdefault(reporting_year_start(partnership, period.start), []).append(period)
    return [(year_label(start), years[start]) for start in sorted(years, reverse=True)]

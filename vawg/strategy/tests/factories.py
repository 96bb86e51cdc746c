"""Small factories for strategy tests: a plan with just the items a test needs."""

import itertools
from datetime import UTC, datetime

from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.core.testing import make_body, make_organisation
from vawg.strategy.models import (
    Action,
    ActionLead,
    ActionMeasure,
    GovernanceRole,
    MeasureOfSuccess,
    Objective,
    Principle,
    Priority,
    Quirk,
    Strategy,
)

_seq = itertools.count(1)
BOARD = "Strategic Partnership Board"


def make_strategy(partnership: Partnership, slug: str | None = None, **extra) -> Strategy:
    n = next(_seq)
    extra.setdefault("title", f"Ending Violence Against Women and Girls Strategy {n}")
    extra.setdefault("start_year", 2022)
    extra.setdefault("end_year", 2025)
    extra.setdefault("vision", "A borough where women and girls are safe and feel safe.")
    # On the platform from before the tests' dates, so every round of it is asked for.
    extra.setdefault("added_at", datetime(2020, 1, 1, tzinfo=UTC))
    return Strategy.objects.create(partnership=partnership, slug=slug or f"strategy-{n}", **extra)


def make_principle(strategy: Strategy, title: str = "Survivor-centred", **extra) -> Principle:
    extra.setdefault("order", next(_seq))
    extra.setdefault("text", "We listen to survivors first.")
    return Principle.objects.create(strategy=strategy, title=title, **extra)


def make_priority(strategy: Strategy, code: str | None = None, **extra) -> Priority:
    n = next(_seq)
    extra.setdefault("order", n)
    extra.setdefault("title", f"Priority {n}")
    extra.setdefault("aims", ["Educate young people about healthy relationships"])
    return Priority.objects.create(strategy=strategy, code=code or f"P{n}", **extra)


def make_objective(priority: Priority, text: str = "Raise awareness", **extra) -> Objective:
    extra.setdefault("order", next(_seq))
    extra.setdefault("kind", Objective.Kind.OBJECTIVE)
    return Objective.objects.create(priority=priority, text=text, **extra)


def make_action(
    priority: Priority,
    ref: str | None = None,
    *,
    measures: tuple[str, ...] = ("Survivors feel heard",),
    leads: tuple[Organisation | PartnershipBody | str, ...] = (),
    **extra,
) -> Action:
    """An action of `priority`; each lead is an organisation, a body, or a name not recognised."""
    n = next(_seq)
    extra.setdefault("order", n)
    extra.setdefault("activity", f"Activity number {n}")
    action = Action.objects.create(
        strategy=priority.strategy, priority=priority, ref=ref or f"{priority.code}.{n:02}", **extra
    )
    for order, text in enumerate(measures, start=1):
        ActionMeasure.objects.create(action=action, order=order, label=f"({order})", text=text)
    for order, lead in enumerate(leads, start=1):
        make_lead(action, lead, order=order)
    return action


def make_lead(action: Action, lead: Organisation | PartnershipBody | str, **extra) -> ActionLead:
    extra.setdefault("order", next(_seq))
    if isinstance(lead, Organisation):
        return ActionLead.objects.create(
            action=action, name_as_written=lead.name, organisation=lead, **extra
        )
    if isinstance(lead, PartnershipBody):
        return ActionLead.objects.create(
            action=action, name_as_written=lead.name, body=lead, **extra
        )
    return ActionLead.objects.create(action=action, name_as_written=lead, **extra)


def make_measure_of_success(strategy: Strategy, text: str | None = None, **extra):
    n = next(_seq)
    extra.setdefault("order", n)
    return MeasureOfSuccess.objects.create(
        strategy=strategy, text=text or f"Measure of success {n}", **extra
    )


def make_quirk(strategy: Strategy, code: str = Quirk.Code.OTHER, **extra) -> Quirk:
    extra.setdefault("detail", "Something in the source needs a look")
    return Quirk.objects.create(strategy=strategy, code=code, **extra)


def make_governance(strategy: Strategy, body: PartnershipBody, **extra) -> GovernanceRole:
    extra.setdefault("order", next(_seq))
    extra.setdefault("description", "Oversees delivery of the strategy.")
    return GovernanceRole.objects.create(strategy=strategy, body=body, **extra)


def make_plan(partnership: Partnership, *, actions: int = 3, slug: str = "vawg-2022-25"):
    """A strategy with one priority of `actions` actions, each with measures, leads and a quirk."""
    strategy = make_strategy(partnership, slug, title="Ending VAWG Strategy 2022–2025")
    make_principle(strategy)
    priority = make_priority(strategy, "AB", title="Changing attitudes and behaviours")
    make_objective(priority, "Educate")
    organisation = partnership.organisations.first() or make_organisation(partnership)
    board = PartnershipBody.objects.filter(
        partnership=partnership, name=BOARD
    ).first() or make_body(partnership, BOARD, kind=PartnershipBody.Kind.BOARD)
    make_governance(strategy, board)
    for _ in range(actions):
        action = make_action(
            priority,
            measures=("Fewer repeat referrals", "More disclosures"),
            leads=(organisation, board, "Somebody unheard of"),
        )
        make_quirk(strategy, Quirk.Code.NO_DELIVER_BY, action=action, detail="No date")
    make_measure_of_success(strategy, "% decrease in repeat offending", direction="decrease")
    return strategy

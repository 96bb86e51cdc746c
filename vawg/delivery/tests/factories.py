"""Small factories for delivery tests: a plan whose action a persona's organisation leads."""

from dataclasses import dataclass
from datetime import date

from vawg.accounts.models import Membership
from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.periods import periods_ensure_year
from vawg.core.permissions import Role
from vawg.delivery import services
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.strategy.models import Action, Strategy
from vawg.strategy.tests.factories import make_action, make_priority, make_strategy

TODAY = date(2025, 11, 20)  # inside 2025/26 Q3 (October to December)


@dataclass
class World:
    strategy: Strategy
    action: Action
    periods: list[ReportingPeriod]  # 2025/26 Q1..Q4
    lead: object
    chair: object
    admin: object

    @property
    def q2(self) -> ReportingPeriod:
        return self.periods[1]

    @property
    def q3(self) -> ReportingPeriod:
        return self.periods[2]


def membership(user, partnership: Partnership, role: str) -> Membership:
    return Membership.objects.get(user=user, partnership=partnership, role=role)


def make_world(partnership: Partnership, personas: dict, *, actions: int = 1) -> World:
    """A strategy with a priority in the chair's workstream, whose actions the action
    lead's organisation leads, and the four quarters of 2025/26."""
    lead = personas[Role.ACTION_LEAD.value]
    chair = personas[Role.WORKSTREAM_CHAIR.value]
    organisation = membership(lead, partnership, Role.ACTION_LEAD).organisation
    workstream = membership(chair, partnership, Role.WORKSTREAM_CHAIR).workstream
    strategy = make_strategy(partnership, "plan")
    priority = make_priority(strategy, "AB", title="Changing attitudes", workstream=workstream)
    made = [
        make_action(
            priority,
            measures=("Fewer repeat referrals", "More disclosures"),
            leads=(organisation,),
            deliver_by=date(2026, 3, 31),
        )
        for _ in range(actions)
    ]
    periods = periods_ensure_year(partnership=partnership, year_start=date(2025, 4, 1))
    return World(strategy, made[0], periods, lead, chair, personas[Role.PARTNERSHIP_ADMIN.value])


def post(
    world_or_action,
    period: ReportingPeriod,
    user,
    *,
    status: str = Status.ON_TRACK,
    submit: bool = True,
    version: int = 0,
    commentary: str = "Sessions delivered in four schools.",
    public: bool = False,
    today: date = TODAY,
) -> ProgressUpdate:
    action = getattr(world_or_action, "action", world_or_action)
    partnership = action.strategy.partnership
    return services.update_save(
        action=action,
        period=period,
        actor=user,
        standing=services.standing_for(user, partnership),
        data=services.UpdateInput(status=status, commentary=commentary, commentary_public=public),
        version=version,
        submit=submit,
        today=today,
    )


def approve(update: ProgressUpdate, user, *, comment: str = "") -> ProgressUpdate:
    update.refresh_from_db()
    return services.update_review(
        update=update,
        actor=user,
        standing=services.standing_for(user, update.action.strategy.partnership),
        decision=services.Decision.APPROVE,
        comment=comment,
        version=update.version,
    )


def approved(action: Action, period: ReportingPeriod, status: str, lead, chair, **extra):
    update = post(action, period, lead, status=status, **extra)
    update = approve(update, chair)
    assert update.state == UpdateState.APPROVED
    return update

"""What the plan operations answer with (vawg.api.plan)."""

from datetime import date
from enum import Enum

from ninja import Field, Schema

from vawg.api.respond import Paging
from vawg.delivery.selectors import Status

NO_UPDATE = "no_update"
NO_UPDATE_LABEL = "No approved update"

# An action's status: the scale an approved update reports on, or none approved yet.
ActionStatus = Enum(
    "ActionStatus", {value: value for value in [*Status.values, NO_UPDATE]}, type=str
)


def status_label(status: str) -> str:
    return Status(status).label if status in Status.values else NO_UPDATE_LABEL


# --- Strategies ------------------------------------------------------------------------


class StrategyOut(Schema):
    slug: str
    title: str
    start_year: int = Field(description="The first reporting year, by the year it starts in.")
    end_year: int = Field(description="The last reporting year, by the year it starts in.")
    lapsed: bool = Field(description="Whether the strategy's last reporting year has ended.")
    successor: str | None = Field(
        description="The slug of the partnership's latest plan starting after this one, if any."
    )
    priority_count: int = Field(description="Its live priorities.")
    action_count: int = Field(description="Its live actions.")


class PriorityOut(Schema):
    code: str
    title: str
    workstream: str | None = Field(description="The workstream that leads the priority.")


class StrategyDetailOut(StrategyOut):
    priorities: list[PriorityOut]


class StrategyPage(Paging):
    items: list[StrategyOut]


# --- Actions -----------------------------------------------------------------------------


class ActionLeadOut(Schema):
    name: str
    organisation_id: int | None = Field(
        description="The lead's organisation, where the lead is one (the `lead` filter takes it)."
    )


class ApprovedUpdateOut(Schema):
    """An approved progress update: no draft, submitted or returned update is ever shown."""

    period: str = Field(description="The reporting period's label, e.g. '2026/27 Q2'.")
    status: ActionStatus
    status_label: str
    commentary: str = Field(description="Why the action stands where it does.")
    next_milestone: str
    next_milestone_date: date | None


class ActionOut(Schema):
    id: int
    ref: str
    activity: str
    priority_code: str
    priority_title: str
    strategy: str = Field(description="The strategy's slug.")
    leads: list[ActionLeadOut]
    deliver_by: date | None
    status: ActionStatus = Field(
        description="The latest approved update's status (as at the period asked for), "
        "else 'no_update'."
    )
    status_label: str
    latest_update: ApprovedUpdateOut | None = Field(
        description="The latest approved update (as at the period asked for), if any."
    )


class ActionPage(Paging):
    as_at: str | None = Field(description="The period the statuses are as at, if one was asked.")
    items: list[ActionOut]


class ApprovedHistoryOut(Schema):
    period: str
    status: ActionStatus
    status_label: str
    commentary: str


class ActionDetailOut(ActionOut):
    history: list[ApprovedHistoryOut] = Field(
        description="Every approved update, oldest period first."
    )


# --- Periods and "you said, we did" ------------------------------------------------------


class ReportingPeriodOut(Schema):
    label: str
    start: date
    end: date
    update_deadline: date


class ReportingPeriodPage(Paging):
    items: list[ReportingPeriodOut]


class YouSaidWeDidOut(Schema):
    title: str
    you_said: str
    we_did: str


class YouSaidWeDidPage(Paging):
    items: list[YouSaidWeDidOut]

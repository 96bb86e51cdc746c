"""What the figures operations answer with (vawg.api.figures).

Every figure about people is one of two shapes, both as the board sees it (the
controlled level of vawg.core.disclosure), never the exact count:

- `FigureOut`, a count of people: `{"text": "35", "value": 35}`, or
  `{"text": "fewer than 5", "value": null}` when it is too small to show. Counts are
  rounded by their cell key, so a shown value is never below the threshold.
- `RateOut`, a figure worked from counts as shown (a percentage, a rate per 1,000
  residents): the same two fields and `per`, what it is a share of. It is hidden
  ("not shown", `value` null) whenever a count it is worked from is.

Figures about no one (MARAC meetings held, a measure's baseline and targets as the
partnership set them) are plain numbers.
"""

from datetime import date
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from vawg.api.respond import Paging
from vawg.core import disclosure

Number = int | float


def number(value: Decimal | int | float | None) -> Number | None:
    """A figure's value as JSON writes it: whole numbers as integers."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


class FigureOut(Schema):
    """A count of people as the board may see it: `value` is null when it is not shown."""

    text: str = Field(description='The figure in words: "35", or "fewer than 5" when hidden.')
    value: int | None = Field(description="The figure shown (rounded), or null when hidden.")

    @classmethod
    def of(cls, figure: disclosure.Figure, text: str | None = None) -> "FigureOut":
        shown = number(figure.value)
        return cls(text=text or figure.text, value=None if shown is None else int(shown))


class RateOut(Schema):
    """A figure worked from counts as shown: a percentage (`per` 100) or a rate per 1,000
    or 10,000; `value` is null, and `text` says why, when it cannot be shown."""

    text: str = Field(description='The figure in words: "12.5", "not shown", "no data".')
    value: Number | None = Field(description="The figure, or null when it is not shown.")
    per: int = Field(description="What it is out of: 100 for a percentage, 1000 per 1,000.")

    @classmethod
    def of(cls, figure: disclosure.Figure, per: int, text: str | None = None) -> "RateOut":
        return cls(text=text or figure.text, value=number(figure.value), per=per)


# --- Measures of success ---------------------------------------------------------------


class BaselineOut(Schema):
    value: Number = Field(description="The baseline as the partnership set it.")
    text: str
    period: str | None = Field(description="The reporting period the baseline is for.")


class TargetOut(Schema):
    year: int = Field(description="The first calendar year of the reporting year it is for.")
    kind: str = Field(description='"absolute" (a value) or "change" (a % change from baseline).')
    amount: Number
    upper: Number | None = Field(description="A range target's highest value.")


class LatestOut(Schema):
    figure: FigureOut | RateOut = Field(
        description="The value as shown: a FigureOut for a count, a RateOut for a rate."
    )
    period: str | None = Field(description='The reporting period it is for ("2026/27 Q2").')
    part_finished: bool = Field(
        description="The period is still under way: the figure so far, provisional."
    )


class StatusOut(Schema):
    code: str = Field(description="on_track, close, off_track or no_status.")
    label: str
    reason: str = Field(description="Why there is no status, when there is none.")


class MeasureOut(Schema):
    id: int
    name: str
    definition: str
    unit: str = Field(description="count, percentage, rate_per_1000 or rate_per_10000.")
    direction: str = Field(description='increase, decrease, range, or "" when not set.')
    direction_label: str
    owner: str | None = Field(description="The organisation that owns the measure.")
    baseline: BaselineOut | None
    targets: list[TargetOut]
    target_text: str = Field(description="The target that applies to the latest value, in words.")
    latest: LatestOut | None = Field(description="The latest value in the period asked for.")
    status: StatusOut


class MeasurePage(Paging):
    items: list[MeasureOut]


class MeasureValueOut(Schema):
    period: str
    period_end: date
    figure: FigureOut | RateOut
    part_finished: bool
    target_trajectory: Number | None = Field(
        description="Where the target trajectory puts the measure at the period's end."
    )


class MeasureDetailOut(MeasureOut):
    since_previous: str = Field(description="The change since the previous period, in words.")
    since_last_year: str = Field(description="The change since a year earlier, in words.")
    values: list[MeasureValueOut] = Field(description="Each period's value, oldest first.")


# --- Local insight ----------------------------------------------------------------------


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    incidents: FigureOut
    a_year_earlier: FigureOut
    part_finished: bool = Field(
        description="The month is still under way: its records are not all in."
    )


class WardOut(Schema):
    ward: str
    incidents: FigureOut
    per_1000_residents: RateOut


class StrandOut(Schema):
    strand: str = Field(description="The data standard's code for the VAWG strand.")
    label: str
    incidents: FigureOut
    repeat_incidents: FigureOut


class InsightSummaryOut(Schema):
    from_month: str = Field(description="The first month, YYYY-MM.")
    to_month: str = Field(description="The last month, YYYY-MM.")
    incidents: FigureOut = Field(description="Every incident in the months asked for.")
    refused: str | None = Field(
        description="Why nothing more is shown: too few incidents to show safely."
    )
    trend: str = Field(description="The trend in words, from the figures shown.")
    months: list[MonthOut]
    repeat_victimisation_rate: RateOut | None = Field(
        description="The share of incidents whose victim had an earlier one."
    )
    hotspots: str = Field(description="The wards with most incidents, in words.")
    wards: list[WardOut] = Field(description="Every ward, most incidents first.")
    strands: list[StrandOut]


# --- MARAC ------------------------------------------------------------------------------


class MaracFigureOut(Schema):
    key: str
    label: str
    unit: str = Field(description='"count", "%" or "per 10,000".')
    figure: FigureOut | RateOut = Field(description="This partnership's figure, as shown.")
    local_population: Number | None = Field(
        description="The group's share of the local population (%), where it is set."
    )
    national: Number | None = Field(description="SafeLives' national figure, in the same unit.")
    note: str


class MaracStatisticsOut(Schema):
    start: date
    end: date
    meetings_held: int = Field(description="MARAC meetings held from start to end.")
    figures: list[MaracFigureOut]
    national_source: str = Field(description="Where the national figures come from.")

"""What the API's writes take and answer (vawg.api.writes).

Text fields refuse the NUL character, as every form on the platform does: a database
cannot hold it, and no partner's system means to send it.
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, field_validator

PERIOD_HELP = 'A reporting period of the partnership, by its label: "2026/27 Q3".'
# As the progress-update and measure-value forms take them.
TEXT_MAX = 2000
NOTE_MAX = 2000
MAX_DIGITS, DECIMAL_PLACES = 14, 3


def _no_nul(value):
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


class _Text(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value):
        return _no_nul(value)


# --- Progress updates ------------------------------------------------------------------


class UpdateIn(_Text):
    period: str = Field(..., min_length=1, max_length=50, description=PERIOD_HELP)
    status: str = Field(
        ...,
        max_length=20,
        description="complete, on_track, at_risk, off_track or not_started.",
    )
    commentary: str = Field(
        "",
        description="What happened this period (5,000 characters at most); needed when at "
        "risk or off track. Never name or describe anyone who uses services.",
    )
    commentary_public: bool = Field(
        False, description="The commentary may appear on the published plan once approved."
    )
    next_milestone: str = Field("", max_length=TEXT_MAX)
    next_milestone_date: date | None = None


class UpdateOut(Schema):
    id: int = Field(description="The progress update's id.")
    action: int
    period: str
    state: str = Field(description='"submitted": awaiting the workstream chair\'s review.')
    status: str
    version: int
    submitted_at: datetime | None


# --- Measure values ----------------------------------------------------------------------


def _figure(what: str):
    return Field(
        None,
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        description=what,
    )


class ValueIn(_Text):
    period: str = Field(..., min_length=1, max_length=50, description=PERIOD_HELP)
    value: Decimal | None = _figure(
        "The value, in the measure's unit; for a rate or percentage it may be left out "
        "and worked out from the numerator and denominator."
    )
    numerator: Decimal | None = _figure("For a rate or percentage only: what is counted.")
    denominator: Decimal | None = _figure("For a rate or percentage only: out of what.")
    note: str = Field("", max_length=NOTE_MAX, description="Where the figure comes from.")


class ValueOut(Schema):
    measure: int
    period: str
    version: int = Field(description="1 for a first value; more for a correction.")
    changed: bool = Field(description="False when the period already had this value.")
    source: str


# --- Partner extracts ----------------------------------------------------------------------


class ImportIn(Schema):
    set_aside: bool = Field(
        False,
        description="Import the rows that passed and set the others aside (to download and "
        "correct on the web); otherwise nothing is stored unless every row passes.",
    )


class RowProblem(Schema):
    """One problem the check found: where, and why. Never the value itself."""

    row: int | None = Field(description="The row as a spreadsheet numbers it (headings: 1).")
    column: str
    reason: str


class NotInFile(Schema):
    field: str
    how: str


class CheckReport(Schema):
    rows: int = Field(description="Rows in the file, not counting the headings.")
    new: int
    updated: int
    unchanged: int
    rejected: int
    problems: list[RowProblem] = Field(description="The first problems, row by row.")
    problems_total: int
    likely_duplicates: int = Field(
        description="Rows that are probably records the partnership already holds."
    )
    encoding: str = Field(description='The codec a CSV was read in ("" for a spreadsheet).')
    encoding_shown: str
    separator: str = Field(
        description='What a CSV\'s cells were separated by: ",", ";", a tab or "|" ("" for a '
        "spreadsheet)."
    )
    heading_row: int = Field(
        description="The row the headings were read from: 1, unless a title stood above them."
    )
    columns_not_read: list[str]
    values_not_in_file: list[NotInFile]
    error: str = Field(description="What stopped the file being read, if anything.")


class ExtractOut(Schema):
    id: int
    filename: str
    source: str
    status: str = Field(
        description="uploaded, checking, checked, rejected, queued, running, imported, "
        "failed or discarded."
    )
    status_label: str
    uploaded_at: datetime
    imported_at: datetime | None
    set_aside: bool
    rows_set_aside: int
    report: CheckReport | None = Field(description="Once the check has finished.")
    next: str = Field(description="What to do next, in words.")

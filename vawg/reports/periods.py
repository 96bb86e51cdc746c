"""A report's period in the partnership's own words: "2025/26 Q3" or "2025/26".

Quarters and years are those of the partnership's reporting year (vawg.core.periods), so
"2025/26 Q1" is April to June 2025 for a year starting in April. A partnership whose
year is the calendar year writes "2025" and "2025 Q1".
"""

import re
from datetime import date, timedelta

from vawg.core.models import Partnership
from vawg.core.periods import add_months, reporting_year_start, year_label
from vawg.reports.spec import Period

QUARTER = "quarter"
YEAR = "year"

_LABEL = re.compile(r"^\s*(\d{4})(?:\s*/\s*(\d{2}))?(?:\s*Q\s*([1-4]))?\s*$", re.IGNORECASE)


class PeriodError(ValueError):
    """The text names no period of this partnership; the message says what is accepted."""


def year_period(partnership: Partnership, year_start: date) -> Period:
    end = add_months(year_start, 12) - timedelta(days=1)
    return Period(year_label(year_start), year_start, end)


def quarter_period(partnership: Partnership, year_start: date, quarter: int) -> Period:
    start = add_months(year_start, 3 * (quarter - 1))
    end = add_months(start, 3) - timedelta(days=1)
    return Period(f"{year_label(year_start)} Q{quarter}", start, end)


def _year_example(partnership: Partnership) -> str:
    return year_label(date(2025, partnership.reporting_year_start_month, 1))


def _example(partnership: Partnership) -> str:
    label = _year_example(partnership)
    return f"“{label} Q3” for a quarter or “{label}” for a year"


def parse_period(partnership: Partnership, text: str) -> Period:
    """The period `text` names for this partnership, or PeriodError saying why not."""
    match = _LABEL.match(text or "")
    if match is None:
        raise PeriodError(f"“{text}” is not a period. Write {_example(partnership)}.")
    first, second, quarter = match.groups()
    start_month = partnership.reporting_year_start_month
    year_start = date(int(first), start_month, 1)
    # A year that starts in January is written "2025"; any other as "2025/26".
    split = start_month != 1
    if split != (second is not None) or (
        second is not None and int(second) != (int(first) + 1) % 100
    ):
        raise PeriodError(
            f"“{text}” is not one of {partnership.name}'s reporting years. "
            f"Write {_example(partnership)}."
        )
    if quarter:
        return quarter_period(partnership, year_start, int(quarter))
    return year_period(partnership, year_start)


def last_completed_quarter(partnership: Partnership, today: date) -> Period:
    """The latest quarter that ended before `today`."""
    year_start = reporting_year_start(partnership, today)
    this_quarter = (today.month - year_start.month) % 12 // 3 + 1
    if this_quarter == 1:
        return quarter_period(partnership, add_months(year_start, -12), 4)
    return quarter_period(partnership, year_start, this_quarter - 1)


def last_completed_year(partnership: Partnership, today: date) -> Period:
    """The latest reporting year that ended before `today`."""
    return year_period(partnership, add_months(reporting_year_start(partnership, today), -12))


def default_period(partnership: Partnership, period_kind: str, today: date) -> Period:
    if period_kind == QUARTER:
        return last_completed_quarter(partnership, today)
    return last_completed_year(partnership, today)


def period_for(partnership: Partnership, text: str, period_kind: str, today: date) -> Period:
    """The period asked for (`text`, blank for the default), checked against the kind: a
    pack is for a quarter, the annual report and the return for a year."""
    if not (text or "").strip():
        return default_period(partnership, period_kind, today)
    period = parse_period(partnership, text)
    if period_kind == YEAR and period.is_quarter:
        raise PeriodError(
            f"This report is for a whole year, such as “{_year_example(partnership)}”."
        )
    if period_kind == QUARTER and not period.is_quarter:
        raise PeriodError(f"This report is for a quarter, such as “{period.label} Q3”.")
    return period


def recent_periods(partnership: Partnership, period_kind: str, today: date, count: int = 8):
    """The latest completed periods of this kind, newest first (the form's choices)."""
    period = default_period(partnership, period_kind, today)
    out = [period]
    while len(out) < count:
        period = (
            last_completed_quarter(partnership, period.start)
            if period_kind == QUARTER
            else last_completed_year(partnership, period.start)
        )
        out.append(period)
    return out

"""Reading the dates partners write: one parser for every import.

Partners' spreadsheets and case systems write a date UK day-first (31/03/2026,
31-03-2026, 1/4/2026) or in the ISO form (2026-03-31, 2026-3-1), sometimes with the
time after it (2026-03-31T09:30:00, 31/03/2026 09:30, as an Excel date-time cell is
read); the time is dropped. A two-digit year is refused rather than guessed at, and
so is a month-first date that is not also a real day-first one.
"""

import re
from datetime import date

# What an import says when a cell will not read as a date.
NOT_A_DATE = "This is not a date: write it as YYYY-MM-DD or DD/MM/YYYY."
ENTER_A_DATE = "Enter a date as DD/MM/YYYY or YYYY-MM-DD, for example 31/03/2026."

_DATE = re.compile(
    r"(?:(?P<iso_year>[0-9]{4})-(?P<iso_month>[0-9]{1,2})-(?P<iso_day>[0-9]{1,2})"
    r"|(?P<day>[0-9]{1,2})[/-](?P<month>[0-9]{1,2})[/-](?P<year>[0-9]{4}))"
    r"(?:[T ](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?)?",
    re.ASCII,
)


class DateError(ValueError):
    """The text is not a date an import accepts; the message says why, for a person."""


def parse_date(
    text: str, *, today: date | None = None, earliest: date | None = None
) -> date | None:
    """The date `text` names (None when it is blank). Raises DateError.

    With `today`, a later date is refused; with `earliest`, an earlier one (both with
    a message saying so)."""
    text = text.strip()
    if not text:
        return None
    found = None
    if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():
        # The insight standard's own form, millions of times a file: far quicker this way.
        try:
            found = date.fromisoformat(text)
        except ValueError:
            found = None
    if found is None:
        found = _parse(text)
    if today is not None and found > today:
        raise DateError(f"The date is in the future (after {today:%d/%m/%Y}).")
    if earliest is not None and found < earliest:
        shown = (
            str(earliest.year)
            if (earliest.month, earliest.day) == (1, 1)
            else f"{earliest:%d/%m/%Y}"
        )
        raise DateError(f"The date is before {shown}: check the year.")
    return found


def _parse(text: str) -> date:
    match = _DATE.fullmatch(text)
    if match is None:
        raise DateError(NOT_A_DATE)
    parts = match.groupdict()
    if parts["iso_year"]:
        year, month, day = parts["iso_year"], parts["iso_month"], parts["iso_day"]
    else:
        year, month, day = parts["year"], parts["month"], parts["day"]
    hour, minute, second = (int(parts[k] or 0) for k in ("hour", "minute", "second"))
    if hour > 23 or minute > 59 or second > 59:
        raise DateError(NOT_A_DATE)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DateError(NOT_A_DATE) from None

"""Reading the dates partners write: one parser for every import.

Partners' spreadsheets and case systems write a date UK day-first (31/03/2026,
31-03-2026, 1/4/2026), in the ISO form (2026-03-31, 2026-3-1) or with the month's name
(31 March 2026, 31-Mar-2026, as police systems export it), sometimes with the
time after it (2026-03-31T09:30:00, 31/03/2026 09:30, as an Excel date-time cell is
read); the time is dropped. A two-digit year is refused rather than guessed at, and
so is a month-first date that is not also a real day-first one.
"""

import re
from datetime import date

# The forms accepted, as every message about a date ends.
ACCEPTED = "write dates as YYYY-MM-DD or DD/MM/YYYY"
NOT_A_DATE = f"This is not a date: {ACCEPTED}."
ENTER_A_DATE = "Enter a date as DD/MM/YYYY or YYYY-MM-DD, for example 31/03/2026."
SHOWN_CHARS = 40  # of the text, in a message
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_DATE = re.compile(
    r"(?:(?P<iso_year>[0-9]{4})-(?P<iso_month>[0-9]{1,2})-(?P<iso_day>[0-9]{1,2})"
    r"|(?P<day>[0-9]{1,2})[/-](?P<month>[0-9]{1,2})[/-](?P<year>[0-9]{4}))"
    r"(?:[T ](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?)?",
    re.ASCII,
)


# "31 March 2026", "31-Mar-2026", "1 Sept 2026": the month's name or its first three letters.
_NAMED = re.compile(
    r"(?P<day>[0-9]{1,2})[ -](?P<name>[A-Za-z]{3,9})\.?[ -](?P<year>[0-9]{4})"
    r"(?:[T ](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.[0-9]{1,6})?)?)?",
    re.ASCII,
)
_MONTH_NAMES = {
    **{name.lower(): number for number, name in enumerate(_MONTHS, 1)},
    **{name[:3].lower(): number for number, name in enumerate(_MONTHS, 1)},
    "sept": 9,
}


class DateError(ValueError):
    """The text is not a date an import accepts; the message names the text, says why,
    and gives the forms accepted ("31/02/2024: February has no 31st day; write dates as
    YYYY-MM-DD or DD/MM/YYYY.")."""


def _refused(text: str, why: str) -> DateError:
    shown = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
    return DateError(f"{shown}: {why}; {ACCEPTED}.")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
        raise DateError(f"{text}: the date is in the future (after {today:%d/%m/%Y}).")
    if earliest is not None and found < earliest:
        shown = (
            str(earliest.year)
            if (earliest.month, earliest.day) == (1, 1)
            else f"{earliest:%d/%m/%Y}"
        )
        raise DateError(f"{text}: the date is before {shown}; check the year.")
    return found


_TWO_DIGIT_YEAR = re.compile(r"[0-9]{1,2}[/-][0-9]{1,2}[/-][0-9]{2}", re.ASCII)


def _parse(text: str) -> date:
    match = _DATE.fullmatch(text) or _NAMED.fullmatch(text)
    if match is None:
        if _TWO_DIGIT_YEAR.fullmatch(text):
            raise _refused(text, "the year needs all four digits")
        raise _refused(text, "not a date")
    parts = match.groupdict()
    if parts.get("name"):
        month_of = _MONTH_NAMES.get(parts["name"].lower())
        if month_of is None:
            # The part is not repeated: the whole text leads the message already, and a
            # message that holds no piece of the cell can leave where the cell may not.
            raise _refused(text, "the month is not named in English, in full or in 3 letters")
        year, month, day = parts["year"], str(month_of), parts["day"]
    elif parts["iso_year"]:
        year, month, day = parts["iso_year"], parts["iso_month"], parts["iso_day"]
    else:
        year, month, day = parts["year"], parts["month"], parts["day"]
    hour, minute, second = (int(parts[k] or 0) for k in ("hour", "minute", "second"))
    if hour > 23 or minute > 59 or second > 59:
        raise _refused(text, "the time after the date is not a time of day")
    year, month, day = int(year), int(month), int(day)
    if not 1 <= month <= 12:
        raise _refused(text, f"there is no month {month}")
    try:
        return date(year, month, day)
    except ValueError:
        if day == 0:
            raise _refused(text, "there is no day 0") from None
        if year == 0:
            raise _refused(text, "there is no year 0") from None
        name = _MONTHS[month - 1]
        if month == 2 and day == 29:  # a leap day, in a year that has none
            name = f"February {year}"
        raise _refused(text, f"{name} has no {_ordinal(day)} day") from None

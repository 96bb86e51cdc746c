"""Demo step: the strategic boards' meeting dates, past (entered as a list, as a lead would
from the minutes) and planned, relative to today. Idempotent: dates already there are kept."""

from datetime import date, timedelta

from vawg.core.meetings import meetings_of, strategic_board
from vawg.core.models import Partnership
from vawg.core.periods import add_months, reporting_year_start
from vawg.reports.meetings import meeting_save, meetings_add_dates

# A board meets some six weeks after each quarter ends, on a Tuesday: once the quarter's
# updates are in and approved.
WEEKS_AFTER_QUARTER = 6
TUESDAY = 1


def _tuesday_on_or_after(day: date) -> date:
    return day + timedelta(days=(TUESDAY - day.weekday()) % 7)


def board_dates(partnership: Partnership, today: date, *, back: int = 8, ahead: int = 2):
    """Meeting dates after each quarter: `back` held before today and `ahead` planned."""
    year_start = reporting_year_start(partnership, today)
    dates = []
    for quarter in range(-4 * 3, 8):
        quarter_end = add_months(year_start, 3 * (quarter + 1)) - timedelta(days=1)
        dates.append(_tuesday_on_or_after(quarter_end + timedelta(weeks=WEEKS_AFTER_QUARTER)))
    held = [d for d in dates if d <= today][-back:]
    planned = [d for d in dates if d > today][:ahead]
    return held, planned


def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.filter(slug__in=["wandsworth", "lambeth"]):
        board = strategic_board(partnership)
        if board is None:
            stdout.write(f"  {partnership.name}: no board to hold meetings\n")
            continue
        held, planned = board_dates(partnership, today)
        added = meetings_add_dates(body=board, dates=held, actor=None)
        existing = set(meetings_of(board).values_list("held_on", flat=True))
        for day in planned:
            if day not in existing:
                meeting_save(body=board, held_on=day, actor=None, title="Quarterly board meeting")
        stdout.write(
            f"  {partnership.name}: {board.name}, {len(added.added)} past meeting dates added, "
            f"{len(planned)} planned\n"
        )

"""Demo step: the strategic boards' meeting dates, past (entered as a list, as a lead would
from the minutes) and planned, relative to today, and the pack the board read at its last
meeting, so a board member has one to open. Idempotent: dates and packs already there are
kept."""

from datetime import date, timedelta

from vawg.accounts.models import User
from vawg.core.meetings import meetings_of, strategic_board
from vawg.core.models import Partnership, PartnershipBody
from vawg.core.periods import add_months, reporting_year_start
from vawg.reports import selectors, services
from vawg.reports.meetings import meeting_save, meetings_add_dates
from vawg.reports.periods import last_completed_quarter

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


def last_pack(partnership: Partnership, board: PartnershipBody, held_on: date, today: date) -> str:
    """The PDF pack for the meeting held on `held_on`, asked for by the strategic lead and
    made at once as the worker makes it (the worker then finds it made). Its label, or ""
    when one was already kept."""
    period = last_completed_quarter(partnership, held_on)
    kept = selectors.requests_for(partnership=partnership).filter(
        kind="board-pack", body=board, period_label=period.label
    )
    if kept.exists():
        return ""
    lead = User.objects.filter(username=f"{partnership.slug}-admin").first()
    report = services.report_request(
        kind="board-pack",
        partnership=partnership,
        period_text=period.label,
        fmt="pdf",
        actor=lead,
        today=today,
        body=board,
    )
    services.report_make(report_id=report.pk)
    return period.label


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
        if held and (label := last_pack(partnership, board, held[-1], today)):
            stdout.write(f"  {partnership.name}: the board pack for {label} made\n")

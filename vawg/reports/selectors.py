"""Reads for the reports pages: the requests made, the bodies' meetings, the next board."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.meetings import next_planned, strategic_board
from vawg.core.models import BodyMeeting, Partnership, PartnershipBody, Region
from vawg.reports.models import ReportRequest
from vawg.reports.periods import last_completed_quarter
from vawg.reports.spec import Period


def _own() -> QuerySet[ReportRequest]:
    """A partnership's own reports: a return the regional officer asked for is the region's."""
    return ReportRequest.objects.filter(region__isnull=True)


def requests_for(*, partnership: Partnership) -> QuerySet[ReportRequest]:
    """The partnership's reports, newest first, without their files."""
    return scoped(_own(), partnership).select_related("requested_by", "body").defer("content")


def request_for(*, partnership: Partnership, pk: int) -> ReportRequest:
    return get_scoped_or_404(
        _own().select_related("requested_by", "body", "partnership"), partnership, pk=pk
    )


def region_requests(*, region: Region) -> QuerySet[ReportRequest]:
    """The returns the region's officers asked for, newest first, without their files."""
    return (
        ReportRequest.objects.filter(region=region)
        .select_related("requested_by", "partnership", "region")
        .defer("content")
    )


def region_request_for(*, region: Region, pk: int) -> ReportRequest:
    found = (
        ReportRequest.objects.filter(region=region, pk=pk)
        .select_related("requested_by", "partnership", "region")
        .first()
    )
    if found is None:
        raise Http404("No such return in this region")
    return found


@dataclass
class BodyMeetings:
    body: PartnershipBody
    held: list[BodyMeeting]
    planned: list[BodyMeeting]


def meetings_by_body(*, partnership: Partnership, today: date) -> list[BodyMeetings]:
    """Each body that has meetings, and the strategic board whether or not it has any:
    its held meetings latest first, its planned ones soonest first."""
    board = strategic_board(partnership)
    meetings = scoped(BodyMeeting.objects.select_related("body"), partnership)
    by_body: dict[int, BodyMeetings] = {}
    if board is not None:
        by_body[board.pk] = BodyMeetings(board, [], [])
    for meeting in meetings.order_by("body__order", "body__name", "held_on"):
        entry = by_body.setdefault(meeting.body_id, BodyMeetings(meeting.body, [], []))
        (entry.held if meeting.held_on <= today else entry.planned).append(meeting)
    for entry in by_body.values():
        entry.held.reverse()
    return list(by_body.values())


def meeting_for(*, partnership: Partnership, pk: int) -> BodyMeeting:
    return get_scoped_or_404(BodyMeeting.objects.select_related("body"), partnership, pk=pk)


@dataclass
class NextBoard:
    """The strategic board's next meeting, the quarter its pack covers, and the latest
    pack made for that quarter (None: not made yet)."""

    body: PartnershipBody
    meeting: BodyMeeting | None
    period: Period | None
    pack: ReportRequest | None


def next_board(*, partnership: Partnership, today: date) -> NextBoard | None:
    board = strategic_board(partnership)
    if board is None:
        return None
    meeting = (
        next_planned(board, today) or BodyMeeting.objects.filter(body=board, held_on=today).first()
    )
    if meeting is None:
        return NextBoard(board, None, None, None)
    # A pack reports the last quarter completed before the meeting.
    period = last_completed_quarter(partnership, meeting.held_on)
    pack = (
        requests_for(partnership=partnership)
        .filter(kind="board-pack", body=board, period_label=period.label)
        .first()
    )
    return NextBoard(board, meeting, period, pack)


def latest_board_pack(*, partnership: Partnership) -> ReportRequest | None:
    """The newest finished board pack written for the board (the PDF where the same
    quarter was made in both formats): what a board member opens before a meeting."""
    return (
        requests_for(partnership=partnership)
        .filter(kind="board-pack", reader="board", status=ReportRequest.Status.DONE)
        .order_by("-period_end", "-fmt", "-finished_at")
        .first()
    )

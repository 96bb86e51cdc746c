"""Which body is the partnership's board, and its last and next meetings."""

from datetime import date

import pytest

from vawg.core import meetings
from vawg.core.models import BodyMeeting, PartnershipBody
from vawg.core.testing import make_body

pytestmark = pytest.mark.django_db


def test_the_board_is_a_board_before_a_delivery_group(partnership, other_partnership):
    make_body(partnership, "Delivery Group", kind=PartnershipBody.Kind.DELIVERY_GROUP)
    board = make_body(partnership, "Strategic Board", kind=PartnershipBody.Kind.BOARD, order=9)
    assert meetings.strategic_board(partnership) == board
    # Lambeth's plan names no board: the group that monitors the plan is its board.
    group = make_body(other_partnership, "Delivery Group", kind=PartnershipBody.Kind.DELIVERY_GROUP)
    make_body(other_partnership, "Survivors Forum", kind=PartnershipBody.Kind.FORUM)
    assert meetings.strategic_board(other_partnership) == group


def test_a_partnership_with_no_board_has_none(partnership):
    make_body(partnership, "Workstream", kind=PartnershipBody.Kind.WORKSTREAM)
    assert meetings.strategic_board(partnership) is None
    assert meetings.last_board_meeting(partnership, date(2026, 1, 1)) is None


def test_the_last_meeting_is_the_latest_held_on_or_before_the_day(partnership, other_partnership):
    board = make_body(partnership, "Board", kind=PartnershipBody.Kind.BOARD)
    for day in (date(2025, 9, 2), date(2025, 12, 9), date(2026, 3, 10)):
        BodyMeeting.objects.create(body=board, held_on=day)
    # Another partnership's later meeting is not this board's.
    theirs = make_body(other_partnership, "Board", kind=PartnershipBody.Kind.BOARD)
    BodyMeeting.objects.create(body=theirs, held_on=date(2026, 1, 5))

    last = meetings.last_board_meeting(partnership, date(2026, 2, 1))
    assert last.held_on == date(2025, 12, 9)
    assert meetings.last_board_meeting(partnership, date(2026, 3, 10)).held_on == date(2026, 3, 10)
    assert meetings.next_planned(board, date(2026, 2, 1)).held_on == date(2026, 3, 10)
    assert meetings.next_planned(board, date(2026, 3, 10)) is None


def test_a_body_is_named_on_the_command_line_by_its_slugified_name(partnership):
    board = make_body(partnership, "VAWG Strategic Partnership Board", kind="board")
    assert meetings.body_slug(board) == "vawg-strategic-partnership-board"
    assert meetings.body_by_slug(partnership, "vawg-strategic-partnership-board") == board
    assert meetings.body_by_slug(partnership, "no-such-body") is None

"""Staff keep the boards' meeting dates: one at a time, or past dates as a list; audited."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.core.models import BodyMeeting, PartnershipBody
from vawg.core.permissions import Role
from vawg.core.testing import make_body
from vawg.reports import meetings
from vawg.reports.demo import board_dates
from vawg.reports.models import ReportRequest
from vawg.reports.tests.factories import make_board, make_meeting

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def test_the_admin_adds_a_meeting(client_for, partnership, personas):
    board = make_board(partnership)
    client = client_for(personas[Role.PARTNERSHIP_ADMIN])
    response = client.post(
        _url("meetings"),
        {
            "body": board.pk,
            "held_on_0": "10",
            "held_on_1": "3",
            "held_on_2": "2027",
            "title": "Q3 board",
        },
    )
    assert response.status_code == 302
    meeting = BodyMeeting.objects.get()
    assert (meeting.body, meeting.held_on, meeting.title) == (board, date(2027, 3, 10), "Q3 board")
    assert AuditEvent.objects.filter(action="create", object_id=str(meeting.pk)).exists()
    page = client.get(_url("meetings")).content.decode()
    assert "10 March 2027" in page


def test_two_meetings_of_a_body_on_one_day_are_refused(client_for, partnership, personas):
    board = make_board(partnership)
    make_meeting(board, date(2027, 3, 10))
    response = client_for(personas[Role.PARTNERSHIP_ADMIN]).post(
        _url("meetings"),
        {"body": board.pk, "held_on_0": "10", "held_on_1": "3", "held_on_2": "2027"},
    )
    assert response.status_code == 400
    assert "already has a meeting on 10 March 2027" in response.content.decode()
    assert BodyMeeting.objects.count() == 1


def test_another_partnerships_body_cannot_be_chosen(
    client_for, partnership, other_partnership, personas
):
    theirs = make_board(other_partnership)
    response = client_for(personas[Role.PARTNERSHIP_ADMIN]).post(
        _url("meetings"),
        {"body": theirs.pk, "held_on_0": "10", "held_on_1": "3", "held_on_2": "2027"},
    )
    assert response.status_code == 400
    assert not BodyMeeting.objects.exists()


def test_a_meeting_is_changed_and_removed(client_for, partnership, personas):
    board = make_board(partnership)
    meeting = make_meeting(board, date(2026, 3, 10))
    client = client_for(personas[Role.PARTNERSHIP_ADMIN])
    response = client.post(
        _url("meeting-edit", pk=meeting.pk),
        {"body": board.pk, "held_on_0": "17", "held_on_1": "3", "held_on_2": "2026"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.held_on == date(2026, 3, 17)
    client.post(_url("meeting-delete", pk=meeting.pk))
    assert not BodyMeeting.objects.exists()
    assert AuditEvent.objects.filter(action="delete").count() == 1


def test_another_partnerships_meeting_is_not_found(client_for, other_partnership, personas):
    theirs = make_meeting(make_board(other_partnership))
    client = client_for(personas[Role.PARTNERSHIP_ADMIN])
    assert client.get(_url("meeting-edit", pk=theirs.pk)).status_code == 404
    assert client.post(_url("meeting-delete", pk=theirs.pk)).status_code == 404
    assert BodyMeeting.objects.filter(pk=theirs.pk).exists()


def test_past_dates_are_entered_as_a_list_and_a_second_time_adds_nothing(
    client_for, partnership, personas
):
    board = make_board(partnership)
    client = client_for(personas[Role.PARTNERSHIP_ADMIN])
    data = {"body": board.pk, "dates": "12/03/2025\n 2025-06-10 \n\n9 September 2025\n"}
    assert client.post(_url("meeting-dates"), data).status_code == 302
    assert list(BodyMeeting.objects.values_list("held_on", flat=True)) == [
        date(2025, 3, 12),
        date(2025, 6, 10),
        date(2025, 9, 9),
    ]
    client.post(_url("meeting-dates"), data)
    assert BodyMeeting.objects.count() == 3


def test_a_list_with_a_line_that_is_not_a_date_adds_nothing_and_says_which(
    client_for, partnership, personas
):
    board = make_board(partnership)
    response = client_for(personas[Role.PARTNERSHIP_ADMIN]).post(
        _url("meeting-dates"), {"body": board.pk, "dates": "12/03/2025\n31/02/2025\nsoon"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    # Each line named with why, in the words of the one date reader.
    assert "line 2: 31/02/2025: February has no 31st day" in text
    assert "line 3: soon: not a date" in text
    assert not BodyMeeting.objects.exists()


def test_only_the_admin_keeps_meeting_dates(client_for, partnership, personas):
    make_board(partnership)
    for role in (Role.BOARD_MEMBER, Role.ANALYST, Role.ACTION_LEAD):
        assert client_for(personas[role]).get(_url("meetings")).status_code == 403


def test_the_demo_has_past_and_planned_quarterly_dates(partnership):
    held, planned = board_dates(partnership, date(2026, 12, 7))
    assert len(held) == 8 and len(planned) == 2
    assert all(day <= date(2026, 12, 7) for day in held)
    assert all(day > date(2026, 12, 7) for day in planned)
    assert all(day.weekday() == 1 for day in held + planned)  # Tuesdays


def test_the_demo_step_loads_meetings_for_both_partnerships(partnership, other_partnership):
    from io import StringIO

    from vawg.reports import demo

    make_body(partnership, "VAWG Strategic Partnership Board", kind=PartnershipBody.Kind.BOARD)
    make_body(other_partnership, "VAWG Strategy Delivery Group", kind="delivery_group")
    demo.load(today=date(2026, 12, 7), rng=None, stdout=StringIO())
    demo.load(today=date(2026, 12, 7), rng=None, stdout=StringIO())  # idempotent
    for p in (partnership, other_partnership):
        assert BodyMeeting.objects.filter(body__partnership=p).count() == 10
        # The pack the board read at its last meeting (10 November: 2026/27 Q2), made once.
        [pack] = ReportRequest.objects.filter(partnership=p, kind="board-pack")
        assert (pack.period_label, pack.fmt, pack.status) == ("2026/27 Q2", "pdf", "done")
        assert bytes(pack.content).startswith(b"%PDF")


def test_meeting_save_refuses_to_move_a_meeting_to_another_body(partnership, personas):
    board = make_board(partnership)
    other = make_body(partnership, "Forum", kind=PartnershipBody.Kind.FORUM)
    meeting = make_meeting(board)
    with pytest.raises(Exception, match="its own body"):
        meetings.meeting_save(body=other, held_on=meeting.held_on, actor=None, meeting=meeting)

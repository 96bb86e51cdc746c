"""The strategic lead's home page says when the board next meets and whether its pack is made."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.reports.tests.factories import make_board, make_meeting, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: date(2026, 12, 7))


def _home(client):
    return client.get(reverse("core:partnership-home", kwargs={"partnership": "wandsworth"}))


def test_it_shows_the_next_meeting_and_that_the_pack_is_not_made(
    client_for, partnership, personas, today
):
    make_meeting(make_board(partnership), date(2026, 12, 15))
    text = _home(client_for(personas[Role.PARTNERSHIP_ADMIN])).content.decode()
    # A meeting in December reports the quarter to September: 2026/27 Q2.
    assert "Next VAWG Strategic Board meeting: 15 December 2026" in text
    assert "Board pack for 2026/27 Q2: not made yet" in text


def test_it_says_when_the_pack_is_ready(client_for, partnership, personas, today):
    board = make_board(partnership)
    make_meeting(board, date(2026, 12, 15))
    make_report(
        partnership, personas[Role.PARTNERSHIP_ADMIN], body=board, period_label="2026/27 Q2"
    )
    text = _home(client_for(personas[Role.PARTNERSHIP_ADMIN])).content.decode()
    assert "Board pack for 2026/27 Q2: ready" in text


def test_a_quarter_still_under_way_is_not_asked_for_yet(client_for, partnership, personas, today):
    make_meeting(make_board(partnership), date(2027, 2, 9))
    text = _home(client_for(personas[Role.PARTNERSHIP_ADMIN])).content.decode()
    assert "Next VAWG Strategic Board meeting: 9 February 2027" in text
    assert "covers 2026/27 Q3, which can be made once the quarter ends on 31 December 2026" in text


def test_it_is_the_strategic_leads_alone(client_for, partnership, personas, today):
    make_meeting(make_board(partnership), date(2027, 2, 9))
    text = _home(client_for(personas[Role.ANALYST])).content.decode()
    assert "Next VAWG Strategic Board meeting" not in text


def test_a_board_member_is_shown_the_latest_pack_to_read(client_for, partnership, personas, today):
    board = make_board(partnership)
    admin = personas[Role.PARTNERSHIP_ADMIN]
    member = client_for(personas[Role.BOARD_MEMBER])
    assert "No board pack has been made yet" in _home(member).content.decode()

    made = datetime(2026, 11, 2, 9, tzinfo=UTC)
    make_report(partnership, admin, body=board, finished_at=made)
    newest = make_report(
        partnership,
        admin,
        body=board,
        period_label="2026/27 Q2",
        period_end=date(2026, 9, 30),
        finished_at=made,
    )
    make_report(  # the same quarter in Word: the PDF is the one linked
        partnership,
        admin,
        body=board,
        period_label="2026/27 Q2",
        period_end=date(2026, 9, 30),
        fmt="docx",
        finished_at=made,
    )
    make_report(  # a quarter still being made is not yet there to read
        partnership,
        admin,
        body=board,
        period_label="2026/27 Q3",
        period_end=date(2026, 12, 31),
        status="running",
        content=None,
    )
    text = _home(member).content.decode()
    assert "Board pack for 2026/27 Q2 (VAWG Strategic Board), made 2 November 2026" in text
    detail = reverse("reports:detail", kwargs={"partnership": "wandsworth", "pk": newest.pk})
    assert f'href="{detail}"' in text
    # The strategic lead has the next meeting's item instead.
    assert "Board pack for 2026/27 Q2 (VAWG" not in _home(client_for(admin)).content.decode()

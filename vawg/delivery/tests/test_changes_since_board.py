""" "What changed since the last board" starts from the board's last meeting, untyped."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.core.models import BodyMeeting, PartnershipBody
from vawg.core.permissions import Role
from vawg.core.testing import make_body
from vawg.strategy.models import Strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy(partnership):
    return Strategy.objects.create(
        partnership=partnership, title="Test strategy", slug="test", start_year=2025, end_year=2028
    )


def _page(client, strategy, query=None):
    url = reverse(
        "delivery:changes", kwargs={"partnership": "wandsworth", "strategy": strategy.slug}
    )
    return client.get(url, query or {})


def test_it_starts_from_the_last_meeting_of_the_board(
    client_for, personas, partnership, strategy, monkeypatch
):
    board = make_body(partnership, "Strategic Board", kind=PartnershipBody.Kind.BOARD)
    BodyMeeting.objects.create(body=board, held_on=date(2026, 9, 8))
    BodyMeeting.objects.create(body=board, held_on=date(2026, 6, 9))
    BodyMeeting.objects.create(body=board, held_on=date(2027, 1, 12))  # planned: not yet held
    monkeypatch.setattr("vawg.delivery.views._today", lambda: date(2026, 12, 7))

    page = _page(client_for(personas[Role.BOARD_MEMBER]), strategy)

    assert page.status_code == 200
    assert page.context["form"].cleaned_data["since"] == date(2026, 9, 8)
    text = page.content.decode()
    assert "From the last meeting of the Strategic Board, held on 8 September 2026" in text
    assert "approved since 8 September 2026" in text


def test_a_typed_date_wins(client_for, personas, partnership, strategy):
    board = make_body(partnership, "Strategic Board", kind=PartnershipBody.Kind.BOARD)
    BodyMeeting.objects.create(body=board, held_on=date(2026, 9, 8))
    page = _page(
        client_for(personas[Role.BOARD_MEMBER]),
        strategy,
        {"since_0": "1", "since_1": "4", "since_2": "2026"},
    )
    assert page.context["form"].cleaned_data["since"] == date(2026, 4, 1)


def test_with_no_meeting_recorded_it_asks_for_the_date(client_for, personas, strategy):
    page = _page(client_for(personas[Role.BOARD_MEMBER]), strategy)
    assert page.status_code == 200
    assert page.context["changes"] is None
    assert "No meeting of the partnership's board has been recorded yet" in page.content.decode()

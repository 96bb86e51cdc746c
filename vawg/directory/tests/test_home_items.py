"""The admin's home page counts the support directory's listings past their review date."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.directory.tests.factories import make_service

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 10)
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)


def test_the_admin_sees_a_stale_listing_until_it_is_reviewed(partnership, personas, client_for):
    stale = make_service(partnership, review_due=TODAY - timedelta(days=1))
    make_service(partnership, review_due=TODAY + timedelta(days=30))
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert "1 support directory listing past review" in shown
    listings = reverse("directory:listing-list", kwargs={"partnership": "wandsworth"})
    assert f'href="{listings}?status=stale"' in shown
    stale.review_due = TODAY + timedelta(days=365)
    stale.save()
    shown = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(HOME).content.decode()
    assert "past review" not in shown


def test_only_the_admin_sees_it(partnership, personas, client_for):
    make_service(partnership, review_due=TODAY - timedelta(days=1))
    for role in (Role.BOARD_MEMBER, Role.ACTION_LEAD, Role.ANALYST):
        assert "past review" not in client_for(personas[role]).get(HOME).content.decode()


def test_another_partnerships_listings_never_count(partnership, personas, client_for):
    make_service(partnership, review_due=TODAY - timedelta(days=1))
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    assert "past review" not in client_for(personas["outsider"]).get(home).content.decode()

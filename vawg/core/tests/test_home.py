"""The partnership home page: the items each app contributes, as the viewer's roles allow."""

import ast
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from vawg.core import home
from vawg.core.home import Group, HomeItem, Line, Shown, home_items
from vawg.core.permissions import Role

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 20)
URL = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)
    return TODAY


@pytest.fixture
def only(monkeypatch):
    """only(**items) makes the registry hold just these items for the test."""

    def use(**items: HomeItem) -> None:
        registry = home.Registry("test.home_items")
        for n, (key, item) in enumerate(items.items()):
            registry.register(key, item, order=n)
        monkeypatch.setattr(home, "home_items", registry)

    return use


def _says(text: str, count: int | None = None, **extra):
    return lambda request, today: Shown(text, "/somewhere/", count=count, **extra)


def test_the_apps_contribute_their_items():
    assert {
        "delivery.updates_due",
        "delivery.updates_returned",
        "delivery.reviews_waiting",
        "delivery.exceptions",
        "delivery.red_actions",
        "measures.off_track",
        "directory.stale",
        "learning.overdue",
        "insight.imports_waiting",
        "insight.freshness",
        "marac.next_meeting",
        "marac.not_listed",
        "marac.actions_overdue",
    } <= set(home_items.keys())


def test_the_home_page_imports_no_app():
    for module in ("home.py", "views.py"):
        tree = ast.parse((Path(home.__file__).parent / module).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert all(
            not name.startswith("vawg.") or name.startswith("vawg.core") for name in imported
        )


def test_it_shows_what_needs_attention_first_and_leaves_out_nothing_to_do(
    only, personas, client_for, today
):
    only(
        due=HomeItem(_says("3 updates due", 3), "delivery.update"),
        none=HomeItem(_says("0 updates returned", 0), "delivery.update"),
        soon=HomeItem(_says("Next meeting: 1 December"), "strategy.view", group=Group.GLANCE),
    )
    page = client_for(personas[Role.ACTION_LEAD]).get(URL).content.decode()
    assert "3 updates due" in page
    assert "0 updates returned" not in page
    assert "Nothing needs your attention" not in page
    assert page.index("Needs your attention") < page.index("3 updates due")
    assert page.index("3 updates due") < page.index("Next meeting: 1 December")


def test_it_says_so_when_nothing_needs_attention(only, personas, client_for, today):
    only(none=HomeItem(_says("0 updates returned", 0), "delivery.update"))
    page = client_for(personas[Role.ACTION_LEAD]).get(URL).content.decode()
    assert "Nothing needs your attention" in page
    assert "0 updates returned" not in page


def test_an_item_needs_its_permission_and_its_roles(only, personas, client_for, today):
    only(
        managed=HomeItem(_says("Listings past review", 2), "directory.manage"),
        board=HomeItem(
            _says("Red actions", 1), "strategy.view", roles=frozenset({Role.BOARD_MEMBER})
        ),
    )
    admin = client_for(personas[Role.PARTNERSHIP_ADMIN]).get(URL).content.decode()
    assert "Listings past review" in admin
    assert "Red actions" not in admin
    board = client_for(personas[Role.BOARD_MEMBER]).get(URL).content.decode()
    assert "Red actions" in board
    assert "Listings past review" not in board


def test_an_item_is_read_only_for_a_viewer_who_may_see_it(only, personas, client_for, today):
    def refuse(request, today):
        raise AssertionError("read for a viewer without the permission")

    only(managed=HomeItem(refuse, "directory.manage"))
    assert client_for(personas[Role.PRACTITIONER]).get(URL).status_code == 200


def test_a_short_list_shows_its_lines_and_how_many_more(only, personas, client_for, today):
    lines = (Line("A1 Train teachers", "/a1/", note="Funding fell through."),)
    only(red=HomeItem(_says("2 actions off track", 2, lines=lines, more=1), "strategy.view"))
    page = client_for(personas[Role.BOARD_MEMBER]).get(URL).content.decode()
    assert 'href="/a1/"' in page
    assert "Funding fell through." in page
    assert "and 1 more" in page


def test_plural():
    assert home.plural(1, "update", "updates") == "1 update"
    assert home.plural(0, "update", "updates") == "0 updates"

"""List pages cost the same number of queries at any size."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.voice.tests.factories import make_plan_action, make_session, make_theme


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "public"),
    [("voice:theme-list", False), ("voice:session-list", False), ("voice:you-said-we-did", True)],
)
def test_list_pages_do_not_grow_with_their_rows(name, public, partnership, personas, client_for):
    client = Client() if public else client_for(personas["partnership_admin"])
    url = reverse(name, kwargs={"partnership": partnership.slug})
    action = make_plan_action(partnership)
    sizes = []
    for count in (2, 12):
        while partnership.themes.count() < count:
            theme = make_theme(partnership, you_said="Said", we_did="Did", published=True)
            theme.actions.add(action)
            theme.priorities.add(action.priority)
            make_session(partnership).themes.add(theme)
        sizes.append(_queries(client, url))
    assert sizes[0] == sizes[1], sizes

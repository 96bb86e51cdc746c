"""The dashboard builds action links from the action search address; this pins that shape."""

from django.urls import reverse


def test_an_action_s_page_is_the_action_search_address_plus_its_id():
    search = reverse("strategy:action-search", kwargs={"partnership": "p"})
    detail = reverse("strategy:action-detail", kwargs={"partnership": "p", "pk": 42})
    assert detail == f"{search}42/"

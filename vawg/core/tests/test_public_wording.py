"""Every page someone can reach without signing in, error pages included, uses the neutral
name the survivor pages use: read over a shoulder or on a shared screen, none of them says
what the partnership works on. Staff who have signed in still see the service's full name."""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from vawg.core import views

PUBLIC = [
    reverse("core:home"),
    reverse("core:accessibility"),
    reverse("core:privacy"),
    reverse("accounts:sign-in"),
    reverse("directory:finder"),
    reverse("directory:questions"),
    reverse("directory:covering-tracks"),
    reverse("voice:feedback-form", kwargs={"partnership": "wandsworth"}),
    reverse("voice:you-said-we-did", kwargs={"partnership": "wandsworth"}),
    "/no-such-page/",
]


def _header(html: str) -> str:
    return re.search(r"<header.*?</header>", html, re.S).group(0)


@pytest.mark.parametrize("url", PUBLIC)
def test_a_public_page_never_says_vawg(client, partnership, url):
    response = client.get(url)
    html = response.content.decode()

    assert response.status_code in (200, 404)
    assert "VAWG" not in html
    assert "Partnership Platform" in _header(html)


def test_the_finders_results_never_say_vawg(client, partnership):
    response = client.post(reverse("directory:questions"), {"where": "wandsworth"})

    assert "VAWG" not in response.content.decode()


@pytest.mark.parametrize("handler", ["bad_request", "permission_denied", "page_not_found"])
def test_an_error_page_never_says_vawg(db, handler):
    request = RequestFactory().get("/somewhere/")
    request.csp_nonce = "n"
    html = getattr(views, handler)(request).content.decode()

    assert "VAWG" not in html
    assert "Partnership Platform" in _header(html)


def test_the_server_error_page_never_says_vawg(db):
    request = RequestFactory().get("/somewhere/")
    request.csp_nonce = "n"
    html = views.server_error(request).content.decode()

    assert "VAWG" not in html
    assert (
        "<title>Sorry, there is a problem with the service – Partnership Platform</title>" in html
    )


def test_signed_in_staff_see_the_full_name(client_for, personas, partnership):
    html = (
        client_for(personas["partnership_admin"])
        .get(reverse("core:partnership-home", kwargs={"partnership": partnership.slug}))
        .content.decode()
    )

    assert "VAWG Partnership Platform" in _header(html)


def test_a_404_for_a_stranger_uses_the_neutral_name(db):
    html = Client().get("/p/nowhere/").content.decode()

    assert "VAWG" not in html

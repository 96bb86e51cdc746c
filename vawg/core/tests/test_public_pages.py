"""The public pages: read by residents and survivors, so they must be safe to visit.

Safe means: the "Exit this page" control, no cookies, nothing loaded from or
leaked to another site, and a title that does not give the visit away.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse

PUBLIC_PAGES = ["core:home", "core:accessibility", "core:privacy"]

# Sources a Content-Security-Policy may name without naming another site.
FIRST_PARTY_SOURCES = re.compile(r"^('self'|'none'|'nonce-[A-Za-z0-9+/=_-]+'|data:)$")


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "the page has no <title>"
    return match.group(1)


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_it_shows_the_page_to_an_anonymous_visitor(client, db, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert "<h1" in response.content.decode()


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_it_carries_the_exit_this_page_control(client, db, url_name):
    html = client.get(reverse(url_name)).content.decode()

    assert 'data-module="govuk-exit-this-page"' in html
    button = re.search(r'<a href="([^"]+)"[^>]*govuk-exit-this-page__button[^>]*>', html)
    assert button, "no Exit this page button"
    assert button.group(1) == reverse("core:leave")
    assert 'rel="nofollow noreferrer"' in button.group(0)
    assert '<span class="govuk-visually-hidden">Emergency</span> Exit this page' in html


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_it_sets_no_cookies(client, db, url_name):
    response = client.get(reverse(url_name))

    assert dict(response.cookies) == {}
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_it_tells_no_other_site_where_the_visitor_was(client, db, url_name):
    response = client.get(reverse(url_name))

    # "same-origin": no Referer to any other site (the browser tests check the
    # neutral site gets none). Not "no-referrer", under which browsers send
    # "Origin: null" with form posts and Django's CSRF check refuses them all.
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = response.headers["Content-Security-Policy"]
    sources = [
        source
        for directive in policy.split(";")
        if directive.strip()
        for source in directive.split()[1:]
    ]
    assert sources, policy
    assert [s for s in sources if not FIRST_PARTY_SOURCES.match(s)] == []
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_it_keeps_the_topic_out_of_the_title(client, db, url_name):
    # The title is what shows in browser history and on the tab.
    title = _title(client.get(reverse(url_name)).content.decode()).lower()

    for word in ("vawg", "violence", "abuse", "domestic"):
        assert word not in title


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_it_refuses_a_post(client, db, url_name):
    assert client.post(reverse(url_name)).status_code == 405


@pytest.mark.parametrize("url_name", ["core:accessibility", "core:privacy"])
def test_it_shows_the_statements_to_signed_in_staff_too(client_for, personas, url_name):
    response = client_for(personas["action_lead"]).get(reverse(url_name))

    assert response.status_code == 200
    assert "govuk-exit-this-page" in response.content.decode()


def test_it_sends_signed_in_staff_from_the_front_page_to_their_partnership(
    client_for, personas, partnership
):
    response = client_for(personas["board_member"]).get(reverse("core:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "core:partnership-home", kwargs={"partnership": partnership.slug}
    )


def test_the_accessibility_statement_follows_the_model_statement(client, db):
    html = client.get(reverse("core:accessibility")).content.decode()

    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "How we tested this website",
        "Preparation of this accessibility statement",
    ):
        assert f">{heading}</h" in html
    assert "Web Content Accessibility Guidelines version 2.2" in html
    assert "Equality and Human Rights Commission (EHRC)" in html
    assert "Equality Advisory and Support Service (EASS)" in html
    assert "axe" in html


def test_the_privacy_notice_lists_the_only_cookies_set(client, db):
    html = client.get(reverse("core:privacy")).content.decode()

    assert ">Who is responsible for your information</h2>" in html
    assert ">Your rights</h2>" in html
    assert re.findall(r'<th scope="row" class="govuk-table__header">(\w+)</th>', html) == [
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
    ]
    assert "no analytics" in html


# --- Leaving quickly ---------------------------------------------------------


def test_leaving_sends_the_visitor_to_a_neutral_site(client, db):
    response = client.get(reverse("core:leave"))

    assert response.status_code == 302
    assert response["Location"] == settings.EXIT_PAGE_URL
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "no-cache" in response["Cache-Control"]


def test_leaving_ends_a_signed_in_session(client_for, personas):
    client = client_for(personas["partnership_admin"])
    assert client.get(reverse("accounts:account")).status_code == 200

    response = client.get(reverse("core:leave"))

    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.session.is_empty()
    after = client.get(reverse("accounts:account"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("accounts:sign-in"))


def test_leaving_refuses_a_post(client, db):
    assert client.post(reverse("core:leave")).status_code == 405

"""The public finder: safe for a survivor to use, and it finds the right services.

Safe means: "Exit this page" and the emergency numbers on every page, no cookies, no referrer,
nothing cached, a neutral title, and nothing the visitor chose in the URL, the database or
the logs.
"""

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.directory.models import Area, Audience, Need
from vawg.directory.tests.factories import make_service

PUBLIC_PAGES = ["directory:finder", "directory:questions", "directory:covering-tracks"]


@pytest.fixture
def services(partnership, other_partnership):
    return {
        "refuge": make_service(
            partnership,
            provider="Riverside Women's Refuge (demo)",
            name="Refuge",
            needs=[Need.DOMESTIC_ABUSE, Need.REFUGE],
            audiences=[Audience.WOMEN],
        ),
        "talk": make_service(
            partnership,
            provider="Talk Line (demo)",
            name="Listening line",
            needs=[Need.DOMESTIC_ABUSE, Need.HELPLINE, Need.STALKING],
        ),
        "men": make_service(
            partnership, name="Men's service", needs=[Need.DOMESTIC_ABUSE], audiences=[Audience.MEN]
        ),
        "lambeth": make_service(other_partnership, name="Lambeth only", area=Area.BOROUGH),
    }


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def _results(client, data):
    return client.post(reverse("directory:questions"), data)


def _pages(client):
    yield client.get(reverse("directory:finder"))
    yield client.get(reverse("directory:questions"))
    yield client.get(reverse("directory:covering-tracks"))
    yield _results(client, {"what_happened": ["domestic_abuse"], "where": "wandsworth"})
    yield _results(client, {"what_happened": ["not-a-choice"]})


def test_every_page_is_safe_to_visit(client, services):
    for response in _pages(client):
        html = response.content.decode()
        assert response.status_code == 200
        assert 'data-module="govuk-exit-this-page"' in html
        assert f'href="{reverse("core:leave")}"' in html
        assert "call 999" in html and "press 55" in html and "Silent Solution" in html
        assert "Set-Cookie" not in response.headers
        assert dict(response.cookies) == {}
        assert "csrfmiddlewaretoken" not in html
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        title = _title(html).lower().removeprefix("error: ")
        for word in ("vawg", "violence", "abuse", "domestic", "refuge", "wandsworth", "stalking"):
            assert word not in title


def test_the_start_page_says_what_the_exit_does_and_does_not_hide(client, db):
    html = client.get(reverse("directory:finder")).content.decode()

    assert "It does this:" in html and "It does not:" in html
    assert "browser’s history" in html
    assert f'href="{reverse("directory:questions")}"' in html
    assert f'href="{reverse("directory:covering-tracks")}"' in html


def test_the_covering_tracks_page_covers_private_browsing_history_and_shared_devices(client, db):
    html = client.get(reverse("directory:covering-tracks")).content.decode()

    for heading in ("Use a private window", "Clear your history", "Shared devices"):
        assert heading in html
    assert _title(html).startswith("Browsing privately")


def test_it_lists_the_matching_services_most_specific_first(client, services):
    response = _results(
        client,
        {
            "what_happened": ["domestic_abuse"],
            "help_wanted": ["refuge"],
            "who": ["women"],
            "where": "wandsworth",
            "language": "",
        },
    )

    html = response.content.decode()
    assert "2 services that may help" in html
    # The refuge matches 3 answers, the listening line 1; the men's and Lambeth's do not match.
    assert html.index("Riverside Women") < html.index("Talk Line (demo)")
    assert "Men&#x27;s service" not in html and "Lambeth only" not in html
    assert _title(html) == "Find support – Partnership Platform"


def test_the_header_names_nothing_a_shoulder_reader_could_take_for_a_disclosure(client, services):
    response = _results(client, {"what_happened": ["stalking"], "where": "wandsworth"})

    header = re.search(r"<header.*?</header>", response.content.decode(), re.S).group(0)
    assert "Partnership Platform" in header
    assert "VAWG" not in header


def test_the_answers_never_reach_the_url_or_a_link(client, services):
    response = _results(client, {"what_happened": ["stalking"], "where": "wandsworth"})

    html = response.content.decode()
    assert response.status_code == 200
    # The only forms post back; no link or form action carries an answer.
    assert re.findall(r'<form method="(\w+)"', html) == ["post"]
    for href in re.findall(r'(?:href|action)="([^"]*)"', html):
        assert "stalking" not in href and "wandsworth" not in href


def test_answers_in_a_query_string_are_ignored(client, services):
    html = client.get(
        reverse("directory:questions") + "?what_happened=stalking&where=wandsworth"
    ).content.decode()

    assert "checked" not in html
    assert "Find support" in html


@pytest.mark.parametrize("extra", [0, 8])
def test_finding_writes_nothing_logs_nothing_and_does_not_grow_in_queries(
    client, services, partnership, caplog, django_assert_num_queries, extra
):
    for _ in range(extra):
        make_service(partnership, needs=[Need.DOMESTIC_ABUSE], audiences=[Audience.WOMEN])
    caplog.set_level(logging.DEBUG)
    # Reads only: the areas to choose from, then the services and their codes.
    with django_assert_num_queries(5) as captured:
        _results(client, {"what_happened": ["domestic_abuse"], "where": "wandsworth"})

    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in captured.captured_queries)
    assert not AuditEvent.objects.exists()
    assert [r for r in caplog.records if not r.name.startswith("django.db")] == []


def test_it_works_without_a_csrf_token_and_sets_no_cookie(services):
    client = Client(enforce_csrf_checks=True)

    response = _results(client, {"what_happened": ["domestic_abuse"], "where": "wandsworth"})

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"what_happened": ["<script>alert(1)</script>"]},
            "Choose what has happened from the list.",
        ),
        ({"where": "atlantis"}, "Choose where you live from the list."),
        ({"language": "klingon"}, "Choose a language from the list."),
        ({"who": ["x" * 10000]}, "Choose who you are from the list."),
    ],
)
def test_bad_answers_get_a_clear_message_and_nothing_is_echoed(client, services, data, message):
    response = _results(client, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert "<script>alert" not in html
    assert _title(html).startswith("Error: Find support")


def test_a_flood_of_fields_is_refused_without_a_crash(client, db):
    response = client.post(
        reverse("directory:questions"), {"what_happened": ["domestic_abuse"] * 2000}
    )

    assert response.status_code == 400


def test_no_answers_shows_every_service_for_the_area(client, services):
    html = _results(client, {"where": "wandsworth"}).content.decode()

    assert "3 services that may help" in html


def test_nothing_matching_says_what_to_try(client, services):
    html = _results(client, {"what_happened": ["fgm"], "where": "wandsworth"}).content.decode()

    assert "No services matched your answers" in html
    assert "call 999" in html


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_other_methods_are_refused(client, db, url_name):
    assert client.put(reverse(url_name)).status_code == 405


@pytest.mark.parametrize("url_name", ["directory:finder", "directory:covering-tracks"])
def test_the_information_pages_refuse_a_post(client, db, url_name):
    assert client.post(reverse(url_name)).status_code == 405


def test_a_matching_service_comes_before_one_for_people_not_asked_about_which_is_collapsed(
    client, partnership
):
    make_service(partnership, name="Disabled survivors", audiences=[Audience.DISABLED])
    make_service(partnership, name="Over-60s line", audiences=[Audience.OLDER])
    make_service(partnership, name="Advocacy for anyone", needs=[Need.DOMESTIC_ABUSE])

    html = _results(
        client, {"what_happened": ["domestic_abuse"], "where": "wandsworth"}
    ).content.decode()

    assert "3 services that may help" in html
    # From the closed section's start to the next section ("Change your answers").
    start = html.index('<details class="govuk-details directory-others">')
    others = html[start : html.index("Change your answers", start)]
    assert "Other services (2)" in others
    assert "Disabled survivors" in others and "Over-60s line" in others
    assert "Advocacy for anyone" not in others
    assert html.index("Advocacy for anyone") < html.index("Disabled survivors")


def test_with_nothing_else_matching_the_other_services_are_open(client, partnership):
    make_service(partnership, name="Over-60s line", audiences=[Audience.OLDER])

    html = _results(client, {"where": "wandsworth"}).content.decode()

    assert '<details class="govuk-details directory-others" open>' in html
    assert "Over-60s line" in html

"""Every public page, checked for the safety rules: no cookie of any kind (not even for a
signed-in member of staff), no referrer, no copy kept, a neutral title, nothing typed in the
address; HEAD answered like GET; the same rules on "Page not found" and refusals."""

import re

import pytest
from django.urls import reverse

from vawg.voice import services
from vawg.voice.models import Feedback
from vawg.voice.tests.factories import make_survey

pytestmark = pytest.mark.django_db

NEUTRAL_TITLES = {
    "Have your say – Partnership Platform",
    "Short survey – Partnership Platform",
    "You said, we did – Partnership Platform",
    "Thank you – Partnership Platform",
    "Please wait – Partnership Platform",
    "Page not found – Partnership Platform",
    "Error: Have your say – Partnership Platform",
}


@pytest.fixture
def pages(partnership) -> dict[str, str]:
    survey = make_survey(partnership)
    slug = {"partnership": partnership.slug}
    return {
        "feedback": reverse("voice:feedback-form", kwargs=slug),
        "survey": reverse("voice:survey-form", kwargs={**slug, "survey": survey.slug}),
        "you-said": reverse("voice:you-said-we-did", kwargs=slug),
    }


def _title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return " ".join(match.group(1).split()) if match else ""


def assert_safe(response) -> None:
    assert "Set-Cookie" not in str(response.serialize_headers()), response.cookies
    assert not response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("page", ["feedback", "survey", "you-said"])
def test_each_public_page_answers_get_and_head_alike_and_safely(client, pages, page):
    get = client.get(pages[page])
    head = client.head(pages[page])
    assert get.status_code == head.status_code == 200
    assert_safe(get)
    assert_safe(head)
    assert _title(get) in NEUTRAL_TITLES
    assert "VAWG" not in get.content.decode().split("</header>")[0]
    assert head["Content-Type"] == get["Content-Type"]


@pytest.mark.parametrize("page", ["feedback", "survey", "you-said"])
def test_other_methods_are_refused_safely(client, pages, page):
    response = client.put(pages[page], data="text=x")
    assert response.status_code == 405
    assert_safe(response)


def test_you_said_we_did_takes_no_post(client, pages):
    response = client.post(pages["you-said"], {"text": "x"})
    assert response.status_code == 405
    assert_safe(response)


def test_head_keeps_nothing_even_with_a_body(client, pages):
    client.generic("HEAD", pages["feedback"], "text=I+am+scared")
    assert not Feedback.objects.exists()


def test_not_found_is_safe_and_neutral_too(client, partnership, pages):
    survey = make_survey(partnership)
    services.survey_set_open(survey=survey, is_open=False, actor=None)
    for url in (
        pages["survey"],  # closed
        reverse("voice:survey-form", kwargs={"partnership": "wandsworth", "survey": "no-such"}),
        reverse("voice:feedback-form", kwargs={"partnership": "nowhere"}),
        reverse("voice:you-said-we-did", kwargs={"partnership": "nowhere"}),
    ):
        for response in (client.get(url), client.head(url)):
            assert response.status_code == 404, url
            assert_safe(response)
        html = client.get(url).content.decode()
        assert _title(client.get(url)) == "Page not found – Partnership Platform"
        assert "VAWG" not in _title(client.get(url))
        assert "Exit this page" in html


def test_the_thanks_error_and_wait_pages_are_safe_and_neutral(client, pages):
    error = client.post(pages["feedback"], {"text": ""})
    assert error.status_code == 400
    assert _title(error) == "Error: Have your say – Partnership Platform"
    assert_safe(error)
    thanks = client.post(pages["feedback"], {"text": "The refuge staff were kind."})
    assert _title(thanks) == "Thank you – Partnership Platform"
    assert_safe(thanks)
    for _ in range(4):
        client.post(pages["feedback"], {"text": "More feedback."})
    wait = client.post(pages["feedback"], {"text": "One too many."})
    assert wait.status_code == 429
    assert _title(wait) == "Please wait – Partnership Platform"
    assert_safe(wait)


@pytest.mark.parametrize("page", ["feedback", "survey", "you-said"])
def test_a_signed_in_member_of_staff_gets_no_cookie_either(client_for, personas, pages, page):
    """With the session saved on every request, the session cookie would otherwise be sent
    again on a public page (and the CSRF cookie set by the header's sign-out form)."""
    staff = client_for(personas["partnership_admin"])
    for response in (staff.get(pages[page]), staff.head(pages[page])):
        assert response.status_code == 200
        assert_safe(response)


def test_a_stale_session_cookie_is_not_deleted_by_a_public_page(client, pages):
    client.cookies["sessionid"] = "stale-session-key"
    response = client.get(pages["feedback"])
    assert_safe(response)


def test_nothing_typed_in_an_address_is_taken_or_shown(client, pages):
    response = client.get(pages["feedback"] + "?text=I+am+scared+tonight")
    assert response.status_code == 200
    assert "scared" not in response.content.decode()
    assert not Feedback.objects.exists()
    for page in ("feedback", "survey"):
        html = client.get(pages[page]).content.decode()
        forms = re.findall(r"<form\b[^>]*>", html)
        # The language or sign-in forms of the header aside, every form here posts,
        # to an address with no query string.
        answer_forms = [f for f in forms if "novalidate" in f]
        assert answer_forms
        for form in answer_forms:
            assert 'method="post"' in form
            assert "?" not in re.search(r'action="([^"]*)"', form).group(1)

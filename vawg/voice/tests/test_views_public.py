"""The public pages a survivor uses: anonymous, cookie-free, and hard to abuse."""

import pytest
from django.test import Client
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.voice import ratelimit
from vawg.voice.models import Answer, Feedback, SurveyResponse
from vawg.voice.tests.factories import make_feedback, make_plan_action, make_survey, make_theme


@pytest.fixture
def anonymous():
    # CSRF enforced as a real browser would meet it: these forms must work without a token.
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")


def _form_url(partnership) -> str:
    return reverse("voice:feedback-form", kwargs={"partnership": partnership.slug})


def _assert_leaves_no_trace(response) -> None:
    assert not response.cookies, f"set cookies: {list(response.cookies)}"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"


def test_the_form_says_it_is_not_monitored_and_how_to_get_help_now(anonymous, partnership):
    response = anonymous.get(_form_url(partnership))
    assert response.status_code == 200
    _assert_leaves_no_trace(response)
    html = response.content.decode()
    assert "not monitored for emergencies" in html
    assert "call 999" in html
    assert "press 55" in html
    assert "Exit this page" in html
    assert "<title>Have your say – Partnership Platform</title>" in html


def test_feedback_is_kept_and_nothing_about_the_sender(anonymous, partnership):
    response = anonymous.post(
        _form_url(partnership), {"text": "The refuse was full.", "website": ""}
    )
    assert response.status_code == 200
    _assert_leaves_no_trace(response)
    assert "Thank you" in response.content.decode()
    assert "The refuse was full." not in response.content.decode()
    feedback = Feedback.objects.get()
    assert feedback.partnership == partnership
    assert feedback.text == "The refuse was full."
    assert not AuditEvent.objects.exists()
    # The model holds no field that could carry an address or identifier.
    names = {field.name for field in Feedback._meta.get_fields()}
    assert not names & {"ip_address", "address", "user", "session", "user_agent", "email"}


def test_oversized_feedback_gets_a_clear_message_and_keeps_the_text(anonymous, partnership):
    text = "a" * 2050
    response = anonymous.post(_form_url(partnership), {"text": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "It is 2,050 characters now: shorten it by 50." in html
    assert text in html  # nothing the person wrote is lost
    assert "<title>Error: Have your say" in html
    assert not Feedback.objects.exists()


def test_a_flood_of_links_is_refused(anonymous, partnership):
    spam = " ".join(f"https://spam{n}.example/buy" for n in range(10))
    response = anonymous.post(_form_url(partnership), {"text": spam})
    assert response.status_code == 400
    assert "has 10 web links" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_filled_honeypot_is_thanked_but_nothing_is_kept(anonymous, partnership):
    response = anonymous.post(
        _form_url(partnership), {"text": "Great site", "website": "https://spam.example"}
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_flood_from_one_address_gets_a_friendly_429_and_is_not_kept(anonymous, partnership):
    for n in range(ratelimit.LIMIT):
        assert anonymous.post(_form_url(partnership), {"text": f"message {n}"}).status_code == 200
    response = anonymous.post(_form_url(partnership), {"text": "one too many"})
    assert response.status_code == 429
    _assert_leaves_no_trace(response)
    html = response.content.decode()
    assert "Please wait a few minutes" in html
    assert "call 999" in html
    assert response["Retry-After"] == str(ratelimit.WINDOW_SECONDS)
    assert Feedback.objects.count() == ratelimit.LIMIT
    # Another address is not held back by the first.
    other = Client(REMOTE_ADDR="198.51.100.2")
    assert other.post(_form_url(partnership), {"text": "hello"}).status_code == 200


def test_mistakes_do_not_count_towards_the_limit(anonymous, partnership):
    for _ in range(ratelimit.LIMIT + 2):
        assert anonymous.post(_form_url(partnership), {"text": ""}).status_code == 400
    assert anonymous.post(_form_url(partnership), {"text": "Now right"}).status_code == 200


def test_spam_counts_towards_the_limit(anonymous, partnership):
    for _ in range(ratelimit.LIMIT):
        anonymous.post(_form_url(partnership), {"text": "x", "website": "spam.example"})
    assert anonymous.post(_form_url(partnership), {"text": "x"}).status_code == 429
    assert not Feedback.objects.exists()


def test_the_rate_limit_key_holds_no_address(anonymous, partnership, settings):
    from django.db import connection

    anonymous.post(_form_url(partnership), {"text": "hello"})
    with connection.cursor() as cursor:  # the shared cache's table (settings.CACHES)
        cursor.execute("SELECT cache_key, value FROM vawg_cache")
        rows = cursor.fetchall()
    assert rows and not any("203.0.113.7" in f"{key}{value}" for key, value in rows)


def test_script_typed_in_the_form_is_escaped_on_every_page(
    anonymous, partnership, personas, client_for
):
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    anonymous.post(_form_url(partnership), {"text": script})
    feedback = Feedback.objects.get()
    assert feedback.text == script  # kept as written...
    client = client_for(personas["partnership_admin"])
    for name, kwargs in [
        ("voice:triage-list", {}),
        ("voice:feedback-detail", {"pk": feedback.pk}),
    ]:
        html = client.get(reverse(name, kwargs={"partnership": partnership.slug, **kwargs}))
        html = html.content.decode()
        assert "<script>alert" not in html  # ...and never run
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_an_unknown_partnership_is_a_404(anonymous, db):
    response = anonymous.get(reverse("voice:feedback-form", kwargs={"partnership": "nowhere"}))
    assert response.status_code == 404


def test_nothing_typed_ever_goes_in_a_url(anonymous, partnership):
    html = anonymous.get(_form_url(partnership)).content.decode()
    assert 'method="post"' in html
    assert 'method="get"' not in html


# --- The survey ------------------------------------------------------------------


def _survey_url(survey) -> str:
    return reverse(
        "voice:survey-form", kwargs={"partnership": survey.partnership.slug, "survey": survey.slug}
    )


def test_a_survey_response_is_kept_anonymously(anonymous, partnership):
    survey = make_survey(partnership)
    q = {question.topic: question for question in survey.questions.all()}
    response = anonymous.post(
        _survey_url(survey),
        {
            f"q{q['safer'].pk}": "yes",
            f"q{q['involved'].pk}": "not_sure",
            f"q{q['help'].pk}": "More groups",
        },
    )
    assert response.status_code == 200
    _assert_leaves_no_trace(response)
    assert "Thank you" in response.content.decode()
    answers = {a.question.topic: a for a in Answer.objects.select_related("question")}
    assert answers["safer"].choice == "yes"
    assert answers["involved"].choice == "not_sure"
    assert answers["help"].text == "More groups"


def test_an_empty_or_invalid_survey_is_refused_clearly(anonymous, partnership):
    survey = make_survey(partnership)
    safer = survey.questions.get(topic="safer")
    response = anonymous.post(_survey_url(survey), {})
    assert response.status_code == 400
    assert "Answer at least one question" in response.content.decode()
    response = anonymous.post(_survey_url(survey), {f"q{safer.pk}": "maybe"})
    assert response.status_code == 400
    assert "Choose yes, no or not sure for “Do you feel safer" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_closed_survey_is_not_found(anonymous, partnership):
    survey = make_survey(partnership)
    survey.is_open = False
    survey.save()
    assert anonymous.get(_survey_url(survey)).status_code == 404


def test_survey_floods_are_limited_too(anonymous, partnership):
    survey = make_survey(partnership)
    safer = survey.questions.get(topic="safer")
    statuses = [
        anonymous.post(_survey_url(survey), {f"q{safer.pk}": "yes"}).status_code
        for _ in range(ratelimit.LIMIT + 1)
    ]
    assert statuses == [200] * ratelimit.LIMIT + [429]
    assert SurveyResponse.objects.count() == ratelimit.LIMIT


# --- You said, we did ---------------------------------------------------------------


def test_you_said_we_did_shows_published_responses_and_their_actions(
    anonymous, partnership, other_partnership
):
    action = make_plan_action(partnership)
    published = make_theme(
        partnership,
        "Waiting for counselling",
        you_said="Waits are too long.",
        we_did="Two more counsellors funded.",
        published=True,
    )
    published.actions.add(action)
    make_theme(partnership, "Draft theme", you_said="Draft words", we_did="")
    make_theme(
        other_partnership, "Lambeth theme", you_said="Theirs", we_did="Theirs", published=True
    )
    make_feedback(partnership, text="Private words from a survivor")
    response = anonymous.get(
        reverse("voice:you-said-we-did", kwargs={"partnership": partnership.slug})
    )
    assert response.status_code == 200
    _assert_leaves_no_trace(response)
    html = response.content.decode()
    assert "Waiting for counselling" in html
    assert "Two more counsellors funded." in html
    assert action.ref in html
    assert "Draft theme" not in html
    assert "Lambeth theme" not in html
    assert "Private words from a survivor" not in html
    assert not AuditEvent.objects.exists()  # nothing about the visitor is recorded

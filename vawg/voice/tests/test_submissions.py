"""How a public form's submission is received: the order of the rate limit, the spam
trap and the service, tested without the pages around it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from vawg.voice import ratelimit
from vawg.voice.forms import FeedbackForm
from vawg.voice.submissions import Outcome, receive

pytestmark = pytest.mark.django_db


def _request():
    return RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")


class _Keeper:
    """Stands in for the service: counts its calls, and refuses when told to."""

    def __init__(self, refuse: str = ""):
        self.calls = 0
        self.refuse = refuse

    def __call__(self) -> None:
        self.calls += 1
        if self.refuse:
            raise ValidationError(self.refuse)


def _fill(request, times: int) -> None:
    for _ in range(times):
        assert ratelimit.take(request, scope="test")


def test_it_keeps_a_valid_submission_and_counts_it():
    request, keep = _request(), _Keeper()
    outcome = receive(request, scope="test", form=FeedbackForm({"text": "Hello"}), keep=keep)
    assert (outcome, keep.calls) == (Outcome.THANKED, 1)
    _fill(request, ratelimit.LIMIT - 1)
    assert ratelimit.blocked(request, scope="test")


def test_it_thanks_spam_and_counts_it_but_keeps_nothing():
    request, keep = _request(), _Keeper()
    form = FeedbackForm({"text": "Buy now", "website": "spam.example"})
    assert receive(request, scope="test", form=form, keep=keep) is Outcome.THANKED
    assert keep.calls == 0
    _fill(request, ratelimit.LIMIT - 1)
    assert ratelimit.blocked(request, scope="test")


def test_it_refuses_an_invalid_form_without_counting_it():
    request, keep = _request(), _Keeper()
    form = FeedbackForm({"text": ""})
    assert receive(request, scope="test", form=form, keep=keep) is Outcome.REFUSED
    assert keep.calls == 0 and form.errors
    _fill(request, ratelimit.LIMIT)


def test_a_refusal_by_the_service_is_given_back_and_shown_on_the_form():
    request, keep = _request(), _Keeper(refuse="This survey has closed.")
    form = FeedbackForm({"text": "Hello"})
    assert receive(request, scope="test", form=form, keep=keep) is Outcome.REFUSED
    assert keep.calls == 1
    assert form.non_field_errors() == ["This survey has closed."]
    _fill(request, ratelimit.LIMIT)  # the refused one no longer counts


def test_at_the_limit_nothing_is_kept_spam_or_not():
    request = _request()
    _fill(request, ratelimit.LIMIT)
    keep = _Keeper()
    for data in ({"text": "Hello"}, {"text": "x", "website": "spam.example"}):
        outcome = receive(request, scope="test", form=FeedbackForm(data), keep=keep)
        assert outcome is Outcome.TOO_MANY
    assert keep.calls == 0


def test_the_limit_is_decided_when_counting_not_only_by_the_first_look(monkeypatch):
    # Another app server may take the last place between the look and the count.
    request, keep = _request(), _Keeper()
    monkeypatch.setattr(ratelimit, "blocked", lambda request, scope: False)
    _fill(request, ratelimit.LIMIT)
    form = FeedbackForm({"text": "Hello"})
    assert receive(request, scope="test", form=form, keep=keep) is Outcome.TOO_MANY
    assert keep.calls == 0
    spam = FeedbackForm({"text": "x", "website": "spam.example"})
    assert receive(request, scope="test", form=spam, keep=keep) is Outcome.TOO_MANY

"""Absolute session expiry, and every session ended when an account is disabled."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from vawg.accounts.models import UserSession
from vawg.accounts.services import REFRESHED_AT, SIGNED_IN_AT, user_disable
from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role

ACCOUNT = reverse("accounts:account")
SIGN_IN = reverse("accounts:sign-in")


@pytest.fixture
def practitioner(partnership):
    return make_member(Role.PRACTITIONER, partnership)


def age_session(client, seconds: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = time.time() - seconds
    session.save()


def test_it_records_the_session_at_sign_in(client_for, practitioner):
    client = client_for(practitioner)
    assert UserSession.objects.filter(
        user=practitioner, session_key=client.session.session_key
    ).exists()
    assert client.session[SIGNED_IN_AT] <= time.time()


def test_it_keeps_a_session_within_the_absolute_limit(client_for, practitioner):
    client = client_for(practitioner)
    age_session(client, settings.SESSION_ABSOLUTE_SECONDS - 60)
    assert client.get(ACCOUNT).status_code == 200


def test_it_ends_a_session_past_the_absolute_limit(client_for, practitioner):
    client = client_for(practitioner)
    age_session(client, settings.SESSION_ABSOLUTE_SECONDS + 1)
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert b"Your session has ended. Sign in again." in page.content
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_OUT, actor_id=practitioner.pk)
    assert event.detail == {"reason": "expired"}


def expiry(client) -> float:
    return Session.objects.get(session_key=client.session.session_key).expire_date.timestamp()


def test_it_pushes_the_idle_expiry_back_at_most_once_a_minute(client_for, practitioner):
    assert settings.SESSION_COOKIE_AGE < settings.SESSION_ABSOLUTE_SECONDS
    client = client_for(practitioner)
    first = expiry(client)
    # Within the minute of signing in: no write to the session table for a page.
    client.get(ACCOUNT)
    assert expiry(client) == first
    # A minute on, the next page pushes the expiry back a full idle period from now.
    session = client.session
    session[REFRESHED_AT] = time.time() - settings.SESSION_REFRESH_SECONDS
    session.save()
    before = time.time()
    client.get(ACCOUNT)
    assert expiry(client) >= before + settings.SESSION_COOKIE_AGE - 1
    assert expiry(client) > first


def test_it_signs_out_a_disabled_user_on_their_next_request(client_for, practitioner, personas):
    client = client_for(practitioner)
    key = client.session.session_key
    assert client.get(ACCOUNT).status_code == 200
    user_disable(user=practitioner, actor=personas[Role.PARTNERSHIP_ADMIN])
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=practitioner).exists()
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_it_ends_every_session_of_a_disabled_user(practitioner, password):
    first, second = Client(), Client()
    for browser in (first, second):
        browser.post(SIGN_IN, {"username": practitioner.username, "password": password})
        assert browser.get(ACCOUNT).status_code == 200
    assert UserSession.objects.filter(user=practitioner).count() == 2
    user_disable(user=practitioner, actor=None)
    for browser in (first, second):
        assert browser.get(ACCOUNT).status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.is_active is False
    event = AuditEvent.objects.get(object_type="accounts.User", summary__startswith="Account disab")
    assert event.detail == {"sessions_ended": 2}


def test_it_forgets_the_session_record_at_sign_out(client_for, practitioner):
    client = client_for(practitioner)
    client.post(reverse("accounts:sign-out"))
    assert not UserSession.objects.filter(user=practitioner).exists()

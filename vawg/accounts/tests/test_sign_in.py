"""Signing in and out: argon2, the generic failure message, lockout, and the audit trail."""

import pytest
from django.conf import settings
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role

SIGN_IN = reverse("accounts:sign-in")


@pytest.fixture
def analyst(partnership):
    user = make_member(Role.ANALYST, partnership)
    user.username = "riley-sample"
    user.save()
    return user


def sign_in(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_it_shows_the_sign_in_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert b'<h1 class="govuk-heading-l">Sign in</h1>' in response.content
    assert b'name="password"' in response.content


def test_it_signs_in_and_audits_it(client, analyst, password):
    response = sign_in(client, analyst.username, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert event.actor_id == analyst.pk
    assert event.ip_address == "127.0.0.1"


def test_it_stores_passwords_with_argon2(analyst):
    assert analyst.password.startswith("argon2$")


def test_it_refuses_a_wrong_password_without_saying_which_was_wrong(client, analyst):
    response = sign_in(client, analyst.username, "not-the-password")
    assert response.status_code == 200
    assert b"Enter a correct username and password." in response.content
    assert b"govuk-error-summary" in response.content
    assert "_auth_user_id" not in client.session


def test_it_gives_the_same_message_for_an_unknown_username(client, db):
    response = sign_in(client, "nobody-here", "whatever-password")
    assert b"Enter a correct username and password." in response.content


def test_it_audits_a_failure_with_the_address_but_not_the_username(client, analyst):
    sign_in(client, analyst.username, "not-the-password")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert event.ip_address == "127.0.0.1"
    assert event.actor_id is None
    stored = f"{event.object_type}{event.object_id}{event.summary}{event.detail}"
    assert analyst.username not in stored
    assert str(analyst.pk) not in event.object_id


def test_it_refuses_a_disabled_account_with_the_same_message(client, analyst, password):
    analyst.is_active = False
    analyst.save()
    response = sign_in(client, analyst.username, password)
    assert response.status_code == 200
    assert b"Enter a correct username and password." in response.content


def test_it_locks_out_after_repeated_failures_with_the_designed_page(client, analyst, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, analyst.username, "wrong-password").status_code == 200
    response = sign_in(client, analyst.username, "wrong-password")
    assert response.status_code in (403, 429)
    assert b"Sign-in paused" in response.content
    assert b"Traceback" not in response.content
    # Even the right password is refused while locked out.
    response = sign_in(client, analyst.username, password)
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    locked = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKED_OUT)
    assert locked.exists()
    assert all(e.actor_id is None and analyst.username not in str(e.detail) for e in locked)


def test_it_follows_a_safe_next_address(client, analyst, password):
    response = sign_in(client, analyst.username, password, next="/account/")
    assert response["Location"] == "/account/"


def test_it_ignores_a_next_address_on_another_site(client, analyst, password):
    response = sign_in(client, analyst.username, password, next="https://evil.example/")
    assert response["Location"] == reverse("core:home")


def test_it_refuses_other_methods_on_sign_in(client, db):
    assert client.put(SIGN_IN).status_code == 405


def test_it_signs_out_on_post_and_audits_it(client_for, analyst):
    client = client_for(analyst)
    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-in")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_OUT, actor_id=analyst.pk
    ).exists()


def test_it_does_not_sign_out_on_get(client_for, analyst):
    client = client_for(analyst)
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    assert client.session["_auth_user_id"] == str(analyst.pk)


def test_it_shows_the_designed_page_when_the_form_has_no_csrf_token(analyst, password):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(SIGN_IN, {"username": analyst.username, "password": password})
    assert response.status_code == 403
    assert b"govuk-heading-l" in response.content
    assert b"Traceback" not in response.content
    assert "_auth_user_id" not in browser.session

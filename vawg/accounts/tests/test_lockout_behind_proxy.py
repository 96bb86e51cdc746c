"""Lockout behind the HTTPS proxy: counted per client and username, not per proxy."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role

SIGN_IN = reverse("accounts:sign-in")
PROXY = "10.0.0.5"  # every request reaches the app from here
CLIENT = "198.51.100.10"
NEIGHBOUR = "198.51.100.20"  # another client behind the same proxy


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def member(partnership):
    user = make_member(Role.ACTION_LEAD, partnership)
    user.username = "sam-sample"
    user.save()
    return user


def through_proxy(client_address: str, forged: str = "") -> Client:
    """A browser at `client_address`; `forged` is what it writes in X-Forwarded-For itself."""
    header = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)


def sign_in(browser: Client, username: str, password: str):
    return browser.post(SIGN_IN, {"username": username, "password": password})


def fail_until_locked(browser: Client, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(browser, username, "wrong-password").status_code == 200
    assert sign_in(browser, username, "wrong-password").status_code in (403, 429)


def test_failures_lock_out_that_client_and_username_only(member, password):
    browser = through_proxy(CLIENT)
    fail_until_locked(browser, member.username)
    # The right password is refused to the locked-out client...
    assert sign_in(browser, member.username, password).status_code in (403, 429)
    # ...but not to another person behind the same proxy.
    neighbour = through_proxy(NEIGHBOUR)
    assert sign_in(neighbour, member.username, password).status_code == 302
    signed_in = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert signed_in.ip_address == NEIGHBOUR
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert {event.ip_address for event in failures} == {CLIENT}


def test_a_forged_forwarded_header_does_not_evade_the_lockout(member, password):
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A new made-up address in the header each time, and a new browser.
        sign_in(through_proxy(CLIENT, forged=f"192.0.2.{n + 1}"), member.username, "wrong")
    locked = through_proxy(CLIENT, forged="192.0.2.200, 203.0.113.99")
    response = sign_in(locked, member.username, password)
    assert response.status_code in (403, 429)
    assert b"Sign-in paused" in response.content


def test_a_forged_header_cannot_lock_out_someone_else(member, password):
    # An attacker at CLIENT writes the neighbour's address in the header.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(through_proxy(CLIENT, forged=NEIGHBOUR), member.username, "wrong")
    assert sign_in(through_proxy(NEIGHBOUR), member.username, password).status_code == 302

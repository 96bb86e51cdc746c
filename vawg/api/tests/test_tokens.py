"""A token is the key: unknown, revoked or expired gets 401; it reaches only its scope."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vawg.api import tokens
from vawg.api.models import ApiToken
from vawg.api.scopes import Scope
from vawg.api.testing import ApiClient, make_token
from vawg.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_secret_is_shown_once_and_kept_only_as_a_digest(partnership):
    made = make_token(partnership)
    stored = ApiToken.objects.get(pk=made.token.pk)
    assert made.secret.startswith("vawg_")
    assert made.secret not in {stored.digest, stored.prefix}
    assert stored.digest == tokens.digest_of(made.secret)
    assert made.secret.startswith(stored.prefix)


def test_a_call_without_a_live_token_is_refused_with_a_problem(partnership):
    made = make_token(partnership)
    answers = [
        Client().get("/api/v1/token"),
        ApiClient("vawg_not-a-token").get("/api/v1/token"),
    ]
    tokens.token_revoke(token=made.token, actor=None)
    answers.append(ApiClient(made.secret).get("/api/v1/token"))
    for answer in answers:
        assert answer.status_code == 401
        assert answer["Content-Type"] == "application/problem+json"
        assert json.loads(answer.content)["status"] == 401


def test_an_expired_token_is_refused(partnership):
    made = make_token(partnership)
    ApiToken.objects.filter(pk=made.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert ApiClient(made.secret).get("/api/v1/token").status_code == 401


def test_a_live_token_says_what_it_is_and_the_call_is_audited_by_name(partnership):
    name = "Police nightly pull"
    made = make_token(partnership, scopes=[Scope.READ_PLAN], name=name)
    answer = ApiClient(made.secret).get("/api/v1/token")
    assert answer.status_code == 200
    body = json.loads(answer.content)
    assert body["partnership"] == partnership.slug and body["scopes"] == ["read:plan"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.API).latest("id")
    assert event.detail["token"] == name
    assert event.partnership_id == partnership.pk
    assert made.secret not in json.dumps(event.detail) + event.summary


def test_the_schema_needs_no_token_and_is_openapi_3_1():
    answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert json.loads(answer.content)["openapi"].startswith("3.1")


def test_a_token_past_its_rate_limit_is_told_to_wait(partnership, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client = ApiClient(make_token(partnership).secret)
    statuses = [client.get("/api/v1/token").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert client.get("/api/v1/token")["Retry-After"] == "60"

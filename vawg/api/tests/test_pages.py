"""The partner API's staff pages: a partnership admin makes a token (its secret shown once,
in the answer to the form, never again), and revokes it; nobody else reaches them."""

import json
import re
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from vawg.api import tokens
from vawg.api.models import ApiToken
from vawg.api.scopes import Scope
from vawg.api.testing import ApiClient, make_token
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation

pytestmark = pytest.mark.django_db

ADMIN = Role.PARTNERSHIP_ADMIN
SECRET = re.compile(r'<code id="token-secret">(vawg_[^<]+)</code>')


def url(name: str, partnership: str = "wandsworth", **kwargs) -> str:
    return reverse(f"api-tokens:{name}", kwargs={"partnership": partnership, **kwargs})


@pytest.fixture
def admin_client(client_for, personas):
    return client_for(personas[ADMIN])


@pytest.fixture
def organisation(partnership):
    return partnership.organisations.get()


def form_data(org, *, expires_on: date | None = None, **changes) -> dict:
    expires_on = expires_on or timezone.localdate() + timedelta(days=30)
    data = {
        "name": "Police nightly figures pull",
        "organisation": org.pk,
        "scopes": [Scope.READ_PLAN, Scope.READ_FIGURES],
        "expires_on_0": expires_on.day,
        "expires_on_1": expires_on.month,
        "expires_on_2": expires_on.year,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def make_through_the_page(client, organisation, **changes) -> tuple[object, str]:
    response = client.post(url("token-add"), form_data(organisation, **changes))
    assert response.status_code == 200
    found = SECRET.search(response.content.decode())
    assert found, "the page did not show the secret"
    return response, found.group(1)


# --- Making a token -----------------------------------------------------------------


def test_the_form_offers_the_partnerships_organisations_every_scope_and_90_days(
    admin_client, partnership, other_partnership
):
    response = admin_client.get(url("token-add"))
    assert response.status_code == 200
    content = response.content.decode()
    for label in Scope.labels:
        assert label.replace("'", "&#x27;") in content
    assert "Wandsworth Council – Community Safety" in content
    assert "Lambeth Council – Community Safety" not in content
    default = timezone.localdate() + timedelta(days=90)
    form = response.context["form"]
    assert form["expires_on"].value() == default
    assert f'name="expires_on_2" value="{default.year}"' in content


def test_the_admin_sees_the_secret_once_and_only_its_digest_is_kept(
    admin_client, organisation, personas
):
    response, secret = make_through_the_page(admin_client, organisation)

    assert response["Cache-Control"] == "no-store"
    assert "it will not be shown again" in response.content.decode()
    token = ApiToken.objects.get()
    assert token.digest == tokens.digest_of(secret)
    assert secret not in {token.digest, token.prefix} and secret.startswith(token.prefix)
    assert token.name == "Police nightly figures pull"
    assert token.organisation == organisation and token.created_by == personas[ADMIN]
    assert token.scopes == sorted([Scope.READ_FIGURES, Scope.READ_PLAN])
    assert token.expires_at.date() == timezone.localdate() + timedelta(days=30)
    # An example call that uses it, on this site.
    assert f'curl -H "Authorization: Bearer {secret}" http://testserver/api/v1/token' in (
        response.content.decode().replace("&quot;", '"')
    )
    # Kept nowhere but on that page: not in the session, a message or the audit trail.
    assert secret not in json.dumps(dict(admin_client.session.items()), default=str)
    assert not list(get_messages(response.wsgi_request))
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="api.ApiToken")
    assert secret not in event.summary + json.dumps(event.detail)

    listing = admin_client.get(url("token-list")).content.decode()
    assert "Police nightly figures pull" in listing and token.prefix in listing
    assert secret not in listing
    assert secret not in admin_client.get(url("token-add")).content.decode()


def test_the_new_token_works_against_the_api_with_the_scopes_chosen(
    admin_client, organisation, partnership
):
    _response, secret = make_through_the_page(admin_client, organisation)

    answer = ApiClient(secret).get("/api/v1/token")
    assert answer.status_code == 200
    body = json.loads(answer.content)
    assert body["partnership"] == partnership.slug
    assert sorted(body["scopes"]) == ["read:figures", "read:plan"]


# --- The list -----------------------------------------------------------------------


def test_the_list_shows_live_tokens_in_words_and_ended_ones_below(
    admin_client, partnership, other_partnership
):
    live = make_token(partnership, scopes=[Scope.WRITE_PROGRESS], name="Council progress push")
    revoked = make_token(partnership, name="Old police pull")
    tokens.token_revoke(token=revoked.token, actor=None)
    expired = make_token(partnership, name="Expired health pull")
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    make_token(other_partnership, name="Lambeth's own token")

    content = admin_client.get(url("token-list")).content.decode()
    live_part, _, ended_part = content.partition("Revoked and expired tokens")
    assert "Council progress push" in live_part
    assert Scope.WRITE_PROGRESS.label in live_part
    assert url("token-revoke", pk=live.token.pk) in live_part
    assert "Old police pull" in ended_part and "Expired health pull" in ended_part
    assert "Revoked" in ended_part and "Expired" in ended_part
    assert url("token-revoke", pk=revoked.token.pk) not in content
    assert "Lambeth&#x27;s own token" not in content
    # Where developers read about it, and what it gives.
    assert 'href="/api/v1/docs"' in content and 'href="/api/v1/openapi.json"' in content
    assert "controlled" in content
    assert 'href="/p/wandsworth/api-tokens/add/"' in content


# --- Revoking -----------------------------------------------------------------------


def test_revoking_asks_first_then_the_token_is_refused(admin_client, partnership, personas):
    made = make_token(partnership, name="Police nightly figures pull")
    assert ApiClient(made.secret).get("/api/v1/token").status_code == 200

    confirm = admin_client.get(url("token-revoke", pk=made.token.pk))
    assert confirm.status_code == 200
    assert "Revoke the token" in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None

    response = admin_client.post(url("token-revoke", pk=made.token.pk))
    assert response.status_code == 302 and response["Location"] == url("token-list")
    token = ApiToken.objects.get()
    assert token.revoked_at is not None and token.revoked_by == personas[ADMIN]
    assert ApiClient(made.secret).get("/api/v1/token").status_code == 401
    listing = admin_client.get(response["Location"]).content.decode()
    assert "Token &#x27;Police nightly figures pull&#x27; revoked" in listing


def test_revoking_a_revoked_token_again_changes_nothing(admin_client, partnership):
    made = make_token(partnership)
    tokens.token_revoke(token=made.token, actor=None)
    when = ApiToken.objects.get().revoked_at

    response = admin_client.post(url("token-revoke", pk=made.token.pk), follow=True)
    assert "already revoked" in response.content.decode()
    assert ApiToken.objects.get().revoked_at == when


# --- Who may ------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(set(Role) - {ADMIN, Role.REGIONAL_OFFICER}))
def test_other_roles_are_refused(client_for, personas, partnership, organisation, role):
    made = make_token(partnership)
    client = client_for(personas[role])
    for page in (url("token-list"), url("token-add"), url("token-revoke", pk=made.token.pk)):
        assert client.get(page).status_code == 403
    assert client.post(url("token-add"), form_data(organisation)).status_code == 403
    assert client.post(url("token-revoke", pk=made.token.pk)).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_another_partnerships_admin_finds_nothing(
    client_for, personas, partnership, organisation, other_partnership
):
    made = make_token(partnership)
    lambeth_admin = client_for(personas["outsider"])

    assert lambeth_admin.get(url("token-list")).status_code == 404
    assert lambeth_admin.post(url("token-add"), form_data(organisation)).status_code == 404
    # Wandsworth's token, asked for under Lambeth's own pages.
    revoke = url("token-revoke", partnership="lambeth", pk=made.token.pk)
    assert lambeth_admin.get(revoke).status_code == 404
    assert lambeth_admin.post(revoke).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert ApiClient(made.secret).get("/api/v1/token").status_code == 200


# --- Bad input ----------------------------------------------------------------------

TODAY = timezone.localdate


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "Give the token a name that says which system uses it."),
        ({"scopes": None}, "scopes", "Choose at least one thing the token may do."),
        ({"scopes": ["write:everything"]}, "scopes", "Choose only from the list"),
        ({"expires_on": "yesterday"}, "expires_on", "The expiry date must be in the future."),
        ({"expires_on": "today"}, "expires_on", "The expiry date must be in the future."),
        ({"expires_on": "in 367 days"}, "expires_on", "A token may last a year at most"),
        ({"expires_on_0": "31", "expires_on_1": "2"}, "expires_on", "must be a real date"),
        ({"expires_on_1": ""}, "expires_on", "Enter the month of the expiry date."),
        ({"organisation": ""}, "organisation", "Choose the organisation whose system"),
        ({"organisation": "999999"}, "organisation", "Choose one of this partnership's"),
        ({"name": "x" * 101}, "name", "Enter a name of 100 characters or fewer."),
    ],
)
def test_bad_input_is_told_what_is_wrong_and_nothing_is_made(
    admin_client, organisation, changes, field, message
):
    when = {
        "yesterday": TODAY() - timedelta(days=1),
        "today": TODAY(),
        "in 367 days": TODAY() + timedelta(days=367),
    }
    if "expires_on" in changes:
        changes = {"expires_on": when[changes["expires_on"]]}
    response = admin_client.post(url("token-add"), form_data(organisation, **changes))

    assert response.status_code == 200
    content = response.content.decode().replace("&#x27;", "'")
    assert "govuk-error-summary" in content and "<title>Error:" in content
    assert message in " ".join(response.context["form"].errors[field])
    assert message in content
    assert not SECRET.search(content)
    assert ApiToken.objects.count() == 0


def test_a_year_ahead_is_allowed(admin_client, organisation):
    make_through_the_page(admin_client, organisation, expires_on=TODAY() + timedelta(days=366))
    assert ApiToken.objects.count() == 1


def test_every_problem_shows_at_once(admin_client, organisation):
    data = form_data(organisation, name="", scopes=None, expires_on=TODAY())
    response = admin_client.post(url("token-add"), data)
    assert set(response.context["form"].errors) == {"name", "scopes", "expires_on"}
    assert ApiToken.objects.count() == 0


def test_a_live_tokens_name_is_not_given_twice(admin_client, organisation, partnership):
    make_token(partnership, name="Police nightly figures pull")
    response = admin_client.post(url("token-add"), form_data(organisation))
    assert "A live token already has this name" in response.content.decode()
    assert ApiToken.objects.count() == 1


def test_another_partnerships_organisation_is_refused(admin_client, other_partnership):
    theirs = make_organisation(other_partnership, "Lambeth Police (test)")
    response = admin_client.post(url("token-add"), form_data(theirs))
    assert "Choose one of this partnership&#x27;s organisations." in response.content.decode()
    assert ApiToken.objects.count() == 0

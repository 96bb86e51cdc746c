"""The admin's home page warns of partner API tokens about to stop working."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vawg.api import tokens
from vawg.api.models import ApiToken
from vawg.api.testing import make_token
from vawg.core.permissions import Role

pytestmark = pytest.mark.django_db
WORDS = "partner API token stops working within 14 days"


def _home(client, slug="wandsworth") -> str:
    return client.get(
        reverse("core:partnership-home", kwargs={"partnership": slug})
    ).content.decode()


def _expiring_in(made, days: int) -> None:
    ApiToken.objects.filter(pk=made.token.pk).update(
        expires_at=timezone.now() + timedelta(days=days)
    )


def test_a_token_about_to_expire_is_on_the_admins_home_until_it_is_dealt_with(
    client_for, partnership, personas
):
    soon, later = make_token(partnership, name="Soon"), make_token(partnership, name="Later")
    _expiring_in(soon, 5)
    _expiring_in(later, 60)
    text = _home(client_for(personas[Role.PARTNERSHIP_ADMIN]))
    assert f"1 {WORDS}" in text
    assert reverse("api-tokens:token-list", kwargs={"partnership": "wandsworth"}) in text
    tokens.token_revoke(token=soon.token, actor=None)
    assert WORDS not in _home(client_for(personas[Role.PARTNERSHIP_ADMIN]))


def test_no_one_else_sees_it(client_for, partnership, other_partnership, personas):
    _expiring_in(make_token(partnership), 5)
    assert WORDS not in _home(client_for(personas[Role.ANALYST]))
    assert WORDS not in _home(client_for(personas["outsider"]), "lambeth")

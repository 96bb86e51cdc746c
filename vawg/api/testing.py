"""Tokens and calls for the API's tests (and other apps' tests that call the API)."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from vawg.api import tokens
from vawg.api.scopes import Scope
from vawg.core.models import Organisation, Partnership


def make_token(
    partnership: Partnership,
    organisation: Organisation | None = None,
    *,
    scopes=tuple(Scope.values),
    name: str = "",
    days: int = 30,
) -> tokens.Made:
    organisation = organisation or partnership.organisations.first()
    if organisation is None:
        organisation = Organisation.objects.create(
            partnership=partnership, name="API test organisation", kind="other"
        )
    return tokens.token_create(
        partnership=partnership,
        organisation=organisation,
        name=name or f"Test token {partnership.slug} {timezone.now().timestamp()}",
        scopes=list(scopes),
        expires_on=timezone.localdate() + timedelta(days=days),
        actor=None,
    )


class ApiClient(Client):
    """A test client that sends the token on every call."""

    def __init__(self, secret: str, **kwargs):
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)

"""What the partner API adds to the partnership admin's home page (vawg.core.home): tokens
about to expire, before a partner's system finds out by being refused."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.api import selectors
from vawg.core.home import HomeItem, Shown, home_items
from vawg.core.permissions import Role


def home_tokens_expiring(request: HttpRequest, today: date) -> Shown:
    count = selectors.tokens_expiring(partnership=request.partnership)
    words = "token stops" if count == 1 else "tokens stop"
    return Shown(
        f"{count} partner API {words} working within {selectors.EXPIRING_DAYS} days: "
        "make the next before the partner's system is refused",
        reverse("api-tokens:token-list", kwargs={"partnership": request.partnership.slug}),
        count=count,
    )


def register() -> None:
    home_items.register(
        "api.tokens_expiring",
        HomeItem(
            home_tokens_expiring,
            "api.tokens.manage",
            roles=frozenset({Role.PARTNERSHIP_ADMIN}),
        ),
        order=90,
    )

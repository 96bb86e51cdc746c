"""Reads for the partner API's staff pages: a partnership's tokens, as its admin sees them."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from vawg.api.models import ApiToken
from vawg.api.scopes import Scope
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Partnership

LABELS = dict(Scope.choices)


@dataclass(frozen=True)
class TokenRow:
    """A token with what it may do in words, in the order the scopes are declared."""

    token: ApiToken
    scopes: list[str]


@dataclass(frozen=True)
class TokenLists:
    live: list[TokenRow]
    ended: list[TokenRow]  # revoked or expired, newest first


def scope_labels(scopes) -> list[str]:
    """Each scope's label, in the order Scope declares them; an unknown one by its name."""
    known = [LABELS[value] for value in Scope.values if value in scopes]
    return known + sorted(str(value) for value in scopes if value not in LABELS)


def _tokens(partnership: Partnership) -> QuerySet[ApiToken]:
    return scoped(ApiToken.objects.all(), partnership).select_related(
        "organisation", "created_by", "revoked_by"
    )


def tokens_of(partnership: Partnership) -> TokenLists:
    """The partnership's tokens: the live ones, then those revoked or expired."""
    now = timezone.now()
    lists = TokenLists(live=[], ended=[])
    for token in _tokens(partnership).order_by("-created_at", "-pk"):
        live = token.revoked_at is None and token.expires_at > now
        (lists.live if live else lists.ended).append(TokenRow(token, scope_labels(token.scopes)))
    return lists


def token_of_partnership(partnership: Partnership, pk: int) -> ApiToken:
    """One of the partnership's tokens; another partnership's gives 404."""
    return get_scoped_or_404(_tokens(partnership), partnership, pk=pk)


EXPIRING_DAYS = 14


def tokens_expiring(*, partnership: Partnership, within_days: int = EXPIRING_DAYS) -> int:
    """Live tokens that stop working within `within_days`: a partner's nightly pull would
    then fail without warning, so the admin is told in time to make the next one."""
    now = timezone.now()
    return (
        ApiToken.objects.live(now)
        .filter(partnership=partnership, expires_at__lte=now + timedelta(days=within_days))
        .count()
    )

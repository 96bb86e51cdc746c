"""Making, revoking and checking partner API tokens (the business rules; views are thin)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from vawg.api.models import ApiToken
from vawg.api.scopes import Scope
from vawg.audit.models import AuditEvent
from vawg.audit.services import record
from vawg.core.models import Organisation, Partnership

PREFIX = "vawg_"
LONGEST = timedelta(days=366)  # a token lives a year at most, then is made again


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Made:
    token: ApiToken
    secret: str  # shown once, never kept


def token_problems(*, partnership: Partnership, name: str, scopes, expires_on, today: date):
    errors = {}
    if not name.strip():
        errors["name"] = "Give the token a name that says which system uses it."
    elif ApiToken.objects.live().filter(partnership=partnership, name=name.strip()).exists():
        errors["name"] = "A live token already has this name: choose another, or revoke that one."
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        errors["scopes"] = "Choose at least one thing the token may do."
    if expires_on is None or expires_on <= today:
        errors["expires_on"] = "The expiry date must be in the future."
    elif expires_on > today + LONGEST:
        errors["expires_on"] = "A token may last a year at most: choose an earlier date."
    return errors


@transaction.atomic
def token_create(
    *,
    partnership: Partnership,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    expires_on: date,
    actor,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Made:
    today = today or timezone.localdate()
    if organisation.partnership_id != partnership.pk:
        raise ValidationError({"organisation": "Choose one of the partnership's organisations."})
    errors = token_problems(
        partnership=partnership, name=name, scopes=scopes, expires_on=expires_on, today=today
    )
    if errors:
        raise ValidationError(errors)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        partnership=partnership,
        organisation=organisation,
        name=name.strip(),
        prefix=secret[: len(PREFIX) + 8],
        digest=digest_of(secret),
        scopes=sorted(set(scopes)),
        created_by=actor,
        # The end of the expiry day, in the platform's time zone.
        expires_at=timezone.make_aware(datetime.combine(expires_on, time.max)),
    )
    record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        partnership=partnership,
        obj=token,
        summary=f"Made the API token '{token.name}' for {organisation.name}",
        detail={"scopes": token.scopes, "expires_on": expires_on.isoformat()},
        request=request,
    )
    return Made(token, secret)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor, request: HttpRequest | None = None) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        partnership=token.partnership_id,
        obj=token,
        summary=f"Revoked the API token '{token.name}'",
        request=request,
    )
    return token


def token_for(secret: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown, revoked or expired)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("partnership", "organisation")
        .filter(digest=digest_of(secret))
        .first()
    )
    if token is None or not token.live:
        return None
    return token

"""Who is calling: a bearer token, live, holding the operation's scope, within its rate.

Each operation names its scope (`auth=TokenAuth(Scope.READ_PLAN)`), which the schema
shows. A call without a live token is refused with 401, a token without the scope with
403, one over its limit with 429; every call that reaches a token is audited with the
token's name (never its secret).
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from vawg.api.models import ApiToken
from vawg.api.problems import ApiProblem
from vawg.api.tokens import token_for
from vawg.audit.models import AuditEvent
from vawg.audit.services import record
from vawg.core import ratelimit

WINDOW_SECONDS = 60


def per_minute() -> int:
    return int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 120))


class TokenAuth(HttpBearer):
    openapi_description = (
        "A partner API token, sent as `Authorization: Bearer vawg_…`. A partnership admin "
        "makes one under Admin → Partner API; it is shown once."
    )

    def __init__(self, scope: str | None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token)
        if found is None:
            return None  # 401
        if self.scope is not None and not found.has(self.scope):
            _audit(request, found, refused=f"the token lacks the scope {self.scope}")
            raise ApiProblem(403, f"This token may not do this: it needs the scope '{self.scope}'.")
        if not ratelimit.take(f"api:rate:{found.pk}", limit=per_minute(), window=WINDOW_SECONDS):
            raise ApiProblem(
                429,
                f"This token has made more than {per_minute()} calls in a minute: "
                "wait a minute and try again.",
                headers={"Retry-After": str(WINDOW_SECONDS)},
            )
        _audit(request, found)
        # Only when it moves on by a minute, so that a pull of many pages writes once.
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found
        return found


def _audit(request: HttpRequest, token: ApiToken, refused: str = "") -> None:
    detail = {"token": token.name, "token_id": token.pk, "method": request.method}
    if refused:
        detail["refused"] = refused
    record(
        action=AuditEvent.Action.API,
        partnership=token.partnership_id,
        object_type="api.ApiToken",
        object_id=token.pk,
        # A path may carry a NUL (%00), which PostgreSQL's text refuses.
        summary=f"API {request.method} {request.path}".replace("\x00", "")[:300],
        detail=detail,
        request=request,
    )

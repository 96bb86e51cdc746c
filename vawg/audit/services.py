"""Writing to the audit trail. Every write, export and restricted read calls record()."""

from datetime import date
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from vawg.audit.models import AuditEvent
from vawg.core import disclosure

Action = AuditEvent.Action


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from (REMOTE_ADDR; a proxy in front sets it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor=None,
    partnership=None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `summary` and `detail` must never hold personal data."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor_id is None and request is not None and request.user.is_authenticated:
        actor_id = request.user.pk
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor_id,
        partnership_id=getattr(partnership, "pk", partnership),
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:300],
        ip_address=client_ip(request),
        detail=detail or {},
    )


def _plain(value: Any) -> Any:
    """A filter's value as the trail can hold it: ids for objects, ISO text for dates."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def figures_viewed(
    request: HttpRequest,
    *,
    subject: str,
    filters: dict[str, Any] | None = None,
    exact_permissions: tuple[str, ...] = (disclosure.ANALYST,),
) -> disclosure.Audience:
    """The audience a signed-in person's figures are shown for, with the view recorded.

    Exact figures (a permission in core.permissions) are a restricted read; controlled
    ones are recorded too (who, which filters, when), so that a run of views differencing
    one figure against another can be seen in the trail. Filters hold codes and ids only.
    """
    roles = getattr(request, "roles", frozenset())
    audience = disclosure.audience_for(roles, *exact_permissions)
    record(
        action=Action.READ_RESTRICTED if audience.exact else Action.FIGURES,
        actor=request.user,
        partnership=getattr(request, "partnership", None),
        object_type=subject,
        summary=("Viewed unsuppressed figures" if audience.exact else "Viewed figures")
        + f" ({subject})",
        detail={
            "level": audience.level.value,
            "filters": {k: _plain(v) for k, v in (filters or {}).items()},
            **({"region": request.region.pk} if getattr(request, "region", None) else {}),
        },
        request=request,
    )
    return audience

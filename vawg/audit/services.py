"""Writing to the audit trail. Every write, export and restricted read calls record()."""

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from vawg.audit.models import AuditEvent

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

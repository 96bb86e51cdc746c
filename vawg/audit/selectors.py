"""Reads of the audit trail, always for one partnership."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from vawg.accounts.models import Membership
from vawg.audit.models import AuditEvent
from vawg.core.models import Partnership

Action = AuditEvent.Action

# Events about a person's own account carry no partnership: a partnership's
# admin sees them for the people who are (or were) its members.
ACCOUNT_ACTIONS = [Action.SIGN_IN, Action.SIGN_OUT, Action.TWO_FACTOR]
ACCOUNT_OBJECT_TYPES = ["accounts.User", "otp_totp.TOTPDevice"]


def member_ids_of(partnership: Partnership) -> QuerySet:
    return Membership.objects.filter(partnership=partnership).values("user_id")


def members_for_filter(*, partnership: Partnership) -> list[tuple[int, str]]:
    """(user id, name) of everyone who is or was a member, for the "who" filter."""
    seen: dict[int, str] = {}
    rows = (
        Membership.objects.filter(partnership=partnership)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    for membership in rows:
        user = membership.user
        seen.setdefault(user.pk, user.get_full_name() or user.username)
    return list(seen.items())


def events_for_partnership(
    *,
    partnership: Partnership,
    action: str = "",
    actor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    object_type: str = "",
) -> QuerySet[AuditEvent]:
    """The partnership's events, newest first, with its members' sign-ins."""
    own_accounts = Q(partnership_id__isnull=True, actor_id__in=member_ids_of(partnership)) & (
        Q(action__in=ACCOUNT_ACTIONS) | Q(object_type__in=ACCOUNT_OBJECT_TYPES)
    )
    events = AuditEvent.objects.filter(Q(partnership_id=partnership.pk) | own_accounts)
    if action:
        events = events.filter(action=action)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if object_type:
        events = events.filter(object_type=object_type)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        next_day = date_to + timedelta(days=1)
        events = events.filter(at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
    return events.order_by("-at", "-id")


def object_types_for(*, partnership: Partnership) -> list[str]:
    recorded = (
        AuditEvent.objects.filter(partnership_id=partnership.pk)
        .exclude(object_type="")
        .values_list("object_type", flat=True)
        .distinct()
    )
    return sorted(set(recorded) | set(ACCOUNT_OBJECT_TYPES))

"""Writes to the directory: adding, editing, reviewing and retiring listings, and reminders.

Every write is audited by reference (the listing's id and the names of the fields changed);
the finder itself writes nothing at all.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.models import Partnership
from vawg.directory.models import (
    Audience,
    Language,
    Need,
    Service,
    ServiceAudience,
    ServiceLanguage,
    ServiceNeed,
)
from vawg.directory.selectors import owner_choices

# How long a listing may go before its owner checks it again.
REVIEW_INTERVAL = timedelta(days=183)

# The listing's own fields a form may set (the sets of codes are passed separately).
FIELDS = (
    "provider",
    "name",
    "summary",
    "area",
    "interpreters",
    "phone",
    "text_number",
    "email",
    "website",
    "walk_in",
    "access",
    "opening_hours",
    "free",
    "confidential",
    "owner",
    "review_due",
)


def next_review(on: date) -> date:
    return on + REVIEW_INTERVAL


def _check_codes(name: str, values, allowed) -> list[str]:
    values = sorted(set(values))
    unknown = [v for v in values if v not in allowed.values]
    if unknown:
        raise ValidationError({name: f"Choose from the list ({', '.join(unknown)} is not one)."})
    return values


def _check_owner(partnership: Partnership, owner) -> None:
    if owner is None or not owner_choices(partnership=partnership).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": "Choose an owner who is a member of this partnership."})


def set_codes(service: Service, *, needs, audiences, languages) -> None:
    """Replace the listing's sets of codes with these."""
    _replace_codes(ServiceNeed, "need", service, needs)
    _replace_codes(ServiceAudience, "audience", service, audiences)
    _replace_codes(ServiceLanguage, "language", service, languages)


# One of the listing's sets of codes, each a model of its own.
CodeRow = TypeVar("CodeRow", ServiceNeed, ServiceAudience, ServiceLanguage)


def _replace_codes(
    model: type[CodeRow], field: str, service: Service, values: Iterable[str]
) -> None:
    model.objects.filter(service=service).exclude(**{f"{field}__in": values}).delete()
    have = set(model.objects.filter(service=service).values_list(field, flat=True))
    model.objects.bulk_create(
        [model(service=service, **{field: v}) for v in values if v not in have]
    )


def _clean_sets(*, needs, audiences, languages) -> dict[str, list[str]]:
    needs = _check_codes("needs", needs, Need)
    if not needs:
        raise ValidationError({"needs": "Choose at least one thing this service helps with."})
    return {
        "needs": needs,
        "audiences": _check_codes("audiences", audiences, Audience),
        "languages": _check_codes("languages", languages, Language),
    }


def _unique_check(service: Service) -> None:
    clash = (
        Service.objects.current()
        .filter(
            partnership_id=service.partnership_id,
            provider__iexact=service.provider,
            name__iexact=service.name,
        )
        .exclude(pk=service.pk)
    )
    if service.retired_at is None and clash.exists():
        raise ValidationError(
            {"name": "This partnership already lists a service with this provider and name."}
        )


@transaction.atomic
def service_create(
    *,
    partnership: Partnership,
    actor,
    needs,
    audiences=(),
    languages=(),
    request: HttpRequest | None = None,
    **fields,
) -> Service:
    """Add a listing. Raises ValidationError (nothing saved) when it is incomplete or clashes."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown listing fields: {sorted(unknown)}")
    sets = _clean_sets(needs=needs, audiences=audiences, languages=languages)
    fields.setdefault("review_due", next_review(timezone.localdate()))
    service = Service(partnership=partnership, **fields)
    _check_owner(partnership, service.owner)
    service.full_clean(validate_constraints=False)
    _unique_check(service)
    service.save()
    set_codes(service, **sets)
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=partnership,
        obj=service,
        summary="Added a directory listing",
        request=request,
    )
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    actor,
    needs,
    audiences=(),
    languages=(),
    request: HttpRequest | None = None,
    **fields,
) -> Service:
    """Change a listing. Raises ValidationError (nothing changed) when the result is invalid."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown listing fields: {sorted(unknown)}")
    service = Service.objects.select_for_update(of=("self",)).get(pk=service.pk)
    sets = _clean_sets(needs=needs, audiences=audiences, languages=languages)
    before = {name: getattr(service, name) for name in fields}
    before_sets = {
        "needs": sorted(service.need_codes),
        "audiences": sorted(service.audience_codes),
        "languages": sorted(service.language_codes),
    }
    for name, value in fields.items():
        setattr(service, name, value)
    if "owner" in fields:
        _check_owner(service.partnership, service.owner)
    service.full_clean(validate_constraints=False)
    _unique_check(service)
    service.save()
    set_codes(service, **sets)
    changed = sorted(
        [name for name, value in fields.items() if before[name] != value]
        + [name for name, values in sets.items() if before_sets[name] != values]
    )
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=service.partnership_id,
        obj=service,
        summary="Changed a directory listing",
        detail={"changed": changed},
        request=request,
    )
    return service


@transaction.atomic
def service_mark_reviewed(
    *, service: Service, actor, on: date, request: HttpRequest | None = None
) -> Service:
    """The owner has checked the listing is right: the next review falls due one interval on."""
    service = Service.objects.select_for_update(of=("self",)).get(pk=service.pk)
    if service.retired_at is not None:
        raise ValidationError("A retired listing is not reviewed; reinstate it first.")
    service.last_reviewed_on = on
    service.review_due = next_review(on)
    service.save(update_fields=["last_reviewed_on", "review_due", "updated_at"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=service.partnership_id,
        obj=service,
        summary="Checked a directory listing",
        detail={"review_due": service.review_due.isoformat()},
        request=request,
    )
    return service


@transaction.atomic
def service_retire(*, service: Service, actor, request: HttpRequest | None = None) -> Service:
    """Take a listing out of the public finder, keeping it for the record."""
    service = Service.objects.select_for_update(of=("self",)).get(pk=service.pk)
    if service.retired_at is not None:
        raise ValidationError("This listing is already retired.")
    service.retired_at = timezone.now()
    service.save(update_fields=["retired_at", "updated_at"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=service.partnership_id,
        obj=service,
        summary="Retired a directory listing",
        request=request,
    )
    return service


@transaction.atomic
def service_reinstate(*, service: Service, actor, request: HttpRequest | None = None) -> Service:
    """Put a retired listing back in the finder (flagged at once if its review is overdue)."""
    service = Service.objects.select_for_update(of=("self",)).get(pk=service.pk)
    if service.retired_at is None:
        raise ValidationError("This listing is not retired.")
    service.retired_at = None
    _unique_check(service)
    service.save(update_fields=["retired_at", "updated_at"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=service.partnership_id,
        obj=service,
        summary="Reinstated a directory listing",
        request=request,
    )
    return service


def remind_stale_owners(*, on: date) -> int:
    """Email each owner once about their listings that have passed their review date.

    Idempotent: a listing is included once per review date, so running it again the same
    day (or the next) sends nothing new. The email names services, never people.
    Returns the number of emails sent.
    """
    due = (
        Service.objects.stale(on=on)
        .exclude(reminded_for=F("review_due"))
        .select_related("owner", "partnership")
        .order_by("owner_id", "review_due")
    )
    by_owner: dict = defaultdict(list)
    members: dict[int, set[int]] = {}
    for service in due:
        if service.partnership_id not in members:
            members[service.partnership_id] = set(
                owner_choices(partnership=service.partnership).values_list("pk", flat=True)
            )
        # An owner who has left gets no reminder; the admins' list flags the listing instead.
        if service.owner_id in members[service.partnership_id] and service.owner.email:
            by_owner[service.owner].append(service)
    sent = 0
    for owner, services in by_owner.items():
        lines = [
            f"- {s.name} ({s.provider}), review was due {s.review_due:%d %B %Y}: {_edit_url(s)}"
            for s in services
        ]
        with transaction.atomic():
            send_mail(
                subject="Directory listings to check",
                message=(
                    "These support directory listings you own have passed their review date. "
                    "Please check each is still right, then mark it as checked:\n\n"
                    + "\n".join(lines)
                    + "\n"
                ),
                from_email=None,
                recipient_list=[owner.email],
            )
            for s in services:
                Service.objects.filter(pk=s.pk).update(reminded_for=s.review_due)
        sent += 1
    return sent


def _edit_url(service: Service) -> str:
    path = reverse(
        "directory:listing-edit",
        kwargs={"partnership": service.partnership.slug, "pk": service.pk},
    )
    return f"{settings.SITE_URL}{path}"

"""Directory listings for tests: just what a test needs, built straight in the database."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.directory.models import (
    Area,
    Need,
    Service,
    ServiceAudience,
    ServiceLanguage,
    ServiceNeed,
)

_seq = itertools.count(1)


def make_service(
    partnership,
    *,
    owner=None,
    needs=(Need.DOMESTIC_ABUSE,),
    audiences=(),
    languages=(),
    area: str = Area.BOROUGH,
    review_due: date | None = None,
    retired: bool = False,
    **fields,
) -> Service:
    n = next(_seq)
    fields.setdefault("provider", f"Provider {n} (test)")
    fields.setdefault("name", f"Service {n}")
    fields.setdefault("summary", "Support, advice and someone to talk to.")
    fields.setdefault("phone", "020 7946 0000")
    fields.setdefault("opening_hours", "Monday to Friday, 9am to 5pm")
    service = Service.objects.create(
        partnership=partnership,
        owner=owner or make_member(Role.PARTNERSHIP_ADMIN, partnership),
        area=area,
        review_due=review_due or timezone.localdate() + timedelta(days=90),
        retired_at=timezone.now() if retired else None,
        **fields,
    )
    ServiceNeed.objects.bulk_create([ServiceNeed(service=service, need=v) for v in needs])
    ServiceAudience.objects.bulk_create(
        [ServiceAudience(service=service, audience=v) for v in audiences]
    )
    ServiceLanguage.objects.bulk_create(
        [ServiceLanguage(service=service, language=v) for v in languages]
    )
    return service

"""Small factories for tests and demo data: build just what a test needs."""

import itertools

from django.contrib.auth.hashers import Argon2PasswordHasher

from vawg.core.models import Organisation, Partnership, PartnershipBody, Region
from vawg.core.permissions import Role

_seq = itertools.count(1)


def make_region(slug: str = "london", name: str = "London") -> Region:
    region, _ = Region.objects.get_or_create(slug=slug, defaults={"name": name})
    return region


def make_partnership(slug: str | None = None, name: str | None = None, **extra) -> Partnership:
    n = next(_seq)
    slug = slug or f"borough-{n}"
    region = extra.pop("region", None) or make_region()
    return Partnership.objects.create(
        slug=slug, name=name or slug.replace("-", " ").title(), region=region, **extra
    )


def make_organisation(partnership: Partnership, name: str | None = None, **extra) -> Organisation:
    extra.setdefault("kind", Organisation.Kind.COUNCIL)
    return Organisation.objects.create(
        partnership=partnership, name=name or f"Organisation {next(_seq)}", **extra
    )


def make_body(partnership: Partnership, name: str | None = None, **extra) -> PartnershipBody:
    extra.setdefault("kind", PartnershipBody.Kind.WORKSTREAM)
    return PartnershipBody.objects.create(
        partnership=partnership, name=name or f"Workstream {next(_seq)}", **extra
    )


ALL_ROLES = list(Role)


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with cheap parameters, for tests only: the production hasher's memory
    cost makes creating a dozen personas per test take seconds."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1

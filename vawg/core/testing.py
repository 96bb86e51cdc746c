"""Small factories for tests and demo data: build just what a test needs."""

import itertools

from django.contrib.auth.hashers import Argon2PasswordHasher

from vawg.core.models import Organisation, Partnership, PartnershipBody, Region
from vawg.core.permissions import ROLES_NEEDING_REGION, ROLES_NEEDING_WORKSTREAM, Role

_seq = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - the test accounts' password


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


def make_user(username: str | None = None, password: str = TEST_PASSWORD, **extra):
    from vawg.accounts.models import User

    username = username or f"user{next(_seq)}"
    extra.setdefault("email", f"{username}@example.invalid")
    return User.objects.create_user(username=username, password=password, **extra)


def make_member(
    role: str,
    partnership: Partnership | None = None,
    *,
    user=None,
    organisation: Organisation | None = None,
    workstream: PartnershipBody | None = None,
    region: Region | None = None,
):
    """A user holding `role` (in `partnership`, or `region` for a regional officer)."""
    from vawg.accounts.models import Membership

    user = user or make_user()
    if role in ROLES_NEEDING_REGION:
        region = region or (partnership.region if partnership else make_region())
        Membership.objects.create(user=user, role=role, region=region)
        return user
    if partnership is None:
        raise ValueError(f"A {role} needs a partnership.")
    organisation = (
        organisation or partnership.organisations.first() or make_organisation(partnership)
    )
    if role in ROLES_NEEDING_WORKSTREAM:
        workstream = workstream or make_body(partnership)
    Membership.objects.create(
        user=user,
        role=role,
        partnership=partnership,
        organisation=organisation,
        workstream=workstream,
    )
    return user


ALL_ROLES = list(Role)


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with cheap parameters, for tests only: the production hasher's memory
    cost makes creating a dozen personas per test take seconds."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1

"""Factories for tests and demo data that make accounts: users and their memberships.

Here rather than in vawg.core.testing, so that core imports no other app.
"""

import itertools

from vawg.accounts.models import Membership, User
from vawg.core.models import Organisation, Partnership, PartnershipBody, Region
from vawg.core.permissions import ROLES_NEEDING_REGION, ROLES_NEEDING_WORKSTREAM
from vawg.core.testing import make_body, make_organisation, make_region

_seq = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 - the test accounts' password


def make_user(username: str | None = None, password: str = TEST_PASSWORD, **extra):
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

import random
from datetime import date
from io import StringIO

from vawg.accounts.testing import make_member, make_user
from vawg.core.permissions import Role
from vawg.directory import demo
from vawg.directory.models import Service
from vawg.directory.selectors import matching_services

TODAY = date(2026, 6, 1)


def _load():
    demo.load(today=TODAY, rng=random.Random(1), stdout=StringIO())  # noqa: S311 - synthetic data, not a secret


def test_the_demo_directory_loads_twice_to_the_same_result(partnership, other_partnership):
    for p in (partnership, other_partnership):
        make_member(Role.PARTNERSHIP_ADMIN, p, user=make_user(f"{p.slug}-admin"))

    _load()
    first = sorted(Service.objects.values_list("partnership__slug", "provider", "review_due"))
    _load()

    assert sorted(Service.objects.values_list("partnership__slug", "provider", "review_due")) == (
        first
    )
    assert Service.objects.filter(partnership=partnership).count() == 13
    assert Service.objects.filter(partnership=other_partnership).count() == 10
    assert Service.objects.stale(on=TODAY).filter(partnership=partnership).count() == 2
    assert Service.objects.filter(retired_at__isnull=False).count() == 2
    assert all("(demo)" in s.provider for s in Service.objects.all())
    # The national line both partnerships list is shown once.
    found = matching_services(partnership, needs=[], audiences=["older"], language="")
    assert [m.service.provider for m in found].count("Silver Years Safety Line (demo)") == 1


def test_without_the_demo_accounts_it_skips(partnership):
    _load()

    assert not Service.objects.exists()

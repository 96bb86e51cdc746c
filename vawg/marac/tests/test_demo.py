"""The demo step: a year of synthetic MARAC data for both partnerships, safe to run twice."""

import random
from datetime import date, timedelta
from io import StringIO

import pytest

from vawg.core.models import Organisation
from vawg.core.testing import make_organisation
from vawg.marac import demo, selectors
from vawg.marac.models import MaracSettings, Meeting, Referral

pytestmark = pytest.mark.django_db


# Any day: 7 December 2026 falls on a meeting day of the demo's four-weekly cycle.
@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2026, 12, 7)])
def test_the_demo_loads_a_synthetic_year_and_is_idempotent(partnership, other_partnership, today):
    for p in (partnership, other_partnership):
        make_organisation(p, f"{p.name} Test Police", kind=Organisation.Kind.POLICE)
    demo.load(today=today, rng=random.Random(7), stdout=StringIO())  # noqa: S311 - synthetic data, not a secret
    for p in (partnership, other_partnership):
        referrals = Referral.objects.filter(partnership=p)
        assert referrals.count() > 50
        assert referrals.filter(is_repeat=True).exists()
        assert min(r.referred_on for r in referrals) >= today - timedelta(days=364)
        held = Meeting.objects.filter(partnership=p, status=Meeting.Status.HELD)
        assert held.count() >= 12
        assert Meeting.objects.filter(partnership=p, held_on__gt=today).count() == 1
        past = Meeting.objects.filter(partnership=p, held_on__lte=today)
        assert not past.filter(status=Meeting.Status.SCHEDULED).exists()
        # The coordinator has referrals to list for the next meeting.
        assert selectors.referrals_not_listed(partnership=p) > 0
        assert MaracSettings.objects.get(partnership=p).population_is_synthetic
    before = Referral.objects.count()
    demo.load(today=today, rng=random.Random(7), stdout=StringIO())  # noqa: S311 - synthetic data, not a secret
    assert Referral.objects.count() == before

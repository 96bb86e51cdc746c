"""The MARAC statistics attacked as a board member would: every quarter and year on offer
side by side (a year against its quarters, overlapping "12 months to the period's end"
windows, rates against their counts). The attacker's audit
(vawg/core/tests/auditor.py) fails if any hidden count can be worked out exactly."""

import random
from datetime import date

import pytest
from django.urls import reverse

from vawg.core import disclosure
from vawg.core.periods import add_months
from vawg.core.permissions import Role
from vawg.core.tests.auditor import Auditor
from vawg.marac.models import MaracSettings, Referral
from vawg.marac.selectors import REFERRAL
from vawg.marac.statistics import periods_for
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.marac.views import _today

pytestmark = pytest.mark.django_db

FIRST_QUARTER = date(2024, 4, 1)


def _quarter(day: date) -> date:
    return date(day.year, 1 + 3 * ((day.month - 1) // 3), 1)


@pytest.fixture
def cases(partnership):
    """Some ten cases a quarter, a handful of them men, some coming back within a year."""
    MaracSettings.objects.create(partnership=partnership, women_16_plus=100_000)
    rng = random.Random(7)  # noqa: S311 - the attacker's random walk, seeded
    quarter, last = date(2025, 4, 1), _quarter(_today())
    n = 0
    while quarter <= last:
        for _ in range(rng.randint(7, 13)):
            n += 1
            # A victim from the last dozen cases comes back now and then: a repeat.
            who = rng.randint(max(1, n - 12), n) if rng.random() < 0.2 else n
            make_referral(
                partnership,
                on=add_months(quarter, 0).replace(day=rng.randint(1, 20)),
                victim=f"Test Victim {who:03d}",
                victim_sex=Referral.Sex.MALE if rng.random() < 0.12 else Referral.Sex.FEMALE,
            )
        hold_meeting(make_meeting(partnership, on=quarter.replace(day=25)))
        quarter = add_months(quarter, 3)


def _records(partnership) -> list[dict]:
    discussed = Referral.objects.filter(
        partnership=partnership, agenda_item__meeting__status="held"
    ).values("pk", "victim_sex", "is_repeat", "agenda_item__meeting__held_on")
    return [
        {
            "id": r["pk"],
            "quarter": _quarter(r["agenda_item__meeting__held_on"]),
            "male": r["victim_sex"] == Referral.Sex.MALE,
            "repeat": r["is_repeat"],
        }
        for r in discussed
    ]


def _quarters(start: date, end: date) -> set[date]:
    out, q = set(), _quarter(start)
    while q <= end:
        out.add(q)
        q = add_months(q, 3)
    return out


def test_a_board_member_can_work_out_no_hidden_count(client_for, personas, partnership, cases):
    records = _records(partnership)
    last = _quarter(_today())
    audit = Auditor(
        {
            "quarter": sorted(_quarters(FIRST_QUARTER, last)),
            "male": [True, False],
            "repeat": [True, False],
        }
    )

    def shown(where: dict) -> disclosure.Figure:
        ids = [
            r["id"]
            for r in records
            if all(r[k] in (v if isinstance(v, set) else {v}) for k, v in where.items())
        ]
        return disclosure.count(disclosure.tally(REFERRAL, ids), disclosure.CONTROLLED)

    client = client_for(personas[Role.BOARD_MEMBER])
    url = reverse("marac:statistics", kwargs={"partnership": partnership.slug})
    periods = periods_for(partnership, _today())
    assert len(periods) > 5
    for period in periods:
        page = client.get(url, {"period": period.key})
        assert page.status_code == 200
        rows = {r.key: r.local for r in page.context["rows"]}
        inside = {"quarter": _quarters(period.start, period.end)}
        year = {
            "quarter": _quarters(add_months(period.end, -12), period.end)
            - {_quarter(add_months(period.end, -12))}
        }
        cases = shown(inside)
        assert rows["cases"] == cases
        audit.publish(inside, cases.text, f"{period.label}: cases")
        for key, also in (("repeat_rate", {"repeat": True}), ("male_rate", {"male": True})):
            part = shown({**inside, **also})
            assert rows[key] == disclosure.rate(part, cases), key
            audit.publish({**inside, **also}, part.text, f"{period.label}: {key}")
        in_year = shown(year)
        assert rows["cases_per_10000"] == disclosure.rate(in_year, 100_000, per=10_000)
        audit.publish(year, in_year.text, f"{period.label}: cases in 12 months")
    assert audit.hidden(), "the data has small groups, and the page hid them"
    assert audit.inconsistent == []
    assert audit.recovered(records) == []

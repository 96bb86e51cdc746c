"""The local insight headlines reports read (selectors.headlines)."""

from datetime import date

import pytest

from vawg.core import disclosure
from vawg.core.models import Ward
from vawg.core.testing import make_partnership
from vawg.insight.models import Population
from vawg.insight.selectors import headlines
from vawg.insight.tests.factories import import_rows, row

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


@pytest.fixture
def borough():
    partnership = make_partnership("headlines", "Headlines")
    wards = [
        Ward.objects.create(partnership=partnership, name=name, valid_from=date(2022, 5, 5))
        for name in ("Roehampton", "Tooting Bec", "Balham", "Nine Elms")
    ]
    for ward in wards:
        for ethnicity in ("white", "black"):
            Population.objects.create(
                partnership=partnership,
                year=2026,
                ward=ward,
                age_band="25-34",
                sex="female",
                ethnicity=ethnicity,
                people=1000,
                synthetic=True,
                source="test",
            )
    rows = [
        row(
            f"R{n:04}",
            f"2026-{1 + n % 6:02}-10",
            Ward=("Roehampton", "Tooting Bec", "Balham")[n % 3],
            Ethnicity="White" if n % 10 else "Black",
        )
        for n in range(120)
    ]
    rows += [row(f"C{n}", "2026-03-02", Ward="Nine Elms") for n in range(3)]
    import_rows(partnership, rows, today=TODAY)
    return partnership


def test_it_names_the_groups_over_and_under_represented(borough):
    found = headlines(
        partnership=borough,
        first=date(2026, 1, 1),
        last=date(2026, 6, 30),
        audience=disclosure.CONTROLLED,
        today=TODAY,
    )
    assert any(line.startswith("White (ethnic group") for line in found.over_represented)
    assert any(line.startswith("Black, Black British") for line in found.under_represented)


def test_it_marks_the_month_under_way_and_hides_small_counts(borough):
    found = headlines(
        partnership=borough,
        first=date(2026, 1, 1),
        last=date(2026, 6, 30),
        audience=disclosure.CONTROLLED,
        today=TODAY,
    )
    assert found.board.trend.points[-1].partial
    wards = {bar.label: bar.figure for bar in found.chart["wards"].bars}
    assert wards["Nine Elms"].text == "fewer than 5"
    assert "Nine Elms" not in found.chart["wards"].summary  # not ranked among the top

"""What a board member may see, worked by hand against what an analyst sees."""

from datetime import date

import pytest

from vawg.insight import dashboard
from vawg.insight.queries import Filters
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards(partnership):
    wards = make_wards(partnership)
    rows = [row(f"R{i}", "2025-03-10", Ward="Roehampton") for i in range(20)]
    rows += [row(f"T{i}", "2025-03-11", Ward="Tooting Bec") for i in range(3)]
    import_rows(partnership, rows)
    return wards


def board(partnership, wards, *, exact_figures, **filters):
    f = Filters((partnership.pk,), date(2025, 1, 1), date(2025, 12, 1), **filters)
    names = {w.pk: w.name for w in wards.values()}
    return dashboard.build(f, exact_figures=exact_figures, ward_names=names)


def chart(board, key):
    return {
        bar.label: bar.figure.text for bar in next(c for c in board.charts if c.key == key).bars
    }


def test_an_analyst_sees_every_figure_exactly(partnership, wards):
    seen = board(partnership, wards, exact_figures=True)
    assert seen.total.text == "23"
    assert chart(seen, "wards") == {"Roehampton": "20", "Tooting Bec": "3"}


def test_a_small_cell_is_hidden_and_the_total_cannot_reveal_it(partnership, wards):
    seen = board(partnership, wards, exact_figures=False)
    # 3 is suppressed; 20 would give it away as 23 - 20, so it is hidden too.
    assert chart(seen, "wards") == {"Roehampton": "not shown", "Tooting Bec": "fewer than 5"}
    assert seen.total.text == "25"  # 23 rounded to the nearest 5


def test_a_filter_that_differs_from_the_unfiltered_view_by_a_few_records_is_refused(
    partnership, wards
):
    # Unfiltered shows 25 (23); Roehampton alone would be 20: the difference is Tooting's 3.
    seen = board(partnership, wards, exact_figures=False, ward=wards["Roehampton"].pk)
    assert "reveal a group of fewer than 5" in seen.refused
    assert seen.total is None


def test_a_filter_holding_too_few_records_is_refused(partnership, wards):
    seen = board(partnership, wards, exact_figures=False, ward=wards["Tooting Bec"].pk)
    assert "too few records" in seen.refused


def test_a_filter_that_changes_nothing_is_allowed(partnership, wards):
    seen = board(partnership, wards, exact_figures=False, strand="domestic_abuse")
    assert seen.refused == ""
    assert seen.total.text == "25"


def test_the_analyst_may_use_any_filter(partnership, wards):
    seen = board(partnership, wards, exact_figures=True, ward=wards["Tooting Bec"].pk)
    assert seen.refused == ""
    assert seen.total.text == "3"


def test_no_rate_is_computed_from_a_suppressed_count(partnership, wards):
    seen = board(partnership, wards, exact_figures=False)
    # 23 incidents, none repeats (different victims): 0 of 23 is shown as 0.0.
    assert seen.repeat_rate.text == "0.0"
    # None has an outcome: the charge rate has no denominator.
    assert seen.charge_rate.text == "no data"


def test_a_rate_per_resident_is_never_shown_for_a_hidden_count(partnership, wards):
    from vawg.insight.models import Population

    for ward in (wards["Roehampton"], wards["Tooting Bec"]):
        Population.objects.create(
            partnership=partnership,
            year=2025,
            ward=ward,
            age_band="25-34",
            sex="female",
            ethnicity="white",
            people=1000,
        )
    seen = board(partnership, wards, exact_figures=False)
    wards_chart = next(c for c in seen.charts if c.key == "wards")
    rates = {bar.label: bar.extra[0].text for bar in wards_chart.bars}
    assert rates == {"Roehampton": "not shown", "Tooting Bec": "not shown"}
    exact = board(partnership, wards, exact_figures=True)
    wards_chart = next(c for c in exact.charts if c.key == "wards")
    assert {bar.label: bar.extra[0].text for bar in wards_chart.bars} == {
        "Roehampton": "20.0",
        "Tooting Bec": "3.0",
    }


def test_a_rate_is_worked_from_the_rounded_counts_shown():
    # 6 charged of 23: exactly 26.1%, which beside a total shown as "25" gives 23 back.
    seen = dashboard.rate(6, 23, exact_figures=False)
    assert seen.text == "20.0"  # 5 of 25
    assert dashboard.rate(6, 23, exact_figures=True).text == "26.1"

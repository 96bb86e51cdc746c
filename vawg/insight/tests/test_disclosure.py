"""What a board member may see, against what an analyst sees: every figure through the
one rule in core.disclosure, and everything worked from a figure worked from the figure
as shown. The attacks on these pages are in vawg/core/tests/test_differencing.py."""

from dataclasses import replace
from datetime import date

import pytest

from vawg.core import disclosure
from vawg.core.disclosure import CONTROLLED, EXACT
from vawg.insight import dashboard, queries
from vawg.insight.models import Population
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


def _filters(partnership, **filters) -> Filters:
    return Filters((partnership.pk,), date(2025, 1, 1), date(2025, 12, 1), **filters)


def board(partnership, wards, *, audience, **filters):
    names = {w.pk: w.name for w in wards.values()}
    return dashboard.build(_filters(partnership, **filters), audience=audience, ward_names=names)


def chart(board, key):
    return {
        bar.label: bar.figure.text for bar in next(c for c in board.charts if c.key == key).bars
    }


def controlled(partnership, **filters) -> str:
    """What the rule makes of these filters' incidents at the controlled level."""
    tally = queries.totals(_filters(partnership, **filters)).tally("incidents")
    return disclosure.count(tally, CONTROLLED).text


def test_an_analyst_sees_every_figure_exactly(partnership, wards):
    seen = board(partnership, wards, audience=EXACT)
    assert seen.total.text == "23"
    assert chart(seen, "wards") == {"Roehampton": "20", "Tooting Bec": "3"}


def test_a_board_member_sees_each_count_by_the_rule(partnership, wards):
    seen = board(partnership, wards, audience=CONTROLLED)
    cells = chart(seen, "wards")
    assert cells["Tooting Bec"] == "fewer than 5"
    # 20 is a multiple of the base: shown as it is, whatever its key.
    assert cells["Roehampton"] == "20"
    assert seen.total.text in {"20", "25"}
    assert seen.total.text == controlled(partnership)


def test_a_filter_holding_too_few_records_is_answered_in_words(partnership, wards):
    seen = board(partnership, wards, audience=CONTROLLED, ward=wards["Tooting Bec"].pk)
    assert "too few records" in seen.refused
    assert seen.total.text == "fewer than 5"
    assert seen.charts == []


def test_a_filtered_view_reads_as_the_same_cell_does_unfiltered(partnership, wards):
    # Differencing Roehampton's view against the whole gives nothing exact: the two are
    # rounded by their own keys, and Roehampton reads the same in both.
    filtered = board(partnership, wards, audience=CONTROLLED, ward=wards["Roehampton"].pk)
    whole = board(partnership, wards, audience=CONTROLLED)
    assert filtered.refused == ""
    assert filtered.total.text == chart(whole, "wards")["Roehampton"]


def test_the_analyst_may_use_any_filter(partnership, wards):
    seen = board(partnership, wards, audience=EXACT, ward=wards["Tooting Bec"].pk)
    assert seen.refused == ""
    assert seen.total.text == "3"


def test_rates_are_worked_from_the_figures_shown(partnership, wards):
    seen = board(partnership, wards, audience=CONTROLLED)
    # 23 incidents, none repeats (different victims) and none with an outcome: "fewer than
    # 5" of them, so neither rate can be worked out from what is shown.
    assert seen.repeat_rate.text == "not shown"
    assert seen.charge_rate.text == "not shown"
    exact = board(partnership, wards, audience=EXACT)
    assert (exact.repeat_rate.text, exact.charge_rate.text) == ("0.0", "no data")


def test_a_rate_per_resident_is_worked_from_the_count_shown_and_hidden_with_it(partnership, wards):
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
    seen = board(partnership, wards, audience=CONTROLLED)
    wards_chart = next(c for c in seen.charts if c.key == "wards")
    rates = {bar.label: bar.extra[0].text for bar in wards_chart.bars}
    assert rates == {"Roehampton": "20.0", "Tooting Bec": "not shown"}
    assert "fewer than" not in " ".join(rates.values())
    exact = board(partnership, wards, audience=EXACT)
    wards_chart = next(c for c in exact.charts if c.key == "wards")
    assert {bar.label: bar.extra[0].text for bar in wards_chart.bars} == {
        "Roehampton": "20.0",
        "Tooting Bec": "3.0",
    }


def test_a_hidden_cell_draws_no_bar_and_ranks_after_those_shown(partnership, wards):
    seen = board(partnership, wards, audience=CONTROLLED)
    bars = next(c for c in seen.charts if c.key == "wards").bars
    assert [b.label for b in bars] == ["Roehampton", "Tooting Bec"]
    assert bars[1].figure.value is None and float(bars[1].width) == 0


def test_the_change_on_last_year_is_worked_from_the_totals_shown(partnership, wards):
    # Last year's same months: 12 incidents, of which a board member sees 10 or 15.
    import_rows(partnership, [row(f"L{i}", "2024-03-10", Ward="Roehampton") for i in range(12)])
    seen = board(partnership, wards, audience=CONTROLLED)
    last_year = queries.totals(
        replace(_filters(partnership), first=date(2024, 1, 1), last=date(2024, 12, 1))
    ).tally("incidents")
    before = disclosure.count(last_year, CONTROLLED)
    expected = disclosure.change_words(seen.total, before, since="the same months a year earlier")
    assert expected and expected in seen.trend.summary
    # The analyst's sentence is worked from the exact counts: 23 against 12.
    exact = board(partnership, wards, audience=EXACT)
    assert "up 92% on the same months a year earlier" in exact.trend.summary


def test_the_projection_is_worked_from_the_total_shown(partnership, wards):
    for year, people in ((2025, 1000), (2027, 1100)):
        Population.objects.create(
            partnership=partnership,
            year=year,
            ward=wards["Roehampton"],
            age_band="25-34",
            sex="female",
            ethnicity="white",
            people=people,
        )
    seen = board(partnership, wards, audience=CONTROLLED)
    shown = int(seen.total.value)
    # A year of the total shown, grown by a tenth.
    assert seen.projection[-1][3] == f"{round(shown * 1.1):,}"


def test_a_cell_reads_the_same_in_the_regional_view_as_for_its_own_board(
    partnership, other_partnership, wards
):
    make_wards(other_partnership)
    fgm = [
        row(f"F{i}", "2025-04-02", **{"VAWG Strand": "Female genital mutilation"}) for i in range(7)
    ]
    import_rows(partnership, fgm)
    strand = "fgm"
    own = board(partnership, wards, audience=CONTROLLED, strand=strand)
    assert own.total.text in {"5", "10"}
    both = Filters(
        (partnership.pk, other_partnership.pk),
        date(2025, 1, 1),
        date(2025, 12, 1),
        strand=strand,
        region=partnership.region_id,
    )
    rows = dashboard.region_rows(both, [partnership, other_partnership])
    assert {r.partnership.pk: r.incidents.text for r in rows}[partnership.pk] == own.total.text

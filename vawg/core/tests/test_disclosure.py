from collections import Counter
from decimal import Decimal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vawg.core import disclosure as dc
from vawg.core.disclosure import CONTROLLED, EXACT, Tally
from vawg.core.permissions import Role


def test_it_hides_small_counts_and_none_alike_in_words():
    for n in range(0, 5):
        figure = dc.count(Tally(n, 200), CONTROLLED)
        assert figure.value is None and figure.suppressed
        assert figure.text == "fewer than 5"


def test_the_exact_level_shows_every_count_as_it_is():
    assert dc.count(Tally(3, 99), EXACT).text == "3"
    assert dc.count(Tally(1234, 99), EXACT).text == "1,234"


def test_a_controlled_count_is_a_multiple_of_the_base_within_one_base_of_the_truth():
    for n in range(5, 200):
        for key in range(0, 256, 7):
            value = dc.count(Tally(n, key), CONTROLLED).value
            assert value % 5 == 0
            assert abs(value - n) < 5
            assert value >= 5


def test_the_cell_key_decides_up_or_down_in_proportion_to_the_remainder():
    # 21 = 20 + 1: up for one key in five, so that the rounding is unbiased.
    ups = Counter(dc.count(Tally(21, key), CONTROLLED).value for key in range(256))
    assert ups == {25: 52, 20: 204}
    assert dc.count(Tally(20, 0), CONTROLLED).value == 20


def test_threshold_and_base_are_settings(settings):
    settings.DISCLOSURE_THRESHOLD = 10
    settings.DISCLOSURE_ROUNDING_BASE = 3
    assert dc.count(Tally(7, 0), CONTROLLED).text == "fewer than 10"
    assert dc.count(Tally(11, 255), CONTROLLED).value in (9 + 3, 12)
    assert dc.count(Tally(10, 255), CONTROLLED).value >= 10


def test_the_same_records_read_the_same_wherever_they_are_counted():
    ids = [3, 17, 29, 101, 4000, 77]
    one = dc.tally("insight.Incident", ids)
    other = dc.tally("insight.Incident", list(reversed(ids)))
    assert one == other
    split = dc.tally("insight.Incident", ids[:2]) + dc.tally("insight.Incident", ids[2:])
    assert split == one
    assert dc.count(one, CONTROLLED) == dc.count(split, CONTROLLED)


def test_record_keys_are_stable_spread_and_differ_by_kind():
    ids = np.arange(100_000)
    keys = dc.record_keys("marac.Referral", ids)
    assert keys.dtype == np.uint8
    assert np.array_equal(keys, dc.record_keys("marac.Referral", ids))
    counts = np.bincount(keys, minlength=256)
    # Near uniform: every key turns up, none wildly more than its share (390).
    assert counts.min() > 300 and counts.max() < 500
    assert not np.array_equal(keys, dc.record_keys("learning.Attendance", ids))


def test_record_keys_follow_the_disclosure_key(settings):
    before = dc.record_keys("marac.Referral", [1, 2, 3, 4, 5, 6, 7, 8])
    settings.DISCLOSURE_KEY = "another-key"
    after = dc.record_keys("marac.Referral", [1, 2, 3, 4, 5, 6, 7, 8])
    assert not np.array_equal(before, after)


def test_a_weighted_tally_counts_each_record_its_weight():
    t = dc.tally("marac.Referral", [1, 2], weights=[3, 0])
    assert t.n == 3
    assert t.key == (3 * int(dc.record_keys("marac.Referral", [1])[0])) % 256


def test_an_identity_tally_is_the_same_for_the_same_cell():
    assert dc.identity_tally(40, "measures", 7, 3) == dc.identity_tally(40, "measures", 7, 3)
    keys = {dc.identity_tally(40, "measures", 7, p).key for p in range(40)}
    assert len(keys) > 20


def test_a_rate_is_worked_from_the_shown_figures():
    top = dc.count(Tally(23, 255), CONTROLLED)  # shown as 20
    bottom = dc.count(Tally(101, 255), CONTROLLED)  # shown as 100
    assert dc.rate(top, bottom).value == Decimal("20.0")
    assert dc.rate(dc.count(Tally(23, 0), EXACT), dc.count(Tally(101, 0), EXACT)).text == "22.8"


def test_a_figure_worked_from_a_hidden_one_is_not_shown_and_never_fewer_than():
    hidden = dc.count(Tally(3, 0), CONTROLLED)
    shown = dc.count(Tally(50, 0), CONTROLLED)
    for derived in (
        dc.rate(hidden, shown),
        dc.rate(shown, hidden),
        dc.ratio(hidden, Decimal("12.5")),
        dc.mean(Decimal(30), 3, hidden),
        dc.scaled(hidden, Decimal("1.02")),
        dc.total([shown, hidden]),
        dc.change(shown, hidden),
    ):
        assert derived.value is None
        assert derived.text == "not shown"
    assert dc.change_words(shown, hidden, since="last year") == ""


def test_an_average_is_exact_but_only_over_a_group_that_is_shown():
    five = dc.count(Tally(5, 0), CONTROLLED)
    assert dc.mean(17, 5, five).text == "3.4"
    assert dc.mean(9, 3, dc.count(Tally(3, 0), CONTROLLED)).text == "not shown"
    assert dc.mean(0, 0, dc.count(Tally(0, 0), CONTROLLED)).text == "no data"


def test_a_rate_over_nothing_says_no_data():
    assert dc.rate(dc.as_is(0), dc.as_is(0)).text == "no data"
    assert dc.rate(dc.count(Tally(0), CONTROLLED), dc.count(Tally(0), CONTROLLED)).text == (
        "not shown"
    )


def test_change_is_said_in_words_from_shown_figures():
    now, before = dc.as_is(115), dc.as_is(100)
    assert dc.change_words(now, before, since="a year earlier") == "up 15% on a year earlier"
    assert dc.change_words(before, before, since="x") == "about the same as x"


def test_the_audience_comes_from_the_permissions_table():
    assert dc.audience_for({Role.ANALYST}) is EXACT
    assert dc.audience_for({Role.BOARD_MEMBER, Role.PARTNERSHIP_ADMIN}) is CONTROLLED
    assert dc.audience_for({Role.MARAC_COORDINATOR}) is CONTROLLED
    assert dc.audience_for({Role.MARAC_COORDINATOR}, dc.MARAC_COORDINATOR) is EXACT
    assert dc.audience_for(set(), dc.ANALYST, dc.MARAC_COORDINATOR) is CONTROLLED


@given(st.integers(5, 5000), st.integers(0, 255))
def test_a_published_count_never_pins_the_truth_tighter_than_its_window(n, key):
    """Every count from v - 4 to v + 4 (at or over the threshold) can be shown as v, for
    some key: one published figure alone says no more than that window."""
    v = dc.count(Tally(n, key), CONTROLLED).value
    for m in range(max(5, v - 4), v + 5):
        assert any(dc.controlled_value(m, k) == v for k in range(256))

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from vawg.core.disclosure import (
    disclose_count,
    disclose_counts,
    disclose_rate,
    round_to_base,
)


def test_it_suppresses_small_counts_in_words():
    figure = disclose_count(3)
    assert figure.suppressed
    assert figure.value is None
    assert str(figure) == "fewer than 5"


def test_it_shows_zero_and_counts_at_the_threshold():
    assert disclose_count(0).value == 0
    assert disclose_count(5).value == 5
    assert str(disclose_count(1234)) == "1,234"


def test_the_threshold_is_configurable(settings):
    settings.DISCLOSURE_THRESHOLD = 10
    assert disclose_count(7).suppressed
    assert str(disclose_count(7)) == "fewer than 10"


def test_it_rounds_when_asked():
    assert disclose_count(12, base=5).value == 10
    assert disclose_count(13, base=5).value == 15
    assert round_to_base(0, 5) == 0


def test_a_single_hidden_cell_cannot_be_recovered_from_the_total():
    cells, total = disclose_counts({"A": 2, "B": 40, "C": 9})
    assert total.value == 51
    assert cells["A"].suppressed
    # C, the smallest other cell, is hidden too: 51 - 40 gives only A + C.
    assert cells["C"].suppressed
    assert cells["B"].value == 40


def test_two_hidden_cells_need_no_secondary_suppression():
    cells, _ = disclose_counts({"A": 2, "B": 3, "C": 40})
    assert [k for k, f in cells.items() if f.suppressed] == ["A", "B"]


def test_it_computes_no_rate_from_a_suppressed_count():
    assert disclose_rate(3, 200).suppressed
    assert disclose_rate(30, 200).value == Decimal("15.0")
    assert disclose_rate(0, 0).value is None


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 60), min_size=1))
def test_no_suppressed_cell_is_recoverable_by_subtraction(counts):
    cells, total = disclose_counts(counts)
    hidden = [k for k, f in cells.items() if f.suppressed]
    if total.suppressed:
        return
    # Whatever is hidden, it is never exactly one non-zero cell.
    assert len(hidden) != 1
    for key, n in counts.items():
        if 0 < n < 5:
            assert cells[key].suppressed

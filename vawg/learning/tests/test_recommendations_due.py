"""The case-review recommendations a report lists as due (selectors.recommendations_due)."""

from datetime import date

import pytest

from vawg.learning.selectors import recommendations_due
from vawg.learning.tests.factories import make_recommendation, make_review

pytestmark = pytest.mark.django_db


def test_it_lists_the_open_ones_due_by_the_date_overdue_first(partnership):
    review = make_review(partnership, "DHR-1")
    late = make_recommendation(review, "1", due_on=date(2026, 5, 1))
    soon = make_recommendation(review, "2", due_on=date(2026, 8, 1))
    make_recommendation(review, "3", due_on=date(2027, 1, 1))  # beyond the date
    make_recommendation(
        review, "4", due_on=date(2026, 5, 1), status="completed", completed_on=date(2026, 4, 1)
    )
    found = recommendations_due(
        partnership=partnership, on=date(2026, 6, 1), until=date(2026, 9, 30)
    )
    assert found == [late, soon]
    assert [r.overdue for r in found] == [True, False]


def test_it_reads_no_other_partnership(partnership, other_partnership):
    make_recommendation(make_review(other_partnership), due_on=date(2026, 5, 1))
    assert (
        recommendations_due(partnership=partnership, on=date(2026, 6, 1), until=date(2026, 9, 30))
        == []
    )

"""The MARAC statistics a report reads (selectors.statistics_for_report): statistics only,
at the audience's level."""

from datetime import date

import pytest

from vawg.core import disclosure
from vawg.marac.selectors import statistics_for_report
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral

pytestmark = pytest.mark.django_db


def test_small_counts_read_in_words_and_rates_from_them_are_hidden(partnership):
    make_referral(partnership, on=date(2026, 1, 5))
    make_referral(partnership, on=date(2026, 1, 6))
    hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    rows, source = statistics_for_report(
        partnership=partnership,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        audience=disclosure.CONTROLLED,
    )
    by_key = {row.key: row for row in rows}
    assert by_key["meetings"].local.text == "1"  # meetings are not people
    assert by_key["cases"].local.text == "fewer than 5"
    assert by_key["repeat_rate"].local.text == "not shown"
    assert by_key["repeat_rate"].national is not None
    assert "SafeLives" in source
    exact, _ = statistics_for_report(
        partnership=partnership,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        audience=disclosure.EXACT,
    )
    assert {row.key: row for row in exact}["cases"].local.text == "2"

"""An id read from a query string is a whole number that can be an id, or nothing."""

import pytest
from django.http import QueryDict

from vawg.core.params import MAX_ID, query_id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=12", 12),
        ("priority=007", 7),
        (f"priority={MAX_ID}", MAX_ID),
        ("", None),
        ("priority=", None),
        ("priority=0", None),
        ("priority=-1", None),
        ("priority=+1", None),
        ("priority=1.0", None),
        ("priority=abc", None),
        ("priority=%20%201", None),
        (f"priority={MAX_ID + 1}", None),
        ("priority=99999999999999999999", None),
        ("priority=%D9%A1", None),  # an Arabic-Indic one: a digit, but not one of ours
        ("priority=1%00", None),
        ("priority=%27%20OR%201%3D1%20--", None),
    ],
)
def test_query_id(query, expected):
    assert query_id(QueryDict(query), "priority") == expected


def test_the_last_value_is_the_one_read():
    assert query_id(QueryDict("priority=abc&priority=3"), "priority") == 3

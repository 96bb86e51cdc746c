"""Random rows thrown at the importer: it imports all or nothing, and never crashes."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg.insight import store
from vawg.insight.models import DataImport, IncidentSegment, MonthCube
from vawg.insight.tests.factories import HEADERS, import_rows, make_wards, row

pytestmark = pytest.mark.django_db

cell = st.one_of(
    st.sampled_from(["", "DA", "SV", "Female", "2025-01-31", "31/01/2025", "34", "Roehampton"]),
    st.text(max_size=12),
)
random_row = st.fixed_dictionaries({h: cell for h in HEADERS})
good_row = st.integers(min_value=0, max_value=10_000).map(lambda n: row(f"G{n}"))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(st.one_of(random_row, good_row), min_size=1, max_size=6))
def test_it_imports_all_or_nothing_and_never_crashes(partnership, rows):
    if not partnership.wards.exists():
        make_wards(partnership)
    IncidentSegment.objects.all().delete()
    MonthCube.objects.all().delete()
    imports_before = DataImport.objects.count()
    try:
        result = import_rows(partnership, rows)
    except ValidationError as refused:
        # Refused at upload (binary data, a broken CSV): nothing kept, and a reason given.
        assert refused.messages and store.count() == 0
        assert DataImport.objects.count() == imports_before
        return
    stored = store.count()
    if result.status == DataImport.Status.IMPORTED:
        assert result.rows_rejected == 0
        assert stored == result.rows_new
        assert sum(c.incidents for c in MonthCube.objects.all()) == stored
    else:
        assert result.status == DataImport.Status.REJECTED
        assert stored == 0
        assert result.problems, "a rejected file always says why"
        for problem in result.problems:
            assert problem["reason"]

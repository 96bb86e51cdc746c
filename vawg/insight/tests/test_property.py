"""Random rows thrown at the importer: it imports all or nothing, and never crashes."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
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


# Rows of a partner file with some of everything: good rows, rows with a bad value, the
# same reference twice, the same person on the same day under another reference.
partner_row = st.builds(
    lambda n, person, day, ward, strand: row(
        f"R{n}",
        f"2025-03-{day:02d}",
        Ward=ward,
        **{"Victim ID": f"V{person}", "VAWG Strand": strand},
    ),
    n=st.integers(min_value=0, max_value=30),
    person=st.integers(min_value=0, max_value=5),
    day=st.integers(min_value=1, max_value=3),
    ward=st.sampled_from(["Roehampton", "Tooting Bec", "Clapham Common"]),
    strand=st.sampled_from(["DA", "SV", "XYZ"]),
)


def _same_person(ref: str, strand: str) -> dict:
    return row(ref, "2025-03-01", Ward="Roehampton", **{"Victim ID": "V1", "VAWG Strand": strand})


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    # A new record that matches a held one only as it stood before this file changed it
    # (the file moves R5 to sexual violence): not a likely duplicate, or a second import
    # of the same file would store it.
    first=[_same_person("R5", "DA")],
    rows=[_same_person("R5", "SV"), _same_person("R7", "DA")],
    duplicates_set_aside=True,
)
@given(
    first=st.lists(partner_row, max_size=8),
    rows=st.lists(partner_row, min_size=1, max_size=10),
    duplicates_set_aside=st.booleans(),
)
def test_every_row_read_is_counted_once_and_a_second_import_changes_nothing(
    partnership, first, rows, duplicates_set_aside
):
    """rows read = new + updated + unchanged + set aside, setting aside whatever fails; and
    the same file again changes nothing."""
    from vawg.insight import services
    from vawg.insight.tests.factories import MAPPING, TODAY, csv_bytes, partner_for

    if not partnership.wards.exists():
        make_wards(partnership)
    IncidentSegment.objects.all().delete()
    MonthCube.objects.all().delete()

    def imported(file_rows):
        upload = services.import_upload(
            partnership=partnership,
            partner=partner_for(partnership),
            filename="extract.csv",
            data=csv_bytes(file_rows),
            actor=None,
        )
        services.mapping_save(
            data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=None
        )
        checked = services.import_check_start(data_import=upload, today=TODAY)
        return services.import_run_start(
            data_import=checked,
            actor=None,
            today=TODAY,
            set_aside=True,
            duplicates_set_aside=duplicates_set_aside,
        )

    if first:
        imported(first)
    before = store.count()
    result = imported(rows)
    assert result.status == DataImport.Status.IMPORTED
    counted = result.rows_new + result.rows_updated + result.rows_unchanged
    assert counted + result.rows_set_aside == len(rows)
    assert store.count() - before == result.rows_new
    assert sum(c.incidents for c in MonthCube.objects.all()) == store.count()

    kept = store.incidents()
    again = imported(rows)
    assert (again.rows_new, again.rows_updated) == (0, 0)
    assert again.rows_unchanged + again.rows_set_aside == len(rows)
    assert store.incidents() == kept

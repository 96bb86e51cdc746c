"""The whole-file path (columns.py) gives exactly the row path's records, or steps aside."""

import csv
import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vawg.insight import columns
from vawg.insight.importer import Record, Standardiser, read_rows
from vawg.insight.tests.factories import (
    HEADERS,
    MAPPING,
    TODAY,
    csv_bytes,
    flags,
    held_one,
    import_rows,
    make_wards,
    partner_for,
    row,
)

pytestmark = pytest.mark.django_db


def both_paths(partnership, data: bytes):
    """(the whole-file table as Records, or None; the row path's Records or Problems)."""
    headers, rows = read_rows(data, "extract.csv")

    def standardiser():
        return Standardiser(partnership=partnership, headers=headers, mapping=MAPPING, today=TODAY)

    table = columns.standardise(standardiser(), data, "extract.csv", len(headers))
    by_row = standardiser()
    records = [by_row.record(number, values) for number, values in rows]
    if table is None:
        return None, records
    whole = [Record(0, *(r[f] for f in Record._fields[1:])) for r in table.to_pylist()]
    return whole, records


def same(whole: list[Record], records: list) -> bool:
    assert all(isinstance(r, Record) for r in records), "the whole-file path missed a problem"
    return [w[1:] for w in whole] == [r[1:] for r in records]


def test_a_clean_file_is_read_whole_with_the_row_paths_records(partnership):
    make_wards(partnership)
    rows = [
        row("A1"),
        row("A2", "07/02/2024", **{"Ward": " roehampton and putney heath "}),  # old ward
        row("A3", **{"Victim ID": "", "Victim Age": "71", "Crime Outcome": "Charged"}),
        row("A4", **{"VAWG Strand": "SV", "Victim Sex": "", "Disability": "Disabled"}),
        row("A5", **{"Officer Notes": '\'=HYPERLINK("x")', "Victim ID": "PERSON-A1"}),
        row("'=A6"),  # a cell an export neutralised
    ]
    whole, records = both_paths(partnership, csv_bytes(rows))
    assert whole is not None, "a clean file is read whole"
    assert same(whole, records)
    assert whole[5].source_id == "=A6"
    assert whole[0].person_digest == whole[4].person_digest != ""


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_a_file_separated_otherwise_is_read_whole_as_its_rows_are(partnership, separator):
    make_wards(partnership)
    rows = [row("A1"), row("A2", **{"Officer Notes": "door; then, hall|stairs\tend"})]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADERS, delimiter=separator)
    writer.writeheader()
    writer.writerows(rows)
    whole, records = both_paths(partnership, out.getvalue().encode())
    assert whole is not None, "read whole, not left to the row path"
    assert same(whole, records) and [r.source_id for r in records] == ["A1", "A2"]


def test_a_file_with_a_title_above_its_headings_is_read_whole_as_its_rows_are(partnership):
    make_wards(partnership)
    title = b"Crime Report: VAWG flagged offences\r\nRun date,01/12/2026\r\n\r\n"
    whole, records = both_paths(partnership, title + csv_bytes([row("A1"), row("A2")]))
    assert whole is not None, "read whole, not left to the row path"
    assert same(whole, records) and [r.source_id for r in records] == ["A1", "A2"]


@pytest.mark.parametrize(
    "problem",
    [
        {"Incident Date": "2031-01-08"},
        {"Ward": "Atlantis"},
        {"VAWG Strand": "XX"},
        {"Crime Ref": "A1"},  # the same id twice
        {"Crime Ref": " "},
        {"Victim Age": "130"},
        {"Victim Age": "²"},  # a digit int() cannot read: once a crash
    ],
)
def test_a_file_with_a_problem_goes_to_the_row_path(partnership, problem):
    make_wards(partnership)
    whole, records = both_paths(partnership, csv_bytes([row("A1"), row("A2", **problem)]))
    assert whole is None
    assert isinstance(records[1], list), "the row path words the problem"


def test_rows_of_another_width_go_to_the_row_path(partnership):
    make_wards(partnership)
    data = csv_bytes([row("A1"), row("A2")]) + b"A3,2025-01-01\n"
    whole, records = both_paths(partnership, data)
    assert whole is None
    assert isinstance(records[-1], list)


def test_the_whole_file_path_stores_a_missing_person_as_the_row_path_does(partnership):
    make_wards(partnership)
    result = import_rows(partnership, [row("A1", **{"Victim ID": ""}), row("A2")])
    assert result.rows_new == 2
    stored = held_one("A1")
    person = (stored["person_digest"], stored["person_key_version"], stored["person_key"])
    assert person == ("", None, None)
    other = held_one("A2")
    assert other["person_digest"] and other["person_key"] is not None
    assert str(stored["occurred_on"]) == "2025-03-01" and str(stored["month"]) == "2025-03-01"


# Cells that read differently if a reader gets quoting, spacing or line ends wrong.
awkward = st.sampled_from(
    [
        "",
        " ",
        "DA",
        "Female",
        "34",
        "Roehampton",
        "Tooting Bec",
        "2025-01-31",
        "31/01/2025",
        '"',
        '""',
        "a,b",
        "line\nbreak",
        "cr\rhere",
        "'=1+1",
        "\u00a0White\u00a0",
        "\x1cDA",
        " Roehampton ",
    ]
)


@st.composite
def files(draw) -> bytes:
    rows = []
    for n in range(draw(st.integers(min_value=1, max_value=5))):
        base = row(f"P{n}")
        for heading in draw(st.lists(st.sampled_from(HEADERS), max_size=4)):
            base[heading] = draw(st.one_of(awkward, st.text(max_size=6)))
        rows.append(base)
    # Separated as partners' systems separate them (core.layout).
    separator = draw(st.sampled_from([",", ";", "\t"]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator)
    writer.writerow(HEADERS)
    if draw(st.booleans()):
        writer.writerows([r[h] for h in HEADERS] for r in rows)
        return out.getvalue().encode()
    # Written by hand, unquoted: malformed CSV that readers may split differently.
    text = out.getvalue() + "".join(
        separator.join(r[h] for h in HEADERS) + draw(st.sampled_from(["\n", "\r\n", "\r"]))
        for r in rows
    )
    return text.encode()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=files())
def test_the_whole_file_path_never_reads_a_file_differently(partnership, data):
    if not partnership.wards.exists():
        make_wards(partnership)
    try:
        whole, records = both_paths(partnership, data)
    except Exception as error:  # the row path refusing the file is its own tests' business
        from vawg.core.tabular import TableError

        assert isinstance(error, TableError)
        return
    event("read whole" if whole is not None else "row path")
    if whole is not None:
        assert same(whole, records)


def test_repeat_flags_worked_at_import_agree_with_a_recompute_of_everyone(partnership):
    from vawg.insight import repeats, store

    make_wards(partnership)
    same = {"Victim ID": "PERSON-X"}
    first = [
        row("R1", "2024-01-10", **same),
        row("R2", "2024-01-10", **same),  # the same day: the later row is the repeat
        row("R3", "2024-06-01", **same),
        row("R4", "2025-09-01", **same),  # more than a year on: not a repeat
        row("R5", "2024-02-01", **{"Victim ID": ""}),  # no person: never a repeat
    ]
    assert import_rows(partnership, first).rows_new == 5
    assert flags() == {"R1": False, "R2": True, "R3": True, "R4": False, "R5": False}
    # A later file with the same person before and after the stored incidents.
    later = [row("S1", "2025-08-01", **same), row("S2", "2023-12-01", **same)]
    assert import_rows(partnership, later).rows_new == 2
    now = flags()
    # R1 and R4 now follow S2 and S1 within a year; S1 is 14 months after R3.
    assert now["R1"] and now["R4"] and not now["S1"] and not now["S2"]
    everything = store.load(store.partnerships_held())
    recomputed = repeats.flags(everything)
    assert recomputed.equals(everything["is_repeat"].combine_chunks()), "a recompute agrees"


def test_cube_rows_summed_from_a_files_rows_match_a_rebuild_from_the_store(partnership):
    from vawg.insight.models import AreaCube
    from vawg.insight.tests.factories import assert_cubes_match_a_rebuild

    make_wards(partnership)
    first = [
        row("C1", "2024-01-10"),
        row("C2", "2024-01-20", **{"Victim ID": "PERSON-C1", "Crime Outcome": "Charged"}),
        row("C3", "2024-03-05", **{"VAWG Strand": "SV", "Victim Sex": "Male"}),
    ]
    import_rows(partnership, first)
    assert AreaCube.objects.filter(partnership=partnership).exists()
    assert_cubes_match_a_rebuild()
    # New months beside old ones, a person seen before (a repeat flag flips in an old
    # month), and a partner of its own: the new months are summed from the file.
    later = [
        row("D1", "2023-12-20", **{"Victim ID": "PERSON-C1"}),
        row("D2", "2024-05-01", **{"Victim Age": "19"}),
        row("D3", "2024-01-11"),
        row("D4", "2024-04-01", **{"Victim ID": "PERSON-C3"}),  # a fresh month; C3 before
    ]
    import_rows(partnership, later, partner=partner_for(partnership, "Health"))
    now = flags()
    assert now["C1"] and not now["D1"] and now["D4"]
    assert_cubes_match_a_rebuild()

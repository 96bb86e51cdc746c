"""The shared importer with partners' files as they arrive: any encoding, and the good rows
imported with the rest set aside, returned to correct and upload again.

The import is the organisations import of test_importing (name, kind, joined date), with
a free-text "Notes" column such as partners' extracts carry, which it does not read.
"""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg.core.models import Organisation
from vawg.exchange.exporting import OFFICIAL_SENSITIVE, write_export
from vawg.exchange.importing import (
    SET_ASIDE_REASON,
    SET_ASIDE_ROW,
    SetAsideExpired,
    run_import,
    set_aside_export,
    set_aside_token,
)
from vawg.exchange.tests.test_importing import OrganisationsImport, _loads, _names

pytestmark = pytest.mark.django_db

HEAD = "Name,Kind,Joined,Notes\r\n"
GOOD_AND_BAD = (
    HEAD
    + "Café Refuge,charity,,Owes £5 to the café\r\n"
    + "Beta Housing,spaceship,,\r\n"
    + "Gamma Police,police,31/02/2024,Sent by DC Smith\r\n"
    + "Delta Health,health,,\r\n"
)


class Strict(OrganisationsImport):
    """As a corrected set-aside file is read by an import that refuses unknown columns."""

    refuse_unknown_columns = True


def _run(partnership, data: bytes, *, spec=None, name="o.csv", **options):
    return run_import(
        spec or OrganisationsImport(partnership),
        source=data,
        filename=name,
        actor=None,
        **options,
    )


# --- Encodings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "shown"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("utf-16", "UTF-16"),
        ("cp1252", "Windows-1252 (Excel on Windows)"),
    ],
)
def test_a_file_in_each_encoding_imports_and_says_which_it_was_read_in(partnership, codec, shown):
    text = HEAD + "Café Refuge,charity,,Owes £5 to the café\r\nDelta Health,health,,\r\n"
    outcome = _run(partnership, text.encode(codec))
    assert outcome.ok and outcome.stored
    assert (outcome.encoding, outcome.encoding_label, outcome.detected) == (codec, shown, True)
    assert "Café Refuge" in _names(partnership)
    assert _loads().get().detail["encoding"] == codec


def test_the_encoding_chosen_is_used_instead_of_the_one_detected(partnership):
    text = HEAD + "Café Refuge,charity,,\r\n"
    outcome = _run(partnership, text.encode("cp1252"), encoding="latin-1")
    assert (outcome.encoding, outcome.detected) == ("latin-1", False)
    assert "Café Refuge" in _names(partnership)


def test_a_file_that_will_not_read_in_the_encoding_chosen_names_row_and_column(partnership):
    before = _names(partnership)
    outcome = _run(partnership, GOOD_AND_BAD.encode("cp1252"), encoding="utf-8")
    assert not outcome.stored
    [problem] = outcome.problems
    assert problem.row is None  # the file as a whole cannot be read
    assert problem.reason.startswith(
        "Row 2, column “Name”: the text cannot be read as UTF-8 (byte E9). "
        "Choose the file's encoding and check it again"
    )
    assert _names(partnership) == before


# --- Setting rows aside ---------------------------------------------------------------


def test_all_or_nothing_is_the_default_and_stores_nothing(partnership):
    before = _names(partnership)
    outcome = _run(partnership, GOOD_AND_BAD.encode())
    assert not outcome.stored and not outcome.set_aside
    assert (outcome.new_rows, outcome.created) == (0, 0)  # no "new records" for a refusal
    assert _names(partnership) == before


def test_the_good_rows_go_in_and_the_others_are_set_aside_with_their_reasons(partnership):
    before = _names(partnership)
    outcome = _run(partnership, GOOD_AND_BAD.encode("cp1252"), set_aside=True)
    assert outcome.stored and not outcome.ok
    assert _names(partnership) == sorted([*before, "Café Refuge", "Delta Health"])
    assert (outcome.rows, outcome.new_rows, len(outcome.set_aside)) == (4, 2, 2)
    beta, gamma = outcome.set_aside
    assert (beta.number, beta.cells) == (3, ("Beta Housing", "spaceship", "", ""))
    assert beta.reason == "Kind “spaceship”: Use one of the kinds the platform lists."
    assert gamma.cells == ("Gamma Police", "police", "31/02/2024", "Sent by DC Smith")
    assert gamma.reason.startswith("Joined “31/02/2024”: Enter a date such as 31/03/2026.")
    assert "A police force must say when it joined." in gamma.reason
    assert _loads().get().detail["set_aside"] == 2


def test_a_row_the_service_refuses_is_set_aside_and_the_others_stand(partnership):
    text = HEAD + "Alpha Refuge,charity,,\r\nBeta Housing,housing,,\r\nDelta,health,,\r\n"
    spec = OrganisationsImport(partnership, refuse="Beta Housing")
    outcome = _run(partnership, text.encode(), spec=spec, set_aside=True)
    assert [a.number for a in outcome.set_aside] == [3]
    assert outcome.set_aside[0].reason == "Kind “housing”: The service will not take this one."
    names = _names(partnership)
    assert "Alpha Refuge" in names and "Delta" in names and "Beta Housing" not in names


def test_both_rows_of_a_repeated_key_are_set_aside(partnership):
    text = HEAD + "Alpha,charity,,first\r\nBeta,housing,,\r\nalpha,health,,second\r\n"
    outcome = _run(partnership, text.encode(), set_aside=True)
    assert [a.number for a in outcome.set_aside] == [2, 4]
    assert outcome.set_aside[0].reason == "Name “Alpha”: Appears twice in the file (also row 4)."
    assert "Alpha" not in _names(partnership)


def test_a_fault_stores_nothing_even_when_setting_aside(partnership):
    class Faulty(OrganisationsImport):
        def save(self, values, row):
            change = super().save(values, row)
            if values["name"] == "Delta Health":
                raise RuntimeError("the database went away")
            return change

    before = _names(partnership)
    with pytest.raises(RuntimeError):
        _run(partnership, GOOD_AND_BAD.encode(), spec=Faulty(partnership), set_aside=True)
    assert _names(partnership) == before
    assert not _loads().exists()


def test_a_file_with_every_row_set_aside_stores_nothing(partnership):
    text = HEAD + "Beta,spaceship,,\r\n,charity,,\r\n"
    outcome = _run(partnership, text.encode(), set_aside=True)
    assert not outcome.stored and len(outcome.set_aside) == 2
    assert not _loads().exists()


def test_a_problem_with_the_whole_file_sets_nothing_aside(partnership):
    outcome = _run(partnership, b"Kind\r\ncharity\r\n", set_aside=True)
    assert not outcome.stored and not outcome.set_aside
    assert outcome.problems[0].reason == (
        "The file has no “Name” column (nor “organisation” nor “agency”)."
    )


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_set_aside_rows_download_marked_and_go_back_in_once_corrected(partnership):
    # An import that refuses columns it does not know passes over those the file gains.
    text = "Name,Kind,Joined\r\nCafé,charity,\r\nBeta,spaceship,\r\nGamma,police,31/02/2024\r\n"
    outcome = _run(partnership, text.encode("cp1252"), spec=Strict(partnership), set_aside=True)
    table = set_aside_export(set_aside_token(outcome), name="o", subject="core.Organisation")
    file = write_export(table, fmt="csv")
    assert file.marking.classification == OFFICIAL_SENSITIVE
    assert file.filename == "official-sensitive-o-set-aside.csv"
    rows = _csv(file.content)
    assert rows[0][:5] == ["Name", "Kind", "Joined", SET_ASIDE_ROW, SET_ASIDE_REASON]
    assert rows[0][5].startswith(OFFICIAL_SENSITIVE)
    assert rows[1][:4] == ["Beta", "spaceship", "", "3"]
    assert rows[2][:4] == ["Gamma", "police", "31/02/2024", "4"]
    # Corrected as the reasons say, and uploaded again as it is.
    rows[1][1], rows[2][2] = "housing", "29/02/2024"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    again = _run(partnership, out.getvalue().encode(), spec=Strict(partnership), set_aside=True)
    assert again.ok and again.stored and again.new_rows == 2
    assert {"Beta", "Gamma", "Café"} <= set(_names(partnership))


def test_set_aside_rows_that_were_altered_or_expired_are_not_served(partnership):
    outcome = _run(partnership, GOOD_AND_BAD.encode(), set_aside=True)
    token = set_aside_token(outcome)
    with pytest.raises(SetAsideExpired, match="for an hour"):
        set_aside_export(token[:-4] + "AAAA", name="o", subject="core.Organisation")


# --- The counts, for any file -------------------------------------------------------

NAMES = st.sampled_from(["Alpha", "alpha", "Beta", "Gamma", "", "Delta"])
KINDS = st.sampled_from(["charity", "housing", "police", "spaceship", ""])
JOINED = st.sampled_from(["", "01/04/2025", "31/02/2024"])
ROWS = st.lists(st.tuples(NAMES, KINDS, JOINED), min_size=1, max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, set_aside=st.booleans(), refuse=st.sampled_from(["", "Gamma"]))
def test_rows_read_are_accounted_for_and_a_second_import_changes_nothing(
    partnership, rows, set_aside, refuse
):
    text = HEAD + "".join(f"{n},{k},{j},note\r\n" for n, k, j in rows)
    with transaction.atomic():  # each example from the same stored state
        spec = OrganisationsImport(partnership, refuse=refuse)
        first = _run(partnership, text.encode("cp1252"), spec=spec, set_aside=set_aside)
        counted = first.new_rows + first.updated_rows + first.unchanged_rows
        if first.stored:
            assert first.rows == counted + len(first.set_aside) == len(rows)
            assert set_aside or not first.set_aside
        else:
            assert counted == first.created == first.updated == first.unchanged == 0
        stored = sorted(Organisation.objects.values_list("name", "kind"))
        again = _run(partnership, text.encode("cp1252"), spec=spec, set_aside=set_aside)
        assert (again.created, again.updated, again.new_rows, again.updated_rows) == (0, 0, 0, 0)
        assert sorted(Organisation.objects.values_list("name", "kind")) == stored
        assert [a.number for a in again.set_aside] == [a.number for a in first.set_aside]
        transaction.set_rollback(True)


def test_a_service_error_without_a_column_is_set_aside_under_the_rows_column(partnership):
    class Whole(OrganisationsImport):
        def save(self, values, row):
            raise ValidationError("The register is closed.")

    outcome = _run(
        partnership,
        (HEAD + "Alpha,charity,,\r\n").encode(),
        spec=Whole(partnership),
        set_aside=True,
    )
    assert outcome.set_aside[0].reason == "Name “Alpha”: The register is closed."

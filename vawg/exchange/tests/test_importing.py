"""The one importer: header mapping, per-row report, all or nothing, one audit event.

The import here is a small one of the partnership's organisations (name, kind, joined
date), checked by a Django form and saved by a service-like function, so that the
importer is tested on its own, apart from any domain app.
"""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from vawg.audit.models import AuditEvent
from vawg.core.models import Organisation
from vawg.core.tabular import Problem, read_table, write_table
from vawg.exchange.importing import (
    Change,
    Column,
    Row,
    RowImport,
    guess_mapping,
    mapping_problems,
    problems_file,
    run_import,
)

pytestmark = pytest.mark.django_db

HEAD = "Name,Kind,Joined\n"


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=50, error_messages={"required": "Enter the name."})
    kind = forms.ChoiceField(
        choices=Organisation.Kind.choices,
        error_messages={"invalid_choice": "Use one of the kinds the platform lists."},
    )
    joined = forms.DateField(
        required=False,
        input_formats=["%d/%m/%Y"],
        error_messages={"invalid": "Enter a date such as 31/03/2026."},
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "police" and not data.get("joined"):
            raise ValidationError("A police force must say when it joined.")
        return data


class OrganisationsImport(RowImport):
    columns = [
        Column("Name", key="name", aliases=("organisation", "agency")),
        Column("Kind", key="kind", aliases=("type",)),
        Column("Joined", required=False, key="joined", aliases=("date joined",)),
    ]
    form = OrganisationForm
    unique = "name"
    row_column = "name"
    audit_summary = "Imported organisations"

    def __init__(self, partnership, refuse: str = "") -> None:
        self.partnership = partnership
        self.refuse = refuse  # a name the "service" refuses, as a service's own rule would

    def save(self, values, row: Row) -> Change:
        if values["name"] == self.refuse:
            raise ValidationError({"kind": "The service will not take this one."})
        found = Organisation.objects.filter(partnership=self.partnership, name=values["name"])
        if found.filter(kind=values["kind"]).exists():
            return Change.UNCHANGED
        _, created = Organisation.objects.update_or_create(
            partnership=self.partnership, name=values["name"], defaults={"kind": values["kind"]}
        )
        return Change.CREATED if created else Change.UPDATED

    def audit_target(self) -> dict:
        return {"partnership": self.partnership, "object_type": "core.Organisation"}

    def audit_detail(self, outcome) -> dict:
        return {"kinds": "organisations"}


def _run(partnership, text: str, *, name="o.csv", mapping=None, actor=None, **spec):
    data = text.encode() if isinstance(text, str) else text
    return run_import(
        OrganisationsImport(partnership, **spec),
        source=data,
        filename=name,
        actor=actor,
        mapping=mapping,
    )


def _names(partnership) -> list[str]:
    return sorted(partnership.organisations.values_list("name", flat=True))


def _loads():
    return AuditEvent.objects.filter(action="load", object_type="core.Organisation")


def test_it_imports_every_row_and_records_one_audit_event(partnership, personas):
    before = _names(partnership)
    text = HEAD + "Alpha Refuge,charity,\nBeta Housing,housing,01/04/2025\n"
    outcome = _run(partnership, text, actor=personas["partnership_admin"])
    assert (outcome.ok, outcome.rows, outcome.created, outcome.updated) == (True, 2, 2, 0)
    assert _names(partnership) == sorted([*before, "Alpha Refuge", "Beta Housing"])
    event = _loads().get()
    assert event.summary == "Imported organisations"
    assert event.actor_id == personas["partnership_admin"].pk
    assert event.detail == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "set_aside": 0,
        "encoding": "utf-8",
        "kinds": "organisations",
    }


def test_the_same_file_twice_changes_nothing_the_second_time(partnership):
    text = HEAD + "Alpha Refuge,charity,\n"
    _run(partnership, text)
    again = _run(partnership, text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert _loads().count() == 2  # one event per import, not per row


def test_a_bad_last_row_writes_nothing(partnership):
    before = _names(partnership)
    text = HEAD + "Alpha Refuge,charity,\nBeta Housing,housing,\nGamma,spaceship,\n"
    outcome = _run(partnership, text)
    assert not outcome.ok
    assert (outcome.created, outcome.updated) == (0, 0)
    assert outcome.problems == [
        Problem(4, "Kind", "spaceship", "Use one of the kinds the platform lists.")
    ]
    assert _names(partnership) == before
    assert not _loads().exists()


def test_a_row_the_service_refuses_rolls_back_the_rows_before_it(partnership):
    before = _names(partnership)
    text = HEAD + "Alpha Refuge,charity,\nBeta Housing,housing,\n"
    outcome = _run(partnership, text, refuse="Beta Housing")
    assert outcome.problems == [
        Problem(3, "Kind", "housing", "The service will not take this one.")
    ]
    assert (outcome.created, outcome.updated) == (0, 0)
    assert _names(partnership) == before
    assert not _loads().exists()


def test_a_permission_refused_on_a_row_is_reported_for_that_row(partnership):
    class Guarded(OrganisationsImport):
        def save(self, values, row):
            raise PermissionDenied("You may not add this organisation.")

    outcome = run_import(
        Guarded(partnership),
        source=(HEAD + "Alpha,charity,\n").encode(),
        filename="o.csv",
        actor=None,
    )
    assert outcome.problems == [Problem(2, "Name", "Alpha", "You may not add this organisation.")]


def test_every_problem_of_every_row_is_reported_by_row_column_and_value(partnership):
    text = HEAD + "Alpha,charity,31/02/2025\n,housing,\nDelta,police,\nalpha,charity,\n"
    outcome = _run(partnership, text)
    assert outcome.problems == [
        Problem(2, "Joined", "31/02/2025", "Enter a date such as 31/03/2026."),
        Problem(3, "Name", "", "Enter the name."),
        # A rule of the form across fields is reported under the row's own column.
        Problem(4, "Name", "Delta", "A police force must say when it joined."),
        Problem(5, "Name", "alpha", "Appears twice in the file (also row 2)."),
    ]


def test_the_report_downloads_with_its_four_columns(partnership):
    outcome = _run(partnership, HEAD + "Gamma,spaceship,\n")
    table = read_table(problems_file(outcome.problems), "problems.csv")
    assert table.headers == ["Row", "Column", "Value", "What is wrong"]
    assert list(table.rows) == [
        (
            2,
            {
                "Row": "2",
                "Column": "Kind",
                "Value": "spaceship",
                "What is wrong": "Use one of the kinds the platform lists.",
            },
        )
    ]


def test_headings_are_matched_by_alias_ignoring_case_and_reported_as_the_file_has_them(
    partnership,
):
    text = "AGENCY,type,Date Joined\nAlpha Refuge,charity,\nBeta,charity,not a date\n"
    outcome = _run(partnership, text)
    assert outcome.problems == [
        Problem(3, "Date Joined", "not a date", "Enter a date such as 31/03/2026.")
    ]
    assert guess_mapping(["AGENCY", "type", "Other"], OrganisationsImport.columns) == {
        "name": "AGENCY",
        "kind": "type",
        "joined": "",
    }


def test_headings_match_however_partners_write_them_and_none_serves_two_columns():
    columns = [
        Column("Victim age", key="age", aliases=("age",)),
        Column("Suspect age", key="suspect_age", aliases=("age",)),
    ]
    assert guess_mapping([" VICTIM_AGE ", "Age"], columns) == {
        "age": " VICTIM_AGE ",
        "suspect_age": "Age",
    }
    assert guess_mapping(["victim-age"], columns) == {"age": "victim-age", "suspect_age": ""}


def test_a_saved_mapping_is_checked_against_the_file_in_hand():
    columns = OrganisationsImport.columns
    assert mapping_problems(["Who", "What"], columns, {"name": "Who", "kind": "What"}) == []
    assert [p.reason for p in mapping_problems(["Who"], columns, {"name": "Who"})] == [
        "Choose the column that holds “Kind”."
    ]
    assert [
        p.reason for p in mapping_problems(["Who"], columns, {"name": "Who", "kind": "Gone"})
    ] == [
        "The file has no column “Gone” for “Kind”: the heading may have changed since the "
        "mapping was saved."
    ]
    assert [
        p.reason for p in mapping_problems(["Who"], columns, {"name": "Who", "kind": "Who"})
    ] == ["The column “Who” is chosen for two fields."]
    # An optional column the file lacks is read as empty, not refused.
    assert (
        mapping_problems(["Who", "What"], columns, {"name": "Who", "kind": "What", "joined": "X"})
        == []
    )


def test_a_chosen_mapping_is_used_instead_of_the_headings(partnership):
    text = "Who,What\nAlpha Refuge,charity\n"
    outcome = _run(partnership, text, mapping={"name": "Who", "kind": "What", "joined": ""})
    assert (outcome.ok, outcome.created) == (True, 1)


def test_a_missing_required_column_is_named_and_nothing_is_read(partnership):
    outcome = _run(partnership, "Name,Joined\nAlpha,\n")
    assert [str(p) for p in outcome.problems] == [
        "File, column “Kind”: The file has no “Kind” column (nor “type”)."
    ]


def test_an_unknown_column_is_refused_when_the_import_asks(partnership):
    class Strict(OrganisationsImport):
        refuse_unknown_columns = True

    outcome = run_import(
        Strict(partnership),
        source=b"Name,Kind,Colour\nA,charity,red\n",
        filename="o.csv",
        actor=None,
    )
    assert [p.reason for p in outcome.problems] == [
        "The column “Colour” is not one this import reads. The columns are: Name, Kind, Joined."
    ]


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "o.csv", "The file is empty."),
        (b"not a zip", "o.xlsx", "not a readable Excel"),
        (HEAD.encode(), "o.csv", "The file has headings but no values."),
        (b"Name,Kind\nA,charity,extra\n", "o.csv", "more values than there are column headings"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(partnership, data, name, says):
    outcome = _run(partnership, data, name=name)
    assert not outcome.ok and says in outcome.problems[0].reason
    assert outcome.problems[0].row is None  # the file as a whole


def test_too_many_rows_are_refused(partnership):
    class Small(OrganisationsImport):
        max_rows = 2

    text = HEAD + "A,charity,\nB,charity,\nC,charity,\n"
    outcome = run_import(Small(partnership), source=text.encode(), filename="o.csv", actor=None)
    assert [str(p) for p in outcome.problems] == ["File: The file has more than 2 rows: split it."]
    assert not Organisation.objects.filter(name__in=["A", "B", "C"]).exists()


def test_it_reads_xlsx(partnership):
    data = write_table("xlsx", ["Name", "Kind"], [["Alpha Refuge", "charity"]])
    assert _run(partnership, data, name="o.xlsx").created == 1

"""Imports: every row checked, every problem named by row and column, all or nothing."""

from datetime import date

import pytest
from openpyxl import Workbook

from vawg.audit.models import AuditEvent
from vawg.core.testing import make_organisation
from vawg.learning import imports
from vawg.learning.models import Attendance, LearningTheme, Participant, Recommendation
from vawg.learning.tests.factories import (
    make_initiative,
    make_participant,
    make_recommendation,
    make_review,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return personas["partnership_admin"]


@pytest.fixture
def police(partnership):
    return make_organisation(
        partnership, "Metropolitan Police", kind="police", aliases=["Met Police"]
    )


def csv(text: str) -> bytes:
    return text.strip().encode() + b"\n"


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    import io

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ATTENDANCE = """
Attendee reference,Organisation,Confidence before,Confidence after
MP-001,Metropolitan Police,2,4
mp-002,met police,3,
NHS-7,Wandsworth Council – Community Safety,,
"""


def test_it_imports_attendance(partnership, police, admin):
    session = make_session(partnership)
    result = imports.attendance_import(
        session=session, actor=admin, data=csv(ATTENDANCE), filename="a.csv"
    )
    assert (result.ok, result.created, result.updated) == (True, 3, 0)
    rows = {a.attendee_reference: a for a in session.attendances.all()}
    assert rows["MP-001"].confidence_after == 4
    assert rows["mp-002"].organisation == police  # by alias, ignoring case
    assert rows["NHS-7"].confidence_before is None
    assert (
        AuditEvent.objects.filter(action="create", object_type="learning.Attendance").count() == 3
    )


def test_importing_the_same_file_twice_counts_once(partnership, police, admin):
    session = make_session(partnership)
    for _ in range(2):
        result = imports.attendance_import(
            session=session, actor=admin, data=csv(ATTENDANCE), filename="a.csv"
        )
    assert (result.created, result.updated) == (0, 3)
    assert session.attendances.count() == 3


def test_it_imports_attendance_from_excel(partnership, police, admin):
    session = make_session(partnership)
    data = xlsx([["Attendee reference", "Organisation"], ["X-1", "Metropolitan Police"]])
    result = imports.attendance_import(session=session, actor=admin, data=data, filename="a.xlsx")
    assert result.ok and session.attendances.get().organisation == police


def test_a_file_with_any_bad_row_imports_nothing_and_names_every_problem(
    partnership, police, admin
):
    session = make_session(partnership)
    bad = csv("""
Attendee reference,Organisation,Confidence before,Confidence after
MP-001,Metropolitan Police,2,4
Jane Smith,Metropolitan Police,6,x
MP-003,Ministry of Magic,1,2
MP-001,Metropolitan Police,1,1
,Metropolitan Police,,
""")
    result = imports.attendance_import(session=session, actor=admin, data=bad, filename="a.csv")

    assert not result.ok
    assert Attendance.objects.count() == 0
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (3, "Attendee reference"),
        (3, "Confidence before"),
        (3, "Confidence after"),
        (4, "Organisation"),
        (5, "Attendee reference"),
        (6, "Attendee reference"),
    }
    messages = [str(p) for p in result.problems]
    assert "Row 5, column “Attendee reference”: Appears twice in the file (also row 2)." in messages
    assert any("not a name" in m for m in messages if m.startswith("Row 3"))


def test_a_missing_column_is_named(partnership, admin):
    session = make_session(partnership)
    result = imports.attendance_import(
        session=session, actor=admin, data=csv("Attendee reference\nA-1"), filename="a.csv"
    )
    assert [str(p) for p in result.problems] == [
        "File, column “Organisation”: The file has no “Organisation” column."
    ]


@pytest.mark.parametrize(
    ("data", "filename", "says"),
    [
        (b"", "a.csv", "The file is empty."),
        (b"\xff\xfeA\x00b", "a.csv", "cannot be read as UTF-16"),  # a byte short
        (b"not a zip", "a.xlsx", "not a readable Excel"),
        (b"a,b", "a.txt", "must be a CSV or an Excel"),
        (b"Attendee reference,Organisation\n", "a.csv", "no rows"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(partnership, admin, data, filename, says):
    session = make_session(partnership)
    result = imports.attendance_import(session=session, actor=admin, data=data, filename=filename)
    assert not result.ok
    assert says in str(result.problems[0])


def test_it_imports_recommendations_with_themes(partnership, police, admin):
    review = make_review(partnership)
    make_recommendation(review, "1", text="Old wording", owner=police)
    data = csv("""
Number,Recommendation,Owner organisation,Due date,Status,Completed on,Embedded on,Evidence,Themes
1,Train all response officers in coercive control,Metropolitan Police,31/03/2026,\
Completed and embedded,2026-01-10,2026-03-01,Audit of 30 cases,Coercive control; Training
2,Routine enquiry in A&E,Metropolitan Police,2026-06-30,,,,,Routine enquiry;training
""")
    result = imports.recommendations_import(review=review, actor=admin, data=data, filename="r.csv")
    assert (result.ok, result.created, result.updated) == (True, 1, 1)
    first, second = review.recommendations.order_by("number")
    assert first.text.startswith("Train all") and first.status == "embedded"
    assert first.embedded_on == date(2026, 3, 1)
    assert second.status == Recommendation.Status.OPEN
    # "Training" and "training" are one theme.
    assert sorted(LearningTheme.objects.values_list("name", flat=True)) == [
        "Coercive control",
        "Routine enquiry",
        "Training",
    ]


def test_a_recommendation_embedded_without_evidence_is_refused(partnership, police, admin):
    review = make_review(partnership)
    data = csv("""
Number,Recommendation,Owner organisation,Due date,Status,Completed on,Embedded on
1,Share learning,Metropolitan Police,2026-03-31,embedded,2026-01-10,2026-02-01
2,Audit practice,Metropolitan Police,2026-13-01,Done,,
""")
    result = imports.recommendations_import(review=review, actor=admin, data=data, filename="r.csv")
    assert not result.ok and not review.recommendations.exists()
    found = {(p.row, p.column) for p in result.problems}
    assert (3, "Due date") in found
    assert (3, "Status") in found


def test_model_rules_fail_the_whole_file(partnership, police, admin):
    review = make_review(partnership)
    data = csv("""
Number,Recommendation,Owner organisation,Due date,Status,Completed on,Embedded on
1,Share learning,Metropolitan Police,2026-03-31,,,
2,Audit practice,Metropolitan Police,2026-03-31,embedded,2026-01-10,2026-02-01
""")
    result = imports.recommendations_import(review=review, actor=admin, data=data, filename="r.csv")
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(3, "evidence")]
    assert not review.recommendations.exists()


def test_it_imports_register_participants(partnership, police, admin):
    register = make_initiative(partnership, coverage_denominator=10)
    make_participant(register, "Alpha Primary", status=Participant.Status.WORKING_TOWARDS)
    data = csv("""
Participant,Status,Started on,Renewal due,Ended on
alpha primary,In place,2025-09-01,2028-09-01,
Metropolitan Police,working_towards,,,
Gamma School,Lapsed,2022-01-01,,2025-01-01
""")
    result = imports.participants_import(
        initiative=register, actor=admin, data=data, filename="p.csv"
    )
    assert (result.ok, result.created, result.updated) == (True, 2, 1)
    alpha = register.participants.get(name__iexact="alpha primary")
    assert alpha.status == Participant.Status.ACTIVE
    assert register.participants.get(name="Metropolitan Police").organisation == police
    assert register.participants.get(name="Gamma School").organisation is None


def test_a_lapsed_participant_needs_an_end_date(partnership, admin):
    register = make_initiative(partnership)
    data = csv("Participant,Status\nGamma School,Lapsed")
    result = imports.participants_import(
        initiative=register, actor=admin, data=data, filename="p.csv"
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "ended on")]


def test_a_file_with_too_many_rows_is_refused(partnership, admin, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    data = csv("Attendee reference,Organisation\nA-1,x\nA-2,x\nA-3,x")
    result = imports.attendance_import(
        session=make_session(partnership), actor=admin, data=data, filename="a.csv"
    )
    assert [str(p) for p in result.problems][-1] == "File: The file has more than 2 rows: split it."
    assert not Attendance.objects.exists()

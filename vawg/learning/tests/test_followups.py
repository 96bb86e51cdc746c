"""Disclosure of counts, the import problems download, retiring, and links from strategy actions."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.core import disclosure
from vawg.core.testing import make_organisation
from vawg.learning import selectors, services
from vawg.learning.models import CaseReview, Course, Initiative
from vawg.learning.tests.factories import (
    make_attendance,
    make_course,
    make_initiative,
    make_participant,
    make_recommendation,
    make_review,
    make_session,
)
from vawg.strategy.tests.factories import make_action, make_priority, make_strategy

pytestmark = pytest.mark.django_db
ADMIN, BOARD, ANALYST = "partnership_admin", "board_member", "analyst"


def url(name: str, **kwargs) -> str:
    return reverse(f"learning:{name}", kwargs={"partnership": "wandsworth", **kwargs})


@pytest.fixture
def as_role(client_for, personas):
    return lambda role: client_for(personas[role])


@pytest.fixture
def two_orgs(partnership):
    return (
        make_organisation(partnership, "Metropolitan Police"),
        make_organisation(partnership, "St Elsewhere NHS Trust"),
    )


def _attend(session, organisation, n: int, prefix: str, **answers) -> list[int]:
    return [
        make_attendance(session, f"{prefix}-{i + 1}", organisation=organisation, **answers).pk
        for i in range(n)
    ]


def _controlled(label: str, ids) -> str:
    """The controlled figure the core rule gives these records, as the page shows it."""
    return str(disclosure.count(disclosure.tally(label, ids), disclosure.CONTROLLED))


def _cell(figure: str) -> str:
    return f'govuk-table__cell--numeric">{figure}<'


# --- 1. Counts of people go through core.disclosure for everyone but analysts -----------


def test_training_figures_are_controlled_for_a_board_member_and_exact_for_an_analyst(
    as_role, partnership, two_orgs
):
    police, health = two_orgs
    session = make_session(partnership)
    police_ids = _attend(session, police, 3, "P", before=2, after=4)
    health_ids = _attend(session, health, 7, "H", before=2, after=3)

    board = as_role(BOARD).get(url("training-figures")).content.decode()
    # Police's 3 reads "fewer than 5", and so does the number who answered both; their
    # averages are not shown. Health's 7 and the total of 10 are rounded to a multiple of 5
    # by their cell keys: the exact 7 is never shown.
    health_shown = _controlled("learning.Attendance", health_ids)
    assert health_shown in ("5", "10")
    assert _cell("fewer than 5") in board and _cell(health_shown) in board
    assert "Averages not shown: fewer than 5 people answered both" in board
    assert "Improved (+2.0)" not in board  # Police's averages
    assert "Improved (+1.0)" in board  # Health's 7 answered both, shown as 5 or 10
    assert _cell("3") not in board and _cell("7") not in board
    assert _cell(_controlled("learning.Attendance", police_ids + health_ids)) in board
    assert "OFFICIAL-SENSITIVE" not in board

    analyst = as_role(ANALYST).get(url("training-figures")).content.decode()
    assert _cell("3") in analyst and _cell("7") in analyst and _cell("10") in analyst
    assert "fewer than 5" not in analyst and "Improved (+2.0)" in analyst
    assert "OFFICIAL-SENSITIVE" in analyst


def test_viewing_figures_is_recorded_with_its_level(as_role, partnership, two_orgs):
    _attend(make_session(partnership), two_orgs[0], 2, "P")

    as_role(BOARD).get(url("training-figures"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES)
    assert event.object_type == "learning.training"
    assert event.partnership_id == partnership.pk
    assert event.detail["level"] == "controlled" and event.detail["filters"] == {"period": None}

    as_role(ANALYST).get(url("training-figures"))
    exact = AuditEvent.objects.get(action=AuditEvent.Action.READ_RESTRICTED)
    assert exact.object_type == "learning.training" and exact.detail["level"] == "exact"


def test_every_page_with_counts_of_people_records_the_view(as_role, partnership, two_orgs):
    session = make_session(partnership)
    _attend(session, two_orgs[0], 2, "P")
    board = as_role(BOARD)
    for name, kwargs, subject in [
        ("course-list", {}, "learning.courses"),
        ("course-detail", {"pk": session.course_id}, "learning.course"),
        ("session-detail", {"pk": session.pk}, "learning.session"),
    ]:
        assert board.get(url(name, **kwargs)).status_code == 200
        assert AuditEvent.objects.filter(action="figures", object_type=subject).count() == 1


def test_the_course_list_and_course_page_show_the_same_controlled_count(
    as_role, partnership, two_orgs
):
    course = make_course(partnership, "Coercive control")
    session = make_session(course=course)
    ids = _attend(session, two_orgs[0], 2, "P") + _attend(session, two_orgs[1], 6, "H")
    shown = _controlled("learning.Attendance", ids)
    assert shown in ("5", "10")

    board = as_role(BOARD)
    listing = board.get(url("course-list")).content.decode()
    detail = board.get(url("course-detail", pk=course.pk)).content.decode()
    figures = board.get(url("training-figures")).content.decode()
    assert _cell(shown) in listing and _cell("8") not in listing
    assert f"{shown} attendances in all" in detail
    assert _cell(shown) in figures

    analyst = as_role(ANALYST).get(url("course-list")).content.decode()
    assert _cell("8") in analyst


def test_the_course_list_suppresses_small_attendance_counts(as_role, partnership, two_orgs):
    course = make_course(partnership, "Coercive control")
    _attend(make_session(course=course), two_orgs[0], 2, "P")
    board = as_role(BOARD).get(url("course-list")).content.decode()
    analyst = as_role(ANALYST).get(url("course-list")).content.decode()
    assert _cell("fewer than 5") in board and _cell("2") not in board
    assert "fewer than 5" not in analyst and _cell("2") in analyst


def test_an_improved_percentage_never_reads_fewer_than_five(as_role, partnership, two_orgs):
    # One organisation of 3 staff: the share of organisations is shown as it is.
    _attend(make_session(partnership), two_orgs[0], 3, "P", before=1, after=3)
    page = as_role(BOARD).get(url("training-figures")).content.decode()
    title = page.split('govuk-panel__title govuk-!-font-size-36">')[1].split("</h2>")[0]
    assert title.strip().startswith("100.0%") and "(1 of 1)" in title
    assert "fewer than" not in title


DEATH = "Domestic homicide and domestic abuse related death reviews"


def _reviews(partnership, deaths: int, sars: int) -> dict:
    made = {"death": [], "sar": []}
    for n in range(deaths):
        kind = CaseReview.Kind.DHR if n % 2 else CaseReview.Kind.DARDR
        made["death"].append(make_review(partnership, f"DEATH-{n:02}", kind=kind).pk)
    for n in range(sars):
        made["sar"].append(make_review(partnership, f"SAR 2024/{n:02}", kind="sar").pk)
    return made


def test_case_reviews_are_counted_as_the_list_shows_them(as_role, partnership):
    """Every review is listed by its reference to every member: its count says nothing the
    list does not, so the counts are the list's, for everyone (docs/disclosure-control.md)."""
    _reviews(partnership, deaths=2, sars=6)
    counted = selectors.review_counts(partnership=partnership)
    assert {label: str(f) for label, f in counted.cells.items()} == {
        DEATH: "2",
        "Safeguarding Adult Reviews": "6",
        "Child Safeguarding Practice Reviews": "0",
    }
    assert str(counted.total) == "8"
    page = as_role(BOARD).get(url("review-list"))
    listed = page.content.decode()
    assert all(f"DEATH-{n:02}" in listed for n in range(2))
    assert page.context["page"].paginator.count == 8
    assert "Reviews: 8<" in listed and _cell("2") in listed


def test_a_session_shows_staff_counts_by_organisation_not_each_attendee(
    as_role, partnership, two_orgs
):
    session = make_session(partnership)
    make_attendance(session, "WBC-1042", organisation=two_orgs[0], before=1, after=5)
    health = _attend(session, two_orgs[1], 5, "H")
    everyone = session.attendances.values_list("pk", flat=True)

    board = as_role(BOARD).get(url("session-detail", pk=session.pk)).content.decode()
    assert "WBC-1042" not in board
    assert "Attendance by organisation" in board and _cell("fewer than 5") in board
    assert _cell("5") in board  # five is a multiple of five: the same under any cell key
    assert _cell(_controlled("learning.Attendance", everyone)) in board  # the total of 6
    assert len(health) == 5

    admin = as_role(ADMIN).get(url("session-detail", pk=session.pk)).content.decode()
    assert "WBC-1042" in admin
    assert "OFFICIAL-SENSITIVE" not in admin
    analyst = as_role(ANALYST).get(url("session-detail", pk=session.pk)).content.decode()
    assert "WBC-1042" in analyst and "OFFICIAL-SENSITIVE" in analyst


# --- 2. The import's problem list, downloadable without keeping the file ------------------


def _upload(client, session, text: str):
    upload = SimpleUploadedFile("attendance.csv", text.encode(), content_type="text/csv")
    return client.post(url("attendance-import", pk=session.pk), {"file": upload})


def test_the_problems_of_a_failed_import_download_as_csv(as_role, partnership, two_orgs):
    admin = as_role(ADMIN)
    session = make_session(partnership)
    response = _upload(
        admin,
        session,
        "Attendee reference,Organisation,Confidence before\n"
        "WBC-1,Metropolitan Police,7\n"
        "Jane Smith,Nowhere Trust,2\n",
    )
    token = response.context["problems_token"]
    assert token and "Download the problems (CSV)" in response.content.decode()

    download = admin.post(url("attendance-import", pk=session.pk), {"problems": token})

    assert download["Content-Type"].startswith("text/csv")
    assert 'filename="import-attendance-problems.csv"' in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Value", "What is wrong"]
    assert len(rows) - 1 == len(response.context["result"].problems) == 3
    assert rows[1][:3] == ["2", "Confidence before", "7"]
    assert {r[0] for r in rows[1:]} == {"2", "3"}
    assert AuditEvent.objects.filter(action="export", object_type="learning.ImportProblems")


def test_an_altered_problem_list_is_refused(as_role, partnership):
    admin = as_role(ADMIN)
    session = make_session(partnership)
    forged = signing.dumps([[1, "Organisation", "x", "=HYPERLINK()"]], salt="something else")
    response = admin.post(url("attendance-import", pk=session.pk), {"problems": forged})
    assert response.status_code == 302
    assert response["Location"] == url("attendance-import", pk=session.pk)


# --- 3. "% improved" needs a minimum of staff, and says so --------------------------------


def test_the_figures_page_shows_the_basis_of_improved_confidence(as_role, partnership, two_orgs):
    session = make_session(partnership)
    for i in range(3):
        make_attendance(session, f"P-{i}", organisation=two_orgs[0], before=2, after=4)
    make_attendance(session, "H-1", organisation=two_orgs[1], before=2, after=4)

    page = as_role(BOARD).get(url("training-figures")).content.decode()

    assert "100.0%" in page
    assert "Based on 1 organisation where at least 3 staff answered" in page
    assert "1 organisation was left out because fewer than 3 of its staff answered both" in page


# --- 4. Retire, with history kept; restore --------------------------------------------------


def test_retiring_a_course_asks_first_then_keeps_it_out_of_the_list(as_role, partnership):
    admin = as_role(ADMIN)
    course = make_course(partnership, "Old course")
    attendance = make_attendance(make_session(course=course))

    confirm = admin.get(url("course-retire", pk=course.pk))
    assert confirm.status_code == 200 and "Retire “Old course”?" in confirm.content.decode()
    course.refresh_from_db()
    assert course.retired_on is None

    assert admin.post(url("course-retire", pk=course.pk))["Location"] == url("course-list")
    course.refresh_from_db()
    assert course.retired_on == timezone.localdate()
    event = AuditEvent.objects.get(summary="Retired a course")
    assert event.object_id == str(course.pk) and event.action == "update"
    # Nothing deleted: its sessions and attendance stay, and count in the figures.
    assert attendance.__class__.objects.filter(pk=attendance.pk).exists()
    assert selectors.attendance_tally(partnership=partnership, start=None, end=None).n == 1
    assert "Old course" not in admin.get(url("course-list")).content.decode()
    assert "Old course" in admin.get(url("course-list") + "?show=retired").content.decode()

    # No new sessions: the page says why and goes back.
    refused = admin.get(url("session-add", pk=course.pk))
    assert refused["Location"] == url("course-detail", pk=course.pk)
    with pytest.raises(services.ValidationError):
        services.session_save(
            course=course, actor=None, held_on=date(2026, 1, 1), trainer="Team", format="online"
        )

    admin.post(url("course-restore", pk=course.pk))
    course.refresh_from_db()
    assert course.retired_on is None
    assert AuditEvent.objects.filter(summary="Restored a retired course").exists()


def test_a_board_member_cannot_retire(as_role, partnership):
    course = make_course(partnership)
    assert as_role(BOARD).post(url("course-retire", pk=course.pk)).status_code == 403
    assert Course.objects.get().retired_on is None


def test_a_retired_register_stops_counting_from_the_day_it_was_retired(partnership):
    register = make_initiative(
        partnership, kind=Initiative.Kind.SAFE_SPACES, coverage_denominator=10
    )
    make_participant(register, "Library", started_on=date(2025, 1, 1))
    services.retire(obj=register, actor=None, on=date(2025, 6, 1))

    def coverage(on):
        return selectors.coverage_for_kind(partnership=partnership, kind="safe_spaces", on=on)

    def count(on):
        return selectors.active_count_for_kind(partnership=partnership, kind="safe_spaces", on=on)

    assert (coverage(date(2025, 5, 31)).value, count(date(2025, 5, 31))) == (10, 1)
    assert (coverage(date(2025, 6, 1)).value, count(date(2025, 6, 1))) == (None, 0)
    with pytest.raises(services.ValidationError):
        services.participant_save(initiative=register, actor=None, name="Cafe", status="active")


def test_a_retired_register_sends_no_renewal_reminders(partnership):
    register = make_initiative(partnership)
    make_participant(register, renewal_due=date(2026, 1, 20))
    services.retire(obj=register, actor=None, on=date(2026, 1, 1))
    assert services.renewal_reminders_send(on=date(2026, 1, 2)).participants == 0


def test_a_retired_review_leaves_the_recommendation_figures_from_that_day(as_role, partnership):
    review = make_review(partnership, "DHR 2019/01", kind=CaseReview.Kind.DHR)
    make_recommendation(review, "1", due_on=date(2025, 1, 31))
    on = date(2025, 3, 1)
    assert selectors.recommendations_overdue(partnership=partnership, on=on).value == 100

    services.retire(obj=review, actor=None, on=on)

    assert selectors.recommendations_overdue(partnership=partnership, on=on).value is None
    before = on - timedelta(days=1)
    assert selectors.recommendations_overdue(partnership=partnership, on=before).value == 100
    assert not selectors.recommendations_for(partnership=partnership, on=on).exists()
    page = as_role(ADMIN).get(url("review-detail", pk=review.pk)).content.decode()
    assert "was retired on 1 March 2025" in page and "Add a recommendation" not in page


# --- 5. What learning links to a strategy action ---------------------------------------------


def test_learning_for_action_lists_current_linked_learning(partnership, other_partnership):
    action = make_action(make_priority(make_strategy(partnership)), "AB.04")
    course = make_course(partnership, "Healthy relationships")
    course.actions.add(action)
    make_course(partnership, "Retired course", retired_on=date(2025, 1, 1)).actions.add(action)
    register = make_initiative(partnership, "White Ribbon")
    register.actions.add(action)
    review = make_review(partnership, "DHR 2022/01")
    review.actions.add(action)

    found = selectors.learning_for_action(action)

    assert found.courses == [course] and found.registers == [register]
    assert found.reviews == [review]
    request = RequestFactory().get("/")
    request.partnership = partnership
    html = render_to_string(
        "learning/includes/action_links.html", {"learning": found}, request=request
    )
    assert "Healthy relationships" in html and "Retired course" not in html
    assert url("review-detail", pk=review.pk) in html

    empty = make_action(make_priority(make_strategy(partnership)), "AB.05")
    assert not selectors.learning_for_action(empty)
    rendered = render_to_string(
        "learning/includes/action_links.html",
        {"learning": selectors.learning_for_action(empty)},
        request=request,
    )
    assert rendered.strip() == ""

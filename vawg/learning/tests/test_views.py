"""The learning pages: what each shows, what each form saves, and who may use them."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.core.testing import make_organisation
from vawg.learning.models import Attendance, CaseReview, Course, Initiative, Recommendation
from vawg.learning.tests.factories import (
    make_attendance,
    make_course,
    make_initiative,
    make_participant,
    make_recommendation,
    make_review,
    make_session,
)

pytestmark = pytest.mark.django_db
ADMIN, BOARD = "partnership_admin", "board_member"


def url(name: str, **kwargs) -> str:
    return reverse(f"learning:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def day(prefix: str, value: date) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


@pytest.fixture
def admin(client_for, personas):
    return client_for(personas[ADMIN])


@pytest.fixture
def board(client_for, personas):
    return client_for(personas[BOARD])


# --- Training --------------------------------------------------------------------


def test_it_adds_a_course_a_session_and_attendance(admin, partnership):
    response = admin.post(url("course-add"), {"title": "Coercive control: the basics"})
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "course-detail", pk=course.pk
    )

    response = admin.post(
        url("session-add", pk=course.pk),
        {**day("held_on", date(2026, 2, 3)), "trainer": "Advance charity", "format": "online"},
    )
    session = course.sessions.get()
    assert session.held_on == date(2026, 2, 3)

    organisation = partnership.organisations.first()
    response = admin.post(
        url("attendance-add", pk=session.pk),
        {
            "attendee_reference": "ADV-0042",
            "organisation": organisation.pk,
            "confidence_before": "2",
            "confidence_after": "4",
        },
    )
    assert response.status_code == 302
    page = admin.get(url("session-detail", pk=session.pk)).content.decode()
    assert "ADV-0042" in page and organisation.name in page
    assert AuditEvent.objects.filter(object_type="learning.Attendance", action="create").exists()


def test_a_session_form_names_what_is_wrong(admin, partnership):
    course = make_course(partnership)
    response = admin.post(
        url("session-add", pk=course.pk),
        {"held_on_0": "31", "held_on_1": "2", "held_on_2": "2026", "trainer": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The session date must be a real date" in page
    assert "Enter the trainer." in page
    assert "Choose how the session was delivered." in page
    assert "govuk-error-summary" in page
    assert not course.sessions.exists()


def test_attendance_with_a_name_is_refused(admin, partnership):
    session = make_session(partnership)
    response = admin.post(
        url("attendance-add", pk=session.pk),
        {"attendee_reference": "Jane Smith", "organisation": partnership.organisations.first().pk},
    )
    assert "not a name or email address" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_cannot_name_another_partnerships_organisation(
    admin, partnership, other_partnership
):
    session = make_session(partnership)
    response = admin.post(
        url("attendance-add", pk=session.pk),
        {"attendee_reference": "A-1", "organisation": other_partnership.organisations.first().pk},
    )
    assert "Choose an organisation from the list." in response.content.decode()


def test_it_imports_attendance_through_the_page(admin, partnership):
    session = make_session(partnership)
    org = partnership.organisations.first()
    upload = SimpleUploadedFile(
        "attendance.csv",
        f"Attendee reference,Organisation\nA-1,{org.name}\nA-2,{org.name}\n".encode(),
    )
    response = admin.post(url("attendance-import", pk=session.pk), {"file": upload})
    assert response.status_code == 302
    assert session.attendances.count() == 2


def test_a_bad_import_shows_each_problem_and_saves_nothing(admin, partnership):
    session = make_session(partnership)
    upload = SimpleUploadedFile(
        "attendance.csv", b"Attendee reference,Organisation\nA-1,Nowhere\nA-2,\n"
    )
    response = admin.post(url("attendance-import", pk=session.pk), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: the file has 2 problems" in page
    assert "Row 2, column “Organisation”" in page
    assert "Row 3, column “Organisation”: Enter the organisation." in page
    assert not Attendance.objects.exists()


def test_an_oversized_or_wrong_type_upload_is_refused(admin, partnership):
    session = make_session(partnership)
    too_big = SimpleUploadedFile("a.csv", b"x" * (2 * 1024 * 1024 + 1))
    response = admin.post(url("attendance-import", pk=session.pk), {"file": too_big})
    assert "The file must be smaller than 2 MB." in response.content.decode()
    wrong = SimpleUploadedFile("a.pdf", b"%PDF-1.4")
    response = admin.post(url("attendance-import", pk=session.pk), {"file": wrong})
    assert "must be a CSV or an Excel" in response.content.decode()


def test_training_figures_show_per_organisation_and_course(board, partnership):
    session = make_session(partnership, course=make_course(partnership, "Stalking awareness"))
    police = make_organisation(partnership, "Metropolitan Police", kind="police")
    for n in range(5):
        make_attendance(session, f"P-{n}", organisation=police, before=2, after=4)
    page = board.get(url("training-figures")).content.decode()
    assert "Stalking awareness" in page and "Metropolitan Police" in page
    assert "100.0%" in page  # one organisation answered, and it improved
    assert "Improved (+2.0)" in page


def test_a_period_filter_that_is_not_a_choice_is_an_error(board, partnership):
    response = board.get(url("training-figures"), {"period": "99999"})
    assert "Choose a period from the list." in response.content.decode()


def test_attendance_export_is_a_spreadsheet_and_audited(admin, partnership):
    make_attendance(make_session(partnership), "=HYPERLINK-1")
    response = admin.get(url("attendance-export", fmt="csv"))
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("Course,Session date,Format")
    assert "'=HYPERLINK-1" in body  # formula neutralised
    assert AuditEvent.objects.filter(action="export", partnership_id=partnership.pk).exists()


def test_only_an_admin_may_remove_attendance_after_confirming(
    admin, client_for, personas, partnership
):
    attendance = make_attendance(make_session(partnership), "WBC-7781")
    confirm = admin.get(url("attendance-remove", pk=attendance.pk))
    # GET only asks: it names the attendee and removes nothing.
    assert confirm.status_code == 200
    assert "Remove attendee WBC-7781 from this session?" in confirm.content.decode()
    assert Attendance.objects.exists()
    board = client_for(personas[BOARD])
    assert board.post(url("attendance-remove", pk=attendance.pk)).status_code == 403
    admin = client_for(personas[ADMIN])
    assert admin.post(url("attendance-remove", pk=attendance.pk)).status_code == 302
    assert not Attendance.objects.exists()


# --- Registers -------------------------------------------------------------------


def test_it_adds_a_register_and_shows_its_coverage(admin, partnership):
    response = admin.post(
        url("register-add"),
        {
            "name": "School VAWG policies",
            "kind": "school_policy",
            "coverage_denominator": "4",
            "coverage_of": "schools",
            "reminder_days": "60",
        },
    )
    register = Initiative.objects.get()
    assert response["Location"] == url("register-detail", pk=register.pk)
    response = admin.post(
        url("participant-add", pk=register.pk),
        {"name": "Alpha Primary", "status": "active", **day("started_on", date(2025, 9, 1))},
    )
    assert response.status_code == 302
    page = admin.get(url("register-detail", pk=register.pk)).content.decode()
    assert "25.0%" in page and "(1 of 4)" in page and "of schools" in page
    assert "Alpha Primary" in page


def test_a_register_without_a_denominator_says_so(board, partnership):
    register = make_initiative(partnership)
    make_participant(register)
    page = board.get(url("register-detail", pk=register.pk)).content.decode()
    assert "Not available" in page and "say how many could take part" in page


def test_a_lapsed_participant_without_an_end_date_is_refused(admin, partnership):
    register = make_initiative(partnership)
    response = admin.post(
        url("participant-add", pk=register.pk), {"name": "Gamma Cafe", "status": "lapsed"}
    )
    assert "Enter the date it lapsed or was withdrawn." in response.content.decode()
    assert not register.participants.exists()


def test_register_export_round_trips_through_the_import(admin, partnership):
    register = make_initiative(partnership)
    make_participant(register, "Alpha Primary", renewal_due=date(2027, 1, 1))
    exported = admin.get(url("register-export", pk=register.pk, fmt="xlsx")).content
    upload = SimpleUploadedFile("register.xlsx", exported)
    response = admin.post(url("participant-import", pk=register.pk), {"file": upload})
    assert response.status_code == 302
    assert register.participants.get().renewal_due == date(2027, 1, 1)


# --- Case reviews --------------------------------------------------------------------


def test_it_adds_a_review_with_both_names_of_death_review(admin, partnership):
    page = admin.get(url("review-add")).content.decode()
    assert "Domestic Homicide Review (DHR)" in page
    assert "Domestic Abuse Related Death Review (DARDR)" in page
    response = admin.post(
        url("review-add"),
        {
            "reference": "DHR 2022/01",
            "kind": "dhr",
            "status": "published",
            **day("commissioned_on", date(2022, 2, 1)),
            **day("published_on", date(2023, 8, 1)),
            "report_url": "https://example.org/dhr-2022-01",
            "themes": "Coercive control; Routine enquiry",
        },
    )
    review = CaseReview.objects.get()
    assert response["Location"] == url("review-detail", pk=review.pk)
    assert sorted(t.name for t in review.themes.all()) == ["Coercive control", "Routine enquiry"]


def test_it_adds_and_completes_a_recommendation(admin, partnership):
    review = make_review(partnership)
    owner = partnership.organisations.first()
    fields = {
        "number": "1",
        "text": "Health visitors ask about abuse at every contact.",
        "owner": owner.pk,
        **day("due_on", date(2025, 1, 31)),
        "status": "open",
    }
    assert admin.post(url("recommendation-add", pk=review.pk), fields).status_code == 302
    recommendation = review.recommendations.get()
    page = admin.get(url("review-detail", pk=review.pk)).content.decode()
    assert "Overdue" in page

    response = admin.post(
        url("recommendation-edit", pk=recommendation.pk),
        {
            **fields,
            "status": "embedded",
            **day("completed_on", date(2025, 1, 20)),
            **day("embedded_on", date(2025, 6, 1)),
            "evidence": "Audit of 40 records: 38 asked.",
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.EMBEDDED
    page = admin.get(url("review-detail", pk=review.pk)).content.decode()
    assert "Audit of 40 records" in page and ">Overdue<" not in page


def test_the_recommendation_list_filters_overdue(board, partnership):
    review = make_review(partnership)
    today = timezone.localdate()
    make_recommendation(review, "1", text="Late one", due_on=today - timedelta(days=1))
    make_recommendation(review, "2", text="Not yet due", due_on=today + timedelta(days=30))
    page = board.get(url("recommendation-list"), {"show": "overdue"}).content.decode()
    assert "Late one" in page and "Not yet due" not in page
    page = board.get(url("recommendation-list")).content.decode()
    assert "Late one" in page and "Not yet due" in page


def test_the_themes_page_counts_across_reviews(board, partnership, personas):
    from vawg.learning import services

    admin_user = personas[ADMIN]
    for ref in ("SAR 1", "CSPR 1"):
        services.review_save(
            partnership=partnership,
            actor=admin_user,
            reference=ref,
            kind=ref.split()[0].lower(),
            status="in_progress",
            commissioned_on=date(2024, 1, 1),
            themes=["Information sharing"],
        )
    page = board.get(url("themes")).content.decode()
    assert "Information sharing" in page and "SAR 1" in page and "CSPR 1" in page


# --- Access ----------------------------------------------------------------------


def test_another_partnerships_objects_are_not_found(admin, other_partnership):
    review = make_review(other_partnership)
    session = make_session(other_partnership)
    register = make_initiative(other_partnership)
    assert admin.get(url("review-detail", pk=review.pk)).status_code == 404
    assert admin.get(url("session-detail", pk=session.pk)).status_code == 404
    assert admin.get(url("register-detail", pk=register.pk)).status_code == 404
    assert admin.post(url("recommendation-add", pk=review.pk)).status_code == 404


def test_staff_read_but_only_the_admin_changes(board, partnership):
    review = make_review(partnership)
    page = board.get(url("review-detail", pk=review.pk)).content.decode()
    assert "Add a recommendation" not in page
    assert board.get(url("review-add")).status_code == 403
    assert board.post(url("course-add"), {"title": "x"}).status_code == 403
    assert not Course.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(url("home")).status_code == 302


# --- Query counts do not grow with the data -------------------------------------------


def _fill(partnership, n: int) -> dict:
    course = make_course(partnership)
    session = make_session(course=course)
    register = make_initiative(partnership)
    review = make_review(partnership)
    for _ in range(n):
        make_attendance(session, before=2, after=3)
        make_participant(register)
        make_recommendation(review, due_on=date(2025, 1, 1))
        make_review(partnership)
        make_course(partnership)
    return {"course": course, "session": session, "register": register, "review": review}


PAGES = [
    ("home", None),
    ("course-list", None),
    ("course-detail", "course"),
    ("session-detail", "session"),
    ("training-figures", None),
    ("register-list", None),
    ("register-detail", "register"),
    ("review-list", None),
    ("review-detail", "review"),
    ("recommendation-list", None),
    ("themes", None),
]


@pytest.mark.parametrize(("name", "obj"), PAGES)
def test_pages_cost_the_same_queries_at_any_size(
    admin, partnership, django_assert_max_num_queries, name, obj
):
    counts = []
    for n in (2, 12):
        objects = _fill(partnership, n)
        target = url(name, pk=objects[obj].pk) if obj else url(name)
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(target).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{name}: {counts}"
    with django_assert_max_num_queries(counts[1]):
        admin.get(target)


def test_a_change_page_starts_from_the_saved_values(admin, partnership):
    review = make_review(partnership, "SAR 2023/04", commissioned_on=date(2023, 4, 5))
    page = admin.get(url("review-edit", pk=review.pk)).content.decode()
    assert 'value="SAR 2023/04"' in page
    assert re.search(r'name="commissioned_on_0" value="5"', page)
    assert re.search(r'name="commissioned_on_2" value="2023"', page)


def test_the_recommendations_download_flags_overdue_and_is_audited(board, partnership):
    review = make_review(partnership, "SAR 2023/04")
    make_recommendation(review, "1", due_on=timezone.localdate() - timedelta(days=1))
    response = board.get(url("recommendation-export", fmt="csv"))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["Review", "Type", "Number"]
    assert lines[1].startswith("SAR 2023/04,Domestic Abuse Related Death Review (DARDR),1,")
    assert lines[1].endswith(",yes")
    event = AuditEvent.objects.get(action="export")
    assert event.detail == {"format": "csv", "rows": 1}


def test_an_unknown_download_format_is_not_found(board):
    assert board.get(url("recommendation-export", fmt="pdf")).status_code == 404


def test_an_import_page_offers_a_blank_template(admin, partnership):
    review = make_review(partnership)
    response = admin.get(url("recommendation-import", pk=review.pk), {"template": "csv"})
    heading = response.content.decode("utf-8-sig").splitlines()[0]
    assert heading.startswith("Number,Recommendation,Owner organisation,Due date,Status")
    assert "attachment" in response["Content-Disposition"]


def test_the_register_list_shows_coverage(board, partnership):
    register = make_initiative(partnership, "Safe Spaces", coverage_denominator=20)
    for n in range(3):
        make_participant(register, f"Venue {n}")
    page = board.get(url("register-list")).content.decode()
    assert "15.0%" in page and "(3 of 20)" in page

"""Partnership learning in Chromium: entering attendance, a register's coverage and a review's
recommendations through the real forms, then each learning page checked with axe."""

from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import axe_problems
from vawg.learning.tests.factories import (
    make_attendance,
    make_course,
    make_initiative,
    make_recommendation,
    make_review,
    make_session,
)

pytestmark = [pytest.mark.browser]
ADMIN = Role.PARTNERSHIP_ADMIN.value


def _url(name: str, **kwargs) -> str:
    return reverse(f"learning:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def _axe_clean(browser, axe, label: str) -> list[str]:
    return [f"{label}: {problem}" for problem in axe_problems(axe, browser.page)]


def _fill_date(page, prefix: str, value: date) -> None:
    page.locator(f"[name={prefix}_0]").fill(str(value.day))
    page.locator(f"[name={prefix}_1]").fill(str(value.month))
    page.locator(f"[name={prefix}_2]").fill(str(value.year))


def test_an_admin_enters_learning_and_every_page_passes_axe(visit, personas, partnership):
    organisation = partnership.organisations.first()
    session = make_session(partnership, course=make_course(partnership, "Stalking awareness"))
    register = make_initiative(
        partnership, "School VAWG policy", kind="school_policy", coverage_denominator=4
    )
    review = make_review(partnership, "DARDR 2025/01")
    make_recommendation(review, "1", due_on=date(2024, 1, 31), text="An overdue one.")
    other = make_session(partnership)
    make_attendance(other, "Z-1", before=2, after=3)

    browser = visit()
    browser.sign_in(personas[ADMIN].username)
    page = browser.page
    axe = Axe()
    failures: list[str] = []

    # Attendance, through the form, with a confidence question answered by keyboard-sized radios.
    browser.open(_url("attendance-add", pk=session.pk))
    failures += _axe_clean(browser, axe, "attendance form")
    page.get_by_label("Attendee reference").fill("WBC-1042")
    page.get_by_label("Organisation").select_option(str(organisation.pk))
    page.locator("[name=confidence_before][value='2']").check()
    page.locator("[name=confidence_after][value='4']").check()
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state()
    assert "WBC-1042" in page.content()
    failures += _axe_clean(browser, axe, "session page")

    # A form error is announced in the error summary, and axe is still clean.
    browser.open(_url("attendance-add", pk=session.pk))
    page.get_by_label("Attendee reference").fill("Jane Smith")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    failures += _axe_clean(browser, axe, "attendance form with errors")

    # A register participant, so the register's coverage moves to 1 of 4.
    browser.open(_url("participant-add", pk=register.pk))
    failures += _axe_clean(browser, axe, "participant form")
    page.get_by_label("Participant", exact=True).fill("Riverside Primary School")
    page.get_by_label("In place").check()
    _fill_date(page, "started_on", date(2025, 9, 1))
    page.get_by_role("button", name="Add participant").click()
    page.wait_for_load_state()
    assert "25.0%" in page.content() and "Riverside Primary School" in page.content()
    failures += _axe_clean(browser, axe, "register page")

    # A review recommendation.
    browser.open(_url("recommendation-add", pk=review.pk))
    failures += _axe_clean(browser, axe, "recommendation form")
    page.get_by_label("Number").fill("2")
    page.get_by_label("Recommendation", exact=True).fill("Share learning with GP practices.")
    page.get_by_label("Owner organisation").select_option(str(organisation.pk))
    _fill_date(page, "due_on", date(2030, 3, 31))
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Add recommendation").click()
    page.wait_for_load_state()
    content = page.content()
    assert "Share learning with GP practices." in content and "Overdue" in content
    failures += _axe_clean(browser, axe, "review page")

    # A file with a bad row: nothing saved, every problem listed, and axe still clean.
    browser.open(_url("attendance-import", pk=session.pk))
    page.get_by_label("Upload a file").set_input_files(
        files=[
            {
                "name": "attendance.csv",
                "mimeType": "text/csv",
                "buffer": b"Attendee reference,Organisation\nA-1,Nowhere\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    assert "Row 2, column “Organisation”" in page.content()
    failures += _axe_clean(browser, axe, "import with problems")
    browser.screenshot("learning--import-problems")

    for name, kwargs in [
        ("home", {}),
        ("course-list", {}),
        ("course-detail", {"pk": session.course_id}),
        ("training-figures", {}),
        ("register-list", {}),
        ("review-list", {}),
        ("recommendation-list", {}),
        ("themes", {}),
        ("course-add", {}),
        ("register-add", {}),
        ("review-add", {}),
        ("attendance-import", {"pk": session.pk}),
    ]:
        response = browser.open(_url(name, **kwargs))
        assert response.status == 200, name
        failures += _axe_clean(browser, axe, name)
        browser.screenshot(f"learning--{name}")
    assert not failures, "\n".join(failures)
    assert not browser.external and not browser.console_errors


def test_problems_download_confirmations_and_retiring_in_the_browser(visit, personas, partnership):
    session = make_session(partnership, course=make_course(partnership, "Old course"))
    make_attendance(session, "WBC-2001", before=2, after=3)

    browser = visit()
    browser.sign_in(personas[ADMIN].username)
    page = browser.page
    axe = Axe()
    failures: list[str] = []

    # A failed import's problems download as CSV, from the page, without a second upload.
    browser.open(_url("attendance-import", pk=session.pk))
    page.get_by_label("Upload a file").set_input_files(
        files=[
            {
                "name": "attendance.csv",
                "mimeType": "text/csv",
                "buffer": b"Attendee reference,Organisation\nA-1,Nowhere\nJane Smith,Nowhere\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download the problems (CSV)").click()
    download = caught.value
    assert download.suggested_filename == "import-attendance-problems.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Row,Column,Value,What is wrong" and "Nowhere" in text

    # Removing an attendance asks first, by keyboard.
    browser.open(_url("session-detail", pk=session.pk))
    page.get_by_role("link", name="Remove WBC-2001").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Remove attendee WBC-2001 from this session?" in page.content()
    failures += _axe_clean(browser, axe, "remove attendance confirmation")
    browser.screenshot("learning--attendance-remove")
    with page.expect_navigation():
        page.get_by_role("link", name="No, go back").click()
    assert "WBC-2001" in page.content()

    # Retiring a course: a confirmation, then a banner with Restore on its page.
    browser.open(_url("course-retire", pk=session.course_id))
    failures += _axe_clean(browser, axe, "retire confirmation")
    browser.screenshot("learning--course-retire")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, retire this course").click()
    assert "Course retired" in page.content() and "Old course" not in page.content()
    browser.open(_url("course-detail", pk=session.course_id))
    assert "This course was retired on" in page.content()
    failures += _axe_clean(browser, axe, "retired course")
    browser.screenshot("learning--course-retired")
    with page.expect_navigation():
        page.get_by_role("button", name="Restore this course").click()
    assert "This course was retired on" not in page.content()

    assert not failures, "\n".join(failures)
    assert not browser.external and not browser.console_errors

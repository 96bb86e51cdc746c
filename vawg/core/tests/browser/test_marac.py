"""MARAC in the browser: a practitioner screens, completes the checklist and refers; the
coordinator builds the agenda and holds the meeting; a representative completes their
action; the statistics page and its download. Every page on the way is checked with axe."""

from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import axe_problems
from vawg.marac.models import CaseAction, Meeting, Referral

pytestmark = [pytest.mark.browser]


def _axe_problems(axe, page) -> list[str]:
    return axe_problems(axe, page)


def _submit(page) -> None:
    # The header's "Sign out" is a form too: submit the page's own form.
    page.locator("main form [type=submit]").last.click()
    page.wait_for_load_state()


def _fill_date(page, name: str, day: date) -> None:
    page.fill(f"#id_{name}_0", str(day.day))
    page.fill(f"#id_{name}_1", str(day.month))
    page.fill(f"#id_{name}_2", str(day.year))


def test_screen_refer_hold_the_meeting_and_complete_an_action(visit, personas, partnership):
    axe = Axe()
    problems: list[str] = []
    m = f"/p/{partnership.slug}/marac/"
    today = date.today()

    # A practitioner screens, completes the checklist and refers.
    browser = visit()
    page = browser.page
    browser.sign_in(personas[Role.PRACTITIONER].username)
    browser.open(m + "screen/")
    problems += _axe_problems(axe, page)
    _submit(page)  # nothing chosen: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    problems += _axe_problems(axe, page)
    page.get_by_role("group", name="Has the person told you").get_by_label("Yes").check()
    page.get_by_role("group", name="Are they in immediate danger?").get_by_label("No").check()
    page.get_by_role("group", name="do they agree to answer").get_by_label("Yes").check()
    _submit(page)
    problems += _axe_problems(axe, page)
    page.get_by_role("link", name="Start the risk checklist").click()
    page.wait_for_load_state()
    problems += _axe_problems(axe, page)
    for n in range(1, 25):
        page.check(f"#id_q{n}_{1 if n <= 14 else 2}")
    page.get_by_role("group", name="professional judgement").get_by_label("No").check()
    _submit(page)
    assert "High risk" in page.locator("h1").inner_text()
    problems += _axe_problems(axe, page)
    page.get_by_role("link", name="Refer to MARAC").click()
    page.wait_for_load_state()
    page.fill("#id_victim_name", "Test Victim 700")
    _fill_date(page, "victim_dob", date(1991, 4, 2))
    page.fill("#id_perpetrator_name", "Test Perpetrator 700")
    page.fill("#id_perpetrator_2_name", "Test Perpetrator 701")
    _fill_date(page, "perpetrator_2_dob", date(1986, 7, 9))
    page.fill("#id_perpetrator_2_address", "7 Test Close")
    page.check("#id_victim_sex_1")
    page.check("#id_victim_trans_2")
    page.select_option("#id_victim_ethnicity", "black")
    page.select_option("#id_victim_sexual_orientation", "heterosexual")
    page.check("#id_victim_disability_2")
    page.check("#id_victim_aware_1")
    page.check("#id_victim_consented_1")
    page.fill("#id_children_in_household", "1")
    problems += _axe_problems(axe, page)
    _submit(page)
    referral = Referral.objects.get()
    assert referral.reference in page.locator("h1").inner_text()
    assert "Test Victim 700" not in page.content()
    problems += _axe_problems(axe, page)

    # The coordinator schedules a meeting, builds the agenda, records attendance, holds it.
    browser = visit()
    page = browser.page
    browser.sign_in(personas[Role.MARAC_COORDINATOR].username)
    browser.open(m + "meetings/new/")
    _fill_date(page, "held_on", today)
    page.locator("input[name=agencies]").first.check()
    problems += _axe_problems(axe, page)
    _submit(page)
    meeting = Meeting.objects.get()
    page.get_by_role("button", name="Add referrals since the last meeting").click()
    page.wait_for_load_state()
    assert referral.reference in page.locator("table").first.inner_text()
    assert "Children: 1" in page.content()
    page.get_by_role("link", name="Record an attendee").click()
    page.wait_for_load_state()
    page.select_option("#id_organisation", index=1)
    page.fill("#id_attendee_name", "Test Attendee 700")
    page.check("#id_accepted")
    problems += _axe_problems(axe, page)
    _submit(page)
    page.get_by_role("link", name=f"Add action for {referral.reference}").click()
    page.wait_for_load_state()
    page.select_option("#id_organisation", index=1)
    page.fill("#id_description", "Test action: safety planning")
    _fill_date(page, "due_on", today)
    problems += _axe_problems(axe, page)
    _submit(page)
    page.get_by_role("button", name="Mark meeting as held").click()
    page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == "held"
    problems += _axe_problems(axe, page)
    browser.open(m + f"cases/{referral.pk}/")
    assert "Test Victim 700" in page.content()
    assert "Test Perpetrator 701" in page.content() and "7 Test Close" in page.content()
    problems += _axe_problems(axe, page)
    browser.open(m + "statistics/")
    problems += _axe_problems(axe, page)
    browser.open(m + "access-review/")
    problems += _axe_problems(axe, page)
    browser.open(m + "settings/")
    problems += _axe_problems(axe, page)

    # The representative completes their agency's action.
    browser = visit()
    page = browser.page
    browser.sign_in(personas[Role.MARAC_REPRESENTATIVE].username)
    browser.open(m + "actions/")
    problems += _axe_problems(axe, page)
    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_load_state()
    _fill_date(page, "completed_on", today)
    problems += _axe_problems(axe, page)
    _submit(page)
    assert CaseAction.objects.get().completed_on == today
    browser.screenshot("marac--rep-actions")

    # A board member reads the statistics, through disclosure control.
    browser = visit()
    page = browser.page
    browser.sign_in(personas[Role.BOARD_MEMBER].username)
    browser.open(reverse("marac:statistics", kwargs={"partnership": partnership.slug}))
    assert "fewer than 5" in page.content()
    problems += _axe_problems(axe, page)
    browser.screenshot("marac--statistics")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Period,Figure,Unit,This partnership")
    assert "fewer than 5" in text
    assert not problems, "\n".join(problems)

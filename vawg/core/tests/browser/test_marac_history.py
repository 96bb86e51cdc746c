"""MARAC history in the browser: the coordinator imports a year of past referrals (a file with
a bad row first, refused whole; then the corrected file) and downloads last year's statistics."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import axe_problems
from vawg.marac.models import Meeting, Referral
from vawg.marac.national import national_figures

pytestmark = [pytest.mark.browser]
HEADINGS = [
    "Referral date",
    "Meeting date",
    "Referring agency",
    "Victim name",
    "Victim date of birth",
    "Perpetrator name",
    "Children in household",
    "Victim aware",
    "Victim consented",
]


def _last_year_start(today: date) -> date:
    """The first day of last reporting year (April to March)."""
    this_year = today.year if today.month >= 4 else today.year - 1
    return date(this_year - 1, 4, 1)


def _year_of_referrals(start: date, agency: str) -> list[list[str]]:
    """One referral a month for a year, each heard at that month's meeting on the 20th."""
    rows = []
    for n in range(12):
        month, year = (start.month + n - 1) % 12 + 1, start.year + (start.month + n - 1) // 12
        rows.append(
            [
                f"05/{month:02d}/{year}",
                f"20/{month:02d}/{year}",
                agency,
                f"Test History Victim {n:02d}",
                "01/01/1990",
                f"Test History Perpetrator {n:02d}",
                str(n % 3),
                "yes",
                "yes",
            ]
        )
    return rows


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_the_coordinator_imports_a_year_and_downloads_its_statistics(
    visit, personas, partnership, tmp_path
):
    axe = Axe()
    problems: list[str] = []
    start = _last_year_start(date.today())
    agency = partnership.organisations.first().name
    rows = _year_of_referrals(start, agency)
    browser = visit()
    page = browser.page
    browser.sign_in(personas[Role.MARAC_COORDINATOR].username)
    browser.open(reverse("marac:home", kwargs={"partnership": partnership.slug}))
    page.get_by_role("link", name="Import past referrals and meetings").click()
    page.wait_for_load_state()
    problems += axe_problems(axe, page)

    # A file with one bad row: nothing goes in, and the row and column are named.
    bad = [*rows[:5], [*rows[5][:2], "Test Unknown Agency", *rows[5][3:]], *rows[6:]]
    page.set_input_files("input[type=file]", str(_write(tmp_path / "history.csv", bad)))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Nothing was imported" in summary.inner_text()
    assert "Row 7, column “Referring agency”" in summary.inner_text()
    assert not Referral.objects.exists()
    problems += axe_problems(axe, page)
    browser.screenshot("marac--history-import-problems")

    # The corrected file goes in whole.
    page.set_input_files("input[type=file]", str(_write(tmp_path / "history.csv", rows)))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    assert "12 past referrals imported" in page.content()
    assert Referral.objects.count() == 12
    assert Meeting.objects.filter(status=Meeting.Status.HELD).count() == 12
    problems += axe_problems(axe, page)

    # Last year's statistics, chosen from the periods offered, and downloaded.
    browser.open(reverse("marac:statistics", kwargs={"partnership": partnership.slug}))
    label = f"{start.year}/{str(start.year + 1)[-2:]} (whole year)"
    page.get_by_label("Period").select_option(label=label)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert label in page.content()
    problems += axe_problems(axe, page)
    browser.screenshot("marac--history-statistics")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    figures = {r[1]: r for r in csv.reader(io.StringIO(text))}
    assert figures["MARAC meetings held"][0] == label
    assert figures["MARAC meetings held"][3] == "12"
    # The coordinator sees exact figures: every imported case, and the children in them.
    assert figures["Cases discussed (repeats included)"][3] == "12"
    assert figures["Children in the households"][3] == str(sum(n % 3 for n in range(12)))
    assert national_figures().period in figures["Repeat cases"][6]
    assert not problems, "\n".join(problems)

"""The board pack in a real browser: the strategic lead makes it from the delivery page in
one click, watches its progress, downloads the PDF and the Word document, and every page of
the PDF is looked at as a picture. Screenshots go to test-artifacts/screenshots/."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from vawg.core.models import BodyMeeting, PartnershipBody
from vawg.core.periods import periods_ensure_year, reporting_year_start
from vawg.core.testing import make_body
from vawg.core.tests.browser.conftest import page_problems
from vawg.delivery.models import Status
from vawg.delivery.services import period_due
from vawg.delivery.tests.factories import approved, make_world
from vawg.reports.tests.reading import (
    docx_open,
    docx_text,
    needs_poppler,
    pdf_page_pictures,
    pdf_pages_text,
)

pytestmark = [pytest.mark.browser, needs_poppler]

RED_REASON = "The refuge provider withdrew; a new tender is out."


@pytest.fixture
def world(partnership, personas):
    """A plan whose action went red last quarter, and a board that met in it."""
    today = timezone.localdate()
    start = reporting_year_start(partnership, today)
    periods_ensure_year(partnership=partnership, year_start=start.replace(year=start.year - 1))
    periods_ensure_year(partnership=partnership, year_start=start)
    world = make_world(partnership, personas)
    due = period_due(partnership, today)
    last = partnership.reporting_periods.filter(end__lt=today).order_by("-start").first()
    approved(world.action, last, Status.OFF_TRACK, world.lead, world.chair, today=today)
    update = world.action.updates.get(period=last)
    update.commentary = RED_REASON
    update.save()
    board = make_body(partnership, "Strategic Board", kind=PartnershipBody.Kind.BOARD)
    BodyMeeting.objects.create(body=board, held_on=last.start + timedelta(days=20))
    return {"w": world, "due": due}


def _worker() -> None:
    """What the task worker does between two refreshes of the page."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def _made_while_watching(page, files: int) -> None:
    """The worker makes what was asked for while the page, refreshing itself, is watched
    until it offers every file and no longer says it is waiting. It waits for the finished
    page itself: between two refreshes the page is briefly blank, which is not finished."""
    _worker()
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_have_count(
        files, timeout=30_000
    )
    expect(page.get_by_text("refreshes itself")).to_have_count(0)


def test_the_strategic_lead_makes_the_board_pack_in_one_click(visit, world, tmp_path):
    w = world["w"]
    axe = Axe()
    lead = visit()
    lead.sign_in(w.admin.username)
    dashboard = reverse(
        "delivery:dashboard", kwargs={"partnership": "wandsworth", "strategy": w.strategy.slug}
    )
    lead.open(dashboard)
    lead.page.get_by_role("button", name="Make the board pack").click()

    # The Reports page shows both files being made, and says it refreshes itself.
    lead.page.wait_for_url("**/reports/")
    body = lead.page.inner_text("main")
    assert "refreshes itself" in body and body.count("Board pack") >= 2
    lead.screenshot("reports--waiting")

    # The page refreshes itself (a meta refresh, no JavaScript) until both are ready.
    _made_while_watching(lead.page, files=2)
    problems = page_problems(lead, lead.page.reload(), axe)
    assert problems == []
    lead.screenshot("reports--ready")

    files = {}
    for link in lead.page.get_by_role("link", name=re.compile("^Download")).all():
        with lead.page.expect_download() as download:
            link.click()
        path = Path(download.value.path())
        files[Path(download.value.suggested_filename).suffix] = path.read_bytes()
    assert set(files) == {".pdf", ".docx"}

    pages = pdf_pages_text(files[".pdf"])
    text = "\n".join(pages)
    assert "Strategic Board" in text and RED_REASON in text
    assert all("OFFICIAL" in page for page in pages)
    word = docx_text(docx_open(files[".docx"]))
    assert "Strategic Board" in word and RED_REASON in word

    # Every page of the PDF as a picture, kept beside the screenshots to be looked at.
    shots = Path(lead.screenshot("reports--ready")).parent
    for number, picture in enumerate(pdf_page_pictures(files[".pdf"], tmp_path, 50), 1):
        picture.replace(shots / f"reports--board-pack-page-{number:02d}.png")
    assert number == len(pages)


def test_the_regional_officer_makes_the_combined_return_in_the_background(
    visit, partnership, other_partnership, personas
):
    axe = Axe()
    officer = visit()
    officer.sign_in(personas["regional_officer"].username)
    returns = reverse("reports:region-returns", kwargs={"region": partnership.region.slug})
    assert page_problems(officer, officer.open(returns), axe) == []
    which = officer.page.get_by_label("Which partnership")
    which.select_option(label="Every partnership, in one workbook")
    officer.page.get_by_role("button", name="Make the return").click()
    expect(officer.page.locator("main")).to_contain_text("refreshes itself")
    _made_while_watching(officer.page, files=1)
    assert page_problems(officer, officer.page.reload(), axe) == []
    officer.screenshot("reports--region-ready")
    with officer.page.expect_download() as download:
        officer.page.get_by_role("link", name=re.compile("^Download")).click()
    assert download.value.suggested_filename.startswith("london-region-regional-return-")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Partnerships"] == "Lambeth; Wandsworth"
    # The return is kept on the region's page, with who asked for it.
    officer.open(returns)
    assert "London: every partnership" in officer.page.inner_text("main")
    officer.screenshot("reports--region-returns")

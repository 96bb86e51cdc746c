"""Local insight in a real browser: an analyst uploads a partner's CSV, matches its columns
and codes, reads the validation report, imports it and sees the dashboard change; a board
member then sees the suppressed version. Every page on the way is checked with axe."""

from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.insight.tests.factories import csv_bytes, make_wards, partner_for, row

pytestmark = [pytest.mark.browser]


def _follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _axe_clean(axe: Axe, page) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [f"{page.url}: {v['id']} ({len(v['nodes'])} nodes)" for v in violations]


def test_an_extract_from_upload_to_dashboard(visit, personas, partnership, tmp_path):
    make_wards(partnership)
    partner = partner_for(partnership)
    recent = (date.today().replace(day=1) - timedelta(days=20)).isoformat()
    rows = [row(f"BR{i}", recent, **{"VAWG Strand": "DA"}) for i in range(12)]
    rows += [row("BR-T", recent, Ward="Tooting Bec", **{"VAWG Strand": "DA"})]
    extract = tmp_path / "police-extract.csv"
    extract.write_bytes(csv_bytes(rows))
    axe = Axe()
    problems: list[str] = []
    dashboard = reverse("insight:dashboard", kwargs={"partnership": partnership.slug})

    analyst = visit()
    analyst.sign_in(personas[Role.ANALYST.value].username)
    analyst.open(dashboard)
    page = analyst.page
    assert "no data" in page.content() or "0 incidents" in page.content()
    _follow(page, page.get_by_role("link", name="import a partner's extract"))
    problems += _axe_clean(axe, page)
    page.get_by_label("Which partner sent the file?").select_option(label=partner.name)
    page.get_by_label("Upload the extract").set_input_files(str(extract))
    _follow(page, page.get_by_role("button", name="Upload and continue"))

    assert page.get_by_role("heading", name="Match the columns").is_visible()
    problems += _axe_clean(axe, page)
    analyst.screenshot("insight--import-mapping")
    assert page.get_by_label("Source record id").input_value() == "Crime Ref"
    page.get_by_label("Crime or incident type").select_option("Offence")
    _follow(page, page.get_by_role("button", name="Save mapping and check the file"))

    assert page.get_by_role("heading", name="Match the codes").is_visible()
    problems += _axe_clean(axe, page)
    page.get_by_label("VAWG strand: “DA”").select_option(label="Domestic abuse")
    _follow(page, page.get_by_role("button", name="Save and check the file"))

    assert page.get_by_role("heading", name="Check the report, then import").is_visible()
    problems += _axe_clean(axe, page)
    analyst.screenshot("insight--import-report")
    assert "Officer Notes" in page.content()  # dropped, never stored
    assert "Sexual Orientation, Officer Notes" not in page.content()
    _follow(page, page.get_by_role("button", name="Import 13 records"))
    assert page.get_by_role("heading", name="Imported").is_visible()
    _follow(page, page.get_by_role("link", name="See the dashboard"))
    problems += _axe_clean(axe, page)
    analyst.screenshot("insight--dashboard-analyst")
    body = page.content()
    assert "OFFICIAL-SENSITIVE" in body
    assert "13 incidents from" in body

    board = visit()
    board.sign_in(personas[Role.BOARD_MEMBER.value].username)
    board.open(dashboard)
    problems += _axe_clean(axe, board.page)
    board.screenshot("insight--dashboard-board-member")
    body = board.page.content()
    # 13, rounded to a multiple of 5, up or down as the records' keys decide (their ids
    # depend on which tests ran first, so either may be right here; never 13 itself).
    assert "10 incidents from" in body or "15 incidents from" in body
    assert "13 incidents from" not in body
    assert "fewer than 5" in body  # Tooting Bec's single incident
    assert "OFFICIAL-SENSITIVE" not in body
    assert not problems, "\n".join(problems)

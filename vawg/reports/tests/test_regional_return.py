"""The regional return: the documented layout, figures about people only at the controlled
level (a canary small count never appears exactly), and the regional officer's downloads."""

import io
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_partnership, make_region
from vawg.insight.tests.factories import import_rows, make_wards, row
from vawg.marac.selectors import marac_counts
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.reports import regional_return, selectors, tasks
from vawg.reports.models import ReportRequest
from vawg.reports.spec import Period, ReportSpec, no_progress
from vawg.reports.tests.factories import make_region_return

pytestmark = pytest.mark.django_db

YEAR = Period("2025/26", date(2025, 4, 1), date(2026, 3, 31))


def _documented_layout() -> dict[str, list[str]]:
    """Each sheet's headings as docs/regional-return.md documents them: under "## Layout",
    each "### Sheet" and the Column cells of its table, in order."""
    text = (settings.BASE_DIR / "docs" / "regional-return.md").read_text(encoding="utf-8")
    layout: dict[str, list[str]] = {}
    sheet = None
    for line in text.split("## Layout", 1)[1].splitlines():
        if line.startswith("## "):
            break
        if line.startswith("### "):
            sheet = line[4:].strip()
            layout[sheet] = []
        elif sheet and line.startswith("| ") and not line.startswith("| Column |"):
            layout[sheet].append(line.split("|")[1].strip())
    return layout


LAYOUT = _documented_layout()


CANARY = 3  # incidents in one cell, and cases at MARAC in one quarter: below the threshold


@pytest.fixture
def canary(partnership, personas):
    """Three domestic abuse incidents in 2025/26 Q1, twelve sexual violence ones, and three
    cases heard at one MARAC meeting in Q2, each with two children."""
    make_wards(partnership)
    rows = [row(f"DA{n}", when=f"2025-05-0{n + 1}") for n in range(CANARY)]
    rows += [row(f"SV{n}", when="2025-06-10", **{"VAWG Strand": "SV"}) for n in range(12)]
    import_rows(partnership, rows, today=date(2026, 6, 15))
    practitioner = personas[Role.PRACTITIONER]
    for n in range(CANARY):
        make_referral(
            partnership,
            practitioner,
            on=date(2025, 7, 1),
            victim=f"Test Victim {n:03d}",
            children_in_household=2,
        )
    hold_meeting(make_meeting(partnership, on=date(2025, 7, 15)))


def _book(spec: ReportSpec):
    return load_workbook(io.BytesIO(regional_return.make(spec, "xlsx", no_progress)))


def _rows(sheet) -> list[dict]:
    headers = [cell.value for cell in sheet[1]]
    return [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]


def test_the_workbook_has_the_documented_sheets_and_columns(partnership, canary):
    book = _book(ReportSpec("regional-return", YEAR, "regional", partnership=partnership))
    assert book.sheetnames == list(LAYOUT)
    for name, headers in LAYOUT.items():
        assert [cell.value for cell in book[name][1]] == headers, name
        assert book[name].oddHeader.center.text == "OFFICIAL"
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Reporting year"].startswith("2025/26 (1 April 2025 to 31 March 2026)")
    assert about["Reader"] == "The regional authority"
    assert "fewer than 5" in about["Disclosure control"]


def test_a_small_count_never_appears_exactly(partnership, canary):
    book = _book(ReportSpec("regional-return", YEAR, "regional", partnership=partnership))
    incidents = {(r["Quarter"], r["Strand"]): r for r in _rows(book["Incidents"])}
    small = incidents[("2025/26 Q1", "Domestic abuse")]
    assert small["Incidents"] == "fewer than 5"
    larger = incidents[("2025/26 Q1", "Sexual violence")]["Incidents"]
    assert isinstance(larger, int) and larger % 5 == 0 and abs(larger - 12) < 5

    # The cases were heard (exactly three), and the return does not say how many.
    exact = marac_counts(partnership, date(2025, 7, 1), date(2025, 9, 30))
    assert (exact.cases.n, exact.children.n) == (CANARY, 2 * CANARY)
    marac = {r["Period"]: r for r in _rows(book["MARAC"])}
    assert marac["2025/26 Q2"]["Meetings held"] == 1  # meetings are about no one
    assert marac["2025/26 Q2"]["Cases discussed"] == "fewer than 5"
    assert marac["2025/26 Q2"]["Repeat cases (%)"] == "not shown"
    # Six children in three households: shown rounded, never as counted.
    assert marac["2025/26 Q2"]["Children in the households"] != 6
    # The canary's exact value is in no cell of a figure about people.
    for name in ("Incidents", "MARAC"):
        for r in _rows(book[name]):
            for heading, value in r.items():
                if heading not in ("Partnership", "Quarter", "Period", "Strand", "Meetings held"):
                    assert value != CANARY, (name, heading, r)


def test_the_combined_workbook_has_every_partnership_of_the_region(
    partnership, other_partnership, canary
):
    make_partnership("elsewhere", region=make_region("wales", "Wales"))
    region = partnership.region
    book = _book(ReportSpec("regional-return", YEAR, "regional", region=region))
    about = dict(book["About"].iter_rows(min_row=2, values_only=True))
    assert about["Partnerships"] == "Lambeth; Wandsworth"
    named = {r["Partnership"] for r in _rows(book["MARAC"])}
    assert named == {"Lambeth", "Wandsworth"}


def test_a_cell_a_spreadsheet_would_run_is_neutralised():
    assert regional_return._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert regional_return._cell(12) == 12


def _region_url(name: str, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"region": "london", **kwargs})


def _ask(client, capture, **data):
    with capture(execute=True):
        return client.post(_region_url("region-make"), data)


def test_the_regional_officer_makes_a_borough_s_return_and_the_combined_one(
    client_for, partnership, other_partnership, personas, django_capture_on_commit_callbacks
):
    officer = personas[Role.REGIONAL_OFFICER]
    client = client_for(officer)
    page = client.get(_region_url("region-returns")).content.decode()
    assert "Every partnership, in one workbook" in page and ">Lambeth<" in page
    assert "No return has been made yet." in page

    one = _ask(client, django_capture_on_commit_callbacks, period="2025/26", partnership="lambeth")
    both = _ask(client, django_capture_on_commit_callbacks, period="2025/26", partnership="")
    made = list(ReportRequest.objects.filter(region=partnership.region).order_by("pk"))
    assert [(r.partnership_id, r.requested_by_id) for r in made] == [
        (other_partnership.pk, officer.pk),
        (None, officer.pk),
    ]
    assert one.url == _region_url("region-detail", pk=made[0].pk)
    assert both.url == _region_url("region-detail", pk=made[1].pk)
    # Made by the worker (here, at once), each kept with its file.
    waiting = client.get(_region_url("region-returns")).content.decode()
    assert "Some returns are still being made." in waiting
    assert '<meta http-equiv="refresh" content="3">' in waiting
    for report in made:
        tasks.make_report.call(report.pk)
        report.refresh_from_db()
        assert report.status == ReportRequest.Status.DONE

    listed = client.get(_region_url("region-returns")).content.decode()
    assert 'http-equiv="refresh"' not in listed
    assert "Lambeth" in listed and "London: every partnership" in listed
    download = client.get(_region_url("region-download", pk=made[1].pk))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert "london-region-regional-return-2025-26.xlsx" in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(download.content))
    named = {r["Partnership"] for r in _rows(book["MARAC"])}
    assert named == {"Lambeth", "Wandsworth"}
    [export] = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert export.actor_id == officer.pk and export.detail["region"] == partnership.region.pk


def test_a_region_s_returns_are_not_in_the_borough_s_own_reports(client_for, partnership, personas):
    kept = make_region_return(partnership.region, personas[Role.REGIONAL_OFFICER], partnership)
    admin = client_for(personas[Role.PARTNERSHIP_ADMIN])
    assert kept.pk not in [r.pk for r in selectors.requests_for(partnership=partnership)]
    own = reverse("reports:detail", kwargs={"partnership": partnership.slug, "pk": kept.pk})
    assert admin.get(own).status_code == 404


def test_make_again_keeps_the_earlier_return(
    client_for, partnership, personas, django_capture_on_commit_callbacks
):
    officer = personas[Role.REGIONAL_OFFICER]
    kept = make_region_return(partnership.region, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer).post(_region_url("region-remake", pk=kept.pk))
    again = ReportRequest.objects.exclude(pk=kept.pk).get(region=partnership.region)
    assert response.url == _region_url("region-detail", pk=again.pk)
    assert (again.partnership, again.period_label) == (None, kept.period_label)
    assert ReportRequest.objects.filter(pk=kept.pk, content__isnull=False).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"period": "2025/26 Q3", "partnership": ""}, "Choose one of the reporting years listed."),
        ({"period": "", "partnership": ""}, "Choose a reporting year."),
        (
            {"period": "2025/26", "partnership": "cardiff"},
            "Choose a partnership in this region, or every one.",
        ),
    ],
)
def test_a_bad_request_is_sent_back_with_a_message(
    client_for, partnership, personas, data, message
):
    make_partnership("cardiff", region=make_region("wales", "Wales"))
    response = client_for(personas[Role.REGIONAL_OFFICER]).post(_region_url("region-make"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportRequest.objects.exists()


def test_another_region_s_return_is_not_found(client_for, partnership, personas):
    wales = make_region("wales", "Wales")
    make_partnership("cardiff", region=wales)
    theirs = make_region_return(wales, personas[Role.REGIONAL_OFFICER])
    client = client_for(personas[Role.REGIONAL_OFFICER])
    assert client.get(_region_url("region-detail", pk=theirs.pk)).status_code == 404
    assert client.get(_region_url("region-download", pk=theirs.pk)).status_code == 404


def test_partnership_staff_cannot_see_returns(client_for, partnership, personas):
    kept = make_region_return(partnership.region, personas[Role.REGIONAL_OFFICER])
    client = client_for(personas[Role.PARTNERSHIP_ADMIN])
    assert client.get(_region_url("region-download", pk=kept.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_measure_is_as_it_stood_at_the_years_end(partnership):
    from decimal import Decimal

    from vawg.measures.models import IndicatorValue, ValueSource
    from vawg.measures.tests.factories import make_indicator, make_periods

    periods = make_periods(partnership, date(2025, 4, 1), date(2026, 9, 30))
    indicator = make_indicator(partnership, name="Training sessions held", unit="count")
    for label, n in (("2025/26 Q4", 40), ("2026/27 Q1", 55)):
        IndicatorValue.objects.create(
            indicator=indicator, period=periods[label], value=Decimal(n), source=ValueSource.ENTERED
        )
    book = _book(ReportSpec("regional-return", YEAR, "regional", partnership=partnership))
    [measure] = _rows(book["Measures"])
    assert measure["Indicator"] == "Training sessions held"
    assert measure["Latest period"] == "2025/26 Q4"

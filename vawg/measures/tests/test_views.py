import io
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vawg.audit.models import AuditEvent
from vawg.core import disclosure
from vawg.core.periods import current_period
from vawg.core.testing import make_organisation
from vawg.measures.models import Indicator, IndicatorValue, Target
from vawg.measures.tests.factories import make_indicator, make_periods


@pytest.fixture
def periods(partnership):
    today = date.today()
    return make_periods(partnership, today - timedelta(days=800), today + timedelta(days=100))


@pytest.fixture
def previous(partnership, periods):
    """The last closed period and the one before it."""
    closed = list(partnership.reporting_periods.filter(end__lt=date.today()).order_by("-start"))
    return closed[0], closed[1]


def url(name: str, **kwargs) -> str:
    return reverse(f"measures:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def test_an_admin_defines_an_indicator_with_baseline_and_target(
    client_for, personas, partnership, periods, previous
):
    client = client_for(personas["partnership_admin"])
    older, _ = previous[1], previous[0]
    owner = partnership.organisations.first()
    response = client.post(
        url("indicator-create"),
        {
            "name": "Repeat victimisation rate",
            "definition": "Victims in the quarter who were victims in the previous year.",
            "unit": "percentage",
            "numerator": "Repeat victims",
            "denominator": "All victims",
            "direction": "decrease",
            "frequency": "quarterly",
            "owner": owner.pk,
            "disclosure": "partnership",
            "baseline_value": "30",
            "baseline_period": older.pk,
            "tolerance": "1",
        },
    )
    indicator = Indicator.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("indicator-detail", pk=indicator.pk)
    year = current_period(partnership, date.today()).start.year
    year = year if date.today().month >= 4 else year - 1
    response = client.post(
        url("target-set", pk=indicator.pk), {"year": year, "kind": "change", "amount": "-10"}
    )
    assert response.status_code == 302
    assert Target.objects.get().amount == D(-10)


def test_the_indicator_form_shows_errors_in_a_summary(client_for, personas, periods):
    client = client_for(personas["partnership_admin"])
    response = client.post(
        url("indicator-create"),
        {
            "name": "Rate",
            "definition": "A rate",
            "unit": "rate_per_1000",
            "direction": "increase",
            "frequency": "quarterly",
            "disclosure": "partnership",
            "tolerance": "x",
        },
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert "The tolerance must be a number" in response.content.decode()
    assert not Indicator.objects.exists()
    response = client.post(
        url("indicator-create"),
        {
            "name": "Rate",
            "definition": "A rate",
            "unit": "rate_per_1000",
            "direction": "increase",
            "frequency": "quarterly",
            "disclosure": "partnership",
            "tolerance": "0",
        },
    )
    assert "needs a denominator" in response.content.decode()


def test_a_target_in_the_wrong_direction_is_shown_as_an_error(client_for, personas, previous):
    indicator = make_indicator(
        personas["partnership_admin"].memberships.get().partnership,
        direction="increase",
        baseline_value=50,
        baseline_period=previous[1],
    )
    client = client_for(personas["partnership_admin"])
    response = client.post(
        url("target-set", pk=indicator.pk), {"year": 2025, "kind": "absolute", "amount": "40"}
    )
    assert response.status_code == 200
    assert "the target (40) is below the baseline (50)" in response.content.decode()


def test_an_owner_enters_values_and_the_pages_show_status_and_trend(
    client_for, personas, partnership, previous
):
    latest, before = previous
    indicator = make_indicator(
        partnership, direction="increase", baseline_value=100, baseline_period=before, tolerance=5
    )
    Target.objects.create(
        indicator=indicator, year=latest.start.year - 1, kind="absolute", amount=D(110)
    )
    Target.objects.create(
        indicator=indicator, year=latest.start.year + 1, kind="absolute", amount=D(110)
    )
    client = client_for(personas["action_lead"])
    response = client.post(
        url("value-enter", pk=indicator.pk), {"period": latest.pk, "value": "150"}
    )
    assert response.status_code == 302
    response = client.post(
        url("value-enter", pk=indicator.pk),
        {"period": latest.pk, "value": "151", "note": "Late return"},
    )
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 2
    page = client.get(url("indicator-detail", pk=indicator.pk)).content.decode()
    assert "On track" in page
    assert "No earlier value" in page
    assert "Corrected" in page and "Late return" in page
    assert url("indicator-chart", pk=indicator.pk, fmt="svg") in page
    # An action lead is not an analyst: the typed-in count of 151 is shown rounded by its
    # cell's key, and the status is worked from that (150 or 155 are both on track).
    shown = disclosure.count(
        disclosure.identity_tally(151, "measures.IndicatorValue", indicator.pk, latest.pk),
        disclosure.CONTROLLED,
    )
    assert shown.text in ("150", "155")
    card = client.get(url("scorecard")).content.decode()
    # As a figure, not inside an id ("1513" in a select's option is no figure).
    figures = re.findall(r"(?<![\w\"=])\d+(?![\w\"])", card)
    assert "On track" in card and shown.text in figures and "151" not in figures
    viewed = AuditEvent.objects.filter(action="figures", actor_id=personas["action_lead"].pk)
    assert {e.object_type for e in viewed} == {"measures.Indicator", "measures.Scorecard"}
    assert all(e.detail["level"] == "controlled" for e in viewed)


def test_an_action_lead_may_not_enter_another_organisations_values(
    client_for, personas, partnership, previous
):
    theirs = make_indicator(partnership, owner=make_organisation(partnership, "Zeta Police"))
    client = client_for(personas["action_lead"])
    assert client.get(url("value-enter", pk=theirs.pk)).status_code == 403
    response = client.post(
        url("value-enter", pk=theirs.pk), {"period": previous[0].pk, "value": "1"}
    )
    assert response.status_code == 403
    assert not IndicatorValue.objects.exists()


def test_a_restricted_indicator_is_hidden_from_a_board_member_and_its_reading_audited(
    client_for, personas, partnership
):
    secret = make_indicator(partnership, disclosure="restricted")
    board = client_for(personas["board_member"])
    assert board.get(url("indicator-detail", pk=secret.pk)).status_code == 404
    assert board.get(url("indicator-chart", pk=secret.pk, fmt="svg")).status_code == 404
    assert "Referrals to specialist support" not in board.get(url("scorecard")).content.decode()
    admin = client_for(personas["partnership_admin"])
    assert admin.get(url("indicator-detail", pk=secret.pk)).status_code == 200
    event = AuditEvent.objects.get(action="read_restricted")
    assert (event.object_id, event.actor_id) == (str(secret.pk), personas["partnership_admin"].pk)


def test_another_partnerships_indicator_is_a_404(client_for, personas, other_partnership):
    theirs = make_indicator(other_partnership)
    client = client_for(personas["partnership_admin"])
    for name in ("indicator-detail", "indicator-edit", "target-set", "value-enter"):
        assert client.get(url(name, pk=theirs.pk)).status_code == 404, name


def test_the_chart_is_an_svg_and_a_png(client_for, personas, partnership, previous):
    indicator = make_indicator(partnership, baseline_value=4, baseline_period=previous[1])
    IndicatorValue.objects.create(
        indicator=indicator, period=previous[0], value=9, source="entered"
    )
    client = client_for(personas["board_member"])
    svg = client.get(url("indicator-chart", pk=indicator.pk, fmt="svg"))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml") and b"Baseline" in svg.content
    png = client.get(url("indicator-chart", pk=indicator.pk, fmt="png"))
    assert png.content.startswith(b"\x89PNG")
    assert client.get(url("indicator-chart", pk=indicator.pk, fmt="gif")).status_code == 404


def test_the_scorecard_exports_as_csv_and_xlsx_and_is_audited(
    client_for, personas, partnership, previous
):
    indicator = make_indicator(partnership, name="=HYPERLINK(evil)")
    IndicatorValue.objects.create(
        indicator=indicator, period=previous[0], value=3, source="entered"
    )
    board = client_for(personas["board_member"])
    response = board.get(url("scorecard-export", fmt="csv"))
    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"] == (
        'attachment; filename="wandsworth-measures-scorecard.csv"'
    )
    assert "'=HYPERLINK(evil)" in text  # neutralised for spreadsheets
    assert "fewer than 5" in text  # a board member's export is controlled, hidden in words
    assert "OFFICIAL-SENSITIVE" not in text
    viewed = AuditEvent.objects.get(action="figures")
    assert (viewed.object_type, viewed.actor_id) == (
        "measures.Scorecard",
        personas["board_member"].pk,
    )
    assert viewed.detail["filters"]["format"] == "csv"
    analyst = client_for(personas["analyst"])
    response = analyst.get(url("scorecard-export", fmt="xlsx"))
    assert "official-sensitive-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == "OFFICIAL-SENSITIVE"
    assert [c.value for c in sheet[2]][8] == "3"
    exports = AuditEvent.objects.filter(action="export").order_by("pk")
    assert [e.detail["level"] for e in exports] == ["controlled", "exact"]
    assert AuditEvent.objects.filter(
        action="read_restricted", object_type="measures.Scorecard", actor_id=personas["analyst"].pk
    ).exists()


def test_it_marks_an_analysts_csv_in_its_name_and_its_headings(
    client_for, personas, partnership, previous
):
    indicator = make_indicator(partnership)
    IndicatorValue.objects.create(
        indicator=indicator, period=previous[0], value=3, source="entered"
    )
    response = client_for(personas["analyst"]).get(url("scorecard-export", fmt="csv"))
    assert response["Content-Disposition"] == (
        'attachment; filename="official-sensitive-wandsworth-measures-scorecard.csv"'
    )
    headings = response.content.decode("utf-8-sig").splitlines()[0]
    assert headings.endswith(",OFFICIAL-SENSITIVE: exact figures")


def test_a_board_members_views_of_figures_are_recorded_with_their_filters(
    client_for, personas, partnership, previous
):
    indicator = make_indicator(partnership)
    IndicatorValue.objects.create(
        indicator=indicator, period=previous[0], value=3, source="entered"
    )
    board = client_for(personas["board_member"])
    card = board.get(url("scorecard"), {"status": "no_status"}).content.decode()
    assert "fewer than 5" in card and "OFFICIAL-SENSITIVE" not in card
    page = board.get(url("indicator-detail", pk=indicator.pk)).content.decode()
    assert "fewer than 5" in page
    events = list(AuditEvent.objects.filter(action="figures").order_by("pk"))
    assert [(e.object_type, e.actor_id) for e in events] == [
        ("measures.Scorecard", personas["board_member"].pk),
        ("measures.Indicator", personas["board_member"].pk),
    ]
    assert events[0].detail["filters"] == {"priority": None, "status": "no_status", "owner": None}
    assert events[1].detail["filters"] == {"indicator": indicator.pk}
    analyst = client_for(personas["analyst"])
    page = analyst.get(url("indicator-detail", pk=indicator.pk)).content.decode()
    assert "OFFICIAL-SENSITIVE" in page
    assert (
        AuditEvent.objects.get(action="read_restricted", object_type="measures.Indicator").detail[
            "level"
        ]
        == "exact"
    )


def test_the_published_plan_shows_public_figures_controlled_and_records_nothing(
    client, partnership, previous
):
    public = make_indicator(partnership, name="Offences reported", disclosure="public")
    IndicatorValue.objects.create(indicator=public, period=previous[0], value=3, source="entered")
    response = client.get(reverse("delivery:published-plan", kwargs={"partnership": "wandsworth"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Offences reported" in html and "fewer than 5" in html
    assert not AuditEvent.objects.exists()


def test_the_import_page_lists_every_problem_and_saves_nothing(
    client_for, personas, partnership, previous
):
    indicator = make_indicator(partnership)
    data = (
        f"Indicator ID,Period,Value\n{indicator.pk},{previous[0].label},12\n{indicator.pk},Q9,1\n"
    )
    upload = io.BytesIO(data.encode())
    upload.name = "values.csv"
    client = client_for(personas["analyst"])
    response = client.post(url("values-import"), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "There is no reporting period “Q9”" in page
    assert not IndicatorValue.objects.exists()
    upload = io.BytesIO(data.split("\n", 2)[0].encode() + b"\n" + data.split("\n")[1].encode())
    upload.name = "values.csv"
    response = client.post(url("values-import"), {"file": upload})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 12


def test_the_scorecard_filters_refuse_nonsense_politely(client_for, personas):
    response = client_for(personas["board_member"]).get(url("scorecard"), {"status": "purple"})
    assert response.status_code == 200
    assert "Choose one of the options for “Status”" in response.content.decode()


def test_an_admin_sets_a_lost_direction(client_for, personas, partnership):
    indicator = make_indicator(partnership, direction="", direction_basis="Not stated")
    client = client_for(personas["partnership_admin"])
    assert (
        "Direction not set" in client.get(url("indicator-detail", pk=indicator.pk)).content.decode()
    )
    form = client.get(url("indicator-edit", pk=indicator.pk)).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [])}
    data.update(direction="decrease", owner=indicator.owner_id)
    response = client.post(url("indicator-edit", pk=indicator.pk), data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.direction, indicator.direction_basis) == (
        "decrease",
        "Chosen by the partnership",
    )

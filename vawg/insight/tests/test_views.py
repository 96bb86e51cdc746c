"""The pages: an analyst's import from upload to dashboard, and who sees what."""

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.core import disclosure
from vawg.core.permissions import Role
from vawg.insight import queries, store
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import csv_bytes, import_rows, make_wards, partner_for, row

pytestmark = pytest.mark.django_db


def url(name, partnership, **kwargs):
    return reverse(f"insight:{name}", kwargs={"partnership": partnership.slug, **kwargs})


@pytest.fixture
def wards(partnership):
    return make_wards(partnership)


def test_an_analyst_uploads_maps_checks_and_imports(client_for, personas, partnership, wards):
    client = client_for(personas[Role.ANALYST])
    partner = partner_for(partnership)
    rows = [row(f"V{i}", **{"VAWG Strand": "Domestic Abuse (DA)"}) for i in range(12)]
    upload = SimpleUploadedFile("police.csv", csv_bytes(rows), content_type="text/csv")
    response = client.post(url("import-list", partnership), {"partner": partner.pk, "file": upload})
    data_import = DataImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("import-mapping", partnership, pk=data_import.pk)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["form"]["source_id"].initial == "Crime Ref"
    assert "Officer Notes" in page.context["dropped"]
    columns = dict(page.context["form"].initial)
    columns.update({f.name: f.initial for f in page.context["form"]})
    columns.update({"strand": "VAWG Strand", "crime_type": "Offence"})
    response = client.post(response["Location"], columns)
    assert response["Location"] == url("import-values", partnership, pk=data_import.pk)

    page = client.get(response["Location"])
    assert "“Domestic Abuse (DA)”" in page.content.decode()
    response = client.post(response["Location"], {"strand__0": "domestic_abuse"})
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.CHECKED
    assert (data_import.rows_new, data_import.rows_rejected) == (12, 0)
    assert store.count() == 0  # checked, not yet imported

    response = client.post(url("import-run", partnership, pk=data_import.pk))
    data_import.refresh_from_db()
    assert data_import.status == DataImport.Status.IMPORTED
    assert store.count() == 12
    assert AuditEvent.objects.filter(action="load", object_id=str(data_import.pk)).exists()

    board = client.get(url("dashboard", partnership), {"period": "36"})
    assert board.context["board"].total.text == "12"
    assert "OFFICIAL-SENSITIVE" in board.content.decode()


def test_a_value_that_is_simply_wrong_rejects_its_rows_and_is_not_saved(
    client_for, personas, partnership, wards
):
    from vawg.insight import services
    from vawg.insight.forms import NOT_A_CODE

    client = client_for(personas[Role.ANALYST])
    partner = partner_for(partnership)
    rows = [row("W1"), row("W2", Ward="Nowhere Ward")]
    upload = SimpleUploadedFile("police.csv", csv_bytes(rows), content_type="text/csv")
    client.post(url("import-list", partnership), {"partner": partner.pk, "file": upload})
    data_import = DataImport.objects.get()
    page = client.get(url("import-mapping", partnership, pk=data_import.pk))
    columns = {f.name: f.initial for f in page.context["form"]}
    response = client.post(url("import-mapping", partnership, pk=data_import.pk), columns)
    assert response["Location"] == url("import-values", partnership, pk=data_import.pk)
    page = client.get(response["Location"])
    assert "None of these: reject the rows that use it" in page.content.decode()

    choices = {"strand__0": "domestic_abuse", "ward__0": NOT_A_CODE}
    response = client.post(response["Location"], choices)
    data_import.refresh_from_db()
    # Checked with a row that has problems: the analyst chooses whether to set it aside.
    assert data_import.status == DataImport.Status.CHECKED
    assert data_import.rows_rejected == 1
    assert [(p["row"], p["value"]) for p in data_import.problems] == [(3, "Nowhere Ward")]
    saved = services.mapping_for(partner).values
    assert "ward" not in saved and saved["strand"] == {"DA": "domestic_abuse"}
    detail = client.get(response["Location"]).content.decode()
    assert "Import the rows that are right, and set the others aside" in detail
    assert "Discard the file" in detail
    assert store.count() == 0


def test_a_rejected_file_shows_its_report_and_offers_it_as_csv(
    client_for, personas, partnership, wards
):
    data_import = import_rows(partnership, [row("Z1", **{"Incident Date": "yesterday"})])
    client = client_for(personas[Role.ANALYST])
    page = client.get(url("import-detail", partnership, pk=data_import.pk))
    assert "not a date; write dates as" in page.content.decode()
    report = client.get(url("import-report", partnership, pk=data_import.pk))
    assert report["Content-Type"].startswith("text/csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Row,Column,Value,What is wrong"
    assert lines[1].startswith("2,Incident Date,yesterday,yesterday: not a date")


def test_a_board_member_sees_the_suppressed_dashboard(client_for, personas, partnership, wards):
    import_rows(partnership, [row(f"B{i}") for i in range(13)])
    page = client_for(personas[Role.BOARD_MEMBER]).get(
        url("dashboard", partnership), {"period": "36"}
    )
    assert page.status_code == 200
    # 13, rounded to 10 or 15 as its cell key decides; the same figure the rule gives.
    board = page.context["board"]
    tally = queries.totals(board.filters).tally("incidents")
    assert tally.n == 13
    assert board.total == disclosure.count(tally, disclosure.CONTROLLED)
    assert board.total.text in {"10", "15"}
    assert "OFFICIAL-SENSITIVE" not in page.content.decode()
    assert "any count below 5, none included, reads “fewer than 5”" in page.content.decode()
    # The view is recorded, with its filters, so that differencing can be seen.
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.FIGURES)
    assert viewed.actor_id == personas[Role.BOARD_MEMBER].pk
    assert viewed.detail["level"] == "controlled"
    assert viewed.detail["filters"]["period"] == "36"


def test_an_analysts_view_is_recorded_as_a_restricted_read(client_for, personas, partnership):
    client_for(personas[Role.ANALYST]).get(url("dashboard", partnership), {"period": "12"})
    viewed = AuditEvent.objects.get(action=AuditEvent.Action.READ_RESTRICTED)
    assert viewed.detail["level"] == "exact"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FIGURES).exists()


def test_a_chart_downloads_as_csv_and_is_audited(client_for, personas, partnership, wards):
    import_rows(partnership, [row(f"D{i}") for i in range(7)])
    client = client_for(personas[Role.BOARD_MEMBER])
    response = client.get(url("dashboard-csv", partnership, chart="strands"), {"period": "36"})
    # Seven incidents: shown as 5 or 10, as their cell key decides (core.disclosure).
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Strand,Incidents"
    assert lines[1:] in (["Domestic abuse,5"], ["Domestic abuse,10"])
    assert AuditEvent.objects.filter(action="export", partnership_id=partnership.pk).exists()


def test_an_unknown_chart_is_not_found(client_for, personas, partnership):
    client = client_for(personas[Role.ANALYST])
    assert client.get(url("dashboard-csv", partnership, chart="nope")).status_code == 404


def test_another_partnerships_import_is_not_found(
    client_for, personas, partnership, other_partnership
):
    make_wards(other_partnership)
    theirs = import_rows(other_partnership, [row("L1")])
    client = client_for(personas[Role.ANALYST])
    assert client.get(url("import-detail", partnership, pk=theirs.pk)).status_code == 404
    assert client.post(url("import-run", partnership, pk=theirs.pk)).status_code == 404


def test_the_regional_officer_sees_partnerships_side_by_side(
    client_for, personas, partnership, other_partnership, wards
):
    import_rows(partnership, [row(f"W{i}") for i in range(12)])
    page = client_for(personas[Role.REGIONAL_OFFICER]).get(
        reverse("insight:region-dashboard", kwargs={"region": partnership.region.slug}),
        {"period": "36"},
    )
    assert page.status_code == 200
    rows = {r.partnership.slug: r.incidents for r in page.context["rows"]}
    assert rows["lambeth"].text == "fewer than 5"  # none, read as a few are
    # Wandsworth's 12 read as Wandsworth's own board reads them.
    own = queries.totals(replace(page.context["board"].filters, partnerships=(partnership.pk,)))
    assert rows["wandsworth"] == disclosure.count(own.tally("incidents"), disclosure.CONTROLLED)
    assert rows["wandsworth"].text in {"10", "15"}
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.FIGURES, object_type="insight.RegionDashboard"
    ).exists()


def _queries(client, path, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_pages_do_not_grow_in_queries_with_the_data(personas, partnership, wards):
    analyst = _signed_in(personas[Role.ANALYST])
    board = _signed_in(personas[Role.BOARD_MEMBER])
    pages = [
        (analyst, url("dashboard", partnership), {"period": "36"}),
        (board, url("dashboard", partnership), {"period": "36"}),
        (analyst, url("import-list", partnership), {}),
    ]
    import_rows(partnership, [row(f"S{i}") for i in range(12)])
    small = [_queries(*page) for page in pages]
    more = [row(f"M{i}", f"2024-0{1 + i % 9}-01", Ward="Tooting Bec") for i in range(150)]
    for i in range(3):
        partner = partner_for(partnership, f"Partner {i}")
        import_rows(partnership, more[i * 50 : (i + 1) * 50], partner=partner)
    large = [_queries(*page) for page in pages]
    assert large == small

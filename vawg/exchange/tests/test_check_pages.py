"""Every import's check page offers the same choices and says the same things: the encoding the
file was read in (and a way to change it), its layout where it is not the standard's, all or
nothing or setting rows aside, the counts for what was stored, and the set-aside rows as a
marked, recorded download.

Shown on the learning attendance import, the measures values import and the delivery
mapping page, the three kinds of page the shared importer serves."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.delivery.models import ImportFile
from vawg.exchange.exporting import OFFICIAL_SENSITIVE
from vawg.exchange.importing import SET_ASIDE_REASON, SET_ASIDE_ROW
from vawg.learning.models import Attendance
from vawg.learning.tests.factories import make_session
from vawg.measures.models import IndicatorValue
from vawg.measures.tests.factories import make_indicator, make_periods
from vawg.strategy.tests.factories import make_strategy

pytestmark = pytest.mark.django_db


def _attendance(partnership, **options):
    """A police extract as Excel on Windows saves it, with one row whose organisation is not
    the partnership's: the page, after posting it."""
    org = partnership.organisations.first()
    text = (
        "Attendee reference,Organisation,Notes\r\n"
        f"A-1,{org.name},Paid £5 at the café\r\n"
        "A-2,Neighbouring Borough Police,\r\n"
        f"A-3,{org.name},Née Smith asked for a copy\r\n"
    )
    upload = SimpleUploadedFile("attendance.csv", text.encode("cp1252"))
    return upload, options


@pytest.fixture
def admin(client_for, personas):
    return client_for(personas["partnership_admin"])


def _url(session) -> str:
    return reverse(
        "learning:attendance-import", kwargs={"partnership": "wandsworth", "pk": session.pk}
    )


def test_the_upload_page_offers_the_encoding_and_what_a_problem_does(admin, partnership):
    page = admin.get(_url(make_session(partnership))).content.decode()
    assert "Text encoding (CSV files only)" in page
    assert "Windows-1252 (Excel on Windows)" in page
    assert "If some rows have problems" in page
    # All or nothing is the default.
    assert 'value="all-or-nothing"' in page
    assert page.index('value="all-or-nothing"') < page.index("checked")


def test_a_windows_1252_file_is_read_and_the_page_says_so(admin, partnership):
    session = make_session(partnership)
    upload, _ = _attendance(partnership)
    response = admin.post(_url(session), {"file": upload})
    page = response.content.decode()
    assert "read as <strong>Windows-1252 (Excel on Windows)</strong>, found from the file" in page
    # All or nothing: one bad row and nothing goes in, and no count says otherwise.
    assert "Nothing was imported: the file has 1 problem" in page
    assert "Rows read" not in page
    assert not Attendance.objects.exists()


def test_a_titled_semicolon_file_is_read_as_sent_and_the_page_says_how(admin, partnership):
    """A register as a training system exports it: its name above the headings, and cells
    separated by semicolons (Excel where a comma is the decimal mark)."""
    session = make_session(partnership)
    org = partnership.organisations.first()
    text = (
        "Attendance register\r\n\r\n"
        "Attendee reference;Organisation;Notes\r\n"
        f"A-1;{org.name};Paid £5, at the café\r\n"
        "A-2;Neighbouring Borough Police;\r\n"
    )
    upload = SimpleUploadedFile("register.csv", text.encode("cp1252"))
    page = admin.post(_url(session), {"file": upload}).content.decode()
    assert "Its cells are separated by <strong>semicolons</strong>" in page
    assert "The headings were read from row 3, with rows 1 to 2 above it, a title" in page
    # The problem is named by its row in the file, the title's rows counted.
    assert "Nothing was imported: the file has 1 problem" in page
    assert '<th scope="row" class="govuk-table__header">5</th>' in page
    assert not Attendance.objects.exists()


def test_an_encoding_that_will_not_read_the_file_names_row_and_column(admin, partnership):
    session = make_session(partnership)
    upload, _ = _attendance(partnership)
    response = admin.post(_url(session), {"file": upload, "encoding": "utf-8"})
    page = response.content.decode()
    # The first byte UTF-8 cannot read is the dash in the organisation's name.
    assert "Row 2, column “Organisation”: the text cannot be read as UTF-8 (byte 96)" in page
    assert "Choose the file&#x27;s encoding and check it again" in page
    assert not Attendance.objects.exists()


def test_the_good_rows_go_in_and_the_rest_download_to_correct(admin, partnership):
    session = make_session(partnership)
    upload, _ = _attendance(partnership)
    response = admin.post(_url(session), {"file": upload, "on_problems": "set-aside"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 row set aside: the other rows were imported." in page
    for key, value in [("Rows read", 3), ("New", 2), ("Updated", 0), ("Set aside", 1)]:
        assert f'{key}</dt><dd class="govuk-summary-list__value">{value}<' in page
    assert sorted(Attendance.objects.values_list("attendee_reference", flat=True)) == [
        "A-1",
        "A-3",
    ]
    token = page.split('name="set_aside" value="')[1].split('"')[0]
    download = admin.post(_url(session), {"set_aside": token})
    assert download.status_code == 200
    assert "official-sensitive-" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "Attendee reference",
        "Organisation",
        "Notes",
        SET_ASIDE_ROW,
        SET_ASIDE_REASON,
    ]
    assert rows[0][5].startswith(OFFICIAL_SENSITIVE)
    assert rows[1][:4] == ["A-2", "Neighbouring Borough Police", "", "3"]
    assert rows[1][4].startswith("Organisation “Neighbouring Borough Police”: This is not one")
    event = AuditEvent.objects.get(action="export")
    assert event.detail["rows"] == 1 and "set aside" in event.summary


def test_expired_set_aside_rows_say_so(admin, partnership):
    session = make_session(partnership)
    response = admin.post(_url(session), {"set_aside": "not-a-token"}, follow=True)
    assert "can be downloaded for an hour after the import" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_values_import_sets_rows_aside(client_for, personas, partnership):
    today = date.today()
    make_periods(partnership, today - timedelta(days=800), today + timedelta(days=100))
    period = partnership.reporting_periods.filter(end__lt=today).order_by("-start").first()
    indicator = make_indicator(partnership)
    text = (
        f"Indicator ID,Period,Value\r\n{indicator.pk},{period.label},12\r\n{indicator.pk},Q9,1\r\n"
    )
    upload = SimpleUploadedFile("values.csv", text.encode("utf-16"))
    client = client_for(personas["analyst"])
    url = reverse("measures:values-import", kwargs={"partnership": "wandsworth"})
    response = client.post(url, {"file": upload, "on_problems": "set-aside"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "read as <strong>UTF-16</strong>" in page
    assert "1 row set aside" in page and "There is no reporting period “Q9”" in page
    assert IndicatorValue.objects.get().value == 12


def test_the_columns_page_offers_the_options_and_sets_rows_aside(client_for, personas, partnership):
    strategy = make_strategy(partnership)
    staged = ImportFile.objects.create(
        strategy=strategy,
        kind=ImportFile.Kind.UPDATES,
        filename="updates.csv",
        content=b"Ref,Period,Status\r\nNO.SUCH,2025/26 Q1,green\r\n",
        sha256="x",
    )
    client = client_for(personas["partnership_admin"])
    url = reverse("delivery:import-map", kwargs={"partnership": "wandsworth", "pk": staged.pk})
    page = client.get(url).content.decode()
    assert "Text encoding (CSV files only)" in page and "If some rows have problems" in page
    mapping = {"ref": "Ref", "period": "Period", "status": "Status", "on_problems": "set-aside"}
    response = client.post(url, mapping)
    page = response.content.decode()
    # The only row is set aside: nothing stored, and the file stays to try again.
    assert "Nothing was imported: all 1 row read have problems." in page
    assert ImportFile.objects.filter(pk=staged.pk).exists()

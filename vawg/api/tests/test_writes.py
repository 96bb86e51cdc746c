"""The API's writes store what the web's forms store, through the same services: a progress
update awaiting the chair's review, a measure's value (or its correction), a partner
extract checked and imported. Each refuses another partnership (404), a token without the
scope or the standing (403) and bad input (422, naming the field), storing nothing."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vawg.api.scopes import Scope
from vawg.api.testing import ApiClient, make_token
from vawg.audit.models import AuditEvent
from vawg.core.periods import periods_ensure_year
from vawg.core.testing import make_organisation
from vawg.delivery import selectors as delivery_selectors
from vawg.delivery import services as delivery_services
from vawg.delivery.models import ProgressUpdate, Status, UpdateState, UpdateVersion
from vawg.delivery.tests.factories import approve, make_world
from vawg.insight import services as insight_services
from vawg.insight import store
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import MAPPING, csv_bytes, make_wards, row
from vawg.measures.models import Disclosure, IndicatorValue, ValueSource
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def send(client, method: str, url: str, body: dict, **headers):
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def fields_of(answer) -> dict[str, str]:
    """The fields a problem names, as the caller sent them (whether the schema's check or
    the platform's rules refused them)."""
    assert answer["Content-Type"] == PROBLEM, answer.content
    return {e["field"]: e["reason"] for e in json.loads(answer.content)["errors"]}


# --- Progress updates -------------------------------------------------------------------


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


@pytest.fixture
def lead_token(partnership, world):
    """A token of the organisation that leads the world's action."""
    return make_token(partnership, world.action.leads.first().organisation, name="Council CRM")


def update_url(action_id) -> str:
    return f"/api/v1/actions/{action_id}/updates"


GOOD_UPDATE = {
    "period": "2025/26 Q3",
    "status": "on_track",
    "commentary": "Sessions delivered in four schools.",
    "next_milestone": "Evaluation report",
    "next_milestone_date": "2026-03-31",
}


def test_an_update_is_submitted_for_the_chairs_review_as_the_form_submits_it(
    partnership, world, lead_token
):
    answer = send(ApiClient(lead_token.secret), "post", update_url(world.action.pk), GOOD_UPDATE)

    assert answer.status_code == 201, answer.content
    body = json.loads(answer.content)
    update = ProgressUpdate.objects.get()
    assert body == {
        "id": update.pk,
        "action": world.action.pk,
        "period": "2025/26 Q3",
        "state": "submitted",
        "status": "on_track",
        "version": 1,
        "submitted_at": body["submitted_at"],
    }
    assert (update.state, update.period, update.author) == (UpdateState.SUBMITTED, world.q3, None)
    assert update.next_milestone_date == date(2026, 3, 31)
    assert update.commentary_public is False
    assert [v.event for v in UpdateVersion.objects.filter(update=update)] == ["submitted"]
    # It waits in the workstream chair's queue, and the chair decides as for any update.
    chair = delivery_services.standing_for(world.chair, partnership)
    queue = delivery_selectors.review_queue(partnership=partnership, standing=chair)
    assert [u.pk for u in queue] == [update.pk]
    assert approve(update, world.chair).state == UpdateState.APPROVED
    # The trail says which token sent it (by name, never its secret).
    sent = AuditEvent.objects.get(
        action=AuditEvent.Action.API, object_type="delivery.ProgressUpdate"
    )
    assert sent.detail["token"] == lead_token.token.name and sent.object_id == str(update.pk)


def test_an_update_for_another_partnerships_action_is_not_found(
    partnership, other_partnership, world
):
    outsider = make_token(other_partnership)
    answer = send(ApiClient(outsider.secret), "post", update_url(world.action.pk), GOOD_UPDATE)
    assert answer.status_code == 404
    assert answer["Content-Type"] == PROBLEM
    assert not ProgressUpdate.objects.exists()


def test_a_token_without_the_progress_scope_is_refused(partnership, world):
    made = make_token(partnership, scopes=[Scope.READ_PLAN, Scope.WRITE_MEASURES])
    answer = send(ApiClient(made.secret), "post", update_url(world.action.pk), GOOD_UPDATE)
    assert answer.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_an_action_the_organisation_does_not_lead_is_refused(partnership, world):
    police = make_organisation(partnership, "Metropolitan Police")
    made = make_token(partnership, police)
    answer = send(ApiClient(made.secret), "post", update_url(world.action.pk), GOOD_UPDATE)
    assert answer.status_code == 403
    assert "does not lead" in json.loads(answer.content)["detail"]
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "at_risk", "commentary": ""}, "commentary"),
        ({"status": "going_well"}, "status"),
        ({"period": "1999/00 Q1"}, "period"),
        ({"commentary": "", "commentary_public": True}, "commentary_public"),
        ({"commentary": "x" * 5001}, "commentary"),
        ({"next_milestone_date": "31/03/2026"}, "next_milestone_date"),
        ({"commentary": "nul \x00 byte"}, "commentary"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    world, lead_token, change, field
):
    answer = send(
        ApiClient(lead_token.secret), "post", update_url(world.action.pk), GOOD_UPDATE | change
    )
    assert answer.status_code == 422, answer.content
    assert field in fields_of(answer)
    assert not ProgressUpdate.objects.exists()


def test_a_period_not_yet_started_is_refused(partnership, world, lead_token):
    later = periods_ensure_year(
        partnership=partnership, year_start=date(timezone.localdate().year + 2, 4, 1)
    )[0]
    body = GOOD_UPDATE | {"period": later.label}
    answer = send(ApiClient(lead_token.secret), "post", update_url(world.action.pk), body)
    assert answer.status_code == 422
    assert "has not started yet" in fields_of(answer)["period"]
    assert not ProgressUpdate.objects.exists()


def test_an_update_awaiting_review_cannot_be_sent_again_until_it_is_returned(
    partnership, world, lead_token
):
    client = ApiClient(lead_token.secret)
    assert send(client, "post", update_url(world.action.pk), GOOD_UPDATE).status_code == 201

    again = send(client, "post", update_url(world.action.pk), GOOD_UPDATE | {"status": "complete"})
    assert again.status_code == 409
    update = ProgressUpdate.objects.get()
    assert (update.version, update.status) == (1, Status.ON_TRACK)

    # Returned by the chair, it may be sent again: a new version, submitted again.
    delivery_services.update_review(
        update=update,
        actor=world.chair,
        standing=delivery_services.standing_for(world.chair, partnership),
        decision=delivery_services.Decision.RETURN,
        comment="Say which schools.",
        version=update.version,
    )
    fixed = send(client, "post", update_url(world.action.pk), GOOD_UPDATE | {"status": "complete"})
    assert fixed.status_code == 201
    update.refresh_from_db()
    assert (update.state, update.status) == (UpdateState.SUBMITTED, Status.COMPLETE)
    assert json.loads(fixed.content)["version"] == update.version == 3


# --- Measure values ---------------------------------------------------------------------


@pytest.fixture
def measure(partnership):
    make_periods(partnership, date(2024, 4, 1), date(2026, 3, 31))
    return make_indicator(partnership)  # owned by the partnership's first organisation


@pytest.fixture
def owner_token(partnership, measure):
    return make_token(partnership, measure.owner, name="Council performance system")


def value_url(measure_id) -> str:
    return f"/api/v1/measures/{measure_id}/values"


def test_a_value_is_recorded_and_a_different_one_corrects_it(measure, owner_token):
    client = ApiClient(owner_token.secret)
    first = send(client, "put", value_url(measure.pk), {"period": "2025/26 Q1", "value": 42})
    assert first.status_code == 200, first.content
    assert json.loads(first.content) == {
        "measure": measure.pk,
        "period": "2025/26 Q1",
        "version": 1,
        "changed": True,
        "source": "entered",
    }
    row = IndicatorValue.objects.get()
    assert (row.value, row.source, row.entered_by) == (Decimal("42"), ValueSource.ENTERED, None)
    assert row.provenance == "API token Council performance system"

    same = send(client, "put", value_url(measure.pk), {"period": "2025/26 Q1", "value": 42})
    assert json.loads(same.content)["changed"] is False
    corrected = send(client, "put", value_url(measure.pk), {"period": "2025/26 Q1", "value": "43"})
    assert json.loads(corrected.content)["version"] == 2
    current = IndicatorValue.objects.current().get()
    assert (current.value, current.version) == (Decimal("43"), 2)
    assert IndicatorValue.objects.count() == 2


def test_a_rate_is_worked_out_from_its_parts(partnership, owner_token):
    make_periods(partnership, date(2025, 4, 1), date(2026, 3, 31))
    rate = make_indicator(partnership, name="Repeat rate", unit="percentage")
    answer = send(
        ApiClient(owner_token.secret),
        "put",
        value_url(rate.pk),
        {"period": "2025/26 Q2", "numerator": 12, "denominator": 48},
    )
    assert answer.status_code == 200, answer.content
    assert IndicatorValue.objects.get(indicator=rate).value == Decimal("25")


def test_only_the_owner_organisation_may_send_a_measures_values(partnership, measure):
    police = make_token(partnership, make_organisation(partnership, "Metropolitan Police"))
    answer = send(
        ApiClient(police.secret), "put", value_url(measure.pk), {"period": "2025/26 Q1", "value": 1}
    )
    assert answer.status_code == 403
    assert not IndicatorValue.objects.exists()


def test_a_measure_of_another_partnership_or_a_restricted_one_is_not_found(
    partnership, other_partnership, measure, owner_token
):
    outsider = make_token(other_partnership)
    body = {"period": "2025/26 Q1", "value": 1}
    assert send(ApiClient(outsider.secret), "put", value_url(measure.pk), body).status_code == 404
    restricted = make_indicator(partnership, name="Restricted", disclosure=Disclosure.RESTRICTED)
    client = ApiClient(owner_token.secret)
    assert send(client, "put", value_url(restricted.pk), body).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_a_token_without_the_measures_scope_is_refused(partnership, measure):
    made = make_token(partnership, measure.owner, scopes=[Scope.WRITE_PROGRESS])
    answer = send(
        ApiClient(made.secret), "put", value_url(measure.pk), {"period": "2025/26 Q1", "value": 1}
    )
    assert answer.status_code == 403
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2025/26 Q1", "value": -3}, "value"),
        ({"period": "2025/26 Q1"}, "value"),
        ({"period": "2025/26 Q1", "value": "twelve"}, "value"),
        ({"period": "2025/26 Q1", "value": 123456789012345}, "value"),
        ({"period": "2025/26 Q1", "value": 1, "numerator": 1, "denominator": 2}, "numerator"),
        ({"period": "2031/32 Q1", "value": 1}, "period"),
        ({"period": "2025/26 Q1", "value": 1, "note": "\x00"}, "note"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(measure, owner_token, body, field):
    answer = send(ApiClient(owner_token.secret), "put", value_url(measure.pk), body)
    assert answer.status_code == 422, answer.content
    assert field in fields_of(answer)
    assert not IndicatorValue.objects.exists()


# --- Partner extracts --------------------------------------------------------------------

SECRETS = ("2025-13-45", "SECRET-REF-77", "PC Example", "PERSON-")


@pytest.fixture
def council(partnership):
    make_wards(partnership)
    return partnership.organisations.first()


@pytest.fixture
def extract_token(partnership, council):
    return make_token(partnership, council, name="Council case system")


def mapped(partnership, organisation, source: str = "") -> DataImport:
    """The organisation's first file, mapped on the web (its mapping saved for the next)."""
    first = insight_services.import_upload(
        partnership=partnership,
        partner=organisation,
        filename="first.csv",
        data=csv_bytes([row("F1")]),
        actor=None,
        source=source,
    )
    insight_services.mapping_save(
        data_import=first, columns=MAPPING.columns, values=MAPPING.values, actor=None
    )
    return first


def upload(client, rows, name: str = "extract.csv", **headers):
    data = csv_bytes(rows)
    return client.post(
        "/api/v1/extracts",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        headers=headers,
    )


FLAWED = [
    row("G1"),
    row("G2", **{"VAWG Strand": "SV"}),
    row("B1", when="2025-13-45"),
    row("B2", **{"Victim Age": "131"}),
    row("SECRET-REF-77"),
    row("SECRET-REF-77"),
]


def test_an_extract_is_checked_with_the_saved_mapping_and_the_report_holds_no_values(
    partnership, council, extract_token
):
    mapped(partnership, council)
    answer = upload(ApiClient(extract_token.secret), FLAWED)

    assert answer.status_code == 201, answer.content
    body = json.loads(answer.content)
    made = DataImport.objects.get(pk=body["id"])
    assert answer["Location"] == f"/api/v1/extracts/{made.pk}"
    assert (made.status, made.partner, made.uploaded_by) == ("checked", council, None)
    assert body["status"] == "checked" and body["next"].startswith("Import it")
    report = body["report"]
    assert report["rows"] == 6 and report["rejected"] == 3
    assert report["new"] == 3 and report["problems_total"] == made.problems_total
    where = {(p["row"], p["column"]) for p in report["problems"]}
    assert {(4, "Incident Date"), (5, "Victim Age"), (7, "Crime Ref")} <= where
    assert report["encoding"] in ("utf-8", "utf-8-sig", "ascii")
    assert (report["separator"], report["heading_row"]) == (",", 1)
    assert "Officer Notes" in report["columns_not_read"]
    # Rows, columns and reasons only: no value from the file, though the web's report has them.
    assert any(p["value"] for p in made.problems)
    for secret in SECRETS:
        assert secret not in answer.content.decode()
    reasons = {p["column"]: p["reason"] for p in report["problems"]}
    assert reasons["Incident Date"].startswith("The value: there is no month 13")
    assert reasons["Victim Age"] == "An age must be 120 or less."
    # Checked, not imported.
    assert store.count() == 0


def test_the_report_says_how_a_file_laid_out_otherwise_was_read(
    partnership, council, extract_token
):
    """A police report's export, as sent: a title above semicolon-separated headings."""
    mapped(partnership, council)
    text = "Crime Report\r\nRun date;01/12/2026\r\n\r\n" + csv_bytes(
        [row("S1"), row("S2")]
    ).decode().replace(",", ";")
    answer = ApiClient(extract_token.secret).post(
        "/api/v1/extracts",
        {"file": SimpleUploadedFile("x.csv", text.encode(), content_type="text/csv")},
    )
    assert answer.status_code == 201, answer.content
    report = json.loads(answer.content)["report"]
    assert (report["separator"], report["heading_row"], report["new"]) == (";", 4, 2)


# A bad value of each kind the check refuses (a code it cannot read goes back to the web
# instead, naming the field only), each holding a word found nowhere else.
MARKED = [
    ("Incident Date", "31 Quokka 2024"),
    ("Incident Date", "Wombat"),
    ("Incident Date", "12/31/2024"),
    ("Incident Date", "2030-01-01"),
    ("Incident Date", "1/4/26"),
    ("Incident Date", "2024-04-31"),
    ("Victim Age", "1310"),
    ("Crime Ref", "KIWI-REF-9"),
    ("Crime Ref", "KIWI-REF-9"),
]


def test_no_piece_of_a_bad_value_is_in_the_report_s_reasons(partnership, council, extract_token):
    """The API's report says where and why, never what: the reasons the web shows beside
    each value are sent with the value taken out, whatever the kind of problem."""
    mapped(partnership, council)
    rows = [row(f"M{n}", **{column: value}) for n, (column, value) in enumerate(MARKED)]
    answer = upload(ApiClient(extract_token.secret), rows)

    assert answer.status_code == 201, answer.content
    problems = json.loads(answer.content)["report"]["problems"]
    assert {p["column"] for p in problems} == {column for column, _ in MARKED}
    assert len(problems) == len(MARKED) - 1
    text = answer.content.decode()
    for _, value in MARKED:
        for piece in re.findall(r"[A-Za-z0-9]{3,}", value):
            assert piece not in text, (value, piece)
    assert all(p["reason"][:1].isupper() for p in problems), problems


def test_the_first_file_from_a_partner_must_be_mapped_on_the_web(
    partnership, council, extract_token
):
    answer = upload(ApiClient(extract_token.secret), [row("N1")])

    assert answer.status_code == 422
    problem = json.loads(answer.content)
    assert "mapped once on the web" in fields_of(answer)["file"]
    # Kept, as the web keeps an upload waiting for its mapping, and the answer says so.
    kept = DataImport.objects.get()
    assert kept.status == "uploaded" and kept.payload is not None
    assert f"extract {kept.pk}" in problem["detail"]


def test_a_file_with_values_the_mapping_cannot_read_is_sent_to_the_web_naming_fields_only(
    partnership, council, extract_token
):
    mapped(partnership, council)
    answer = upload(ApiClient(extract_token.secret), [row("U1", **{"VAWG Strand": "ZZ-RARE"})])
    assert answer.status_code == 422
    assert "ZZ-RARE" not in answer.content.decode()
    assert "values of" in fields_of(answer)["file"]


def test_a_file_that_cannot_be_read_is_refused_and_not_kept(partnership, council, extract_token):
    mapped(partnership, council)
    client = ApiClient(extract_token.secret)
    answer = client.post(
        "/api/v1/extracts",
        {"file": SimpleUploadedFile("extract.pdf", b"%PDF-1.4", content_type="application/pdf")},
    )
    assert answer.status_code == 422
    assert "file" in fields_of(answer)
    assert DataImport.objects.count() == 1  # the first, mapped file only


def test_an_extract_is_polled_and_imported_with_rows_set_aside(partnership, council, extract_token):
    mapped(partnership, council)
    client = ApiClient(extract_token.secret)
    extract = json.loads(upload(client, FLAWED).content)["id"]

    polled = client.get(f"/api/v1/extracts/{extract}")
    assert polled.status_code == 200
    assert json.loads(polled.content)["report"]["rejected"] == 3
    unchanged = client.get(f"/api/v1/extracts/{extract}", headers={"If-None-Match": polled["ETag"]})
    assert unchanged.status_code == 304

    done = send(client, "post", f"/api/v1/extracts/{extract}/import", {"set_aside": True})
    assert done.status_code == 200, done.content
    body = json.loads(done.content)
    assert (body["status"], body["rows_set_aside"]) == ("imported", 3)
    assert store.count([partnership.pk]) == 3
    for secret in SECRETS:
        assert secret not in done.content.decode()
    # Imported once: it cannot be imported again.
    again = send(client, "post", f"/api/v1/extracts/{extract}/import", {})
    assert again.status_code == 409
    assert store.count([partnership.pk]) == 3


def test_without_set_aside_a_file_with_problems_stores_nothing(partnership, council, extract_token):
    mapped(partnership, council)
    client = ApiClient(extract_token.secret)
    extract = json.loads(upload(client, FLAWED).content)["id"]
    done = send(client, "post", f"/api/v1/extracts/{extract}/import", {})
    assert json.loads(done.content)["status"] == "rejected"
    assert store.count() == 0


def test_only_a_checked_extract_can_be_imported(partnership, council, extract_token):
    client = ApiClient(extract_token.secret)
    upload(client, [row("W1")])  # not mapped: kept, waiting
    waiting = DataImport.objects.get()
    answer = send(client, "post", f"/api/v1/extracts/{waiting.pk}/import", {})
    assert answer.status_code == 409
    assert answer["Content-Type"] == PROBLEM
    waiting.refresh_from_db()
    assert waiting.status == "uploaded"


def test_another_organisations_or_partnerships_extract_is_not_found(
    partnership, other_partnership, council, extract_token
):
    first = mapped(partnership, council)
    police = make_token(partnership, make_organisation(partnership, "Metropolitan Police"))
    outsider = make_token(other_partnership)
    for made in (police, outsider):
        client = ApiClient(made.secret)
        assert client.get(f"/api/v1/extracts/{first.pk}").status_code == 404
        refused = send(client, "post", f"/api/v1/extracts/{first.pk}/import", {})
        assert refused.status_code == 404


def test_a_token_without_the_extracts_scope_is_refused(partnership, council):
    made = make_token(partnership, council, scopes=[Scope.READ_FIGURES])
    answer = upload(ApiClient(made.secret), [row("S1")])
    assert answer.status_code == 403
    assert not DataImport.objects.exists()


def test_a_file_too_large_for_the_api_is_refused_as_it_arrives(
    partnership, council, extract_token, settings
):
    settings.UPLOAD_MAX_BYTES = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 512
    mapped(partnership, council)
    answer = upload(ApiClient(extract_token.secret), [row(f"L{i}") for i in range(40)])
    assert answer.status_code == 413
    assert DataImport.objects.count() == 1

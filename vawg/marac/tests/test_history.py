"""MARAC history: past referrals and meetings imported, a referral date on the form, every
period holding data offered for statistics, and the national figures read from their file."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.marac import imports, services
from vawg.marac.models import Meeting, Referral
from vawg.marac.national import NationalDataError, national_figures, parse_national
from vawg.marac.selectors import marac_counts
from vawg.marac.statistics import periods_for
from vawg.marac.tests.factories import make_assessment, make_referral, stored
from vawg.marac.tests.test_views import REFERRAL_POST, url

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)
AGENCY = "Wandsworth Council – Community Safety"


def row(**overrides) -> dict:
    values = {
        "Referral date": "03/02/2025",
        "Meeting date": "12/02/2025",
        "Referring agency": AGENCY,
        "Victim name": "Test Victim 800",
        "Victim date of birth": "14/06/1989",
        "Victim address": "8 Test Lane",
        "Perpetrator name": "Test Perpetrator 800",
        "Children in household": "2",
        "Repeat": "no",
        "Victim sex": "female",
        "Victim ethnicity": "Black, Black British, Caribbean or African",
        "Victim aware": "yes",
        "Victim consented": "yes",
    }
    values.update(overrides)
    return values


def csv_file(rows: list[dict]) -> bytes:
    headings = list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headings)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def run(partnership, rows, *, actor=None):
    return imports.history_import(
        partnership=partnership, actor=actor, data=csv_file(rows), filename="h.csv", today=TODAY
    )


def test_past_referrals_and_their_meetings_are_imported_encrypted_and_counted(partnership):
    rows = [
        row(),
        row(**{"Victim name": "Test Victim 801", "Children in household": "0"}),
        # The first victim again, with the same perpetrator, at the next meeting: a repeat.
        row(**{"Referral date": "20/03/2025", "Meeting date": "2025-03-26", "Repeat": ""}),
    ]
    outcome = run(partnership, rows)
    assert outcome.ok, outcome.problems
    assert (outcome.created, outcome.unchanged) == (3, 0)
    first, second, repeat = Referral.objects.order_by("referred_on", "id")
    assert first.victim_name == "Test Victim 800"
    assert b"Test Victim 800" not in stored(first, "victim_name")
    assert first.children_in_household == 2 and first.victim_ethnicity == "black"
    assert repeat.is_repeat and repeat.repeat_of == first and "repeat" in repeat.criteria
    assert not second.is_repeat
    meetings = Meeting.objects.order_by("held_on")
    assert [m.held_on for m in meetings] == [date(2025, 2, 12), date(2025, 3, 26)]
    assert all(m.status == Meeting.Status.HELD for m in meetings)
    assert meetings[0].agenda.count() == 2
    # The year 2024/25's statistics now count them.
    counts = marac_counts(partnership, date(2024, 4, 1), date(2025, 3, 31))
    assert counts.meetings == 2 and counts.cases.n == 3 and counts.repeats.n == 1
    load = AuditEvent.objects.get(action=AuditEvent.Action.LOAD)
    assert load.detail["created"] == 3 and "Test Victim" not in json.dumps(load.detail)
    # The same file again adds nothing twice.
    again = run(partnership, rows)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert Referral.objects.count() == 3 and Meeting.objects.count() == 2


def test_a_bad_row_stores_nothing_and_is_reported_by_row_and_column(partnership):
    rows = [
        row(),
        row(**{"Victim name": "Test Victim 802", "Referral date": "31/02/2025"}),
        row(**{"Victim name": "Test Victim 803", "Referring agency": "Test Unknown Agency"}),
        row(**{"Victim name": "", "Victim address": "9 Secret Road"}),
        row(**{"Victim name": "Test Victim 804", "Meeting date": "01/01/2025"}),
        row(
            **{
                "Victim name": "Test Victim 805",
                "Referral date": "01/12/2026",
                "Meeting date": "10/12/2026",
            }
        ),
    ]
    outcome = run(partnership, rows)
    assert not outcome.ok
    found = {(p.row, p.column) for p in outcome.problems}
    assert (3, "Referral date") in found
    assert (4, "Referring agency") in found
    assert (5, "Victim name") in found
    assert (6, "Meeting date") in found
    assert (7, "Meeting date") in found  # after today
    reasons = {(p.row, p.column): p for p in outcome.problems}
    assert "not one of the partnership's agencies" in reasons[(4, "Referring agency")].reason
    assert reasons[(4, "Referring agency")].value == "Test Unknown Agency"
    assert "future" in reasons[(7, "Meeting date")].reason
    # Nothing of the file is kept, not even its good first row.
    assert not Referral.objects.exists() and not Meeting.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOAD).exists()


def test_identity_is_never_repeated_back_in_the_problem_report(partnership):
    outcome = run(partnership, [row(**{"Victim date of birth": "14/06/2015"})])
    assert not outcome.ok
    (problem,) = outcome.problems
    assert problem.column == "Victim date of birth" and problem.value == ""
    assert "16 or over" in problem.reason


def test_a_refusal_by_the_service_rolls_the_whole_file_back(partnership):
    # A meeting on the date is on the platform but was never held.
    Meeting.objects.create(partnership=partnership, held_on=date(2025, 3, 26))
    rows = [row(), row(**{"Victim name": "Test Victim 806", "Meeting date": "26/03/2025"})]
    outcome = run(partnership, rows)
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "Meeting date")]
    assert not Referral.objects.exists()


def test_the_same_victim_twice_on_one_day_in_the_file_is_refused(partnership):
    outcome = run(partnership, [row(), row(**{"Victim name": " test victim 800 "})])
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "Referral date")]


def test_the_import_page_checks_then_imports(client_for, personas, partnership):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    page = url("history-import", partnership)
    assert "Victim consented" in client.get(page).content.decode()
    template = client.get(page + "?template=csv")
    assert template.content.decode("utf-8-sig").startswith("Referral date,Meeting date")
    bad = io.BytesIO(csv_file([row(**{"Referring agency": "Test Unknown Agency"})]))
    bad.name = "history.csv"
    response = client.post(page, {"file": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "Referring agency" in body
    good = io.BytesIO(csv_file([row()]))
    good.name = "history.csv"
    response = client.post(page, {"file": good})
    assert response.status_code == 302 and response.url == url("case-list", partnership)
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("role", [Role.MARAC_REPRESENTATIVE, Role.PRACTITIONER, Role.ANALYST])
def test_only_the_coordinator_imports_history(client_for, personas, partnership, role):
    assert client_for(personas[role]).get(url("history-import", partnership)).status_code == 403


# --- The referral date on the form --------------------------------------------------------


def _refer(client, partnership, practitioner, **date_parts):
    assessment = make_assessment(partnership, practitioner, yes=15)
    data = {**REFERRAL_POST, **date_parts}
    return client.post(url("referral-new", partnership, pk=assessment.pk), data)


def test_the_referral_form_takes_an_earlier_referral_date(client_for, personas, partnership):
    practitioner = personas[Role.PRACTITIONER]
    client = client_for(practitioner)
    form = client.get(
        url("referral-new", partnership, pk=make_assessment(partnership, practitioner).pk)
    ).content.decode()
    today = date.today()
    assert f'name="referred_on_2" value="{today.year}"' in form  # today by default
    response = _refer(
        client,
        partnership,
        practitioner,
        referred_on_0="3",
        referred_on_1="11",
        referred_on_2=str(today.year - 1),
    )
    assert response.status_code == 302
    assert Referral.objects.get().referred_on == date(today.year - 1, 11, 3)


def test_a_future_referral_date_is_refused(client_for, personas, partnership):
    practitioner = personas[Role.PRACTITIONER]
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    response = _refer(
        client_for(practitioner),
        partnership,
        practitioner,
        referred_on_0=str(tomorrow.day),
        referred_on_1=str(tomorrow.month),
        referred_on_2=str(tomorrow.year),
    )
    assert response.status_code == 200
    assert "The referral date must be today or in the past." in response.content.decode()
    assert not Referral.objects.exists()


def test_the_service_refuses_a_future_referral_date_too(partnership):
    with pytest.raises(services.ValidationError) as refused:
        make_referral(partnership, on=date(2030, 1, 1))
    assert "referred_on" in refused.value.message_dict


# --- Statistics for every period holding data ----------------------------------------------


def test_every_year_back_to_the_first_record_is_offered(partnership):
    assert [p.key for p in periods_for(partnership, TODAY) if p.key.endswith(":y")] == [
        "2026-04-01:y",
        "2025-04-01:y",
    ]
    outcome = run(
        partnership, [row(**{"Referral date": "05/05/2023", "Meeting date": "16/05/2023"})]
    )
    assert outcome.ok, outcome.problems
    periods = periods_for(partnership, TODAY)
    assert [p.key for p in periods if p.key.endswith(":y")] == [
        "2026-04-01:y",
        "2025-04-01:y",
        "2024-04-01:y",
        "2023-04-01:y",
    ]
    # Every quarter of the earlier years is offered.
    assert "2023-04-01:q" in {p.key for p in periods}


def test_statistics_for_a_quarter_two_years_back(client_for, personas, partnership):
    outcome = run(
        partnership,
        [
            row(**{"Referral date": "05/05/2024", "Meeting date": "16/05/2024"}),
            row(
                **{
                    "Victim name": "Test Victim 807",
                    "Referral date": "06/05/2024",
                    "Meeting date": "16/05/2024",
                }
            ),
        ],
    )
    assert outcome.ok, outcome.problems
    client = client_for(personas[Role.MARAC_COORDINATOR])
    page = client.get(url("statistics", partnership), {"period": "2024-04-01:q"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "2024/25 Q1 (April to June 2024)" in body
    download = client.get(url("statistics-csv", partnership), {"period": "2024-04-01:y"})
    rows = {r[1]: r for r in csv.reader(io.StringIO(download.content.decode("utf-8-sig")))}
    assert rows["MARAC meetings held"][3] == "1"
    assert rows["Cases discussed (repeats included)"][3] == "2"  # exact for the coordinator


# --- The national figures' data file -------------------------------------------------------


def test_the_shipped_national_file_is_read_with_its_period_and_source():
    national = national_figures()
    assert national.period == "12 months 1 October 2023 to 30 September 2024"
    assert national.publisher == "SafeLives"
    assert national.get("repeat_rate") == 31
    assert national.expected_cases_per_10000 == 40
    assert national.url in national.source


def test_an_operator_updates_the_figures_without_code(
    settings, tmp_path, client_for, personas, partnership
):
    newer = {
        "publisher": "SafeLives",
        "publication": "Latest Marac National Dataset",
        "url": "https://example.org/test-national",
        "period_start": "2024-10-01",
        "period_end": "2025-09-30",
        "figures": {"repeat_rate": "33.5"},
    }
    path = tmp_path / "national.json"
    path.write_text(json.dumps(newer))
    settings.MARAC_NATIONAL_FILE = str(path)
    national = national_figures()
    assert national.period == "12 months 1 October 2024 to 30 September 2025"
    assert national.get("repeat_rate") == pytest.approx(33.5)
    assert national.get("male_rate") is None  # not published: no comparator
    body = client_for(personas[Role.ANALYST]).get(url("statistics", partnership)).content.decode()
    assert "12 months 1 October 2024 to 30 September 2025" in body
    assert "33.5%" in body and "https://example.org/test-national" in body


@pytest.mark.parametrize(
    "change, message",
    [
        ({"figures": {"repeat_rate": "lots"}}, "figure repeat_rate must be a number"),
        ({"figures": {"unknown_rate": "1"}}, "unknown figure 'unknown_rate'"),
        ({"period_end": "30/06/2023"}, "period_end must be a date"),
        ({"period_end": "2020-01-01"}, "period_end is before period_start"),
    ],
)
def test_a_mistyped_file_is_refused_saying_what_is_wrong(change, message):
    data = json.loads((national_figures.__globals__["national_file"]()).read_text())
    data.update(change)
    with pytest.raises(NationalDataError, match=message):
        parse_national(json.dumps(data))


def test_the_system_check_reports_a_broken_file(settings, tmp_path):
    path = tmp_path / "national.json"
    path.write_text("{not json")
    settings.MARAC_NATIONAL_FILE = str(path)
    with pytest.raises(SystemCheckError, match="not valid JSON"):
        call_command("check")


def test_history_rows_name_an_agency_by_its_alias(partnership):
    make_organisation(partnership, "Test Health Trust", aliases=["THT"])
    outcome = run(partnership, [row(**{"Referring agency": "tht"})])
    assert outcome.ok, outcome.problems
    assert Referral.objects.get().referring_organisation.name == "Test Health Trust"


def test_the_sound_rows_go_in_and_the_others_come_back_to_correct(
    client_for, personas, partnership
):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    page = url("history-import", partnership)
    upload = io.BytesIO(
        csv_file([row(), row(**{"Victim name": "Test Victim 802", "Referring agency": "Nobody"})])
    )
    upload.name = "history.csv"
    response = client.post(page, {"file": upload, "on_problems": "set-aside"})
    assert response.status_code == 200
    assert Referral.objects.count() == 1
    body = response.content.decode()
    assert "1 row set aside" in body and "Nothing was imported" not in body
    token = response.context["set_aside_token"]
    download = client.post(page, {"set_aside": token})
    text = download.content.decode("utf-8-sig")
    assert "Test Victim 802" in text and "Nobody" in text and "OFFICIAL-SENSITIVE" in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()

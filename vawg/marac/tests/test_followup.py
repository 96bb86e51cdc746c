"""The follow-up gaps: statistics downloads and rounding, the chase interval setting,
further perpetrators' identity, the national source, and odd input."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_member
from vawg.marac import selectors, services
from vawg.marac.models import CaseAction, MaracSettings, Perpetrator, Referral
from vawg.marac.selectors import MaracCounts
from vawg.marac.statistics import statistics_rows
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.marac.tests.test_views import REFERRAL_POST, checklist_post

pytestmark = pytest.mark.django_db


def url(name, partnership, **kwargs):
    return reverse(f"marac:{name}", kwargs={"partnership": partnership.slug, **kwargs})


# --- Disclosure control: rounding ---------------------------------------------------------


def counts(**kw) -> MaracCounts:
    values = dict(
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        meetings=3,
        cases=23,
        repeats=7,
        non_police=0,
        minoritised=3,
        lgbt=0,
        disabled=12,
        male=5,
        aged_16_17=0,
        children=38,
        perpetrators_under_18=2,
        actions_due=17,
        actions_on_time=11,
        cases_12_months=88,
        women_16_plus=100_000,
        population_is_synthetic=True,
    )
    return MaracCounts(**(values | kw))


def test_counts_are_rounded_to_5_and_rates_come_from_the_rounded_counts():
    rows = {r.key: r.local for r in statistics_rows(counts(), unsuppressed=False, shares={})}
    # Hand-worked: 23 → 25; 7 → 5 so 5/25 = 20.0%; 12 → 10 so 10/25 = 40.0%; 5/25 = 20.0%.
    assert rows["cases"].value == 25
    assert rows["repeat_rate"].value == Decimal("20.0")
    assert rows["disabled_rate"].value == Decimal("40.0")
    assert rows["male_rate"].value == Decimal("20.0")
    # Zero is shown; 1 to 4 is hidden, and no rate is worked from it.
    assert rows["non_police_rate"].value == Decimal("0.0")
    assert rows["minoritised_rate"].text == "fewer than 5"
    assert rows["perpetrators_under_18"].text == "fewer than 5"
    assert rows["children"].value == 40  # 38 → 40
    # Actions: 11 → 10 and 17 → 15, so 66.7%.
    assert rows["actions_on_time"].value == Decimal("66.7")
    # 88 → 90 cases in 12 months; the population is public and not rounded: 9.0, not 8.8.
    assert rows["cases_per_10000"].value == Decimal("9.0")
    # Meetings are not people: exact.
    assert rows["meetings"].value == 3


def test_the_coordinator_and_analyst_see_exact_figures():
    rows = {r.key: r.local for r in statistics_rows(counts(), unsuppressed=True, shares={})}
    assert rows["cases"].value == 23
    assert rows["repeat_rate"].value == Decimal("30.4")  # 7/23
    assert rows["cases_per_10000"].value == Decimal("8.8")
    assert rows["minoritised_rate"].value == Decimal("13.0")


# --- Downloads -----------------------------------------------------------------------------


@pytest.fixture
def quarter(partnership):
    """Six cases heard on 10 April 2026: two repeats (the same victim and perpetrator)."""
    for n in range(4):
        make_referral(partnership, on=date(2026, 1, 5 + n), victim=f"Test Victim {n + 700}")
    hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    for n in range(6):
        make_referral(partnership, on=date(2026, 4, 1 + n), victim=f"Test Victim {n + 700}")
    hold_meeting(make_meeting(partnership, on=date(2026, 4, 10)))
    return "2026-04-01:q"


def csv_rows(response) -> dict[str, dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    reader = csv.DictReader(io.StringIO(text.decode("utf-8-sig")))
    return {row["Figure"]: row for row in reader}


def test_a_board_member_downloads_the_pages_figures_through_disclosure_control(
    client_for, personas, partnership, quarter
):
    client = client_for(personas[Role.BOARD_MEMBER])
    page = client.get(url("statistics", partnership) + f"?period={quarter}").content.decode()
    assert "statistics/download.csv?period=2026-04-01%3Aq" in page
    response = client.get(url("statistics-csv", partnership) + f"?period={quarter}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="wandsworth-marac-statistics-2026-04-01-q.csv"'
    )
    rows = csv_rows(response)
    cases = rows["Cases discussed (repeats included)"]
    assert cases["This partnership"] == "5"  # 6 rounded to 5
    assert rows["Repeat cases"]["This partnership"] == "fewer than 5"  # 4 repeats
    assert rows["Repeat cases"]["National"] == "32"
    assert selectors.NATIONAL_SOURCE_URL in rows["Repeat cases"]["National source"]
    # The page shows the same figures.
    assert ">5<" in page.replace(" ", "").replace("\n", "")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == personas[Role.BOARD_MEMBER].pk
    assert event.detail == {"format": "csv", "period": quarter, "unsuppressed": False}


def test_the_analyst_downloads_exact_figures_marked_official_sensitive(
    client_for, personas, partnership, quarter
):
    response = client_for(personas[Role.ANALYST]).get(
        url("statistics-xlsx", partnership) + f"?period={quarter}"
    )
    assert response.status_code == 200
    assert "official-sensitive-wandsworth-marac-statistics" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["OFFICIAL-SENSITIVE"]
    table = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert table["Cases discussed (repeats included)"][3] == 6
    assert table["Repeat cases"][3] == pytest.approx(66.7)  # 4 of 6
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, detail__unsuppressed=True
    ).exists()


def test_a_bad_period_goes_back_to_the_page_and_exports_nothing(client_for, personas, partnership):
    client = client_for(personas[Role.ANALYST])
    response = client.get(url("statistics-csv", partnership) + "?period=1999-01-01:q")
    assert response.status_code == 302
    assert response.url == url("statistics", partnership) + "?period=1999-01-01%3Aq"
    assert client.get(response.url).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_role_without_the_statistics_is_refused_the_download(client_for, personas, partnership):
    for role in (Role.PRACTITIONER, Role.MARAC_REPRESENTATIVE, "outsider"):
        response = client_for(personas[role]).get(url("statistics-csv", partnership))
        assert response.status_code in (403, 404), role
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_page_names_the_national_source_with_its_address(client_for, personas, partnership):
    page = client_for(personas[Role.ANALYST]).get(url("statistics", partnership)).content.decode()
    assert selectors.NATIONAL_SOURCE_URL in page
    assert selectors.NATIONAL_SOURCE_URL in selectors.NATIONAL_SOURCE


# --- The chase interval ------------------------------------------------------------------


def _overdue_action(partnership, due: date) -> CaseAction:
    make_referral(partnership, on=date(2026, 1, 2), victim=f"Test Victim {partnership.slug}")
    meeting = hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    return services.case_action_add(
        item=meeting.agenda.get(),
        organisation=partnership.organisations.first(),
        description="Test action: safety planning",
        due_on=due,
        actor=None,
    )


def test_each_partnership_chases_at_its_own_interval(partnership, other_partnership, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ours = _overdue_action(partnership, date(2026, 2, 3))
    theirs = _overdue_action(other_partnership, date(2026, 2, 3))
    MaracSettings.objects.update_or_create(
        partnership=partnership, defaults={"chase_interval_days": 3}
    )
    assert services.actions_chase(today=date(2026, 2, 4)) == 2  # both first chased
    assert services.actions_chase(today=date(2026, 2, 6)) == 0  # 2 days: neither
    assert services.actions_chase(today=date(2026, 2, 7)) == 1  # 3 days: ours only
    assert services.actions_chase(today=date(2026, 2, 10)) == 1  # ours again (3 days)
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.chase_count, ours.last_chased_on) == (3, date(2026, 2, 10))
    assert (theirs.chase_count, theirs.last_chased_on) == (1, date(2026, 2, 4))
    assert services.actions_chase(today=date(2026, 2, 11)) == 1  # theirs: the default 7 days
    theirs.refresh_from_db()
    assert theirs.last_chased_on == date(2026, 2, 11)
    assert mail.outbox == [] or all("MARAC-" not in m.body for m in mail.outbox)


def test_the_coordinator_sets_the_chase_interval(client_for, personas, partnership):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    data = {
        "escalation_incidents": "3",
        "case_retention_months": "72",
        "retention_action": "reduce",
        "attachment_retention_months": "24",
        "screening_retention_months": "12",
        "chase_interval_days": "14",
    }
    page = client.get(url("settings", partnership)).content.decode()
    assert 'name="chase_interval_days" value="7"' in page  # the default
    assert client.post(url("settings", partnership), data).status_code == 302
    assert MaracSettings.objects.get(partnership=partnership).chase_interval_days == 14
    for bad in ("0", "91", "-1", "seven", ""):
        response = client.post(url("settings", partnership), data | {"chase_interval_days": bad})
        assert response.status_code == 200, bad
        body = response.content.decode()
        assert (
            "chase interval from 1 to 90 days" in body
            or "must be a whole number" in body
            or ("Enter chase" in body)
        ), bad
    assert MaracSettings.objects.get(partnership=partnership).chase_interval_days == 14


# --- Further perpetrators ---------------------------------------------------------------


def _refer(client, partnership, **extra):
    client.post(url("assessment-new", partnership), checklist_post(15))
    from vawg.marac.models import Assessment

    assessment = Assessment.objects.order_by("-id").first()
    return client.post(url("referral-new", partnership, pk=assessment.pk), REFERRAL_POST | extra)


SECOND = {
    "perpetrator_2_name": "Test Perpetrator 900",
    "perpetrator_2_dob_0": "3",
    "perpetrator_2_dob_1": "4",
    "perpetrator_2_dob_2": "1985",
    "perpetrator_2_address": "9 Test Close",
}


def test_a_second_perpetrator_has_the_same_identity_fields_encrypted_and_hashed(
    client_for, personas, partnership
):
    client = client_for(personas[Role.PRACTITIONER])
    response = _refer(client, partnership, **SECOND, perpetrator_3_name="Test Perpetrator 901")
    assert response.status_code == 302
    referral = Referral.objects.get()
    first, second, third = referral.perpetrators.order_by("id")
    assert services.unseal(second.name_enc) == "Test Perpetrator 900"
    assert services.unseal(second.dob_enc) == "1985-04-03"
    assert services.unseal(second.address_enc) == "9 Test Close"
    assert b"Test Perpetrator 900" not in bytes(second.name_enc)
    expected = services.identity_hash(
        services.Identity("test perpetrator 900", date(1985, 4, 3)), services.PERPETRATOR_PURPOSE
    )
    assert second.person_hash == expected.digest
    assert services.unseal(third.name_enc) == "Test Perpetrator 901" and not third.dob_enc
    assert second.age == 41  # on the day of the referral, 2026


def test_a_repeat_matches_on_the_second_perpetrator(partnership):
    first = make_referral(
        partnership,
        on=date(2026, 1, 5),
        perpetrators=(("Test Perpetrator 010", None), ("Test Perpetrator 011", date(1980, 1, 1))),
    )
    again = make_referral(
        partnership,
        on=date(2026, 6, 5),
        perpetrators=(("Test Perpetrator 011", date(1980, 1, 1)),),
    )
    assert again.is_repeat and again.repeat_of == first
    # The same name with another date of birth is another person.
    other = make_referral(
        partnership,
        on=date(2026, 6, 6),
        victim="Test Victim 099",
        perpetrators=(("Test Perpetrator 011", date(1981, 1, 1)),),
    )
    assert not other.is_repeat
    assert Perpetrator.objects.filter(referral=first).count() == 2


def test_a_second_perpetrators_details_without_a_name_is_a_clear_error(
    client_for, personas, partnership
):
    client = client_for(personas[Role.PRACTITIONER])
    response = _refer(client, partnership, perpetrator_2_address="9 Test Close")
    assert response.status_code == 200
    assert "Enter the second perpetrator&#x27;s name, or clear their other details." in (
        response.content.decode()
    )
    bad_date = _refer(client, partnership, **SECOND | {"perpetrator_2_dob_1": "13"})
    assert "second perpetrator&#x27;s birth date must be a real date" in bad_date.content.decode()
    assert not Referral.objects.exists()


# --- Odd input ---------------------------------------------------------------------------


def test_odd_posts_never_cause_a_server_error(client_for, personas, partnership, other_partnership):
    practitioner = client_for(personas[Role.PRACTITIONER])  # one test client: signed in in turn
    theirs = make_referral(other_partnership, on=date(2026, 1, 5))
    huge = "x" * 200_000
    # Missing fields, wrong types and huge text: a form error, never a 500.
    assert practitioner.post(url("assessment-new", partnership), {}).status_code == 200
    assert practitioner.post(
        url("screening-new", partnership), {"disclosed": huge}
    ).status_code == (200)
    response = _refer(practitioner, partnership, victim_name=huge, children_in_household="lots")
    assert response.status_code == 200
    assert "must be 200 characters or fewer" in response.content.decode()
    assert practitioner.get(
        url("assessment-new", partnership) + "?screening=99999"
    ).status_code == (404)
    # A digit int() cannot read (a superscript two) is no screening, not a crash.
    assert practitioner.get(url("assessment-new", partnership) + "?screening=²").status_code == 200
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    assert coordinator.post(url("meeting-new", partnership), {"held_on_0": "x"}).status_code == 200
    assert (
        coordinator.post(url("settings", partnership), {"women_16_plus": huge}).status_code == 200
    )
    # Another partnership's ids are "not found", never found or a crash.
    assert coordinator.post(
        url("case-note", partnership, pk=theirs.pk), {"text": "x"}
    ).status_code == (404)
    assert coordinator.get(url("case-detail", partnership, pk=theirs.pk)).status_code == 404
    assert coordinator.post(url("case-seal", partnership, pk=theirs.pk), {}).status_code == 404
    # A note too long is refused with a message, not stored.
    mine = make_referral(partnership, on=date(2026, 1, 5))
    coordinator.post(url("case-note", partnership, pk=mine.pk), {"text": huge})
    assert not mine.notes.exists()
    # Paging and filters with nonsense.
    assert coordinator.get(url("case-list", partnership) + "?page=zzz").status_code == 200
    assert coordinator.get(url("access-log", partnership) + f"?reference={huge}").status_code == 200
    assert practitioner.get(
        url("assessment-new", partnership) + "?screening=99999"
    ).status_code == (404)
    # A representative may not schedule or configure.
    rep = client_for(make_member(Role.MARAC_REPRESENTATIVE, partnership))
    assert rep.post(url("settings", partnership), {}).status_code == 403

"""The follow-up gaps: statistics downloads and rounding, the chase interval setting,
further perpetrators' identity, the national source, and odd input."""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core import disclosure, metrics
from vawg.core.disclosure import EXACT, Tally
from vawg.core.permissions import Role
from vawg.marac import services
from vawg.marac.models import CaseAction, MaracSettings, Perpetrator, Referral
from vawg.marac.national import national_figures
from vawg.marac.selectors import MaracCounts
from vawg.marac.statistics import statistics_rows
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral, stored
from vawg.marac.tests.test_views import REFERRAL_POST, checklist_post

pytestmark = pytest.mark.django_db


def url(name, partnership, **kwargs):
    return reverse(f"marac:{name}", kwargs={"partnership": partnership.slug, **kwargs})


# --- Disclosure control: rounding ---------------------------------------------------------

UP, DOWN = 0, 255  # cell keys that round a count up, and down, to a multiple of 5


def counts(**kw) -> MaracCounts:
    """Counts with chosen cell keys, so that the controlled figures can be worked by hand."""
    values = dict(
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        meetings=3,
        cases=Tally(23, UP),
        repeats=Tally(7, DOWN),
        non_police=Tally(0),
        minoritised=Tally(3, UP),
        lgbt=Tally(0),
        disabled=Tally(12, UP),
        male=Tally(5, UP),
        aged_16_17=Tally(0),
        children=Tally(38, DOWN),
        perpetrators_under_18=Tally(2, UP),
        actions_due=Tally(17, UP),
        actions_on_time=Tally(11, DOWN),
        cases_12_months=Tally(88, UP),
        women_16_plus=100_000,
        population_is_synthetic=True,
    )
    return MaracCounts(**(values | kw))


def controlled(**kw) -> dict:
    return {
        r.key: r.local
        for r in statistics_rows(counts(**kw), audience=disclosure.CONTROLLED, shares={})
    }


def test_counts_are_rounded_to_5_and_rates_come_from_the_rounded_counts():
    rows = controlled()
    # Hand-worked: 23 → 25 (up); 7 → 5 (down) so 5/25 = 20.0%; 12 → 15 so 60.0%; 5/25 = 20.0%.
    assert rows["cases"].value == 25
    assert rows["repeat_rate"].value == Decimal("20.0")
    assert rows["disabled_rate"].value == Decimal("60.0")
    assert rows["male_rate"].value == Decimal("20.0")
    # None, and 1 to 4, read "fewer than 5", and a rate from them reads "not shown".
    assert rows["non_police_rate"].text == "not shown"
    assert rows["minoritised_rate"].text == "not shown"
    assert rows["perpetrators_under_18"].text == "fewer than 5"
    assert rows["children"].value == 35  # 38 → 35 (down)
    # Actions: 11 → 10 and 17 → 20, so 50.0%.
    assert rows["actions_on_time"].value == Decimal("50.0")
    # 88 → 90 cases in 12 months; the population is public and not rounded: 9.0, not 8.8.
    assert rows["cases_per_10000"].value == Decimal("9.0")
    # Meetings are not people: exact.
    assert rows["meetings"].value == 3


@pytest.mark.parametrize("key", [0, 1, 50, 100, 128, 153, 154, 200, 255])
def test_whichever_the_key_a_count_is_within_5_of_the_truth(key):
    rows = controlled(cases=Tally(23, key), children=Tally(5, key), repeats=Tally(6, key))
    assert rows["cases"].value in (20, 25)
    assert rows["children"].value == 5  # a multiple of 5 is shown as it is
    # The rate is the shown 5 or 10 repeats over the shown cases, not 6 over 23.
    assert rows["repeat_rate"].value * rows["cases"].value / 100 in (5, 10)


def test_a_hidden_denominator_hides_every_percentage_in_words():
    rows = controlled(cases=Tally(4, UP), repeats=Tally(0), disabled=Tally(4, UP))
    assert rows["cases"].text == "fewer than 5"
    shares = [key for key in rows if key.endswith("_rate")]
    assert len(shares) == 7 and all(rows[key].text == "not shown" for key in shares)


def test_the_coordinator_and_analyst_see_exact_figures():
    rows = {r.key: r.local for r in statistics_rows(counts(), audience=EXACT, shares={})}
    assert rows["cases"].value == 23
    assert rows["repeat_rate"].value == Decimal("30.4")  # 7/23
    assert rows["cases_per_10000"].value == Decimal("8.8")
    assert rows["minoritised_rate"].value == Decimal("13.0")
    assert rows["perpetrators_under_18"].text == "2"


# --- Downloads -----------------------------------------------------------------------------


@pytest.fixture
def quarter(partnership):
    """Six cases heard on 10 April 2026: four repeats (the same victim and perpetrator)."""
    MaracSettings.objects.create(partnership=partnership, women_16_plus=100_000)
    for n in range(4):
        make_referral(partnership, on=date(2026, 1, 5 + n), victim=f"Test Victim {n + 700}")
    hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    for n in range(6):
        make_referral(partnership, on=date(2026, 4, 1 + n), victim=f"Test Victim {n + 700}")
    hold_meeting(make_meeting(partnership, on=date(2026, 4, 10)))
    return "2026-04-01:q"


Q1 = SimpleNamespace(start=date(2026, 4, 1), end=date(2026, 6, 30))
HIDDEN = {"fewer than 5", "not shown", "no data"}


def csv_rows(response) -> dict[str, dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    reader = csv.DictReader(io.StringIO(text.decode("utf-8-sig")))
    return {row["Figure"]: row for row in reader}


def page_cell(page: str, label: str) -> str:
    """The figure the page shows for `label`: the first cell after its row header."""
    cell = r".*?</th>\s*<td[^>]*>([^<]*)</td>"
    found = re.search(re.escape(html.escape(label)) + cell, page, re.S)
    assert found, label
    return found.group(1).strip()


def test_a_board_member_downloads_the_pages_figures_through_disclosure_control(
    client_for, personas, partnership, quarter
):
    client = client_for(personas[Role.BOARD_MEMBER])
    page = client.get(url("statistics", partnership) + f"?period={quarter}").content.decode()
    assert "statistics/download.csv?period=2026-04-01%3Aq" in page
    assert "OFFICIAL-SENSITIVE" not in page
    assert "Population: 100,000 women aged 16 and over" in page  # public, as it is
    response = client.get(url("statistics-csv", partnership) + f"?period={quarter}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="wandsworth-marac-statistics-2026-04-01-q.csv"'
    )
    rows = csv_rows(response)
    cases = rows["Cases discussed (repeats included)"]["This partnership"]
    assert cases in ("5", "10")  # 6 cases, rounded by their cell key
    # 4 repeats read "fewer than 5", so the percentage is not shown: never "fewer than 5".
    assert rows["Repeat cases"]["This partnership"] == "not shown"
    assert rows["Repeat cases"]["National"] == str(national_figures().figures["repeat_rate"])
    assert national_figures().url in rows["Repeat cases"]["National source"]
    # All six were referred by the council: the share is worked from the same shown figure.
    assert rows["Referred by agencies other than the police"]["This partnership"] == "100.0"
    # 10 cases in the 12 months, a multiple of 5 whatever the key: 10 × 10,000 / 100,000.
    per_10000 = "Cases per 10,000 women aged 16 and over (12 months to the period's end)"
    assert rows[per_10000]["This partnership"] == "1.0"
    # No hidden count leaves in the file: counts of people are words or multiples of 5.
    for label, row in rows.items():
        cell = row["This partnership"]
        if row["Unit"] == "count" and label != "MARAC meetings held":
            assert cell in HIDDEN or int(cell) % 5 == 0, label
        if row["Unit"] == "%":
            assert cell != "fewer than 5", label
    assert not {"6", "4"} & {row["This partnership"] for row in rows.values()}
    # The page shows the same figures as the file, and as the registered metric.
    assert page_cell(page, "Cases discussed (repeats included)") == cases
    assert page_cell(page, "Repeat cases") == "not shown"
    metric = metrics.get("marac.repeat_rate").compute(partnership, Q1)
    shown_cases = disclosure.count(metric.denominator_tally, disclosure.CONTROLLED)
    shown_repeats = disclosure.count(metric.numerator_tally, disclosure.CONTROLLED)
    assert shown_cases.text == cases
    assert shown_repeats.text == "fewer than 5"
    assert disclosure.rate(shown_repeats, shown_cases).text == "not shown"
    rate = metrics.get("marac.cases_per_10000_women").compute(partnership, Q1)
    shown_rate = disclosure.rate(
        disclosure.count(rate.numerator_tally, disclosure.CONTROLLED), rate.denominator, per=10_000
    )
    assert shown_rate.text == page_cell(page, per_10000) == "1.0"
    # The export, and each view of the figures (page and file), is in the trail.
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == personas[Role.BOARD_MEMBER].pk
    assert event.detail == {
        "format": "csv",
        "rows": len(rows),
        "period": quarter,
        "level": "controlled",
        "unsuppressed": False,
    }
    views = AuditEvent.objects.filter(action=AuditEvent.Action.FIGURES)
    assert views.count() == 2
    for view in views:
        assert view.actor_id == personas[Role.BOARD_MEMBER].pk
        assert view.object_type == "marac.Statistics"
        assert view.detail == {"level": "controlled", "filters": {"period": quarter}}
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_RESTRICTED).exists()


def test_a_partnership_admin_sees_the_controlled_figures_too(
    client_for, personas, partnership, quarter
):
    page = (
        client_for(personas[Role.PARTNERSHIP_ADMIN])
        .get(url("statistics", partnership) + f"?period={quarter}")
        .content.decode()
    )
    assert page_cell(page, "Cases discussed (repeats included)") in ("5", "10")
    assert page_cell(page, "Repeat cases") == "not shown"
    assert "OFFICIAL-SENSITIVE" not in page
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.FIGURES, actor_id=personas[Role.PARTNERSHIP_ADMIN].pk
    ).exists()


def test_the_coordinator_sees_exact_figures_as_a_restricted_read(
    client_for, personas, partnership, quarter
):
    page = (
        client_for(personas[Role.MARAC_COORDINATOR])
        .get(url("statistics", partnership) + f"?period={quarter}")
        .content.decode()
    )
    assert "OFFICIAL-SENSITIVE" in page
    assert page_cell(page, "Cases discussed (repeats included)") == "6"
    assert page_cell(page, "Repeat cases") == "66.7%"  # 4 of 6
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_RESTRICTED)
    assert event.actor_id == personas[Role.MARAC_COORDINATOR].pk
    assert event.object_type == "marac.Statistics"
    assert event.detail == {"level": "exact", "filters": {"period": quarter}}
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FIGURES).exists()


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
        action=AuditEvent.Action.EXPORT, detail__unsuppressed=True, detail__level="exact"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.READ_RESTRICTED,
        actor_id=personas[Role.ANALYST].pk,
        object_type="marac.Statistics",
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
    national = national_figures()
    assert national.url in page
    # The period the comparators are for is named beside them.
    assert national.period in page


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
    assert second.name == "Test Perpetrator 900"
    assert second.dob == date(1985, 4, 3)
    assert second.address == "9 Test Close"
    assert b"Test Perpetrator 900" not in stored(second, "name")
    expected = services.identity_hash(
        services.Identity("test perpetrator 900", date(1985, 4, 3)), services.PERPETRATOR_PURPOSE
    )
    assert second.person_hash == expected.digest
    assert third.name == "Test Perpetrator 901" and third.dob is None
    assert stored(third, "dob") == b""
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

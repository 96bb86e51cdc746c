"""Referrals: repeats across the 12-month edge, identity held encrypted, consent, audit."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vawg.audit.models import AuditEvent
from vawg.marac import services
from vawg.marac.dash import Criterion
from vawg.marac.models import Referral
from vawg.marac.tests.factories import details, make_assessment, make_referral

pytestmark = pytest.mark.django_db
FIRST = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("again", "repeat"),
    [
        (date(2026, 3, 9), True),  # the day before the anniversary
        (date(2026, 3, 10), True),  # the anniversary: still within 12 months
        (date(2026, 3, 11), False),  # the day after: a new case
    ],
)
def test_a_repeat_is_within_12_months_of_the_last_referral(partnership, again, repeat):
    first = make_referral(partnership, on=FIRST)
    assessment = make_assessment(partnership, yes=15, on=again)
    second = services.referral_make(
        assessment=assessment,
        referrer=None,
        organisation=partnership.organisations.first(),
        referred_on=again,
        details=details(),
    )
    assert second.is_repeat is repeat
    assert (Criterion.REPEAT in second.criteria) is repeat
    assert second.repeat_of == (first if repeat else None)


def test_the_window_runs_from_the_last_referral_not_the_first(partnership):
    make_referral(partnership, on=date(2024, 6, 1))
    middle = make_referral(partnership, on=date(2025, 5, 1))
    assert middle.is_repeat
    third = make_referral(partnership, on=date(2026, 4, 30))
    assert third.is_repeat and third.repeat_of == middle


def test_a_repeat_needs_the_same_victim_and_a_same_perpetrator(partnership):
    make_referral(partnership, on=FIRST)
    other_perpetrator = make_referral(
        partnership, on=date(2025, 6, 1), perpetrators=(("Test Perpetrator 999", None),)
    )
    assert not other_perpetrator.is_repeat
    other_victim = make_referral(partnership, on=date(2025, 6, 2), victim="Test Victim 002")
    assert not other_victim.is_repeat
    # The same people written differently are still the same people.
    shouted = make_referral(
        partnership,
        on=date(2025, 6, 3),
        victim="  TEST   victim 001 ",
        perpetrators=(("Someone Else", None), ("test perpetrator 001", date(1988, 2, 2))),
    )
    assert shouted.is_repeat


def test_a_repeat_is_referred_even_below_every_other_criterion(partnership):
    make_referral(partnership, on=FIRST)
    low = make_assessment(partnership, yes=3, on=date(2025, 9, 1))
    assert low.criteria == []
    again = services.referral_make(
        assessment=low,
        referrer=None,
        organisation=partnership.organisations.first(),
        referred_on=date(2025, 9, 1),
        details=details(),
    )
    assert again.criteria == [Criterion.REPEAT]


def test_a_case_meeting_no_criterion_is_refused(partnership):
    low = make_assessment(partnership, yes=3)
    with pytest.raises(ValidationError, match="meets no MARAC referral criterion"):
        services.referral_make(
            assessment=low,
            referrer=None,
            organisation=partnership.organisations.first(),
            referred_on=date(2026, 1, 5),
            details=details(),
        )
    assert not Referral.objects.exists()


def test_repeats_are_never_matched_across_partnerships(partnership, other_partnership):
    make_referral(other_partnership, on=FIRST)
    assert not make_referral(partnership, on=date(2025, 4, 1)).is_repeat


def test_proceeding_without_consent_needs_a_reason(partnership):
    with pytest.raises(ValidationError):
        make_referral(partnership, victim_consented=False, no_consent_reason="")
    referral = make_referral(
        partnership, victim_consented=False, no_consent_reason="Risk to life; police advised"
    )
    assert not referral.victim_consented


def test_victims_under_16_are_not_referred_to_marac(partnership):
    with pytest.raises(ValidationError, match="16 or over"):
        make_referral(partnership, on=date(2026, 1, 5), victim_dob=date(2010, 1, 6))
    aged_16 = make_referral(partnership, on=date(2026, 1, 5), victim_dob=date(2010, 1, 5))
    assert aged_16.victim_age == 16


def test_references_are_sequential_per_partnership(partnership, other_partnership):
    a = make_referral(partnership, victim="Test Victim 010")
    b = make_referral(partnership, victim="Test Victim 011")
    c = make_referral(other_partnership, victim="Test Victim 012")
    assert (a.reference, b.reference, c.reference) == ("MARAC-00001", "MARAC-00002", "MARAC-00001")


def test_the_referral_is_audited_by_reference_only(partnership):
    referral = make_referral(partnership)
    event = AuditEvent.objects.get(action="create", object_type="marac.Referral")
    assert event.detail["reference"] == referral.reference
    assert "Test Victim" not in str(event.detail) + event.summary


SECRETS = [
    "Test Victim 001",
    "Test Perpetrator 001",
    "1 Test Street",
    "2 Test Road",
    "1990-05-01",
    "1988-02-02",
    "Do not tell Test Aunt 123",
    "Note about Test Victim",
    "Judgement reason text",
    "Action text for Test Victim",
]


def _dump_marac_tables() -> str:
    """Every value in every MARAC table, as a database dump would hold it."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("marac_") and table != "audit_auditevent":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a test reading the raw column; no outside input
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        value = value.decode("latin-1")
                    out.append(str(value))
    return "\n".join(out)


def test_the_database_holds_no_plaintext_identity_notes_or_attachments(partnership, personas):
    from vawg.marac.tests.factories import hold_meeting, make_meeting
    from vawg.marac.tests.test_attachments import PDF

    assessment = make_assessment(
        partnership, yes=15, professional_judgement=True, judgement_reason="Judgement reason text"
    )
    referral = services.referral_make(
        assessment=assessment,
        referrer=None,
        organisation=partnership.organisations.first(),
        referred_on=date(2026, 1, 5),
        details=details(must_not_receive=["Do not tell Test Aunt 123"]),
    )
    coordinator = personas["marac_coordinator"]
    services.case_note_add(referral=referral, author=coordinator, text="Note about Test Victim")
    meeting = make_meeting(partnership)
    hold_meeting(meeting)
    services.case_action_add(
        item=referral.agenda_item,
        organisation=partnership.organisations.first(),
        description="Action text for Test Victim",
        due_on=date(2026, 2, 1),
        actor=coordinator,
    )
    secret_pdf = PDF + b"Test Victim 001 research pack"
    services.attachment_add(
        partnership=partnership,
        kind="research_pack",
        data=secret_pdf,
        actor=coordinator,
        today=date(2026, 1, 6),
        referral=referral,
    )
    # Reading the case audits the read but writes nothing identifying anywhere.
    services.case_read(referral=referral, actor=coordinator)
    dump = _dump_marac_tables()
    assert dump
    for secret in SECRETS:
        assert secret.lower() not in dump.lower(), secret


def test_a_referrer_whose_membership_names_no_agency_is_refused(partnership):
    assessment = make_assessment(partnership, yes=15)
    with pytest.raises(ValidationError, match="Your membership names no agency: ask your admin."):
        services.referral_make(
            assessment=assessment,
            referrer=None,
            organisation=None,
            referred_on=date(2026, 1, 5),
            details=details(),
        )
    assert not Referral.objects.exists()

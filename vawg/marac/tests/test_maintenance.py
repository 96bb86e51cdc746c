"""Key rotation without loss, and retention with a fixed date (both commands for cron/ops)."""

from datetime import date
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from vawg.audit.models import AuditEvent
from vawg.marac import services
from vawg.marac.models import Assessment, Attachment, CaseNote, MaracSettings, Referral, Screening
from vawg.marac.tests.factories import (
    details,
    hold_meeting,
    make_assessment,
    make_meeting,
    make_referral,
    stored,
)
from vawg.marac.tests.test_attachments import PDF

pytestmark = pytest.mark.django_db


def test_rotating_keys_re_encrypts_and_re_hashes_without_loss(partnership, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS
    referral = make_referral(
        partnership, on=date(2026, 1, 5), must_not_receive=["Test Aunt 999, 3 Test Close"]
    )
    services.case_note_add(referral=referral, author=None, text="Test note before rotation")
    attachment = services.attachment_add(
        partnership=partnership,
        kind="research_pack",
        data=PDF,
        actor=None,
        today=date(2026, 1, 6),
        referral=referral,
    )
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = f"{new_key},{old_key}"
    settings.PSEUDONYM_KEYS = f"{settings.PSEUDONYM_KEYS},2:test-new-pseudonym-key"
    call_command("rotate_marac_keys", stdout=StringIO())

    # The old key retired: everything still opens under the new key alone.
    settings.FIELD_ENCRYPTION_KEYS = new_key
    referral = Referral.objects.get(pk=referral.pk)
    case = services.case_read(referral=referral, actor=None)
    assert case.victim.name == "Test Victim 001"
    assert case.victim.dob == date(1990, 5, 1)
    assert case.perpetrators[0].name == "Test Perpetrator 001"
    assert case.must_not_receive == ["Test Aunt 999, 3 Test Close"]
    assert case.notes[0][2] == "Test note before rotation"
    attachment.refresh_from_db()
    assert services.attachment_read(attachment=attachment, actor=None) == PDF
    assert referral.victim_hash_version == 2
    assert referral.perpetrators.get().hash_version == 2
    # Repeats are still found under the new pseudonym key.
    assert make_referral(partnership, on=date(2026, 3, 1)).is_repeat
    # And the old key alone no longer opens anything.
    settings.FIELD_ENCRYPTION_KEYS = old_key
    with pytest.raises(InvalidToken):
        Referral.objects.get(pk=referral.pk)


def test_rotation_twice_is_harmless(partnership):
    referral = make_referral(partnership)
    call_command("rotate_marac_keys", stdout=StringIO())
    call_command("rotate_marac_keys", stdout=StringIO())
    referral.refresh_from_db()
    assert referral.victim_name == "Test Victim 001"


@pytest.fixture
def old_and_new(partnership):
    MaracSettings.objects.create(
        partnership=partnership,
        case_retention_months=24,
        attachment_retention_months=12,
        screening_retention_months=12,
    )
    old = make_referral(partnership, on=date(2024, 1, 9), victim="Test Victim 040")
    services.case_note_add(referral=old, author=None, text="Old note")
    services.attachment_add(
        partnership=partnership,
        kind="research_pack",
        data=PDF,
        actor=None,
        today=date(2024, 1, 10),
        referral=old,
    )
    edge = make_referral(partnership, on=date(2024, 1, 10), victim="Test Victim 041")
    services.screening_record(
        partnership=partnership,
        practitioner=None,
        organisation=None,
        screened_on=date(2025, 1, 9),
        disclosed=False,
        immediate_danger=False,
        agrees_to_checklist=False,
    )
    make_assessment(partnership, yes=2, on=date(2025, 1, 9))
    return old, edge


def test_retention_reduces_expired_cases_to_statistics(partnership, old_and_new):
    old, edge = old_and_new
    call_command("marac_retention", "--today", "2026-01-10", stdout=StringIO())
    old.refresh_from_db()
    edge.refresh_from_db()
    # 24 months before 10 January 2026 is 10 January 2024: older cases go, that day's stay.
    assert old.reduced_on == date(2026, 1, 10)
    assert edge.reduced_on is None
    assert stored(old, "victim_name") == b"" and old.victim_hash == ""
    assert old.perpetrators.get().person_hash == ""
    assert not CaseNote.objects.filter(referral=old).exists()
    assert not Attachment.objects.exists()
    # What the statistics count is kept.
    assert (old.victim_sex, old.victim_age, old.reference) == ("female", 33, "MARAC-00001")
    assert not Screening.objects.exists()
    assert not Assessment.objects.filter(referral__isnull=True).exists()
    events = AuditEvent.objects.filter(action="delete", object_type="marac.Referral")
    assert [e.detail for e in events] == [{"reference": "MARAC-00001"}]
    # Run again the same day: nothing more happens, and nothing more is audited.
    before = AuditEvent.objects.count()
    call_command("marac_retention", "--today", "2026-01-10", stdout=StringIO())
    assert AuditEvent.objects.count() == before


def test_retention_can_delete_instead_and_spares_cases_with_open_actions(partnership, old_and_new):
    MaracSettings.objects.filter(partnership=partnership).update(retention_action="delete")
    old, edge = old_and_new
    meeting = hold_meeting(make_meeting(partnership, on=date(2024, 1, 15)))
    services.case_action_add(
        item=meeting.agenda.get(referral=edge),
        organisation=partnership.organisations.first(),
        description="Test action still open",
        due_on=date(2024, 2, 1),
        actor=None,
    )
    call_command("marac_retention", "--today", "2026-01-12", stdout=StringIO())
    assert not Referral.objects.filter(pk=old.pk).exists()
    assert Referral.objects.filter(pk=edge.pk).exists()


def test_a_reduced_case_cannot_be_read(partnership, old_and_new):
    old, _ = old_and_new
    call_command("marac_retention", "--today", "2026-01-10", stdout=StringIO())
    old.refresh_from_db()
    with pytest.raises(Exception, match="reduced"):
        services.case_read(referral=old, actor=None)


def test_details_helper_is_synthetic():
    assert details().victim.name.startswith("Test Victim")

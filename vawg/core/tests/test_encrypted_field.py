"""The one encrypted field: what it stores, what it reads back (old rows included), that it
refuses what would silently go wrong, and that key rotation reaches every model holding it."""

from datetime import date
from importlib import import_module
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db.migrations.operations import SeparateDatabaseAndState
from django.db.models import BinaryField, Value
from django.db.models.functions import Cast

from vawg.audit.models import AuditEvent
from vawg.core import crypto
from vawg.core.fields import EncryptedDateField, EncryptedTextField, encrypted_fields
from vawg.marac import services as marac
from vawg.marac.models import CaseAction, CaseNote, Exclusion, Perpetrator, Referral
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.voice.models import Answer, Feedback
from vawg.voice.tests.factories import answer_survey, make_feedback, make_survey

pytestmark = pytest.mark.django_db

# Every model that holds an encrypted field today: rotation must reach at least these.
KNOWN = {
    "marac.Assessment",
    "marac.Referral",
    "marac.Perpetrator",
    "marac.Exclusion",
    "marac.CaseNote",
    "marac.CaseAction",
    "voice.Feedback",
    "voice.Answer",
}


def stored(obj, name: str) -> bytes:
    """What the database holds for the field: read as plain binary, which nothing decrypts."""
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    return bytes(rows.values_list(Cast(name, BinaryField()), flat=True).get())


def store_raw(obj, **values: bytes) -> None:
    """Write bytes straight into the columns, as code that encrypted by hand once did."""
    raw = {name: Value(value, output_field=BinaryField()) for name, value in values.items()}
    type(obj)._base_manager.filter(pk=obj.pk).update(**raw)


# --- What is stored, and what reads back ----------------------------------------------


def test_text_is_stored_as_a_fernet_token_under_the_field_keys(partnership):
    feedback = make_feedback(partnership, text="Jane Example, 1 Sample Street")
    token = stored(feedback, "text")
    assert b"Jane" not in token
    assert crypto.decrypt_text(token) == "Jane Example, 1 Sample Street"
    assert Feedback.objects.get(pk=feedback.pk).text == "Jane Example, 1 Sample Street"


def test_a_date_is_stored_as_encrypted_iso_text_and_reads_back_as_a_date(partnership):
    referral = make_referral(partnership, victim_dob=date(1990, 5, 1))
    assert crypto.decrypt_text(stored(referral, "victim_dob")) == "1990-05-01"
    assert Referral.objects.get(pk=referral.pk).victim_dob == date(1990, 5, 1)


def test_an_empty_value_is_stored_as_empty_bytes(partnership):
    referral = make_referral(partnership, victim_dob=None)  # consented: no reason given
    assert stored(referral, "victim_dob") == b""
    assert stored(referral, "no_consent_reason") == b""
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.victim_dob is None
    assert referral.no_consent_reason == ""


def test_old_hand_sealed_rows_and_empty_rows_read_back_unchanged(partnership):
    # As MARAC wrote them before the field: a token, or empty bytes for nothing given.
    referral = make_referral(partnership)
    store_raw(
        referral,
        victim_name=crypto.encrypt_text("Test Victim 777"),
        victim_dob=crypto.encrypt_text("1980-01-02"),
        victim_address=b"",
        no_consent_reason=b"",
    )
    store_raw(referral.perpetrators.get(), name=crypto.encrypt_text("Test Perpetrator 7"), dob=b"")
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.victim_name == "Test Victim 777"
    assert referral.victim_dob == date(1980, 1, 2)
    assert referral.victim_address == ""
    assert referral.no_consent_reason == ""
    person = Perpetrator.objects.get(referral=referral)
    assert (person.name, person.dob) == ("Test Perpetrator 7", None)
    # As voice wrote an empty answer: a token of empty text.
    feedback = make_feedback(partnership)
    store_raw(feedback, text=crypto.encrypt_text(""))
    assert Feedback.objects.get(pk=feedback.pk).text == ""


def test_a_value_written_as_nothing_but_spaces_is_kept_as_text(partnership):
    feedback = make_feedback(partnership, text="  ")
    assert Feedback.objects.get(pk=feedback.pk).text == "  "
    assert crypto.decrypt_text(stored(feedback, "text")) == "  "


# --- What it refuses ------------------------------------------------------------------


def test_comparing_encrypted_values_in_a_query_is_refused(partnership):
    make_feedback(partnership, text="same")
    with pytest.raises(FieldError):
        Feedback.objects.filter(text="same").count()
    with pytest.raises(FieldError):
        Feedback.objects.filter(text__icontains="sa").count()
    assert Feedback.objects.filter(text__isnull=False).count() == 1


def test_encrypted_bytes_are_refused_so_nothing_is_encrypted_twice(partnership):
    feedback = make_feedback(partnership)
    feedback.text = crypto.encrypt_text("sealed by hand")
    with pytest.raises(TypeError, match="plain values"):
        feedback.save()


def test_without_the_key_a_value_cannot_be_read(partnership, settings):
    feedback = make_feedback(partnership, text="Kept secret")
    settings.FIELD_ENCRYPTION_KEYS = Fernet.generate_key().decode()
    with pytest.raises(InvalidToken):
        Feedback.objects.get(pk=feedback.pk)


def test_the_field_deconstructs_for_migrations_without_its_internal_defaults():
    field = EncryptedDateField(blank=True, db_column="dob_enc")
    name, path, args, kwargs = field.deconstruct()
    assert path == "vawg.core.fields.EncryptedDateField"
    assert kwargs == {"blank": True, "db_column": "dob_enc", "default": None}
    assert EncryptedTextField().deconstruct()[3] == {"default": ""}


def test_the_marac_move_to_the_field_changes_nothing_in_the_database():
    migration = import_module("vawg.marac.migrations.0003_encrypted_fields").Migration
    for operation in migration.operations:
        assert isinstance(operation, SeparateDatabaseAndState)
        assert operation.database_operations == []
    state = migration.operations[0].state_operations
    old_names = {(op.model_name, op.new_name): op.old_name for op in state[::2]}
    assert len(old_names) == 12
    for op in state[1::2]:  # each renamed field keeps the column it had
        assert op.field.db_column == old_names[(op.model_name, op.name)]


# --- Rotation -------------------------------------------------------------------------


def _every_kind_of_value(partnership):
    """A MARAC case with every encrypted field filled, and survivor voice text."""
    referral = make_referral(
        partnership,
        on=date(2026, 1, 2),
        must_not_receive=["Test Aunt 999, 3 Test Close"],
        victim_consented=False,
        no_consent_reason="Test reason: not safe to ask",
    )
    referral.assessment.judgement_reason = "Test judgement"
    referral.assessment.save(update_fields=["judgement_reason"])
    marac.case_note_add(referral=referral, author=None, text="Test note")
    meeting = hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    action = marac.case_action_add(
        item=meeting.agenda.get(),
        organisation=partnership.organisations.first(),
        description="Test action",
        due_on=date(2026, 2, 3),
        actor=None,
    )
    marac.case_action_complete(
        action=action,
        actor=None,
        agencies={action.organisation_id},
        coordinator=True,
        completed_on=date(2026, 2, 1),
        note="Test completion",
        today=date(2026, 2, 2),
    )
    make_feedback(partnership, text="Test feedback")
    answer_survey(make_survey(partnership), date(2026, 5, 1), help="Test answer", safer="yes")


def _plaintexts() -> dict[str, list]:
    """Every encrypted value of every model that holds one, read through the field."""
    return {
        model._meta.label: sorted(
            (str(v) for row in model._base_manager.values_list(*names) for v in row),
        )
        for model, names in encrypted_fields().items()
    }


def test_rotation_moves_every_value_onto_the_new_key_and_the_old_key_can_go(partnership, settings):
    _every_kind_of_value(partnership)
    before = _plaintexts()
    old_key = settings.FIELD_ENCRYPTION_KEYS
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = f"{new_key},{old_key}"

    out = StringIO()
    call_command("reencrypt_fields", stdout=out)

    # Old key retired: every value of every model reads back unchanged under the new key.
    settings.FIELD_ENCRYPTION_KEYS = new_key
    assert _plaintexts() == before
    assert "Test note" in before["marac.CaseNote"]
    assert "Test Aunt 999, 3 Test Close" in before["marac.Exclusion"]
    assert "1990-05-01" in before["marac.Referral"]
    assert "Test judgement" in before["marac.Assessment"]
    assert {"Test action", "Test completion"} <= set(before["marac.CaseAction"])
    assert "Test feedback" in before["voice.Feedback"]
    assert "Test answer" in before["voice.Answer"]
    # And in the database no value is left that the old key opens.
    old = Fernet(old_key.encode())
    for model, names in encrypted_fields().items():
        for row in model._base_manager.all():
            for name in names:
                token = stored(row, name)
                if token:
                    with pytest.raises(InvalidToken):
                        old.decrypt(token)
    assert "Re-encrypted" in out.getvalue()
    event = AuditEvent.objects.get(object_type="core.encrypted_fields")
    assert event.detail["marac.Referral"] == 1


def test_rotation_reaches_every_model_that_holds_the_field(partnership):
    _every_kind_of_value(partnership)
    out = StringIO()
    call_command("reencrypt_fields", stdout=out)
    # Found by class across every app, not from a list someone must remember to extend.
    holders = {
        model._meta.label
        for model in apps.get_models()
        if any(isinstance(f, EncryptedTextField) for f in model._meta.concrete_fields)
    }
    assert holders >= KNOWN
    for label in holders:
        assert f"{label}: " in out.getvalue()
    rows = {
        "marac.Exclusion": Exclusion.objects.count(),
        "marac.CaseNote": CaseNote.objects.count(),
        "marac.CaseAction": CaseAction.objects.count(),
        "voice.Answer": Answer.objects.count(),
    }
    for label, count in rows.items():
        assert f"{label}: {count} rows" in out.getvalue()


def test_marac_rotation_covers_marac_and_leaves_other_apps_to_the_platform_command(
    partnership, settings
):
    _every_kind_of_value(partnership)
    old_key = settings.FIELD_ENCRYPTION_KEYS
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = f"{new_key},{old_key}"
    call_command("rotate_marac_keys", stdout=StringIO())
    old = Fernet(old_key.encode())
    note = CaseNote.objects.get()
    with pytest.raises(InvalidToken):
        old.decrypt(stored(note, "text"))
    # Voice is left to the platform-wide command: still under the old key until it runs.
    feedback = Feedback.objects.get()
    assert old.decrypt(stored(feedback, "text")) == b"Test feedback"
    call_command("reencrypt_fields", stdout=StringIO())
    with pytest.raises(InvalidToken):
        old.decrypt(stored(feedback, "text"))


def test_rotation_twice_is_harmless(partnership):
    _every_kind_of_value(partnership)
    before = _plaintexts()
    call_command("reencrypt_fields", stdout=StringIO())
    call_command("reencrypt_fields", stdout=StringIO())
    assert _plaintexts() == before

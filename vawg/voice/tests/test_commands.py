from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from vawg.audit.models import AuditEvent
from vawg.core import crypto
from vawg.voice.models import Answer, Feedback
from vawg.voice.services import _months_before
from vawg.voice.tests.factories import answer_survey, make_feedback, make_survey

TODAY = date(2026, 11, 23)


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_months_before_keeps_the_day_or_the_months_last_day():
    assert _months_before(TODAY, 24) == date(2024, 11, 23)
    assert _months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert _months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_retention_deletes_only_old_closed_feedback_and_blanks_old_written_answers(
    partnership,
):
    old = date(2024, 11, 22)  # one day before the cutoff of 23 Nov 2024
    gone = make_feedback(partnership, received_on=old, status="closed")
    open_still = make_feedback(partnership, received_on=old, status="triaged")
    marked = make_feedback(partnership, received_on=old, status="closed", safeguarding=True)
    on_cutoff = make_feedback(partnership, received_on=date(2024, 11, 23), status="closed")
    survey = make_survey(partnership)
    old_response = answer_survey(survey, old, safer="yes", help="Evening appointments")
    new_response = answer_survey(survey, TODAY, help="A crèche")

    output = _run("voice_retention", "--today", TODAY.isoformat())

    assert "Deleted 1 feedback; blanked 1 written answers received before 2024-11-23." in output
    remaining = set(Feedback.objects.values_list("pk", flat=True))
    assert remaining == {open_still.pk, marked.pk, on_cutoff.pk}
    assert gone.pk not in remaining
    old_answers = {a.question.topic: a for a in old_response.answers.select_related("question")}
    assert old_answers["help"].text == ""
    assert old_answers["safer"].choice == "yes"  # the figures keep their answers
    assert new_response.answers.get().text == "A crèche"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.detail == {"count": 1, "cutoff": "2024-11-23"}
    # Idempotent.
    assert "Deleted 0 feedback; blanked 0" in _run("voice_retention", "--today", "2026-11-23")


def test_retention_refuses_a_nonsense_period(db):
    with pytest.raises(CommandError, match="1 or more"):
        _run("voice_retention", "--months", "0")


def test_reencrypt_moves_text_onto_the_new_first_key(partnership, settings):
    feedback = make_feedback(partnership, text="Kept secret")
    old_key = settings.FIELD_ENCRYPTION_KEYS.split(",")[0].strip()
    new_key = crypto.Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=f"{new_key},{old_key}"):
        assert "voice.Feedback: 1 rows" in _run("reencrypt_fields")
    with override_settings(FIELD_ENCRYPTION_KEYS=new_key):
        assert Feedback.objects.get(pk=feedback.pk).text == "Kept secret"
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM voice_feedback WHERE id = %s", [feedback.pk])
        token = bytes(cursor.fetchone()[0])
    with pytest.raises(crypto.InvalidToken):
        crypto.Fernet(old_key.encode()).decrypt(token)
    assert Answer.objects.count() == 0

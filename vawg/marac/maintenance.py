"""Scheduled and operator work: retention, and re-encrypting under the current keys."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto
from vawg.core.fields import reencrypt_all
from vawg.core.models import Partnership
from vawg.core.periods import add_months
from vawg.marac.models import (
    Assessment,
    Attachment,
    CaseAction,
    MaracSettings,
    Perpetrator,
    Referral,
    Screening,
)
from vawg.marac.services import (
    PERPETRATOR_PURPOSE,
    VICTIM_PURPOSE,
    Identity,
    identity_hash,
    settings_for,
)

BATCH = 500


def _batches(model, size: int = BATCH):
    """Every row of `model`, a locked batch at a time, each batch in its own transaction."""
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        with transaction.atomic():
            yield model.objects.select_for_update().filter(pk__in=ids[start : start + size])


def rotate_keys() -> dict[str, int]:
    """Re-encrypt every MARAC value under the first encryption key and re-hash every person
    under the newest pseudonym key, so old keys can then be retired. Safe to re-run."""
    # Identity and free text: every encrypted field of the app, found by its class.
    counts = reencrypt_all(app_label="marac")
    # Files are encrypted whole rather than held in a field.
    done = 0
    for rows in _batches(Attachment, size=10):  # up to 10 MB each
        for row in rows:
            row.content_enc = crypto.reencrypt(row.content_enc)
            row.save(update_fields=["content_enc"])
            done += 1
    counts[Attachment._meta.label] = done
    for rows in _batches(Referral):
        for row in rows.exclude(victim_hash=""):
            hashed = identity_hash(Identity(row.victim_name, row.victim_dob), VICTIM_PURPOSE)
            row.victim_hash, row.victim_hash_version = hashed.digest, hashed.key_version
            row.save(update_fields=["victim_hash", "victim_hash_version"])
    for rows in _batches(Perpetrator):
        for row in rows.exclude(person_hash=""):
            hashed = identity_hash(Identity(row.name, row.dob), PERPETRATOR_PURPOSE)
            row.person_hash, row.hash_version = hashed.digest, hashed.key_version
            row.save(update_fields=["person_hash", "hash_version"])
    record(
        action=AuditAction.UPDATE, object_type="marac", summary="Rotated MARAC keys", detail=counts
    )
    return counts


@dataclass(frozen=True)
class RetentionResult:
    cases_reduced: int = 0
    cases_deleted: int = 0
    attachments_deleted: int = 0
    screenings_deleted: int = 0
    assessments_deleted: int = 0


def _reduce(referral: Referral, today: date) -> None:
    """Keep only what the statistics count; drop identity, hashes, notes and free text."""
    Referral.objects.filter(pk=referral.pk).update(
        victim_name="",
        victim_dob=None,
        victim_address="",
        victim_hash="",
        victim_hash_version=None,
        no_consent_reason="",
        reduced_on=today,
    )
    referral.perpetrators.update(name="", dob=None, address="", person_hash="", hash_version=None)
    referral.must_not_receive.all().delete()
    referral.notes.all().delete()
    referral.attachments.all().delete()
    referral.actions.update(description="", completion_note="")
    referral.sealed_for.clear()
    if referral.assessment_id:
        Assessment.objects.filter(pk=referral.assessment_id).update(judgement_reason="")


def _expired_cases(partnership: Partnership, row: MaracSettings, today: date):
    cutoff = add_months(today, -row.case_retention_months)
    return Referral.objects.filter(
        partnership=partnership, reduced_on__isnull=True, referred_on__lt=cutoff
    ).exclude(pk__in=CaseAction.objects.open().values("referral_id"))


def retention_apply(*, today: date) -> RetentionResult:
    """Delete or reduce what each partnership's retention periods say has expired.

    Idempotent: a reduced case is never touched again. Audited by reference only.
    """
    totals = dict.fromkeys(RetentionResult.__dataclass_fields__, 0)
    for partnership in Partnership.objects.order_by("pk"):
        row = settings_for(partnership)
        with transaction.atomic():
            for referral in _expired_cases(partnership, row, today):
                reference = referral.reference
                if row.retention_action == MaracSettings.RetentionAction.DELETE:
                    pk = referral.pk
                    referral.delete()
                    totals["cases_deleted"] += 1
                    summary = "Retention: deleted a MARAC case"
                else:
                    pk = referral.pk
                    _reduce(referral, today)
                    totals["cases_reduced"] += 1
                    summary = "Retention: reduced a MARAC case to statistics"
                record(
                    action=AuditAction.DELETE,
                    partnership=partnership,
                    object_type="marac.Referral",
                    object_id=pk,
                    summary=summary,
                    detail={"reference": reference},
                )
            attachments = Attachment.objects.filter(
                partnership=partnership,
                uploaded_on__lt=add_months(today, -row.attachment_retention_months),
            )
            totals["attachments_deleted"] += _delete_counted(
                attachments, partnership, "attachments"
            )
            screen_cutoff = add_months(today, -row.screening_retention_months)
            totals["screenings_deleted"] += _delete_counted(
                Screening.objects.filter(partnership=partnership, screened_on__lt=screen_cutoff),
                partnership,
                "screenings",
            )
            totals["assessments_deleted"] += _delete_counted(
                Assessment.objects.filter(
                    partnership=partnership, completed_on__lt=screen_cutoff, referral__isnull=True
                ),
                partnership,
                "unreferred assessments",
            )
    return RetentionResult(**totals)


def _delete_counted(queryset, partnership: Partnership, what: str) -> int:
    ids = list(queryset.values_list("pk", flat=True))
    if ids:
        queryset.model.objects.filter(pk__in=ids).delete()
        record(
            action=AuditAction.DELETE,
            partnership=partnership,
            object_type=queryset.model._meta.label,
            summary=f"Retention: deleted {len(ids)} MARAC {what}",
            detail={"ids": ids},
        )
    return len(ids)

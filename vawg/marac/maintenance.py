"""Scheduled and operator work: retention, and re-encrypting under the current keys."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto
from vawg.core.models import Partnership
from vawg.core.periods import add_months
from vawg.marac.models import (
    Assessment,
    Attachment,
    CaseAction,
    CaseNote,
    Exclusion,
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
    unseal,
)

# Every encrypted column, by model: what key rotation re-encrypts.
ENCRYPTED_FIELDS = {
    Assessment: ["judgement_reason_enc"],
    Referral: ["victim_name_enc", "victim_dob_enc", "victim_address_enc", "no_consent_reason_enc"],
    Perpetrator: ["name_enc", "dob_enc", "address_enc"],
    Exclusion: ["detail_enc"],
    CaseNote: ["text_enc"],
    CaseAction: ["description_enc", "completion_note_enc"],
    Attachment: ["content_enc"],
}
BATCH = 500


def _identity(name_enc, dob_enc) -> Identity:
    born = unseal(dob_enc)
    return Identity(unseal(name_enc), date.fromisoformat(born) if born else None)


def rotate_keys() -> dict[str, int]:
    """Re-encrypt every MARAC value under the first encryption key and re-hash every person
    under the newest pseudonym key, so old keys can then be retired. Safe to re-run."""
    counts: dict[str, int] = {}
    for model, fields in ENCRYPTED_FIELDS.items():
        done = 0
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                rows = model.objects.select_for_update().filter(pk__in=ids[start : start + BATCH])
                for row in rows:
                    for name in fields:
                        token = bytes(getattr(row, name) or b"")
                        if token:
                            setattr(row, name, crypto.reencrypt(token))
                    if model is Referral and row.victim_hash:
                        hashed = identity_hash(
                            _identity(row.victim_name_enc, row.victim_dob_enc), VICTIM_PURPOSE
                        )
                        row.victim_hash, row.victim_hash_version = hashed.digest, hashed.key_version
                    if model is Perpetrator and row.person_hash:
                        hashed = identity_hash(
                            _identity(row.name_enc, row.dob_enc), PERPETRATOR_PURPOSE
                        )
                        row.person_hash, row.hash_version = hashed.digest, hashed.key_version
                    row.save()
                    done += 1
        counts[model._meta.label] = done
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
        victim_name_enc=b"",
        victim_dob_enc=b"",
        victim_address_enc=b"",
        victim_hash="",
        victim_hash_version=None,
        no_consent_reason_enc=b"",
        reduced_on=today,
    )
    referral.perpetrators.update(
        name_enc=b"", dob_enc=b"", address_enc=b"", person_hash="", hash_version=None
    )
    referral.must_not_receive.all().delete()
    referral.notes.all().delete()
    referral.attachments.all().delete()
    referral.actions.update(description_enc=b"", completion_note_enc=b"")
    referral.sealed_for.clear()
    if referral.assessment_id:
        Assessment.objects.filter(pk=referral.assessment_id).update(judgement_reason_enc=b"")


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

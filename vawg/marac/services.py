"""Every write in MARAC: screening, assessments, referrals, meetings, actions, files, keys.

Identity and free text are held in encrypted fields (core.fields), and read out
to people only through `case_read` / `attachment_read`, which audit the read.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto
from vawg.core.models import Organisation, Partnership
from vawg.core.periods import add_months
from vawg.core.permissions import Role
from vawg.marac import dash
from vawg.marac.models import (
    AgendaItem,
    Assessment,
    Attachment,
    Attendance,
    CaseAction,
    CaseNote,
    Exclusion,
    LocalCriterion,
    MaracSettings,
    Meeting,
    Perpetrator,
    Referral,
    Screening,
)

VICTIM_PURPOSE = "marac-victim"
PERPETRATOR_PURPOSE = "marac-perpetrator"
REPEAT_WINDOW_MONTHS = 12
MIN_VICTIM_AGE = 16
CONFIDENTIALITY_STATEMENT_VERSION = "MARAC confidentiality statement v1"
CONFIDENTIALITY_STATEMENT = (
    "I understand that the information shared at this MARAC is confidential. I will use it "
    "only to keep the people discussed safe, share it only as the MARAC agrees and with "
    "those who need it for that purpose, and never with anyone on a case's "
    "'must not receive' list."
)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


# --- Small helpers --------------------------------------------------------------


def _text(text: str | None) -> str:
    """Free text as it is kept: without the spaces around it."""
    return (text or "").strip()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def settings_for(partnership: Partnership) -> MaracSettings:
    """The partnership's settings, or the SafeLives defaults (unsaved) if never set."""
    return MaracSettings.objects.filter(partnership=partnership).first() or MaracSettings(
        partnership=partnership
    )


@dataclass(frozen=True)
class Identity:
    name: str
    dob: date | None = None
    address: str = ""
    age: int | None = None  # when the date of birth is not known


def identity_hash(
    identity: Identity, purpose: str, *, version: int | None = None
) -> crypto.Pseudonym:
    """Keyed hash of the normalised name and date of birth (when known), under the newest
    pseudonym key or the given `version`."""
    born = identity.dob.isoformat() if identity.dob else ""
    name = crypto.normalise_identifier(identity.name)
    return crypto.pseudonymise(f"{name}|{born}", purpose=purpose, version=version)


def identity_hashes(identity: Identity, purpose: str) -> list[crypto.Pseudonym]:
    """The person's hash under every pseudonym key held, so that a person is found whether
    their records were hashed before or after a key change (until rotate_marac_keys runs)."""
    return [identity_hash(identity, purpose, version=v) for v in sorted(crypto.pseudonym_keys())]


# --- Screening and the checklist ------------------------------------------------------


def screening_outcome(*, disclosed: bool, agrees_to_checklist: bool) -> str:
    """Disclosure leads to the checklist (or, if declined, a specialist); none to signposting."""
    if not disclosed:
        return Screening.Outcome.SIGNPOST
    if agrees_to_checklist:
        return Screening.Outcome.CHECKLIST
    return Screening.Outcome.SPECIALIST


@transaction.atomic
def screening_record(
    *,
    partnership: Partnership,
    practitioner,
    organisation: Organisation | None,
    screened_on: date,
    disclosed: bool,
    immediate_danger: bool,
    agrees_to_checklist: bool,
    request: HttpRequest | None = None,
) -> Screening:
    screening = Screening(
        partnership=partnership,
        practitioner=practitioner,
        organisation=organisation,
        screened_on=screened_on,
        disclosed=disclosed,
        immediate_danger=immediate_danger,
        agrees_to_checklist=agrees_to_checklist and disclosed,
        outcome=screening_outcome(disclosed=disclosed, agrees_to_checklist=agrees_to_checklist),
    )
    screening.full_clean()
    screening.save()
    record(
        action=AuditAction.CREATE,
        actor=practitioner,
        partnership=partnership,
        obj=screening,
        summary="Recorded a routine-enquiry screening",
        detail={"outcome": screening.outcome},
        request=request,
    )
    return screening


def thresholds_for(partnership: Partnership) -> dash.Thresholds:
    row = settings_for(partnership)
    return dash.Thresholds(incidents=row.escalation_incidents, crimes=row.escalation_crimes)


@transaction.atomic
def assessment_complete(
    *,
    partnership: Partnership,
    practitioner,
    organisation: Organisation | None,
    completed_on: date,
    answers: dict[int, str],
    police_incidents: int = 0,
    police_crimes: int = 0,
    professional_judgement: bool = False,
    judgement_reason: str = "",
    local_criteria: Iterable[LocalCriterion] = (),
    screening: Screening | None = None,
    request: HttpRequest | None = None,
) -> Assessment:
    """Score a completed checklist and record the MARAC criteria it meets."""
    expected = set(range(1, len(dash.QUESTIONS) + 1))
    if set(answers) != expected or not set(answers.values()) <= dash.Answer.VALUES:
        raise ValidationError("Answer every question with yes, no or not known.")
    if professional_judgement and not (judgement_reason or "").strip():
        raise ValidationError(
            {"judgement_reason": "Give the reason for referring on professional judgement."}
        )
    local_criteria = list(local_criteria)
    if any(c.partnership_id != partnership.pk or not c.active for c in local_criteria):
        raise ValidationError("Choose only this partnership's local criteria.")
    yes = dash.yes_count(answers)
    criteria = dash.criteria_met(
        yes=yes,
        professional_judgement=professional_judgement,
        police_incidents=police_incidents,
        police_crimes=police_crimes,
        thresholds=thresholds_for(partnership),
        local_codes=[c.code for c in local_criteria if c.automatic_referral],
    )
    assessment = Assessment(
        partnership=partnership,
        practitioner=practitioner,
        organisation=organisation,
        screening=screening,
        completed_on=completed_on,
        checklist_version=dash.VERSION,
        answers={str(k): v for k, v in sorted(answers.items())},
        yes_count=yes,
        police_incidents_12m=police_incidents,
        police_crimes_12m=police_crimes,
        professional_judgement=professional_judgement,
        judgement_reason=_text(judgement_reason) if professional_judgement else "",
        criteria=criteria,
    )
    assessment.full_clean()
    assessment.save()
    assessment.local_criteria.set(local_criteria)
    record(
        action=AuditAction.CREATE,
        actor=practitioner,
        partnership=partnership,
        obj=assessment,
        summary="Completed a DASH risk checklist",
        detail={"yes_count": yes, "criteria": criteria},
        request=request,
    )
    return assessment


# --- Referrals --------------------------------------------------------------------------


def find_repeat(
    *,
    partnership: Partnership,
    victim_hash: str,
    perpetrator_hashes: list[str],
    referred_on: date,
) -> Referral | None:
    """The last referral of the same victim and a same perpetrator within the past 12 months.

    "Within 12 months of the last referral": a referral on the anniversary of the last
    one is a repeat; a day later it is not.
    """
    if not victim_hash or not perpetrator_hashes:
        return None
    return (
        Referral.objects.filter(
            partnership=partnership,
            victim_hash=victim_hash,
            referred_on__gte=add_months(referred_on, -REPEAT_WINDOW_MONTHS),
            referred_on__lte=referred_on,
            perpetrators__person_hash__in=perpetrator_hashes,
        )
        .order_by("-referred_on", "-id")
        .first()
    )


def _next_reference(partnership: Partnership) -> str:
    MaracSettings.objects.get_or_create(partnership=partnership)
    row = MaracSettings.objects.select_for_update().get(partnership=partnership)
    number = row.next_reference
    row.next_reference = number + 1
    row.save(update_fields=["next_reference"])
    return f"MARAC-{number:05d}"


EARLIEST_REFERRAL = date(2000, 1, 1)  # before any MARAC: a mistyped year


def referral_date_check(referred_on: date, *, today: date | None = None) -> None:
    """A referral date is a real past day: not in the future, not before MARACs began."""
    today = today or date.today()
    if referred_on > today:
        raise ValidationError({"referred_on": "The referral date must be today or in the past."})
    if referred_on < EARLIEST_REFERRAL:
        raise ValidationError(
            {"referred_on": f"The referral date must be in {EARLIEST_REFERRAL.year} or later."}
        )


@dataclass
class ReferralDetails:
    """What the referral form gathers beyond the assessment."""

    victim: Identity
    perpetrators: list[Identity]
    victim_sex: str
    victim_ethnicity: str
    victim_sexual_orientation: str
    victim_disability: str
    victim_trans: str
    children_in_household: int
    victim_aware: bool
    victim_consented: bool
    no_consent_reason: str = ""
    must_not_receive: list[str] = field(default_factory=list)


def _referral_store(
    *,
    partnership: Partnership,
    details: ReferralDetails,
    victim_hash: crypto.Pseudonym,
    age: int | None,
    perpetrators: list[tuple[Identity, crypto.Pseudonym]],
    referred_on: date,
    organisation: Organisation,
    criteria: list,
    repeat_of: Referral | None,
    is_repeat: bool | None = None,
    **extra,
) -> Referral:
    """A checked referral written, with its perpetrators: identities encrypted (the fields
    do it) and hashed, the same for a referral made today and one recorded from history.
    `perpetrators` pairs each person with their identity hash; `is_repeat` defaults to
    whether a repeat was found."""
    victim = details.victim
    referral = Referral(
        partnership=partnership,
        reference=_next_reference(partnership),
        referred_on=referred_on,
        referring_organisation=organisation,
        criteria=criteria,
        is_repeat=repeat_of is not None if is_repeat is None else is_repeat,
        repeat_of=repeat_of,
        victim_name=_text(victim.name),
        victim_dob=victim.dob,
        victim_address=_text(victim.address),
        victim_hash=victim_hash.digest,
        victim_hash_version=victim_hash.key_version,
        victim_sex=details.victim_sex,
        victim_age=age,
        victim_ethnicity=details.victim_ethnicity,
        victim_sexual_orientation=details.victim_sexual_orientation,
        victim_disability=details.victim_disability,
        victim_trans=details.victim_trans,
        children_in_household=details.children_in_household,
        victim_aware=details.victim_aware,
        victim_consented=details.victim_consented,
        no_consent_reason="" if details.victim_consented else _text(details.no_consent_reason),
        **extra,
    )
    referral.full_clean()
    referral.save()
    for person, hashed in perpetrators:
        Perpetrator.objects.create(
            referral=referral,
            name=_text(person.name),
            dob=person.dob,
            address=_text(person.address),
            person_hash=hashed.digest,
            hash_version=hashed.key_version,
            age=age_on(person.dob, referred_on) if person.dob else person.age,
        )
    return referral


@transaction.atomic
def referral_make(
    *,
    assessment: Assessment,
    referrer,
    organisation: Organisation | None,
    referred_on: date,
    details: ReferralDetails,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Referral:
    """Refer the assessed case to MARAC, flagging a repeat automatically. `organisation` is
    the referrer's agency: none (a membership that names no agency) is refused. The referral
    date may be earlier than today (a referral recorded late), never later."""
    if organisation is None:
        raise ValidationError("Your membership names no agency: ask your admin.")
    referral_date_check(referred_on, today=today)
    partnership = assessment.partnership
    # Lock the assessment so a double submission refers it once, not a database error.
    Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
    if Referral.objects.filter(assessment=assessment).exists():
        raise ValidationError("This assessment has already been referred to MARAC.")
    if organisation.partnership_id != partnership.pk:
        raise ValidationError("The referring agency must belong to this partnership.")
    victim = details.victim
    if not victim.name.strip():
        raise ValidationError({"victim_name": "Enter the victim's name."})
    age = age_on(victim.dob, referred_on) if victim.dob else victim.age
    if age is not None and age < MIN_VICTIM_AGE:
        raise ValidationError(
            "MARAC is for victims aged 16 or over: refer a younger person to children's "
            "social care under your safeguarding procedures."
        )
    perpetrators = [p for p in details.perpetrators if p.name.strip()]
    if not perpetrators:
        raise ValidationError({"perpetrator_name": "Enter at least one perpetrator's name."})
    if not details.victim_consented and not details.no_consent_reason.strip():
        raise ValidationError(
            {"no_consent_reason": "Give the reason for referring without the victim's consent."}
        )
    victim_hash = identity_hash(victim, VICTIM_PURPOSE)
    perpetrator_hashes = [identity_hash(p, PERPETRATOR_PURPOSE) for p in perpetrators]
    previous = find_repeat(
        partnership=partnership,
        victim_hash=victim_hash.digest,
        perpetrator_hashes=[h.digest for h in perpetrator_hashes],
        referred_on=referred_on,
    )
    criteria = list(assessment.criteria)
    if previous is not None:
        criteria.append(dash.Criterion.REPEAT)
    if not criteria:
        raise ValidationError(
            "This case meets no MARAC referral criterion. Refer the victim to an IDVA or "
            "specialist service instead, or record your professional judgement on the checklist."
        )
    referral = _referral_store(
        partnership=partnership,
        details=details,
        victim_hash=victim_hash,
        age=age,
        perpetrators=list(zip(perpetrators, perpetrator_hashes, strict=True)),
        referred_on=referred_on,
        organisation=organisation,
        criteria=criteria,
        repeat_of=previous,
        assessment=assessment,
        referrer=referrer,
    )
    Exclusion.objects.bulk_create(
        Exclusion(referral=referral, detail=_text(line))
        for line in details.must_not_receive
        if line.strip()
    )
    record(
        action=AuditAction.CREATE,
        actor=referrer,
        partnership=partnership,
        obj=referral,
        summary="Made a MARAC referral",
        detail={
            "reference": referral.reference,
            "criteria": criteria,
            "repeat": referral.is_repeat,
        },
        request=request,
    )
    return referral


# --- History: past referrals and meetings, as a coordinator imports them -----------------


@dataclass
class PastReferral:
    """A referral heard at a past meeting, as the history import reads one row."""

    referred_on: date
    heard_on: date
    organisation: Organisation
    details: ReferralDetails
    repeat: bool | None = None  # None: worked out from earlier referrals, as on the form
    criteria: list[str] = field(default_factory=list)


def _past_meeting(
    *, partnership: Partnership, held_on: date, agency: Organisation, actor, request
) -> Meeting:
    """The meeting held on `held_on`, recorded as held if the platform does not have it yet,
    with `agency` among those invited (an imported meeting invites its cases' agencies)."""
    meeting = (
        Meeting.objects.select_for_update()
        .filter(partnership=partnership, held_on=held_on)
        .order_by("id")
        .first()
    )
    if meeting is None:
        meeting = Meeting.objects.create(
            partnership=partnership, held_on=held_on, status=Meeting.Status.HELD
        )
        record(
            action=AuditAction.CREATE,
            actor=actor,
            partnership=partnership,
            obj=meeting,
            summary="Recorded a past MARAC meeting (history import)",
            request=request,
        )
    elif meeting.status != Meeting.Status.HELD:
        raise ValidationError(
            {
                "heard_on": "A meeting on this date is scheduled but not marked as held: "
                "hold it, or correct the date."
            }
        )
    meeting.invited_agencies.add(agency)
    return meeting


@transaction.atomic
def referral_record_past(
    *,
    partnership: Partnership,
    past: PastReferral,
    actor,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Referral | None:
    """Record a referral already heard at a past MARAC (a coordinator's history import):
    identities encrypted and hashed as on the form, the meeting recorded as held, the case on
    its agenda. The same victim referred on the same day is already held: None, nothing
    written, so importing a file twice adds nothing twice."""
    today = today or date.today()
    referral_date_check(past.referred_on, today=today)
    if past.heard_on < past.referred_on or past.heard_on > today:
        raise ValidationError(
            {
                "heard_on": "The meeting date must be on or after the referral date, and not in "
                "the future."
            }
        )
    if past.organisation.partnership_id != partnership.pk:
        raise ValidationError({"organisation": "Choose one of this partnership's agencies."})
    details = past.details
    victim = details.victim
    victim_hash = identity_hash(victim, VICTIM_PURPOSE)
    if Referral.objects.filter(
        partnership=partnership, victim_hash=victim_hash.digest, referred_on=past.referred_on
    ).exists():
        return None
    age = age_on(victim.dob, past.referred_on) if victim.dob else victim.age
    if age is not None and age < MIN_VICTIM_AGE:
        raise ValidationError({"victim_dob": "MARAC is for victims aged 16 or over."})
    perpetrators = [p for p in details.perpetrators if p.name.strip()]
    perpetrator_hashes = [identity_hash(p, PERPETRATOR_PURPOSE) for p in perpetrators]
    previous = find_repeat(
        partnership=partnership,
        victim_hash=victim_hash.digest,
        perpetrator_hashes=[h.digest for h in perpetrator_hashes],
        referred_on=past.referred_on,
    )
    is_repeat = previous is not None if past.repeat is None else past.repeat
    criteria = list(past.criteria)
    if is_repeat and dash.Criterion.REPEAT not in criteria:
        criteria.append(dash.Criterion.REPEAT)
    referral = _referral_store(
        partnership=partnership,
        details=details,
        victim_hash=victim_hash,
        age=age,
        perpetrators=list(zip(perpetrators, perpetrator_hashes, strict=True)),
        referred_on=past.referred_on,
        organisation=past.organisation,
        criteria=criteria,
        repeat_of=previous if is_repeat else None,
        is_repeat=is_repeat,
    )
    meeting = _past_meeting(
        partnership=partnership,
        held_on=past.heard_on,
        agency=past.organisation,
        actor=actor,
        request=request,
    )
    AgendaItem.objects.create(
        meeting=meeting, referral=referral, position=meeting.agenda.count() + 1
    )
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=partnership,
        obj=referral,
        summary="Recorded a past MARAC referral (history import)",
        detail={"reference": referral.reference, "repeat": is_repeat, "meeting_id": meeting.pk},
        request=request,
    )
    return referral


# --- Reading a case (audited) ----------------------------------------------------------


@dataclass(frozen=True)
class PersonView:
    name: str
    dob: date | None
    address: str
    age: int | None


@dataclass(frozen=True)
class CaseView:
    victim: PersonView
    perpetrators: list[PersonView]
    must_not_receive: list[str]
    no_consent_reason: str
    judgement_reason: str
    notes: list[tuple]  # (when, author, text)
    actions: dict[int, tuple[str, str]]  # action id -> (description, completion note)


def _read_restricted(*, referral: Referral, actor, request, summary: str, **detail) -> None:
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=referral.partnership_id,
        obj=referral,
        summary=summary,
        detail={"reference": referral.reference, **detail},
        request=request,
    )


def case_read(*, referral: Referral, actor, request: HttpRequest | None = None) -> CaseView:
    """A case's identity, notes and actions for a MARAC role, with the read audited."""
    if referral.reduced_on:
        raise ValidationError("This case has been reduced to anonymous statistics.")
    victim = PersonView(
        referral.victim_name, referral.victim_dob, referral.victim_address, referral.victim_age
    )
    perpetrators = [
        PersonView(p.name, p.dob, p.address, p.age) for p in referral.perpetrators.all()
    ]
    view = CaseView(
        victim=victim,
        perpetrators=perpetrators,
        must_not_receive=[e.detail for e in referral.must_not_receive.all()],
        no_consent_reason=referral.no_consent_reason,
        judgement_reason=referral.assessment.judgement_reason if referral.assessment else "",
        notes=[(n.created_at, n.author, n.text) for n in referral.notes.all()],
        actions={a.pk: (a.description, a.completion_note) for a in referral.actions.all()},
    )
    _read_restricted(referral=referral, actor=actor, request=request, summary="Viewed a MARAC case")
    return view


def action_description_read(*, action: CaseAction, actor, request=None) -> str:
    """One action's text, for the agency completing it (an audited read)."""
    _read_restricted(
        referral=action.referral,
        actor=actor,
        request=request,
        summary="Viewed a MARAC case action",
        action_id=action.pk,
    )
    return action.description


@transaction.atomic
def case_note_add(*, referral: Referral, author, text: str, request=None) -> CaseNote:
    if not (text or "").strip():
        raise ValidationError({"text": "Enter the note."})
    note = CaseNote.objects.create(referral=referral, author=author, text=_text(text))
    record(
        action=AuditAction.CREATE,
        actor=author,
        partnership=referral.partnership_id,
        obj=note,
        summary="Added a note to a MARAC case",
        detail={"reference": referral.reference},
        request=request,
    )
    return note


@transaction.atomic
def case_seal(*, referral: Referral, sealed: bool, reason: str, named, actor, request=None):
    """Seal (or unseal) a case: then only the coordinator and the named representatives see it."""
    named = list(named)
    if sealed and not reason:
        raise ValidationError({"reason": "Choose why access to this case is restricted."})
    referral.sealed = sealed
    referral.sealed_reason = reason if sealed else ""
    referral.full_clean()
    referral.save(update_fields=["sealed", "sealed_reason"])
    referral.sealed_for.set(named if sealed else [])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=referral.partnership_id,
        obj=referral,
        summary="Sealed a MARAC case" if sealed else "Unsealed a MARAC case",
        detail={"reference": referral.reference, "named_user_ids": [u.pk for u in named]},
        request=request,
    )
    return referral


# --- Meetings ---------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *, partnership: Partnership, held_on: date, agencies, actor, request=None
) -> Meeting:
    agencies = list(agencies)
    if not agencies:
        raise ValidationError({"agencies": "Choose the agencies invited to the meeting."})
    if any(a.partnership_id != partnership.pk for a in agencies):
        raise ValidationError({"agencies": "Choose only this partnership's agencies."})
    meeting = Meeting.objects.create(partnership=partnership, held_on=held_on)
    meeting.invited_agencies.set(agencies)
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=partnership,
        obj=meeting,
        summary="Scheduled a MARAC meeting",
        request=request,
    )
    return meeting


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError("This meeting has been held: its agenda and attendance are closed.")


@transaction.atomic
def agenda_build(*, meeting: Meeting, actor, request=None) -> int:
    """Add every referral made since the last meeting that is not yet on an agenda."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_scheduled(meeting)
    waiting = Referral.objects.filter(
        partnership_id=meeting.partnership_id,
        agenda_item__isnull=True,
        referred_on__lte=meeting.held_on,
        reduced_on__isnull=True,
    ).order_by("referred_on", "id")
    start = meeting.agenda.count()
    items = [
        AgendaItem(meeting=meeting, referral=referral, position=start + n)
        for n, referral in enumerate(waiting, start=1)
    ]
    AgendaItem.objects.bulk_create(items)
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=meeting.partnership_id,
        obj=meeting,
        summary="Built a MARAC agenda",
        detail={"added": len(items)},
        request=request,
    )
    return len(items)


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    organisation: Organisation,
    attendee_name: str,
    accepted: bool,
    actor,
    accepted_at=None,
    request=None,
) -> Attendance:
    _require_scheduled(meeting)
    if not meeting.invited_agencies.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": "Choose an agency invited to this meeting."})
    if not accepted:
        raise ValidationError(
            {"accepted": "The attendee must accept the confidentiality statement to attend."}
        )
    attendance = Attendance(
        meeting=meeting,
        organisation=organisation,
        attendee_name=attendee_name.strip(),
        statement_version=CONFIDENTIALITY_STATEMENT_VERSION,
        statement_accepted_at=accepted_at or timezone.now(),
    )
    attendance.full_clean()
    attendance.save()
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=meeting.partnership_id,
        obj=attendance,
        summary="Recorded MARAC attendance and confidentiality statement",
        detail={"meeting_id": meeting.pk, "organisation_id": organisation.pk},
        request=request,
    )
    return attendance


@transaction.atomic
def meeting_hold(*, meeting: Meeting, actor, today: date, request=None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _require_scheduled(meeting)
    if meeting.held_on > today:
        raise ValidationError("A meeting cannot be marked as held before its date.")
    if not meeting.agenda.exists():
        raise ValidationError("Build the agenda before holding the meeting.")
    if not meeting.attendance.exists():
        raise ValidationError("Record who attended before holding the meeting.")
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=meeting.partnership_id,
        obj=meeting,
        summary="Held a MARAC meeting",
        request=request,
    )
    return meeting


# --- Case actions -----------------------------------------------------------------------


@transaction.atomic
def case_action_add(
    *,
    item: AgendaItem,
    organisation: Organisation,
    description: str,
    due_on: date,
    actor,
    request=None,
) -> CaseAction:
    meeting = item.meeting
    if organisation.partnership_id != meeting.partnership_id:
        raise ValidationError({"organisation": "Choose one of this partnership's agencies."})
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the action."})
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": "The due date must be on or after the meeting."})
    action = CaseAction.objects.create(
        referral=item.referral,
        meeting=meeting,
        organisation=organisation,
        description=_text(description),
        due_on=due_on,
    )
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=meeting.partnership_id,
        obj=action,
        summary="Agreed a MARAC case action",
        detail={"reference": item.referral.reference, "organisation_id": organisation.pk},
        request=request,
    )
    return action


@transaction.atomic
def case_action_complete(
    *,
    action: CaseAction,
    actor,
    agencies: set[int],
    coordinator: bool,
    completed_on: date,
    note: str,
    today: date,
    request=None,
) -> CaseAction:
    """An agency records that it has done its action (or the coordinator does for it)."""
    action = CaseAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
    if not coordinator and action.organisation_id not in agencies:
        raise PermissionDenied("Only the agency the action is assigned to can complete it.")
    if action.completed_on:
        raise ValidationError("This action has already been completed.")
    if completed_on > today:
        raise ValidationError({"completed_on": "The completion date cannot be in the future."})
    if completed_on < action.meeting.held_on:
        raise ValidationError({"completed_on": "The completion date must be after the meeting."})
    action.completed_on = completed_on
    action.completed_by = actor
    action.completion_note = _text(note)
    action.save(update_fields=["completed_on", "completed_by", "completion_note"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=action.referral.partnership_id,
        obj=action,
        summary="Completed a MARAC case action",
        detail={"on_time": action.on_time},
        request=request,
    )
    return action


def chase_due(*, today: date) -> QuerySet[CaseAction]:
    """Overdue open actions not chased within their partnership's chase interval."""
    overdue = CaseAction.objects.overdue(today)
    partnership_ids = set(overdue.values_list("referral__partnership_id", flat=True))
    intervals = dict(
        MaracSettings.objects.filter(partnership_id__in=partnership_ids).values_list(
            "partnership_id", "chase_interval_days"
        )
    )
    default = MaracSettings._meta.get_field("chase_interval_days").default
    due = Q(pk__in=[])
    for partnership_id in partnership_ids:
        since = today - timedelta(days=intervals.get(partnership_id, default))
        due |= Q(referral__partnership_id=partnership_id) & (
            Q(last_chased_on__isnull=True) | Q(last_chased_on__lte=since)
        )
    return overdue.filter(due)


def actions_chase(*, today: date) -> int:
    """Chase each overdue open action at most once per its partnership's chase interval
    (7 days unless set): idempotent for cron.

    Each agency's representatives get one email with a count and a link, never a case detail.
    """
    from vawg.accounts.models import Membership

    due = (
        chase_due(today=today)
        .select_related("referral", "organisation")
        .order_by("organisation_id", "id")
    )
    by_agency: dict[Organisation, list[CaseAction]] = {}
    for action in due:
        by_agency.setdefault(action.organisation, []).append(action)
    for agency, actions in by_agency.items():
        with transaction.atomic():
            ids = [a.pk for a in actions]
            CaseAction.objects.filter(pk__in=ids).update(
                last_chased_on=today, chase_count=F("chase_count") + 1
            )
            partnership = agency.partnership
            record(
                action=AuditAction.UPDATE,
                object_type="marac.CaseAction",
                partnership=partnership,
                summary="Chased overdue MARAC case actions",
                detail={"organisation_id": agency.pk, "action_ids": ids},
            )
            emails = list(
                Membership.objects.active()
                .filter(
                    partnership=partnership,
                    organisation=agency,
                    role=Role.MARAC_REPRESENTATIVE,
                )
                .values_list("user__email", flat=True)
            )
            if emails:
                link = (
                    settings.SITE_URL
                    + reverse("marac:action-list", kwargs={"partnership": partnership.slug})
                    + "?show=overdue"
                )
                send_mail(
                    "MARAC actions overdue",
                    f"{len(actions)} MARAC case action(s) for your agency are overdue.\n"
                    f"Sign in to see and complete them: {link}\n",
                    None,
                    emails,
                )
    return sum(len(a) for a in by_agency.values())


# --- Attachments ------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *,
    partnership: Partnership,
    kind: str,
    data: bytes,
    actor,
    today: date,
    referral: Referral | None = None,
    meeting: Meeting | None = None,
    request=None,
) -> Attachment:
    """Store a research pack or minutes, encrypted, after checking its size and real type."""
    if not data:
        raise ValidationError({"file": "The selected file is empty."})
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": "The selected file must be smaller than 10 MB."})
    kind_guess = filetype.guess(data)
    if kind_guess is None or kind_guess.extension not in ATTACHMENT_TYPES:
        raise ValidationError({"file": "The selected file must be a PDF or a Word (.docx) file."})
    attachment = Attachment(
        partnership=partnership,
        referral=referral,
        meeting=meeting,
        kind=kind,
        extension=kind_guess.extension,
        content_type=ATTACHMENT_TYPES[kind_guess.extension],
        size=len(data),
        content_enc=crypto.encrypt(data),
        uploaded_by=actor,
        uploaded_on=today,
    )
    attachment.full_clean()
    attachment.save()
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=partnership,
        obj=attachment,
        summary=f"Uploaded MARAC {attachment.get_kind_display().lower()}",
        request=request,
    )
    return attachment


def attachment_filename(attachment: Attachment) -> str:
    """The download's name: its case reference (or meeting) and kind, never the uploaded
    name, marked OFFICIAL-SENSITIVE because a research pack or minutes are case data."""
    referral = attachment.referral
    owner = referral.reference if referral is not None else f"meeting-{attachment.meeting_id}"
    kind = attachment.kind.replace("_", "-")
    return f"official-sensitive-{owner}-{kind}.{attachment.extension}"


def attachment_read(*, attachment: Attachment, actor, request=None) -> bytes:
    data = crypto.decrypt(attachment.content_enc)
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=attachment.partnership_id,
        obj=attachment,
        summary=f"Downloaded MARAC {attachment.get_kind_display().lower()}",
        detail={"reference": referral.reference if (referral := attachment.referral) else ""},
        request=request,
    )
    return data


# --- Settings and local criteria ------------------------------------------------------


@transaction.atomic
def settings_update(*, partnership: Partnership, actor, request=None, **values) -> MaracSettings:
    row, _ = MaracSettings.objects.get_or_create(partnership=partnership)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=row,
        summary="Changed MARAC settings",
        detail={k: v for k, v in values.items() if k != "population_source"},
        request=request,
    )
    return row


@transaction.atomic
def local_criterion_add(
    *,
    partnership: Partnership,
    code: str,
    label: str,
    automatic_referral: bool,
    actor,
    request=None,
) -> LocalCriterion:
    if LocalCriterion.objects.filter(partnership=partnership, code=code).exists():
        raise ValidationError({"code": "This partnership already has a criterion with that code."})
    criterion = LocalCriterion(
        partnership=partnership, code=code, label=label, automatic_referral=automatic_referral
    )
    criterion.full_clean()
    criterion.save()
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=partnership,
        obj=criterion,
        summary="Added a local MARAC criterion",
        request=request,
    )
    return criterion

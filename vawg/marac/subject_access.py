"""Subject access: every MARAC record about one victim, for the coordinator to answer their
request (UK GDPR Article 15), with other people's information redacted.

The rules of what is left out are here, once, as constants the page, the file and the
tests all read; docs/marac.md and docs/information-governance.md say why. Identity is
decrypted here for two purposes only, each audited: showing the coordinator whose records
were found, and writing the file. The audit trail holds case references, never the name.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.csvsafe import safe_cell
from vawg.marac import dash, selectors
from vawg.marac.models import Referral
from vawg.marac.selectors import MaracUser
from vawg.marac.services import (
    VICTIM_PURPOSE,
    Identity,
    PersonView,
    identity_hashes,
)

MARKING = "OFFICIAL-SENSITIVE"
REDACTED = "[redacted: third party]"
REVIEW = "free text: review for third parties before release"
SUBJECT = "marac.SubjectAccess"  # the audit trail's name for a search

FOUND_BY_REFERENCE = "reference"
FOUND_BY_NAME = "name_and_date_of_birth"

# Checklist questions about the abuser's own health, their criminal history, or harm they
# have done to other people: another person's special category or criminal offence data
# (UK GDPR Articles 9 and 10), and other victims. Their answers are withheld; the rest are
# the person's own account of what happened to them, and are kept.
THIRD_PARTY_QUESTIONS = frozenset({18, 21, 22, 23, 24})
THIRD_PARTY_QUESTION_NOTE = (
    "About the abuser's health, criminal history or harm to other people: withheld"
)
# Why a case was restricted says who works for a partner agency: shown only when it is
# the person themself.
SHOWN_SEALED_REASONS = frozenset({Referral.SealedReason.VICTIM_STAFF, Referral.SealedReason.OTHER})

# What is left out, and why: shown on the page before the download and on the file's
# first sheet, in the same words.
REDACTIONS: tuple[tuple[str, str], ...] = (
    (
        "The perpetrators' names, dates of birth, ages and addresses",
        f"They are another person's information. Each is written as “{REDACTED}”.",
    ),
    (
        "The people and addresses on the “must not receive” list",
        "They are other people, and the list exists to keep the person safe from them.",
    ),
    (
        "The answers to checklist questions "
        + ", ".join(str(n) for n in sorted(THIRD_PARTY_QUESTIONS)),
        "They are about the abuser's health, criminal history or harm to other people. "
        "The number of “yes” answers still counts them.",
    ),
    (
        "Why access to a case was restricted, when the reason is that the perpetrator works "
        "for a partner agency",
        "It is about the perpetrator's employment.",
    ),
    (
        "The names of staff: who referred, assessed, wrote a note, completed an action or "
        "uploaded a file",
        "Their agency is given instead.",
    ),
    (
        "Other cases on the same meeting agendas, and who attended the meetings",
        "They are other people's cases and the practitioners present.",
    ),
    (
        "The contents of research packs and minutes",
        "They are listed, not included: minutes cover every case heard at the meeting. "
        "Open each from the case page and take out only what is about this person.",
    ),
)
REVIEW_STATEMENT = (
    "Free text (notes, case actions and what was done, the reasons for referring without "
    "consent or on professional judgement) is included as written. It may name or describe "
    "other people: children, family members, the perpetrator, other victims, staff. Before "
    "anything is released, the coordinator must read every column marked “"
    + REVIEW
    + "” and remove what is about someone else, and consider whether releasing the file "
    "could put the person at risk, for example if the perpetrator could see it."
)


@dataclass(frozen=True)
class Subject:
    """One victim: the case they were found by, and every case of theirs in the partnership."""

    anchor: Referral
    cases: list[Referral]

    @property
    def references(self) -> list[str]:
        return [c.reference for c in self.cases]


def _identity(referral: Referral) -> Identity:
    return Identity(referral.victim_name, referral.victim_dob)


def _subject(who: MaracUser, anchor: Referral) -> Subject:
    """Every case of the anchor's victim: the same keyed hash of name and date of birth
    that finds repeats, under each pseudonym key held."""
    cases = list(selectors.cases_of_victim(who, identity_hashes(_identity(anchor), VICTIM_PURPOSE)))
    if anchor.pk not in {c.pk for c in cases}:  # e.g. hashed under a key since removed
        cases = sorted([anchor, *cases], key=lambda c: (c.referred_on, c.pk))
    return Subject(anchor=anchor, cases=cases)


def subject_find(
    *,
    who: MaracUser,
    actor,
    reference: str = "",
    name: str = "",
    dob: date | None = None,
    request: HttpRequest | None = None,
) -> Subject:
    """Find a victim by a case reference, or by name and date of birth. Every search is
    recorded, found or not, with the references found and never what was typed.

    Raises ValidationError (after recording the search) when nothing is found."""
    found_by = FOUND_BY_REFERENCE if reference else FOUND_BY_NAME
    subject, problem = None, None
    if reference:
        anchor = selectors.case_by_reference(who, reference)
        if anchor is None:
            problem = {"reference": f"No case in this partnership has the reference {reference}."}
        elif anchor.reduced_on:
            problem = {
                "reference": f"{anchor.reference} was reduced to anonymous statistics on "
                f"{anchor.reduced_on:%-d %B %Y}: it holds nothing that identifies anyone."
            }
        else:
            subject = _subject(who, anchor)
    else:
        cases = list(
            selectors.cases_of_victim(who, identity_hashes(Identity(name, dob), VICTIM_PURPOSE))
        )
        if cases:
            subject = Subject(anchor=cases[0], cases=cases)
        else:
            problem = {
                "name": "No case in this partnership has a victim with that name and date of "
                "birth. Check the spelling and the date, or search by case reference."
            }
    references = subject.references if subject else []
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=who.partnership,
        object_type=SUBJECT,
        summary="Searched for a person's MARAC cases (subject access)",
        detail={
            "found_by": found_by,
            "found": len(references),
            "reference": references[0] if references else "",
            "references": references,
        },
        request=request,
    )
    if subject is None:
        raise ValidationError(problem)
    return subject


def subject_load(*, who: MaracUser, pk: int) -> Subject:
    """The victim of case `pk` and all their cases; 404 if the case is out of reach or
    was reduced to anonymous statistics."""
    anchor = selectors.cases_visible_to(who).filter(pk=pk, reduced_on__isnull=True).first()
    if anchor is None:
        raise Http404
    return _subject(who, anchor)


def subject_identity_read(
    *, subject: Subject, actor, request: HttpRequest | None = None
) -> PersonView:
    """Whose records these are, for the coordinator to check before downloading: audited."""
    anchor = subject.anchor
    identity = _identity(anchor)
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=anchor.partnership_id,
        obj=anchor,
        summary="Viewed a person's MARAC cases for a subject access request",
        detail={"reference": anchor.reference, "references": subject.references},
        request=request,
    )
    return PersonView(identity.name, identity.dob, anchor.victim_address, anchor.victim_age)


# --- The file ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: list[str]
    rows: list[list]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _sealed_reason(case: Referral) -> str:
    if not case.sealed:
        return ""
    if case.sealed_reason in SHOWN_SEALED_REASONS:
        return case.get_sealed_reason_display()
    return REDACTED


def _referrals(cases: list[Referral], partnership) -> Sheet:
    rows = []
    for case in cases:
        person = _identity(case)
        rows.append(
            [
                case.reference,
                case.referred_on,
                case.referring_organisation.name,
                "; ".join(selectors.criteria_labels(case.criteria, partnership)),
                case.repeat_of.reference if case.repeat_of else "",
                person.name,
                person.dob,
                case.victim_age,
                case.victim_address,
                case.get_victim_sex_display(),
                case.get_victim_trans_display(),
                case.get_victim_ethnicity_display(),
                case.get_victim_sexual_orientation_display(),
                case.get_victim_disability_display(),
                case.children_in_household,
                _yes_no(case.victim_aware),
                _yes_no(case.victim_consented),
                case.no_consent_reason,
                _yes_no(case.sealed),
                _sealed_reason(case),
            ]
        )
    return Sheet(
        "Referrals",
        [
            "Case reference",
            "Referred on",
            "Referring agency",
            "Criteria met",
            "Repeat of",
            "Name",
            "Date of birth",
            "Age when referred",
            "Address",
            "Sex",
            "Gender identity differs from sex registered at birth",
            "Ethnic group",
            "Sexual orientation",
            "Disability",
            "Children in the household",
            "Aware of the referral",
            "Consented to the referral",
            f"Reason for referring without consent ({REVIEW})",
            "Access restricted",
            "Why access is restricted",
        ],
        rows,
    )


def _perpetrators(cases: list[Referral]) -> Sheet:
    rows = [
        [case.reference, number, REDACTED, REDACTED, REDACTED, REDACTED]
        for case in cases
        for number, _ in enumerate(case.perpetrators.all(), start=1)
    ]
    return Sheet(
        "Perpetrators",
        ["Case reference", "Perpetrator", "Name", "Date of birth", "Age", "Address"],
        rows,
    )


def _must_not_receive(cases: list[Referral]) -> Sheet:
    rows = [[case.reference, REDACTED] for case in cases for _ in case.must_not_receive.all()]
    return Sheet("Must not receive", ["Case reference", "Person or address"], rows)


def _checklists(cases: list[Referral]) -> tuple[Sheet, Sheet]:
    summary, answers = [], []
    for case in cases:
        assessment = case.assessment
        if assessment is None:
            continue
        summary.append(
            [
                case.reference,
                assessment.completed_on,
                assessment.checklist_version,
                assessment.organisation.name if assessment.organisation else "",
                assessment.yes_count,
                assessment.police_incidents_12m,
                assessment.police_crimes_12m,
                _yes_no(assessment.professional_judgement),
                assessment.judgement_reason,
                "; ".join(c.label for c in assessment.local_criteria.all()),
            ]
        )
        labels = dict(dash.Answer.CHOICES)
        for number, wording in enumerate(dash.QUESTIONS, start=1):
            withheld = number in THIRD_PARTY_QUESTIONS
            answer = assessment.answers.get(str(number), "")
            answers.append(
                [
                    case.reference,
                    number,
                    wording,
                    REDACTED if withheld else labels.get(answer, answer),
                    THIRD_PARTY_QUESTION_NOTE if withheld else "",
                ]
            )
    return (
        Sheet(
            "Risk checklists",
            [
                "Case reference",
                "Completed on",
                "Checklist",
                "Agency",
                "“Yes” answers (of 24, withheld answers included)",
                "Police incidents in the 12 months before",
                "Police crimes in the 12 months before",
                "Professional judgement",
                f"Reason for professional judgement ({REVIEW})",
                "Local criteria",
            ],
            summary,
        ),
        Sheet(
            "Checklist answers",
            ["Case reference", "Question", "Wording", "Answer", "Note"],
            answers,
        ),
    )


def _local(moment: datetime) -> datetime:
    """A time as the partnership reads it; a spreadsheet holds no time zone."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _notes(cases: list[Referral]) -> Sheet:
    rows = [
        [case.reference, _local(note.created_at), note.text]
        for case in cases
        for note in case.notes.all()
    ]
    return Sheet("Case notes", ["Case reference", "Written", f"Note ({REVIEW})"], rows)


def _actions(cases: list[Referral]) -> Sheet:
    rows = [
        [
            case.reference,
            action.meeting.held_on,
            action.organisation.name,
            action.description,
            action.due_on,
            action.completed_on,
            action.completion_note,
        ]
        for case in cases
        for action in case.actions.all()
    ]
    return Sheet(
        "Case actions",
        [
            "Case reference",
            "Meeting",
            "Agency",
            f"Action ({REVIEW})",
            "Due on",
            "Completed on",
            f"What was done ({REVIEW})",
        ],
        rows,
    )


def _meetings(cases: list[Referral]) -> Sheet:
    rows = []
    for case in cases:
        item = getattr(case, "agenda_item", None)
        if item is None:
            continue
        meeting = item.meeting
        rows.append(
            [
                case.reference,
                meeting.held_on,
                meeting.get_status_display(),
                item.position,
                "; ".join(sorted(a.name for a in meeting.invited_agencies.all())),
            ]
        )
    return Sheet(
        "Meetings",
        ["Case reference", "Meeting date", "Status", "Place on the agenda", "Agencies invited"],
        rows,
    )


PACK_NOTE = "Not in this file: open it from the case page and review it before release."
MINUTES_NOTE = (
    "Not in this file. Minutes of the whole meeting: they cover other people's cases, so "
    "release only the part about this person."
)


def _files(cases: list[Referral]) -> Sheet:
    rows = []
    for case in cases:
        files = [(f, PACK_NOTE) for f in case.attachments.all()]
        item = getattr(case, "agenda_item", None)
        if item is not None:
            files += [(f, MINUTES_NOTE) for f in item.meeting.attachments.all()]
        for file, note in files:
            rows.append(
                [
                    case.reference,
                    file.get_kind_display(),
                    file.uploaded_on,
                    file.extension.upper(),
                    round(file.size / 1024),
                    note,
                ]
            )
    return Sheet(
        "Files",
        ["Case reference", "Kind", "Uploaded on", "Type", "Size (KB)", "Note"],
        rows,
    )


def _cover(subject: Subject, partnership, today: date) -> Sheet:
    rows = [
        ["Marking", MARKING],
        [
            "What this is",
            "The MARAC records about one person, gathered for their subject access request "
            "(UK GDPR Article 15).",
        ],
        ["Partnership", partnership.name],
        ["Produced on", today],
        ["Cases", ", ".join(subject.references)],
        ["Before release", REVIEW_STATEMENT],
        *(["Left out", f"{what}. {why}"] for what, why in REDACTIONS),
        [
            "Sheets",
            "Referrals; Perpetrators; Must not receive; Risk checklists; Checklist answers; "
            "Case notes; Case actions; Meetings; Files.",
        ],
    ]
    return Sheet(MARKING, ["Item", "Detail"], rows)


def _cell(value):
    """A value as the spreadsheet should hold it: text that a spreadsheet would run as a
    formula is neutralised (core.csvsafe), as in every other download."""
    if value is None or isinstance(value, int | float | date):
        return value
    return safe_cell(value)


def _workbook(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(sheet.title[:31])
        # Printed pages carry the marking at the top and bottom too.
        page.oddHeader.center.text = MARKING
        page.oddFooter.center.text = MARKING
        page.append(sheet.headers)
        for cell in page[1]:
            cell.font = bold
        page.freeze_panes = "A2"
        for row in sheet.rows:
            page.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def subject_access_export(
    *, who: MaracUser, subject: Subject, actor, today: date, request: HttpRequest | None = None
) -> ExportFile:
    """The workbook of every record about the subject, marked OFFICIAL-SENSITIVE, with third
    parties redacted. Each case exported is recorded in the audit trail by reference."""
    partnership = who.partnership
    cases = selectors.cases_for_subject_access(who, [c.pk for c in subject.cases])
    checklists, answers = _checklists(cases)
    content = _workbook(
        [
            _cover(subject, partnership, today),
            _referrals(cases, partnership),
            _perpetrators(cases),
            _must_not_receive(cases),
            checklists,
            answers,
            _notes(cases),
            _actions(cases),
            _meetings(cases),
            _files(cases),
        ]
    )
    references = [c.reference for c in cases]
    with transaction.atomic():
        for case in cases:
            record(
                action=AuditAction.EXPORT,
                actor=actor,
                partnership=partnership,
                obj=case,
                summary="Exported in a subject access response",
                detail={"reference": case.reference, "references": references, "format": "xlsx"},
                request=request,
            )
    filename = f"official-sensitive-{partnership.slug}-marac-subject-access-{references[0]}.xlsx"
    return ExportFile(filename=filename, content=content)

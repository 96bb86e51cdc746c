"""The MARAC meeting pack: the agenda as a PDF for the coordinator to send to the agencies.

Marked OFFICIAL-SENSITIVE at the top and bottom of every page, with the confidentiality
statement. The usual pack names no one: cases are their references, with the repeat and
children flags, the criteria met and the agencies asked to research them. The named version
(victims' and perpetrators' names, dates of birth and addresses) is the coordinator's
deliberate choice and is audited as a restricted read, apart from the ordinary pack's export.
A restricted (sealed) case never shows its people, even in the named version.

Made while the coordinator waits: an agenda is a few dozen cases, a second or two to render.
"""

from dataclasses import dataclass, field
from datetime import date

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.exchange.exporting import OFFICIAL_SENSITIVE, ExportFile, record_export, safe_filename
from vawg.marac import selectors, services
from vawg.marac.models import Meeting

CONTENT_TYPE = "application/pdf"
PACK_STATEMENT = (
    "This pack is confidential. It is for the agencies invited to this MARAC, to research the "
    "cases listed and bring what they hold to the meeting. Keep it secure, share it only with "
    "those who need it for that purpose, and destroy it when the meeting's actions are done."
)


@dataclass(frozen=True)
class PackPerson:
    name: str
    dob: date | None
    address: str


@dataclass(frozen=True)
class PackCase:
    pk: int
    position: int
    reference: str
    referred_on: date
    agency: str
    repeat: bool
    children: int
    criteria: list[str]
    restricted: bool
    # Only in the named version, and never for a restricted case.
    victim: PackPerson | None = None
    perpetrators: list[PackPerson] = field(default_factory=list)


def pack_cases(who: selectors.MaracUser, meeting: Meeting, *, named: bool) -> list[PackCase]:
    cases = []
    for item in selectors.pack_agenda(who, meeting):
        referral = item.referral
        people = named and not referral.sealed and not referral.reduced_on
        cases.append(
            PackCase(
                pk=referral.pk,
                position=item.position,
                reference=referral.reference,
                referred_on=referral.referred_on,
                agency=referral.referring_organisation.name,
                repeat=referral.is_repeat,
                children=referral.children_in_household,
                criteria=selectors.criteria_labels(referral.criteria, meeting.partnership),
                restricted=referral.sealed,
                victim=(
                    PackPerson(referral.victim_name, referral.victim_dob, referral.victim_address)
                    if people
                    else None
                ),
                perpetrators=(
                    [PackPerson(p.name, p.dob, p.address) for p in referral.perpetrators.all()]
                    if people
                    else []
                ),
            )
        )
    return cases


def _refuse_fetch(url: str, *args, **kwargs):
    # The pack is one self-contained page: nothing is fetched while it is drawn.
    raise ValueError(f"The meeting pack loads nothing ({url}).")


def render_pack(meeting: Meeting, cases: list[PackCase], *, named: bool) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    html = render_to_string(
        "marac/meeting_pack.html",
        {
            "meeting": meeting,
            "cases": cases,
            "named": named,
            "agencies": sorted(a.name for a in meeting.invited_agencies.all()),
            "marking": OFFICIAL_SENSITIVE,
            "pack_statement": PACK_STATEMENT,
            "statement": services.CONFIDENTIALITY_STATEMENT,
            "statement_version": services.CONFIDENTIALITY_STATEMENT_VERSION,
            "made_at": timezone.localtime(),
        },
    )
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def meeting_pack(
    *,
    who: selectors.MaracUser,
    meeting: Meeting,
    named: bool,
    request: HttpRequest | None = None,
) -> ExportFile:
    """The pack as a PDF, its download recorded: an export for the pack without names; a
    restricted read of the meeting and of each case named for the named version."""
    cases = pack_cases(who, meeting, named=named)
    content = render_pack(meeting, cases, named=named)
    detail = {"version": "named" if named else "anonymous", "cases": len(cases)}
    if named:
        for case in cases:
            if case.victim is not None:
                record(
                    action=AuditAction.READ_RESTRICTED,
                    actor=who.user,
                    partnership=meeting.partnership_id,
                    object_type="marac.Referral",
                    object_id=case.pk,
                    summary="Named in a downloaded MARAC meeting pack",
                    detail={"reference": case.reference, "meeting_id": meeting.pk},
                    request=request,
                )
        record(
            action=AuditAction.READ_RESTRICTED,
            actor=who.user,
            partnership=meeting.partnership_id,
            obj=meeting,
            summary="Downloaded the named MARAC meeting pack (PDF)",
            detail={**detail, "references": [c.reference for c in cases if c.victim]},
            request=request,
        )
    else:
        record_export(
            fmt="pdf",
            what="the MARAC meeting pack",
            partnership=meeting.partnership_id,
            subject=meeting,
            detail=detail,
            actor=who.user,
            request=request,
        )
    version = "named-" if named else ""
    filename = f"official-sensitive-marac-pack-{version}{meeting.held_on.isoformat()}.pdf"
    return ExportFile(content, CONTENT_TYPE, safe_filename(filename))

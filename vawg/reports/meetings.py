"""Writing governance bodies' meeting dates (reads are vawg.core.meetings, for every app).

Each change is recorded in the audit trail. A date is a fact about a body, not a plan of
work, so a meeting whose date has passed is "held" without anyone marking it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from vawg.audit.services import Action, record
from vawg.core.models import BodyMeeting, PartnershipBody


def _recorded(action: str, meeting: BodyMeeting, actor, summary: str) -> None:
    record(
        action=action,
        actor=actor,
        partnership=meeting.body.partnership_id,
        obj=meeting,
        summary=summary,
        detail={"body": meeting.body_id, "date": meeting.held_on.isoformat()},
    )


@transaction.atomic
def meeting_save(
    *,
    body: PartnershipBody,
    held_on: date,
    actor,
    title: str = "",
    notes: str = "",
    meeting: BodyMeeting | None = None,
) -> BodyMeeting:
    """Add a meeting of `body`, or change `meeting`. One meeting per body per day."""
    if meeting is not None and meeting.body_id != body.pk:
        raise ValidationError("A meeting stays with its own body.")
    clash = BodyMeeting.objects.filter(body=body, held_on=held_on)
    if meeting is not None:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        raise ValidationError(
            {"held_on": f"The {body.name} already has a meeting on {held_on:%-d %B %Y}."}
        )
    is_new = meeting is None
    meeting = meeting or BodyMeeting(body=body)
    meeting.held_on, meeting.title, meeting.notes = held_on, title.strip(), notes.strip()
    meeting.full_clean()
    meeting.save()
    verb = "Added" if is_new else "Changed"
    _recorded(
        Action.CREATE if is_new else Action.UPDATE,
        meeting,
        actor,
        f"{verb} a meeting of a governance body ({held_on.isoformat()})",
    )
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: BodyMeeting, actor) -> None:
    _recorded(Action.DELETE, meeting, actor, "Removed a meeting of a governance body")
    meeting.delete()


@dataclass(frozen=True)
class Added:
    added: list[date]
    already: list[date]


@transaction.atomic
def meetings_add_dates(*, body: PartnershipBody, dates: Iterable[date], actor) -> Added:
    """Past (or planned) meeting dates entered together: each date not yet recorded for
    `body` is added; a date already there is left as it is, so entering a list twice adds
    nothing the second time."""
    wanted = sorted(set(dates))
    have = set(
        BodyMeeting.objects.filter(body=body, held_on__in=wanted).values_list("held_on", flat=True)
    )
    new = [day for day in wanted if day not in have]
    BodyMeeting.objects.bulk_create([BodyMeeting(body=body, held_on=day) for day in new])
    if new:
        record(
            action=Action.LOAD,
            actor=actor,
            partnership=body.partnership_id,
            obj=body,
            summary=f"Entered {len(new)} meeting date(s) of a governance body",
            detail={"dates": [day.isoformat() for day in new]},
        )
    return Added(added=new, already=sorted(have))

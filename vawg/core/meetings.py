"""Governance bodies' meetings: which body is the partnership's board, and its meetings.

Reads only, for every app (delivery's "What changed since the last board", the reports,
the home page). Writing meetings is the reports app's (vawg.reports.meetings), which records
each change in the audit trail.
"""

from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.text import slugify

from vawg.core.models import BodyMeeting, Partnership, PartnershipBody

# The kinds of body that can be a partnership's strategic board, most likely first: a
# strategy names a board (Wandsworth's Strategic Partnership Board), or else the group that
# monitors the plan (Lambeth's VAWG Strategy Delivery Group).
BOARD_KINDS = (PartnershipBody.Kind.BOARD, PartnershipBody.Kind.DELIVERY_GROUP)


def strategic_board(partnership: Partnership) -> PartnershipBody | None:
    """The body the partnership's board pack is for by default: its first board, else its
    first delivery group (bodies in their own order)."""
    rank = Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(BOARD_KINDS)),
        output_field=IntegerField(),
    )
    return (
        PartnershipBody.objects.filter(partnership=partnership, kind__in=BOARD_KINDS)
        .annotate(rank=rank)
        .order_by("rank", "order", "name")
        .first()
    )


def body_slug(body: PartnershipBody) -> str:
    """A body's name in a URL or on the command line: bodies have no slug field of their
    own, and names are unique within a partnership, so slugify(name) names one body."""
    return slugify(body.name)


def body_by_slug(partnership: Partnership, slug: str) -> PartnershipBody | None:
    for body in PartnershipBody.objects.filter(partnership=partnership):
        if body_slug(body) == slug:
            return body
    return None


def meetings_of(body: PartnershipBody) -> QuerySet[BodyMeeting]:
    return BodyMeeting.objects.filter(body=body)


def last_held(body: PartnershipBody | None, on: date) -> BodyMeeting | None:
    """The latest meeting of `body` on or before `on`."""
    if body is None:
        return None
    return meetings_of(body).held_before(on).first()


def next_planned(body: PartnershipBody | None, on: date) -> BodyMeeting | None:
    """The next meeting of `body` after `on`."""
    if body is None:
        return None
    return meetings_of(body).planned_after(on).first()


def last_board_meeting(partnership: Partnership, on: date) -> BodyMeeting | None:
    """The last meeting held by the partnership's strategic board (None: no board, or no
    meeting recorded yet)."""
    return last_held(strategic_board(partnership), on)

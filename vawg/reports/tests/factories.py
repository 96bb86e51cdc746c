"""Small builders for the reports tests."""

from datetime import date

from vawg.core.models import BodyMeeting, Partnership, PartnershipBody
from vawg.core.testing import make_body
from vawg.reports.models import ReportRequest


def make_board(partnership: Partnership, name: str = "VAWG Strategic Board") -> PartnershipBody:
    return PartnershipBody.objects.filter(partnership=partnership, name=name).first() or make_body(
        partnership, name, kind=PartnershipBody.Kind.BOARD
    )


def make_meeting(body: PartnershipBody, held_on: date = date(2026, 3, 10), **extra) -> BodyMeeting:
    return BodyMeeting.objects.create(body=body, held_on=held_on, **extra)


def make_report(partnership: Partnership, user, **extra) -> ReportRequest:
    """A finished board pack, its file kept."""
    values = {
        "kind": "board-pack",
        "partnership": partnership,
        "period_label": "2025/26 Q3",
        "period_start": date(2025, 10, 1),
        "period_end": date(2025, 12, 31),
        "reader": "board",
        "fmt": "pdf",
        "status": ReportRequest.Status.DONE,
        "percent": 100,
        "requested_by": user,
        "content": b"%PDF-1.7 a synthetic pack",
        "filename": f"{partnership.slug}-board-pack-2025-26-q3.pdf",
        "content_type": "application/pdf",
    }
    values.update(extra)
    return ReportRequest.objects.create(**values)

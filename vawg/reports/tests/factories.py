"""Small builders for the reports tests."""

from datetime import date

from vawg.core.models import BodyMeeting, Partnership, PartnershipBody, Region
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


def make_region_return(region: Region, user, partnership: Partnership | None = None, **extra):
    """A finished regional return the region's officer asked for: one borough's, or the
    region's combined workbook (no partnership)."""
    scope = partnership.slug if partnership else f"{region.slug}-region"
    values = {
        "kind": "regional-return",
        "partnership": partnership,
        "region": region,
        "period_label": "2025/26",
        "period_start": date(2025, 4, 1),
        "period_end": date(2026, 3, 31),
        "reader": "regional",
        "fmt": "xlsx",
        "status": ReportRequest.Status.DONE,
        "percent": 100,
        "requested_by": user,
        "content": b"PK a synthetic workbook",
        "filename": f"{scope}-regional-return-2025-26.xlsx",
        "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    values.update(extra)
    return ReportRequest.objects.create(**values)

"""The support directory's listings as a table to download (CSV or XLSX), for the staff who
keep them; vawg.exchange.exporting writes, marks and records every download."""

from datetime import date

from vawg.core.models import Partnership
from vawg.directory.models import Service
from vawg.exchange.exporting import Table

HEADERS = [
    "Provider",
    "Service",
    "What it offers",
    "Helps with",
    "Specifically for",
    "Languages",
    "Interpreters",
    "Who can use it",
    "Phone",
    "Text",
    "Email",
    "Website",
    "Walk in",
    "Getting help",
    "Opening hours",
    "Free",
    "Confidential",
    "Owner",
    "Review by",
    "Last checked",
    "Status",
]


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def _status(service: Service, on: date) -> str:
    if service.retired_at is not None:
        return "Retired"
    return "Review overdue" if service.is_stale(on) else "Current"


def listings_table(*, partnership: Partnership, listings, on: date) -> Table:
    rows = [
        [
            s.provider,
            s.name,
            s.summary,
            "; ".join(str(n) for n in s.needs.all()),
            "; ".join(str(a) for a in s.audiences.all()) or "Anyone",
            "; ".join(str(lang) for lang in s.languages.all()),
            _yes(s.interpreters),
            s.get_area_display(),
            s.phone,
            s.text_number,
            s.email,
            s.website,
            s.walk_in,
            s.get_access_display(),
            s.opening_hours,
            _yes(s.free),
            _yes(s.confidential),
            s.owner.get_full_name() or s.owner.username,
            s.review_due,
            s.last_reviewed_on or "",
            _status(s, on),
        ]
        for s in listings
    ]
    return Table(
        name=f"{partnership.slug}-support-directory-{on.isoformat()}",
        headers=HEADERS,
        rows=rows,
        title="Directory",
        what="the support directory",
        subject="directory.Service",
    )

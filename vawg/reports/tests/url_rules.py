"""Who may see each reports URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from vawg.core.tests.sweep import REGIONAL, Rule, holders

VIEW = holders("reports.view")
MAKE = holders("reports.make")
MEETINGS = holders("meetings.manage")

RULES: dict = {
    "reports:list": Rule(VIEW),
    "reports:make": Rule(MAKE, post_only=True),
    "reports:detail": Rule(VIEW),
    "reports:download": Rule(VIEW),
    "reports:remake": Rule(MAKE, post_only=True),
    "reports:meetings": Rule(MEETINGS),
    "reports:meeting-dates": Rule(MEETINGS),
    "reports:meeting-edit": Rule(MEETINGS),
    "reports:meeting-delete": Rule(MEETINGS, post_only=True),
    "reports:region-returns": Rule(REGIONAL),
    "reports:region-make": Rule(REGIONAL, post_only=True),
    "reports:region-detail": Rule(REGIONAL),
    "reports:region-download": Rule(REGIONAL),
    "reports:region-remake": Rule(REGIONAL, post_only=True),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """A finished report with its file, a region's finished return, and a meeting of a board."""
    from vawg.reports.tests.factories import (
        make_board,
        make_meeting,
        make_region_return,
        make_report,
    )

    report = make_report(partnership, personas["partnership_admin"])
    region = partnership.region
    region_return = make_region_return(region, personas["regional_officer"])
    meeting = make_meeting(make_board(partnership))
    return {
        "reports:detail": {"pk": report.pk},
        "reports:download": {"pk": report.pk},
        "reports:remake": {"pk": report.pk},
        "reports:meeting-edit": {"pk": meeting.pk},
        "reports:meeting-delete": {"pk": meeting.pk},
        "reports:region-make": {"region": region.slug},
        "reports:region-detail": {"region": region.slug, "pk": region_return.pk},
        "reports:region-download": {"region": region.slug, "pk": region_return.pk},
        "reports:region-remake": {"region": region.slug, "pk": region_return.pk},
    }

"""What reports add to the home page (vawg.core.home): for the strategic lead, the
board's next meeting and whether its pack has been made; for a board member, the latest
pack to read."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from vawg.core.home import Group, HomeItem, Shown, home_items
from vawg.core.permissions import Role
from vawg.reports import selectors


def home_next_board(request: HttpRequest, today: date) -> Shown | None:
    found = selectors.next_board(partnership=request.partnership, today=today)
    slug = request.partnership.slug
    if found is None:
        return None
    if found.meeting is None:
        return Shown(
            f"No meeting of the {found.body.name} is planned",
            reverse("reports:meetings", kwargs={"partnership": slug}),
        )
    when = f"Next {found.body.name} meeting: {found.meeting.held_on:%-d %B %Y}"
    if found.pack is None and found.period.end >= today:
        return Shown(
            f"{when}. Its board pack covers {found.period.label}, "
            f"which can be made once the quarter ends on {found.period.end:%-d %B %Y}",
            reverse("reports:meetings", kwargs={"partnership": slug}),
        )
    if found.pack is None:
        return Shown(
            f"{when}. Board pack for {found.period.label}: not made yet",
            reverse("reports:list", kwargs={"partnership": slug}),
        )
    return Shown(
        f"{when}. Board pack for {found.period.label}: {found.pack.get_status_display().lower()}",
        reverse("reports:detail", kwargs={"partnership": slug, "pk": found.pack.pk}),
    )


def home_latest_pack(request: HttpRequest, today: date) -> Shown:
    slug = request.partnership.slug
    pack = selectors.latest_board_pack(partnership=request.partnership)
    if pack is None:
        return Shown(
            "No board pack has been made yet", reverse("reports:list", kwargs={"partnership": slug})
        )
    text = f"Board pack for {pack.period_label}"
    if pack.body:
        text += f" ({pack.body.name})"
    if pack.finished_at:
        text += f", made {timezone.localdate(pack.finished_at):%-d %B %Y}"
    return Shown(text, reverse("reports:detail", kwargs={"partnership": slug, "pk": pack.pk}))


def register() -> None:
    home_items.register(
        "reports.next_board",
        HomeItem(
            home_next_board,
            "reports.make",
            group=Group.GLANCE,
            roles=frozenset({Role.PARTNERSHIP_ADMIN}),
        ),
        order=15,
    )
    home_items.register(
        "reports.latest_pack",
        HomeItem(
            home_latest_pack,
            "reports.view",
            group=Group.GLANCE,
            roles=frozenset({Role.BOARD_MEMBER}),
        ),
        order=16,
    )

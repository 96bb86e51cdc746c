"""What MARAC adds to the home page, registered from MaracConfig.ready() (vawg.core.home):
core imports none of it."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import Group, HomeItem, Shown, home_items, plural
from vawg.core.region import RegionSection, region_sections
from vawg.marac import home, selectors
from vawg.marac.region import marac_section


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return reverse(f"marac:{name}", kwargs={"partnership": request.partnership.slug, **kwargs})


def _who(request: HttpRequest) -> selectors.MaracUser:
    return selectors.marac_user(request.user, request.partnership, request.roles)


def home_next_meeting(request: HttpRequest, today: date) -> Shown:
    meeting = selectors.next_meeting(_who(request), on=today)
    if meeting is None:
        return Shown("No MARAC meeting is scheduled", _url(request, "meeting-new"))
    return Shown(
        f"Next MARAC meeting: {meeting.held_on:%-d %B %Y}",
        _url(request, "meeting-detail", pk=meeting.pk),
    )


def home_referrals_not_listed(request: HttpRequest, today: date) -> Shown:
    count = selectors.referrals_not_listed(partnership=request.partnership)
    meeting = selectors.next_meeting(_who(request), on=today)
    # Listed from the next meeting's agenda (its button adds them); with none scheduled,
    # by arranging one.
    url = (
        _url(request, "meeting-detail", pk=meeting.pk) + "#agenda"
        if meeting is not None
        else _url(request, "meeting-new")
    )
    text = f"{plural(count, 'referral', 'referrals')} not yet on a meeting's agenda"
    return Shown(text, url, count=count)


def home_actions_overdue(request: HttpRequest, today: date) -> Shown:
    count = selectors.overdue_action_count(_who(request), on=today)
    text = f"{plural(count, 'MARAC action', 'MARAC actions')} overdue"
    return Shown(text, _url(request, "action-list") + "?show=overdue", count=count)


def register() -> None:
    region_sections.register("marac.cases", RegionSection(marac_section), order=50)
    home_items.register(
        "marac.next_meeting",
        HomeItem(home_next_meeting, "marac.coordinate", group=Group.GLANCE),
        order=70,
    )
    home_items.register(
        "marac.not_listed", HomeItem(home_referrals_not_listed, "marac.coordinate"), order=71
    )
    home_items.register(
        "marac.actions_overdue", HomeItem(home_actions_overdue, "marac.coordinate"), order=72
    )
    home.register()  # the practitioner's and the representative's items

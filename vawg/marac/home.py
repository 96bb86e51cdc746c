"""The practitioner's and the MARAC representative's home page items, registered from
vawg.marac.contributions (vawg.core.home): core imports none of it.

MARAC items are counts and links only: no case reference, name or description is put
on the home page, which anyone passing a screen can read.
"""

from datetime import date, timedelta

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import Group, HomeItem, Line, Shown, home_items, plural
from vawg.core.permissions import Role
from vawg.marac import selectors

# Screenings and checklists older than this are not work in progress: a practitioner who
# chose not to go on, or to signpost instead, is not reminded of them for ever.
IN_PROGRESS_DAYS = 28
# A representative is told of their agency's actions falling due this far ahead.
DUE_SOON_DAYS = 14

PRACTITIONER = frozenset({Role.PRACTITIONER})
REPRESENTATIVE = frozenset({Role.MARAC_REPRESENTATIVE})


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return reverse(f"marac:{name}", kwargs={"partnership": request.partnership.slug, **kwargs})


def _who(request: HttpRequest) -> selectors.MaracUser:
    return selectors.marac_user(request.user, request.partnership, request.roles)


# --- The practitioner: their own screenings, checklists and referrals ------------------


def home_screenings_waiting(request: HttpRequest, today: date) -> Shown:
    """Screenings whose next step is the risk checklist, each linked to its checklist."""
    since = today - timedelta(days=IN_PROGRESS_DAYS)
    waiting = list(selectors.screenings_awaiting_checklist(_who(request), since=since))
    start = _url(request, "assessment-new")
    lines = tuple(
        Line(f"Screening of {s.screened_on:%-d %B %Y}", f"{start}?screening={s.pk}")
        for s in waiting
    )
    text = f"{plural(len(waiting), 'screening', 'screenings')} waiting for a risk checklist"
    url = lines[0].url if len(lines) == 1 else _url(request, "home")
    return Shown(text, url, count=len(waiting), lines=lines if len(lines) > 1 else ())


def home_checklists_not_referred(request: HttpRequest, today: date) -> Shown:
    """Checklists that meet the MARAC criteria with no referral made, each linked to the
    checklist's page, where the referral is made."""
    since = today - timedelta(days=IN_PROGRESS_DAYS)
    found = selectors.checklists_not_referred(_who(request), since=since)
    lines = tuple(
        Line(
            f"Risk checklist of {a.completed_on:%-d %B %Y}",
            _url(request, "assessment-detail", pk=a.pk),
        )
        for a in found
    )
    text = (
        f"{plural(len(found), 'risk checklist', 'risk checklists')} meeting MARAC criteria, "
        "not yet referred"
    )
    url = lines[0].url if len(lines) == 1 else _url(request, "home")
    return Shown(text, url, count=len(found), lines=lines if len(lines) > 1 else ())


def home_referrals_waiting(request: HttpRequest, today: date) -> Shown:
    count = selectors.own_referrals_waiting(_who(request))
    text = f"{plural(count, 'referral', 'referrals')} you made, not yet on a MARAC agenda"
    return Shown(text, _url(request, "referral-list"), count=count)


def home_start_screening(request: HttpRequest, today: date) -> Shown:
    return Shown("Start a screening (routine enquiry)", _url(request, "screening-new"))


def home_start_checklist(request: HttpRequest, today: date) -> Shown:
    return Shown("Complete a risk checklist (DASH)", _url(request, "assessment-new"))


# --- The MARAC representative: their agency's meetings and actions ----------------------


def home_agency_meeting(request: HttpRequest, today: date) -> Shown | None:
    who = _who(request)
    if who.coordinator:
        return None  # the coordinator's own item says when the next meeting is
    meeting = selectors.next_meeting(who, on=today)
    if meeting is None:
        return Shown(
            "No MARAC meeting your agency attends is scheduled", _url(request, "meeting-list")
        )
    return Shown(
        f"Next MARAC meeting your agency attends: {meeting.held_on:%-d %B %Y}",
        _url(request, "meeting-detail", pk=meeting.pk),
    )


def home_agency_actions_overdue(request: HttpRequest, today: date) -> Shown | None:
    who = _who(request)
    if who.coordinator:
        return None  # counted, for every agency, by the coordinator's item
    count = selectors.overdue_action_count(who, on=today)
    text = f"{plural(count, 'MARAC action', 'MARAC actions')} for your agency overdue"
    return Shown(text, _url(request, "action-list") + "?show=overdue", count=count)


def home_agency_actions_due(request: HttpRequest, today: date) -> Shown | None:
    who = _who(request)
    if who.coordinator:
        return None
    until = today + timedelta(days=DUE_SOON_DAYS)
    count = selectors.agency_actions_due(who, on=today, until=until)
    text = (
        f"{plural(count, 'MARAC action', 'MARAC actions')} for your agency due by {until:%-d %B %Y}"
    )
    return Shown(text, _url(request, "action-list") + "?show=open", count=count)


def register() -> None:
    items = (
        ("marac.screenings_waiting", home_screenings_waiting, "marac.refer", Group.ATTENTION, ()),
        ("marac.not_referred", home_checklists_not_referred, "marac.refer", Group.ATTENTION, ()),
        ("marac.own_waiting", home_referrals_waiting, "marac.refer", Group.ATTENTION, ()),
        ("marac.start_screening", home_start_screening, "marac.refer", Group.GLANCE, PRACTITIONER),
        ("marac.start_checklist", home_start_checklist, "marac.refer", Group.GLANCE, PRACTITIONER),
        ("marac.agency_meeting", home_agency_meeting, "marac.view", Group.GLANCE, REPRESENTATIVE),
        (
            "marac.agency_overdue",
            home_agency_actions_overdue,
            "marac.view",
            Group.ATTENTION,
            REPRESENTATIVE,
        ),
        (
            "marac.agency_due",
            home_agency_actions_due,
            "marac.view",
            Group.ATTENTION,
            REPRESENTATIVE,
        ),
    )
    for order, (name, read, permission, group, roles) in enumerate(items, start=73):
        home_items.register(
            name, HomeItem(read, permission, group=group, roles=frozenset(roles)), order=order
        )

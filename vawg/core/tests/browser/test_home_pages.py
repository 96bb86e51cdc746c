"""Each role signs in through the real form and lands on its own work: the items its home
page must show, made for the test, each one a link to where it is dealt with.

A missing item fails the test with the role and the words it lacked. Each home page is
also screenshotted at desktop and phone width (test-artifacts/screenshots/home--*.png)
for a person to look at, and checked with axe at both.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from vawg.core.metrics import Unit
from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import PHONE, axe_problems
from vawg.delivery import services as delivery
from vawg.delivery.models import Status
from vawg.delivery.tests.factories import approved, make_world, post
from vawg.directory.tests.factories import make_service
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import import_rows, make_wards, partner_for, row
from vawg.learning.tests.factories import make_recommendation, make_review
from vawg.marac import services as marac
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.measures.models import IndicatorValue, Target
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = [pytest.mark.browser]

TODAY = date(2025, 11, 20)  # in 2025/26 Q3; Q2's deadline has passed, so the board reviews Q2
WIDE = {"width": 1366, "height": 800}
REASON = "The provider withdrew in August; a new one is being commissioned."


@dataclass(frozen=True)
class Item:
    """An item a home page must show: its words, and where its link goes (a path, or a
    path and query)."""

    text: str
    href: str
    note: str = ""  # words under it (a red action's reason)


def _p(name: str, query: str = "", **kwargs) -> str:
    url = reverse(name, kwargs={"partnership": "wandsworth", **kwargs})
    return f"{url}?{query}" if query else url


@pytest.fixture
def today(monkeypatch):
    # The live server runs in this process, so the home page reads this date.
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)
    return TODAY


@pytest.fixture
def work(partnership, personas, today):
    """One thing for each role to deal with, and what each home page must say about it."""
    world = make_world(partnership, personas, actions=3)
    red, returned, waiting = world.strategy.priorities.get().actions.order_by("pk")
    # The board's round (Q2): one action off track, with its lead's reason.
    approved(red, world.q2, Status.OFF_TRACK, world.lead, world.chair, commentary=REASON)
    # This quarter (Q3): one update returned to the lead, one waiting for the chair; the
    # red action's Q3 update is not posted yet, and due.
    update = post(returned, world.q3, world.lead)
    delivery.update_review(
        update=update,
        actor=world.chair,
        standing=delivery.standing_for(world.chair, partnership),
        decision=delivery.Decision.RETURN,
        comment="Say which schools.",
        version=update.version,
    )
    post(waiting, world.q3, world.lead)

    make_service(partnership, review_due=TODAY - timedelta(days=1))
    make_recommendation(make_review(partnership), due_on=TODAY - timedelta(days=30))
    periods = make_periods(partnership, date(2025, 4, 1), date(2026, 3, 31))
    indicator = make_indicator(
        partnership, direction="range", unit=Unit.PERCENTAGE, denominator="Cases", tolerance=3
    )
    Target.objects.create(
        indicator=indicator, year=2025, kind="absolute", amount=Decimal(28), upper=Decimal(40)
    )
    IndicatorValue.objects.create(
        indicator=indicator, period=periods["2025/26 Q1"], value=Decimal(20), source="entered"
    )

    make_wards(partnership)
    import_rows(partnership, [row("A1", when="2025-09-04"), row("A2", when="2025-08-20")])
    DataImport.objects.create(
        partnership=partnership, partner=partner_for(partnership), filename="october.csv"
    )

    # MARAC: a case heard in October with an action for the representative's agency now
    # overdue; a referral since, not yet on an agenda; the next meeting in a week.
    agency = personas[Role.MARAC_REPRESENTATIVE].memberships.get(partnership=partnership)
    make_referral(partnership, on=date(2025, 10, 20))
    held = hold_meeting(make_meeting(partnership, on=date(2025, 10, 30)))
    marac.case_action_add(
        item=held.agenda.get(),
        organisation=agency.organisation,
        description="Test action: safety planning",
        due_on=TODAY - timedelta(days=7),
        actor=None,
    )
    make_referral(partnership, on=date(2025, 11, 12))
    upcoming = make_meeting(partnership, on=TODAY + timedelta(days=7))
    # The representative's agency has the overdue action, and one falling due in 3 days.
    marac.case_action_add(
        item=held.agenda.get(),
        organisation=agency.organisation,
        description="Test action: housing referral",
        due_on=TODAY + timedelta(days=3),
        actor=None,
    )
    # The practitioner: a screening this week whose next step is the risk checklist.
    screening = marac.screening_record(
        partnership=partnership,
        practitioner=personas[Role.PRACTITIONER],
        organisation=None,
        screened_on=TODAY - timedelta(days=2),
        disclosed=True,
        immediate_danger=False,
        agrees_to_checklist=True,
    )

    dashboard = _p("delivery:dashboard", strategy=world.strategy.slug)
    red_url = _p("strategy:action-detail", pk=red.pk)
    return {
        Role.ACTION_LEAD: [
            # The red action's Q3 update is not in, nor is the returned one.
            Item(
                f"2 updates due for 2025/26 Q3, by {world.q3.update_deadline:%-d %B %Y}",
                _p("delivery:my-actions"),
            ),
            Item("1 update returned to you for changes", _p("delivery:my-actions")),
            # Q1 was never reported on, nor Q2 but for the red action: five overdue, the
            # oldest first, each linked to its form (a late update is still taken).
            Item("5 updates overdue", _p("delivery:my-actions")),
            Item(
                f"{red}: 2025/26 Q1",
                _p("delivery:update-edit", pk=red.pk, period=world.periods[0].pk),
            ),
            Item(
                f"{waiting}: 2025/26 Q2",
                _p("delivery:update-edit", pk=waiting.pk, period=world.q2.pk),
            ),
        ],
        Role.WORKSTREAM_CHAIR: [
            Item("1 update waiting for your review", _p("delivery:review-list")),
        ],
        Role.BOARD_MEMBER: [
            Item(
                "1 action off track (red) in 2025/26 Q2",
                f"{dashboard}?period={world.q2.pk}&status={Status.OFF_TRACK}",
            ),
            Item(str(red), red_url, note=REASON),
            Item("1 measure of success off track", _p("measures:scorecard", "status=off_track")),
        ],
        Role.PARTNERSHIP_ADMIN: [
            Item(
                "1 action at risk or off track in 2025/26 Q2", f"{dashboard}?period={world.q2.pk}"
            ),
            Item("1 measure of success off track", _p("measures:scorecard", "status=off_track")),
            Item(
                "1 support directory listing past review",
                _p("directory:listing-list", "status=stale"),
            ),
            Item(
                "1 case review recommendation overdue",
                _p("learning:recommendation-list", "show=overdue"),
            ),
        ],
        Role.ANALYST: [
            Item("1 partner file waiting to be imported", _p("insight:import-list")),
            Item("How current each partner's data is", _p("insight:import-list")),
            Item("Metropolitan Police: incidents to September 2025", ""),
        ],
        Role.MARAC_COORDINATOR: [
            Item(
                f"Next MARAC meeting: {upcoming.held_on:%-d %B %Y}",
                _p("marac:meeting-detail", pk=upcoming.pk),
            ),
            Item(
                "1 referral not yet on a meeting's agenda",
                _p("marac:meeting-detail", pk=upcoming.pk) + "#agenda",
            ),
            Item("1 MARAC action overdue", _p("marac:action-list", "show=overdue")),
        ],
        Role.MARAC_REPRESENTATIVE: [
            Item(
                f"Next MARAC meeting your agency attends: {upcoming.held_on:%-d %B %Y}",
                _p("marac:meeting-detail", pk=upcoming.pk),
            ),
            Item("1 MARAC action for your agency overdue", _p("marac:action-list", "show=overdue")),
            Item(
                "1 MARAC action for your agency due by 4 December 2025",
                _p("marac:action-list", "show=open"),
            ),
        ],
        Role.PRACTITIONER: [
            Item(
                "1 screening waiting for a risk checklist",
                _p("marac:assessment-new", f"screening={screening.pk}"),
            ),
            Item("Start a screening (routine enquiry)", _p("marac:screening-new")),
            Item("Complete a risk checklist (DASH)", _p("marac:assessment-new")),
        ],
    }


HOME_ITEMS = "[data-home-item]"


def _shown(page) -> list[dict]:
    """Every item and line on the home page: its words, its link and the note under it."""
    return page.eval_on_selector_all(
        f"{HOME_ITEMS}, {HOME_ITEMS} li",
        """els => els.map(el => {
            const link = el.querySelector(':scope > a');
            const note = el.querySelector(':scope > .govuk-body-s');
            return {
                text: (link ? link.innerText : el.firstChild.textContent).trim(),
                href: link ? link.getAttribute('href') : '',
                note: note ? note.innerText.trim() : '',
            };
        })""",
    )


def _missing(expected: list[Item], shown: list[dict]) -> list[str]:
    missing = []
    for item in expected:
        found = [s for s in shown if s["text"] == item.text]
        if not found:
            missing.append(f"no item {item.text!r} (shown: {[s['text'] for s in shown]})")
        elif item.href and not any(s["href"] == item.href for s in found):
            missing.append(f"{item.text!r} links to {found[0]['href']}, not {item.href}")
        elif item.note and not any(s["note"] == item.note for s in found):
            missing.append(f"{item.text!r} says {found[0]['note']!r}, not {item.note!r}")
    return missing


def test_each_role_lands_on_its_own_work(visit, work, personas):
    axe = Axe()
    failures: dict[str, list[str]] = {}
    for role in Role:
        if role is Role.REGIONAL_OFFICER:
            continue
        browser = visit(WIDE)
        browser.sign_in(personas[role].username)
        page = browser.page
        problems = []
        if page.url != browser.url(_p("core:partnership-home")):
            problems.append(f"landed on {page.url}")
        shown = _shown(page)
        problems += _missing(work.get(role, []), shown)
        # Every link leads somewhere this role can open (a POST-only address would not).
        for item in shown:
            if item["href"]:
                status = page.request.get(browser.url(item["href"])).status
                if status != 200:
                    problems.append(f"{item['text']!r} links to {item['href']}: {status}")
        if role not in work and page.locator("[data-home=nothing]").count() != 1:
            problems.append(f"expected nothing to need attention; shown: {shown}")
        browser.screenshot(f"home--{role}--desktop")
        problems += axe_problems(axe, page)
        page.set_viewport_size(PHONE)
        browser.screenshot(f"home--{role}--phone")
        if problems:
            failures[role] = problems
        browser.context.close()
    assert not failures, "\n".join(f"{role}:\n  " + "\n  ".join(p) for role, p in failures.items())


def test_another_role_s_items_are_not_shown(visit, work, personas):
    # The board member sees what is red and why, not the admin's exceptions or the
    # lead's updates due; the practitioner none of them.
    for role, absent in (
        (Role.BOARD_MEMBER, work[Role.PARTNERSHIP_ADMIN][0]),
        (Role.BOARD_MEMBER, work[Role.ACTION_LEAD][0]),
        (Role.PRACTITIONER, work[Role.BOARD_MEMBER][0]),
    ):
        browser = visit(WIDE)
        browser.sign_in(personas[role].username)
        texts = [s["text"] for s in _shown(browser.page)]
        assert absent.text not in texts, (role, absent.text)
        browser.context.close()


def test_the_lead_posts_an_overdue_update_from_the_home_page(visit, work, personas):
    # The overdue item's line goes to the update form for that action and period, and the
    # late update is taken: the count goes down.
    lead = personas[Role.ACTION_LEAD]
    overdue = work[Role.ACTION_LEAD][3]  # the red action's Q1 update
    browser = visit(WIDE)
    browser.sign_in(lead.username)
    page = browser.page
    with page.expect_navigation():
        page.get_by_role("link", name=overdue.text, exact=True).click()
    assert page.url == browser.url(overdue.href)
    page.get_by_label("On track").check()
    page.get_by_label("Commentary", exact=True).fill("Late: sessions ran in all four schools.")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert "submitted for review" in page.content()
    browser.open(_p("core:partnership-home"))
    texts = [s["text"] for s in _shown(page)]
    assert "4 updates overdue" in texts, texts
    assert overdue.text not in texts
    browser.context.close()


def test_the_regional_officer_lands_on_the_region(visit, work, personas, partnership):
    browser = visit(WIDE)
    browser.sign_in(personas[Role.REGIONAL_OFFICER].username)
    region_home = reverse("core:region-home", kwargs={"region": partnership.region.slug})
    assert browser.page.url == browser.url(region_home)
    assert browser.page.get_by_role("link", name=partnership.name).count() >= 1
    problems = axe_problems(Axe(), browser.page)
    browser.screenshot("home--regional_officer--desktop")
    browser.page.set_viewport_size(PHONE)
    browser.screenshot("home--regional_officer--phone")
    assert not problems, "\n".join(problems)

"""Action plan delivery in a real browser: a lead posts an update (without JavaScript),
a chair approves it, and the dashboard, its exceptions and the public plan show it.
Every delivery page is checked with axe; screenshots go to test-artifacts/screenshots/."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone

from vawg.core.periods import periods_ensure_year, reporting_year_start
from vawg.core.permissions import Role
from vawg.core.tests.browser.conftest import page_problems, phone_overflow
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.delivery.services import period_due
from vawg.delivery.tests.factories import approved, make_world
from vawg.strategy.models import Action
from vawg.strategy.tests.factories import make_action

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(partnership, personas):
    """One action on track last period (the lead's), one overdue, one with no date."""
    today = timezone.localdate()
    start = reporting_year_start(partnership, today)
    periods_ensure_year(partnership=partnership, year_start=start.replace(year=start.year - 1))
    periods_ensure_year(partnership=partnership, year_start=start)
    world = make_world(partnership, personas)
    due = period_due(partnership, today)
    previous = partnership.reporting_periods.filter(start__lt=due.start).order_by("-start").first()
    world.action.activity = "Deliver healthy relationships sessions in every secondary school"
    world.action.deliver_by = today + timedelta(days=200)
    world.action.save()
    approved(world.action, previous, Status.ON_TRACK, world.lead, world.chair, today=today)
    leads = tuple(lead.organisation for lead in world.action.leads.all())
    overdue = make_action(
        world.action.priority, ref="AB.90", leads=leads, deliver_by=today - timedelta(days=30)
    )
    undated = make_action(world.action.priority, ref="AB.91", leads=leads)
    return {"w": world, "due": due, "overdue": overdue, "undated": undated}


def _check(axe, browser, response, failures, name):
    problems = page_problems(browser, response, axe)
    if problems:
        failures[name] = problems
    browser.screenshot(f"delivery--{name}")


def test_a_lead_posts_a_chair_approves_and_the_board_and_public_see_it(visit, world, personas):
    w, due = world["w"], world["due"]
    axe = Axe()
    failures: dict[str, list[str]] = {}

    # The lead, without JavaScript: My actions, then the update form.
    lead = visit(javascript=False)
    lead.sign_in(w.lead.username)
    lead.open(reverse("delivery:my-actions", kwargs={"partnership": "wandsworth"}))
    lead.screenshot("delivery--my-actions-no-js")  # axe runs on it below, with JavaScript
    with lead.page.expect_navigation():
        lead.page.get_by_role("link", name=f"Post update for {w.action.ref}").click()
    lead.page.get_by_label("At risk").check()
    lead.page.get_by_label("Commentary", exact=True).fill(
        "Two schools postponed; sessions rebooked."
    )
    lead.page.get_by_label("The commentary may be published").check()
    lead.page.get_by_label("(1) Fewer repeat referrals").fill("Referrals steady")
    lead.screenshot("delivery--update-filled")
    with lead.page.expect_navigation():
        lead.page.get_by_role("button", name="Submit for review").click()
    assert "submitted for review" in lead.page.content()
    update = ProgressUpdate.objects.get(action=w.action, period=due)
    assert (update.state, update.status) == (UpdateState.SUBMITTED, Status.AT_RISK)

    # The chair reviews and approves, publishing the commentary.
    chair = visit()
    chair.sign_in(w.chair.username)
    response = chair.open(reverse("delivery:review-list", kwargs={"partnership": "wandsworth"}))
    _check(axe, chair, response, failures, "review-list")
    with chair.page.expect_navigation():
        chair.page.get_by_role("link", name=w.action.ref).click()
    _check(axe, chair, response, failures, "update-review")
    chair.page.get_by_label("Approve").check()
    chair.page.get_by_label("Publish the commentary").check()
    with chair.page.expect_navigation():
        chair.page.get_by_role("button", name="Record decision").click()
    assert "approved" in chair.page.inner_text("main"), chair.page.inner_text("main")
    update.refresh_from_db()
    assert update.state == UpdateState.APPROVED

    # The board member's dashboard for the period: status and the quarter's exceptions.
    board = visit()
    board.sign_in(personas[Role.BOARD_MEMBER.value].username)
    path = reverse(
        "delivery:dashboard", kwargs={"partnership": "wandsworth", "strategy": w.strategy.slug}
    )
    response = board.open(f"{path}?period={due.pk}")
    _check(axe, board, response, failures, "dashboard")
    assert not phone_overflow(board.page), "the dashboard widens the page on a phone"
    turned = board.page.locator("#turned ~ .app-table-scroll table").first.inner_text()
    assert w.action.ref in turned and "At risk" in turned
    overdue = board.page.locator("#overdue ~ .app-table-scroll table").first.inner_text()
    assert "AB.90" in overdue and w.action.ref not in overdue
    undated = board.page.locator("#no-deliver-by ~ .app-table-scroll table").first.inner_text()
    assert "AB.91" in undated and "AB.90" not in undated
    no_update = board.page.locator("#no-update ~ .app-table-scroll table").first.inner_text()
    assert "AB.90" in no_update and w.action.ref not in no_update

    # The action page's timeline.
    response = board.open(
        reverse("strategy:action-detail", kwargs={"partnership": "wandsworth", "pk": w.action.pk})
    )
    _check(axe, board, response, failures, "action-timeline")
    assert "Two schools postponed" in board.page.content()

    # The public, published plan: no sign-in, no cookies.
    public = visit()
    response = public.open(reverse("delivery:published-plan", kwargs={"partnership": "wandsworth"}))
    _check(axe, public, response, failures, "published-plan")
    row = public.page.get_by_role("row").filter(has_text=w.action.ref).inner_text()
    assert "At risk" in row and "Two schools postponed" in row
    assert public.context.cookies() == []

    assert not failures, "\n\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in failures.items())


ADMIN_PAGES = [
    ("delivery:my-actions", {}),
    ("delivery:unassigned", {}),
    ("delivery:import-start", {}),
    ("delivery:changes", {"strategy": "{slug}"}),
    ("strategy:plan-edit", {"strategy": "{slug}"}),
    ("strategy:plan-item-edit", {"strategy": "{slug}", "kind": "action", "pk": "{action}"}),
    ("strategy:plan-history", {"strategy": "{slug}"}),
    ("strategy:rollover", {"strategy": "{slug}"}),
    ("delivery:update-edit", {"pk": "{action}", "period": "{period}"}),
]


def test_the_admin_s_delivery_pages_pass_axe(visit, world, personas):
    w = world["w"]
    make_action(w.action.priority, ref="AB.92")  # no lead: on the unassigned list
    values = {"slug": w.strategy.slug, "action": w.action.pk, "period": world["due"].pk}
    axe = Axe()
    failures: dict[str, list[str]] = {}
    admin = visit()
    admin.sign_in(personas[Role.PARTNERSHIP_ADMIN.value].username)
    for name, kwargs in ADMIN_PAGES:
        filled = {k: str(v).format(**values) for k, v in kwargs.items()}
        response = admin.open(reverse(name, kwargs={"partnership": "wandsworth", **filled}))
        _check(axe, admin, response, failures, name.replace(":", "--"))
    assert Action.objects.filter(ref="AB.92").exists()
    assert not failures, "\n\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in failures.items())

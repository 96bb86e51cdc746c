"""The delivery pages: posting, reviewing, the dashboard, exports and the public plan."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.delivery.tests.factories import approve, approved, make_world, post
from vawg.strategy.tests.factories import make_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    """Views read today's date once; fixed inside 2025/26 Q3."""
    day = date(2025, 11, 20)
    monkeypatch.setattr("vawg.delivery.views._today", lambda: day)
    return day


@pytest.fixture
def world(partnership, personas, today):
    return make_world(partnership, personas)


def url(name, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def form_data(version=0, **extra):
    data = {
        "version": version,
        "status": Status.ON_TRACK,
        "commentary": "Four schools reached",
        "next_milestone": "Train staff",
    }
    data.update(extra)
    return data


def test_my_actions_lists_the_lead_s_actions_and_what_is_due(client_for, world):
    response = client_for(world.lead).get(url("my-actions"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.action.ref in body
    assert "2025/26 Q3" in body
    assert "Post update" in body


def _returned(world, period, comment: str) -> None:
    from vawg.delivery import services

    update = post(world, period, world.lead)
    services.update_review(
        update=update,
        actor=world.chair,
        standing=services.standing_for(world.chair, world.strategy.partnership),
        decision="return",
        comment=comment,
        version=update.version,
    )


def _section(body: str, heading: str) -> str:
    """The page from `heading` to the next h2 (or the end)."""
    start = body.index(f">{heading}</h2>")
    end = body.find("<h2", start)
    return body[start : end if end != -1 else len(body)]


def test_my_actions_shows_what_was_returned(client_for, world):
    _returned(world, world.q3, "Add attendance figures")  # this round: not yet overdue
    body = client_for(world.lead).get(url("my-actions")).content.decode()
    assert "Add attendance figures" in _section(body, "Returned to you")


def test_my_actions_lists_overdue_updates_from_earlier_rounds_each_to_its_form(client_for, world):
    # Today is in Q3: Q1 was never started and Q2 was returned, both past their deadlines.
    _returned(world, world.q2, "Say what changed since Q1")
    body = client_for(world.lead).get(url("my-actions")).content.decode()
    overdue = _section(body, "Overdue")
    for period, state in ((world.periods[0], "Not started"), (world.q2, "Returned for changes")):
        form = url("update-edit", pk=world.action.pk, period=period.pk)
        assert f'href="{form}"' in overdue and period.label in overdue and state in overdue
    assert "Say what changed since Q1" in overdue
    # Returned and overdue: listed once, as overdue.
    assert "Returned to you" not in body


def test_a_lead_posts_an_update_through_the_form(client_for, world):
    measure = world.action.measures.first()
    client = client_for(world.lead)
    target = url("update-edit", pk=world.action.pk, period=world.q3.pk)
    assert client.get(target).status_code == 200
    response = client.post(
        target, {**form_data(), f"measure_{measure.pk}": "3 fewer", "submit": "1"}
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert (update.state, update.status) == (UpdateState.SUBMITTED, Status.ON_TRACK)
    assert update.achievements.get().text == "3 fewer"


def test_a_stale_form_is_refused_with_a_clear_message(client_for, world):
    post(world, world.q3, world.lead, submit=False)
    post(world, world.q3, world.lead, submit=False, version=1, commentary="Newer")
    response = client_for(world.lead).post(
        url("update-edit", pk=world.action.pk, period=world.q3.pk),
        {**form_data(version=1), "save": "1"},
    )
    assert response.status_code == 409
    assert "Someone else changed this update" in response.content.decode()
    assert ProgressUpdate.objects.get().commentary == "Newer"


def test_a_bad_form_shows_the_error_summary(client_for, world):
    response = client_for(world.lead).post(
        url("update-edit", pk=world.action.pk, period=world.q3.pk),
        {**form_data(), "status": Status.OFF_TRACK, "commentary": "", "submit": "1"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Say why the action is at risk" in body
    assert not ProgressUpdate.objects.exists()


def test_a_lead_cannot_open_another_organisation_s_action(client_for, world, partnership):
    elsewhere = make_action(
        world.action.priority, leads=(make_organisation(partnership, "Police"),)
    )
    client = client_for(world.lead)
    target = url("update-edit", pk=elsewhere.pk, period=world.q3.pk)
    assert client.get(target).status_code == 403
    assert client.post(target, {**form_data(), "submit": "1"}).status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_another_partnership_s_action_is_not_found(client_for, world, personas):
    response = client_for(personas["outsider"]).get(
        reverse(
            "delivery:update-edit",
            kwargs={"partnership": "lambeth", "pk": world.action.pk, "period": world.q3.pk},
        )
    )
    assert response.status_code == 404


def test_a_chair_approves_through_the_form(client_for, world):
    update = post(world, world.q3, world.lead, public=True)
    client = client_for(world.chair)
    assert world.action.ref in client.get(url("review-list")).content.decode()
    response = client.post(
        url("update-review", pk=update.pk),
        {"version": update.version, "decision": "approve", "publish_commentary": "on"},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == UpdateState.APPROVED and update.commentary_public


def test_returning_without_a_comment_is_refused(client_for, world):
    update = post(world, world.q3, world.lead)
    response = client_for(world.chair).post(
        url("update-review", pk=update.pk), {"version": update.version, "decision": "return"}
    )
    assert "Say what needs to change" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_the_dashboard_shows_status_and_exceptions(client_for, world, personas):
    # Hand-worked: action 1 on track in Q2, at risk in Q3 -> turned; action 2 has no update;
    # action 3 has a past deliver-by date and is on track -> overdue; action 4 has no date.
    second = make_action(world.action.priority, leads=world_leads(world))
    third = make_action(
        world.action.priority, leads=world_leads(world), deliver_by=date(2025, 9, 30)
    )
    fourth = make_action(world.action.priority, leads=world_leads(world))
    approved(world.action, world.q2, Status.ON_TRACK, world.lead, world.chair)
    approved(
        world.action, world.q3, Status.AT_RISK, world.lead, world.chair, commentary="Venue lost"
    )
    approved(third, world.q3, Status.ON_TRACK, world.lead, world.chair)
    approved(fourth, world.q3, Status.COMPLETE, world.lead, world.chair)

    from vawg.delivery import selectors

    result = selectors.dashboard(
        partnership=world.strategy.partnership,
        strategy=world.strategy,
        period=world.q3,
        filters=selectors.Filters(),
        today=date(2025, 11, 20),
    )
    assert [r.action for r in result.no_update] == [second]
    assert [r.action for r in result.turned] == [world.action]
    assert [r.action for r in result.overdue] == [third]
    # The second action has no date and is not complete; the fourth is complete.
    assert [r.action for r in result.no_deliver_by] == [second]
    counts = dict((s, n) for s, _, n in result.distribution[0].counts)
    assert counts == {
        "complete": 1,
        "on_track": 1,
        "at_risk": 1,
        "off_track": 0,
        "not_started": 0,
        "none": 1,
    }

    response = client_for(personas[Role.BOARD_MEMBER.value]).get(
        url("dashboard", strategy=world.strategy.slug)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "At risk" in body and "Turned amber or red" in body


def world_leads(world):
    return tuple(lead.organisation for lead in world.action.leads.all())


def test_the_dashboard_filters_by_status(client_for, world):
    approved(world.action, world.q3, Status.AT_RISK, world.lead, world.chair, commentary="Slipping")
    make_action(world.action.priority, leads=world_leads(world), ref="AB.99")
    client = client_for(world.admin)
    body = client.get(
        url("dashboard", strategy=world.strategy.slug), {"status": "at_risk", "period": world.q3.pk}
    ).content.decode()
    assert world.action.ref in body and "AB.99" not in body
    bad = client.get(url("dashboard", strategy=world.strategy.slug), {"status": "purple"})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()


def test_dashboard_queries_do_not_grow_with_actions_or_periods(
    client_for, world, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(world.admin)
    target = url("dashboard", strategy=world.strategy.slug)
    client.get(target)  # warm caches (session, access)

    def counted():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(target).status_code == 200
        return len(queries)

    small = counted()
    for _ in range(6):
        action = make_action(world.action.priority, leads=world_leads(world))
        for period in world.periods[:3]:
            approved(action, period, Status.ON_TRACK, world.lead, world.chair)
    assert counted() == small


def test_my_actions_queries_do_not_grow(client_for, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.lead)
    client.get(url("my-actions"))

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("my-actions")).status_code == 200
        return len(queries)

    small = counted()
    for _ in range(6):
        action = make_action(world.action.priority, leads=world_leads(world))
        post(action, world.q3, world.lead, submit=False)
    assert counted() == small


def test_exports_match_the_view_and_are_audited(client_for, world):
    approved(world.action, world.q3, Status.OFF_TRACK, world.lead, world.chair, commentary="=cmd|x")
    client = client_for(world.admin)
    response = client.get(
        url("dashboard-export", strategy=world.strategy.slug, view="turned", fmt="csv"),
        {"period": world.q3.pk},
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Ref,Priority,Activity")
    assert world.action.ref in text and "Off track" in text
    xlsx = client.get(url("dashboard-export", strategy=world.strategy.slug, view="all", fmt="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export").count() == 2
    assert (
        client.get(
            url("dashboard-export", strategy=world.strategy.slug, view="nope", fmt="csv")
        ).status_code
        == 404
    )


def test_an_export_with_bad_filters_goes_back_to_the_dashboard(client_for, world):
    client = client_for(world.admin)
    export = url("dashboard-export", strategy=world.strategy.slug, view="all", fmt="csv")
    response = client.get(export, {"period": "abc"})
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", strategy=world.strategy.slug) + "?period=abc"
    page = client.get(response["Location"])
    assert page.status_code == 400
    assert 'class="govuk-error-summary"' in page.content.decode()


def test_what_changed_since_the_last_board(client_for, world):
    approved(world.action, world.q2, Status.ON_TRACK, world.lead, world.chair)
    approved(
        world.action, world.q3, Status.OFF_TRACK, world.lead, world.chair, commentary="Stalled"
    )
    client = client_for(world.admin)
    today = date.today()
    response = client.get(
        url("changes", strategy=world.strategy.slug),
        {"since_0": today.day, "since_1": today.month, "since_2": today.year},
    )
    body = response.content.decode()
    assert "2 updates approved since" in body
    assert "Off track" in body and "On track" in body
    csv = client.get(
        url("changes-export", strategy=world.strategy.slug, fmt="csv"),
        {"since_0": today.day, "since_1": today.month, "since_2": today.year},
    ).content.decode("utf-8-sig")
    assert "On track,Off track" in csv


def test_the_action_page_shows_the_timeline(client_for, world, personas):
    approved(world.action, world.q2, Status.ON_TRACK, world.lead, world.chair)
    post(world, world.q3, world.lead, status=Status.AT_RISK, commentary="Venue lost")
    response = client_for(personas[Role.BOARD_MEMBER.value]).get(
        reverse(
            "strategy:action-detail", kwargs={"partnership": "wandsworth", "pk": world.action.pk}
        )
    )
    body = response.content.decode()
    assert "Progress across periods" in body
    assert body.index("2025/26 Q2") < body.index("2025/26 Q3")
    assert "Venue lost" in body


def test_the_published_plan_shows_only_approved_public_progress(client, world):
    first = approve(
        post(world, world.q2, world.lead, commentary="Public words", public=True), world.chair
    )
    post(world, world.q3, world.lead, status=Status.OFF_TRACK, commentary="Internal worry")
    second = make_action(world.action.priority, leads=world_leads(world))
    approved(second, world.q3, Status.COMPLETE, world.lead, world.chair, commentary="Private note")
    response = client.get(url("published-plan"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Public words" in body and first.period.label in body
    assert "Internal worry" not in body and "Off track" not in body
    assert "Private note" not in body and "Complete" in body
    assert not response.cookies
    assert "Exit this page" in body


def test_the_admin_assigns_a_lead_to_an_unassigned_action(client_for, world, partnership):
    orphan = make_action(world.action.priority, ref="AB.50")
    police = make_organisation(partnership, "Police")
    client = client_for(world.admin)
    assert "AB.50" in client.get(url("unassigned")).content.decode()
    response = client.post(url("assign-lead", pk=orphan.pk), {"organisation": police.pk})
    assert response.status_code == 302
    lead = orphan.leads.get()
    assert (lead.organisation, lead.from_source) == (police, False)
    assert "Police now leads action AB.50" in client.get(url("unassigned")).content.decode()
    assert "AB.50" not in client.get(url("unassigned")).content.decode()


def test_assigning_another_partnership_s_organisation_is_refused(
    client_for, world, other_partnership
):
    orphan = make_action(world.action.priority, ref="AB.51")
    theirs = other_partnership.organisations.first()
    client_for(world.admin).post(url("assign-lead", pk=orphan.pk), {"organisation": theirs.pk})
    assert not orphan.leads.exists()


def test_the_dashboard_defaults_to_the_last_round_whose_deadline_has_passed(client_for, world):
    # 20 November 2025: Q2's deadline (14 October) has passed, Q3's has not.
    response = client_for(world.admin).get(url("dashboard", strategy=world.strategy.slug))
    assert response.context["result"].period == world.q2


def test_delivery_home_goes_to_the_newest_plan_s_dashboard(client_for, world):
    response = client_for(world.admin).get(url("home"))
    assert response["Location"] == url("dashboard", strategy=world.strategy.slug)


def test_delivery_home_says_when_there_is_no_plan(client_for, world):
    world.strategy.delete()
    response = client_for(world.admin).get(url("home"))
    assert response.status_code == 200 and "no action plan yet" in response.content.decode()


def test_published_plan_queries_do_not_grow(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("published-plan")).status_code == 200
        return len(queries)

    # One approved update first: with none, the query for them is skipped altogether.
    approved(world.action, world.q2, Status.ON_TRACK, world.lead, world.chair)
    small = counted()
    for _ in range(5):
        action = make_action(world.action.priority, leads=world_leads(world))
        for period in world.periods[:3]:
            approved(action, period, Status.ON_TRACK, world.lead, world.chair)
    assert counted() == small


def test_the_full_list_of_actions_is_shown_on_request(client_for, world):
    client = client_for(world.admin)
    target = url("dashboard", strategy=world.strategy.slug)
    assert "All actions: 1 action" not in client.get(target).content.decode()
    assert "All actions: 1 action" in client.get(target, {"show": "all"}).content.decode()


def test_a_stale_review_is_refused_with_409(client_for, world):
    update = post(world, world.q3, world.lead)
    response = client_for(world.chair).post(
        url("update-review", pk=update.pk), {"version": update.version - 1, "decision": "approve"}
    )
    assert response.status_code == 409
    assert "Someone else changed this update" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED

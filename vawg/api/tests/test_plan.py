"""The plan through the API (scope read:plan): strategies, actions with their approved
progress, periods and published "you said, we did" themes, each for the token's own
partnership only, with ETags and pages."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja import Schema

from vawg.api import plan_schemas
from vawg.api.scopes import Scope
from vawg.api.testing import ApiClient, make_token
from vawg.core.periods import periods_ensure_year
from vawg.core.testing import make_body, make_organisation
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.strategy.models import Action, Strategy
from vawg.strategy.tests.factories import make_action, make_priority, make_strategy
from vawg.voice.tests.factories import make_feedback, make_theme

pytestmark = pytest.mark.django_db

NEW = "plan-2026-28"
OLD = "plan-2022-25"
RED_COMMENTARY = "The refuge provider withdrew in August; a new tender is out."
RED_NEXT = "Award the new refuge contract"
GREEN_COMMENTARY = "The refuge service started on time."
# Words that are only ever in updates no one has approved: never sent.
DRAFT_WORDS = "Draft words the chair has not seen"
SUBMITTED_WORDS = "Submitted words awaiting review"
RETURNED_WORDS = "Returned words the chair sent back"
FEEDBACK_WORDS = "My neighbour on Example Street heard everything"
YOU_SAID = "Survivors said the helpline was hard to find."
WE_DID = "We put the helpline on every council letter."
HIDDEN_THEME = "A theme still being written"


@dataclass
class Plan:
    council: object
    police: object
    refuge: Action  # SA.01: approved on track in Q1, off track in Q2, a draft in Q3
    patrols: Action  # SA.02: submitted in Q1, returned in Q2: no approved update
    schools: Action  # PR.01: led by a name no organisation holds
    retired: Action
    legacy: Action  # X.01, in the old plan
    periods: dict


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 10**6  # the limit has its own test


def _update(action, period, status, state, commentary, **extra):
    reviewed = timezone.make_aware(datetime.combine(period.end, time(9)))
    approved = state == UpdateState.APPROVED
    return ProgressUpdate.objects.create(
        action=action,
        period=period,
        status=status,
        state=state,
        commentary=commentary,
        submitted_at=reviewed if state != UpdateState.DRAFT else None,
        reviewed_at=reviewed if approved else None,
        **extra,
    )


def build_plan(partnership) -> Plan:
    council = partnership.organisations.first()
    police = make_organisation(partnership, "Synthetic Police Borough Command")
    workstream = make_body(partnership, "Safety workstream")
    old = make_strategy(partnership, OLD, title="Old plan", start_year=2022, end_year=2025)
    new = make_strategy(partnership, NEW, title="New plan", start_year=2026, end_year=2028)
    safety = make_priority(new, "SA", title="Safety and support", workstream=workstream, order=1)
    prevention = make_priority(new, "PR", title="Prevention", order=2)
    make_priority(new, "ZZ", title="A retired priority", order=3, retired_at=timezone.now())
    refuge = make_action(
        safety,
        "SA.01",
        leads=(council,),
        order=1,
        activity="Commission a refuge for women and children",
        deliver_by=date(2027, 3, 31),
    )
    patrols = make_action(safety, "SA.02", leads=(police,), order=2, activity="Safer streets")
    schools = make_action(prevention, "PR.01", leads=("Schools forum",), order=3)
    retired = make_action(prevention, "PR.02", order=4, retired_at=timezone.now())
    legacy = make_action(make_priority(old, "X", order=1), "X.01", leads=(council,), order=1)
    periods = {
        p.label: p
        for p in periods_ensure_year(partnership=partnership, year_start=date(2026, 4, 1))
    }
    q1, q2, q3 = periods["2026/27 Q1"], periods["2026/27 Q2"], periods["2026/27 Q3"]
    approved, on_track, off_track = UpdateState.APPROVED, Status.ON_TRACK, Status.OFF_TRACK
    _update(refuge, q1, on_track, approved, GREEN_COMMENTARY)
    _update(
        refuge,
        q2,
        off_track,
        approved,
        RED_COMMENTARY,
        next_milestone=RED_NEXT,
        next_milestone_date=date(2026, 12, 15),
    )
    _update(refuge, q3, Status.COMPLETE, UpdateState.DRAFT, DRAFT_WORDS)
    _update(patrols, q1, Status.COMPLETE, UpdateState.SUBMITTED, SUBMITTED_WORDS)
    _update(patrols, q2, Status.COMPLETE, UpdateState.RETURNED, RETURNED_WORDS)
    _update(retired, q1, on_track, approved, "A retired action's words")
    return Plan(council, police, refuge, patrols, schools, retired, legacy, periods)


@pytest.fixture
def plan(partnership) -> Plan:
    return build_plan(partnership)


@pytest.fixture
def api(partnership):
    return ApiClient(make_token(partnership, scopes=[Scope.READ_PLAN]).secret)


def get(client, url, **headers):
    answer = client.get(url, **headers)
    assert answer.status_code == 200, answer.content
    return json.loads(answer.content)


def by_ref(body) -> dict:
    return {item["ref"]: item for item in body["items"]}


# --- Strategies ------------------------------------------------------------------------------


def test_the_strategies_newest_first_with_their_size_and_successor(plan, api):
    body = get(api, "/api/v1/strategies")
    assert [s["slug"] for s in body["items"]] == [NEW, OLD]
    new, old = body["items"]
    assert new == {
        "slug": NEW,
        "title": "New plan",
        "start_year": 2026,
        "end_year": 2028,
        "lapsed": False,
        "successor": None,
        "priority_count": 2,  # the retired priority is not counted
        "action_count": 3,  # nor the retired action
    }
    assert old["lapsed"] is True and old["successor"] == NEW
    assert (old["priority_count"], old["action_count"]) == (1, 1)
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None


def test_one_strategy_with_its_live_priorities(plan, api):
    body = get(api, f"/api/v1/strategies/{NEW}")
    assert body["slug"] == NEW and body["action_count"] == 3
    assert body["priorities"] == [
        {"code": "SA", "title": "Safety and support", "workstream": "Safety workstream"},
        {"code": "PR", "title": "Prevention", "workstream": None},
    ]
    missing = api.get("/api/v1/strategies/no-such-plan")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


# --- Actions ---------------------------------------------------------------------------------


def test_each_live_action_shows_its_latest_approved_update(plan, api):
    body = get(api, "/api/v1/actions")
    assert [i["ref"] for i in body["items"]] == ["X.01", "SA.01", "SA.02", "PR.01"]
    refuge = by_ref(body)["SA.01"]
    assert refuge == {
        "id": plan.refuge.pk,
        "ref": "SA.01",
        "activity": "Commission a refuge for women and children",
        "priority_code": "SA",
        "priority_title": "Safety and support",
        "strategy": NEW,
        "leads": [{"name": plan.council.name, "organisation_id": plan.council.pk}],
        "deliver_by": "2027-03-31",
        "status": "off_track",
        "status_label": "Off track",
        "latest_update": {
            "period": "2026/27 Q2",
            "status": "off_track",
            "status_label": "Off track",
            "commentary": RED_COMMENTARY,
            "next_milestone": RED_NEXT,
            "next_milestone_date": "2026-12-15",
        },
    }
    patrols = by_ref(body)["SA.02"]
    assert patrols["status"] == "no_update" and patrols["latest_update"] is None
    assert by_ref(body)["PR.01"]["leads"] == [{"name": "Schools forum", "organisation_id": None}]
    assert body["as_at"] is None


def test_updates_not_approved_never_leave(plan, api):
    answers = [
        api.get("/api/v1/actions").content,
        api.get("/api/v1/actions?period=2026/27 Q3").content,
        api.get(f"/api/v1/actions/{plan.refuge.pk}").content,
        api.get(f"/api/v1/actions/{plan.patrols.pk}").content,
    ]
    for content in answers:
        text = content.decode()
        for words in (DRAFT_WORDS, SUBMITTED_WORDS, RETURNED_WORDS, "A retired action's words"):
            assert words not in text
    # The draft's "complete" in Q3 is not the refuge's status, even as at Q3.
    as_at_q3 = by_ref(json.loads(answers[1]))
    assert as_at_q3["SA.01"]["status"] == "off_track"
    assert as_at_q3["SA.02"]["status"] == "no_update"


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        (f"strategy={OLD}", ["X.01"]),
        ("priority=SA", ["SA.01", "SA.02"]),
        ("status=off_track", ["SA.01"]),
        ("status=no_update", ["X.01", "SA.02", "PR.01"]),
        ("lead=synthetic police BOROUGH command", ["SA.02"]),
        ("lead=Schools forum", ["PR.01"]),
        (f"strategy={NEW}&priority=SA&status=on_track", []),
        ("strategy=no-such-plan", []),
        ("lead=%00", []),
    ],
)
def test_the_actions_filter_as_asked(plan, api, query, refs):
    assert [i["ref"] for i in get(api, f"/api/v1/actions?{query}")["items"]] == refs


def test_the_lead_filter_takes_an_organisation_id(plan, api):
    body = get(api, f"/api/v1/actions?lead={plan.council.pk}")
    assert [i["ref"] for i in body["items"]] == ["X.01", "SA.01"]


def test_the_status_as_at_a_period(plan, api):
    body = get(api, "/api/v1/actions?period=2026/27 Q1")
    assert body["as_at"] == "2026/27 Q1"
    refuge = by_ref(body)["SA.01"]
    assert refuge["status"] == "on_track"
    assert refuge["latest_update"]["commentary"] == GREEN_COMMENTARY
    on_track = get(api, "/api/v1/actions?period=2026/27 Q1&status=on_track")
    assert [i["ref"] for i in on_track["items"]] == ["SA.01"]
    unknown = api.get("/api/v1/actions?period=2031/32 Q9")
    assert unknown.status_code == 422
    assert json.loads(unknown.content)["errors"][0]["field"] == "period"
    assert unknown["Content-Type"] == "application/problem+json"


def test_one_action_with_its_approved_history(plan, api):
    body = get(api, f"/api/v1/actions/{plan.refuge.pk}")
    assert body["ref"] == "SA.01" and body["status"] == "off_track"
    assert body["latest_update"]["next_milestone"] == RED_NEXT
    assert body["history"] == [
        {
            "period": "2026/27 Q1",
            "status": "on_track",
            "status_label": "On track",
            "commentary": GREEN_COMMENTARY,
        },
        {
            "period": "2026/27 Q2",
            "status": "off_track",
            "status_label": "Off track",
            "commentary": RED_COMMENTARY,
        },
    ]
    assert get(api, f"/api/v1/actions/{plan.patrols.pk}")["history"] == []
    assert api.get(f"/api/v1/actions/{plan.retired.pk}").status_code == 404


def test_the_actions_list_costs_the_same_at_any_size(plan, api, partnership):
    def queries() -> int:
        api.get("/api/v1/actions")  # the token's last use is written once a minute
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/actions").status_code == 200
        return len(captured)

    before = queries()
    priority = plan.refuge.priority
    for n in range(5):
        action = make_action(priority, f"SA.1{n}", leads=(plan.police, "Someone"), order=10 + n)
        _update(action, plan.periods["2026/27 Q1"], Status.AT_RISK, UpdateState.APPROVED, "Slow")
    assert queries() == before


# --- Periods and "you said, we did" ------------------------------------------------------------


def test_the_reporting_periods_oldest_first(plan, api):
    body = get(api, "/api/v1/periods")
    assert [p["label"] for p in body["items"]] == [f"2026/27 Q{n}" for n in range(1, 5)]
    assert body["items"][0] == {
        "label": "2026/27 Q1",
        "start": "2026-04-01",
        "end": "2026-06-30",
        "update_deadline": body["items"][0]["update_deadline"],
    }
    assert date.fromisoformat(body["items"][0]["update_deadline"]) >= date(2026, 6, 30)


def test_only_published_themes_and_never_feedback(partnership, api):
    shown = make_theme(
        partnership, "Finding help", you_said=YOU_SAID, we_did=WE_DID, published=True
    )
    hidden = make_theme(partnership, HIDDEN_THEME, you_said="Half written", we_did="")
    feedback = make_feedback(partnership, FEEDBACK_WORDS)
    feedback.themes.add(shown, hidden)
    answer = api.get("/api/v1/you-said-we-did")
    assert json.loads(answer.content)["items"] == [
        {"title": "Finding help", "you_said": YOU_SAID, "we_did": WE_DID}
    ]
    text = answer.content.decode()
    assert FEEDBACK_WORDS not in text and HIDDEN_THEME not in text and "Half written" not in text


# --- Tenancy and scope -------------------------------------------------------------------------


def test_another_partnership_sees_none_of_this_plan(plan, partnership, other_partnership):
    # The other partnership has a plan of its own, with the same slug.
    theirs = make_strategy(other_partnership, NEW, title="Their plan", start_year=2026)
    make_action(make_priority(theirs, "SA"), "SA.01", activity="Their own action")
    periods_ensure_year(partnership=other_partnership, year_start=date(2027, 4, 1))
    make_theme(partnership, "Ours", you_said=YOU_SAID, we_did=WE_DID, published=True)
    other = ApiClient(make_token(other_partnership, scopes=[Scope.READ_PLAN]).secret)

    assert [s["title"] for s in get(other, "/api/v1/strategies")["items"]] == ["Their plan"]
    assert get(other, f"/api/v1/strategies/{NEW}")["title"] == "Their plan"
    assert other.get(f"/api/v1/strategies/{OLD}").status_code == 404
    actions = get(other, "/api/v1/actions")["items"]
    assert [a["activity"] for a in actions] == ["Their own action"]
    assert get(other, f"/api/v1/actions?lead={plan.council.pk}")["items"] == []
    assert get(other, "/api/v1/actions?lead=Schools forum")["items"] == []
    assert [p["label"] for p in get(other, "/api/v1/periods")["items"]][0] == "2027/28 Q1"
    assert get(other, "/api/v1/you-said-we-did")["items"] == []
    assert other.get("/api/v1/actions?period=2026/27 Q1").status_code == 422
    for action in (plan.refuge, plan.legacy):
        answer = other.get(f"/api/v1/actions/{action.pk}")
        assert answer.status_code == 404
        assert RED_COMMENTARY not in answer.content.decode()


URLS = [
    "/api/v1/strategies",
    f"/api/v1/strategies/{NEW}",
    "/api/v1/actions",
    "/api/v1/actions/{refuge}",
    "/api/v1/periods",
    "/api/v1/you-said-we-did",
]


def test_a_token_without_read_plan_is_refused(plan, partnership):
    client = ApiClient(make_token(partnership, scopes=[Scope.READ_FIGURES]).secret)
    for url in URLS:
        answer = client.get(url.format(refuge=plan.refuge.pk))
        assert answer.status_code == 403, url
        assert json.loads(answer.content)["detail"].endswith("'read:plan'.")


def test_a_call_without_a_token_is_refused(plan, client):
    for url in URLS:
        assert client.get(url.format(refuge=plan.refuge.pk)).status_code == 401


# --- ETags and pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
def test_an_unchanged_answer_is_not_sent_again(plan, api, url, partnership):
    make_theme(partnership, "Finding help", you_said=YOU_SAID, we_did=WE_DID, published=True)
    url = url.format(refuge=plan.refuge.pk)
    first = api.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert first["Cache-Control"] == "private, no-cache"
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag


def test_a_changed_record_gives_a_new_etag(plan, api, partnership):
    url = f"/api/v1/actions/{plan.refuge.pk}"
    etag = api.get(url)["ETag"]
    list_etag = api.get("/api/v1/actions")["ETag"]
    _update(
        plan.refuge,
        plan.periods["2026/27 Q4"],
        Status.ON_TRACK,
        UpdateState.APPROVED,
        "Back on track",
    )
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert json.loads(changed.content)["latest_update"]["commentary"] == "Back on track"
    assert api.get("/api/v1/actions", HTTP_IF_NONE_MATCH=list_etag).status_code == 200
    # A new draft changes nothing anyone can see, so the tag holds.
    etag = changed["ETag"]
    ProgressUpdate.objects.filter(action=plan.refuge, state=UpdateState.DRAFT).update(
        commentary="Different draft words"
    )
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    strategy_etag = api.get(f"/api/v1/strategies/{NEW}")["ETag"]
    Strategy.objects.filter(slug=NEW, partnership=partnership).update(title="New plan, revised")
    assert api.get(f"/api/v1/strategies/{NEW}", HTTP_IF_NONE_MATCH=strategy_etag).status_code == 200


def test_pages_link_to_each_other(plan, api):
    first = get(api, "/api/v1/actions?page_size=3&priority=")
    assert (first["count"], first["pages"], first["page"], first["page_size"]) == (4, 2, 1, 3)
    assert first["previous"] is None
    assert [i["ref"] for i in first["items"]] == ["X.01", "SA.01", "SA.02"]
    second = get(api, first["next"])
    assert [i["ref"] for i in second["items"]] == ["PR.01"]
    assert second["next"] is None
    assert "page_size=3" in second["previous"]
    assert get(api, second["previous"])["items"] == first["items"]
    beyond = get(api, "/api/v1/actions?page_size=3&page=9")
    assert beyond["items"] == [] and beyond["next"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/actions?page_size=0",
        "/api/v1/actions?page_size=501",
        "/api/v1/strategies?page=0",
        "/api/v1/actions?status=purple",
        "/api/v1/actions/0",
        "/api/v1/actions/99999999999999999999999",
        "/api/v1/actions/one",
        "/api/v1/strategies/a.b",
        "/api/v1/periods?pagesize=10",
        f"/api/v1/strategies/{NEW}?page=1",
        "/api/v1/strategies/" + "x" * 51,
    ],
)
def test_bad_input_is_refused_with_a_problem(plan, api, url):
    answer = api.get(url)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"


def test_a_misspelt_filter_is_named_not_ignored(plan, api):
    answer = api.get("/api/v1/actions?stauts=off_track&priority=SA")
    assert answer.status_code == 422
    assert json.loads(answer.content)["errors"] == [
        {"field": "stauts", "reason": "not a parameter of this operation"}
    ]


def test_a_nul_in_a_label_or_name_finds_nothing(plan, api):
    assert api.get("/api/v1/actions?period=2026/27%00Q1").status_code == 422
    assert get(api, "/api/v1/actions?strategy=%00")["items"] == []


def test_the_schema_describes_these_answers_under_their_own_names():
    """Each part of the API declares its own schemas: a name another part also uses would
    make the document describe one of them wrongly."""
    components = json.loads(Client().get("/api/v1/openapi.json").content)["components"]["schemas"]
    ours = [
        value
        for value in vars(plan_schemas).values()
        if isinstance(value, type)
        and issubclass(value, Schema)
        and value.__module__ == plan_schemas.__name__
    ]
    assert len(ours) > 10
    for schema in ours:
        declared = set(schema.model_json_schema()["properties"])
        assert set(components[schema.__name__]["properties"]) == declared, schema.__name__

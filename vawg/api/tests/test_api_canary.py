"""The canary, through the API: "Canary Ward" holds 3 incidents and a MARAC meeting
discusses 2 cases. No answer of the API, to a token holding every scope, gives either
count, or anything worked from it, as a number.

Every GET operation in the API's own schema is called, its path filled with real ids
from the list it belongs to, with each query that could single the canary out (its
months, its quarter, its ward), and every figure object in every answer is checked: a
count of people is hidden or at least the threshold, and nothing beside the canary's
name is a number.
"""

import json
import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import resolve

from vawg.api import figures
from vawg.api.testing import ApiClient, make_token
from vawg.core import disclosure
from vawg.core.tests.test_canary import CANARY, canary  # noqa: F401  (a fixture)
from vawg.core.tests.test_url_sweep import world  # noqa: F401  (a fixture)
from vawg.marac.models import Referral
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.measures.models import IndicatorValue, ValueSource
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db

CANARY_INCIDENTS = 3  # the canary fixture's, in March 2025
CANARY_CASES = 2
TODAY = date(2025, 6, 15)  # the canary's months are among the last twelve complete
SCHEMA = "/api/v1/openapi.json"

# Queries that single the canary out, each tried wherever an operation takes all its names.
VARIANTS = [
    {"from": "2025-03", "to": "2025-03"},
    {"from": "2025-01", "to": "2025-05"},
    {"from": "2024-04", "to": "2025-03"},
    {"from": "2025-03"},
    {"to": "2025-03"},
    {"period": "2024/25 Q4"},
    {"period": "2024/25"},
    {"period": "2025/26 Q1"},
    {"since": "2025-01-01", "until": "2025-03-31"},
    {"until": "2025-03-31"},
    {"month": "2025-03"},
]


@pytest.fixture
def marac_canary(partnership):
    """Two cases discussed at a MARAC meeting in the canary's month."""
    for day in (3, 4):
        make_referral(partnership, on=date(2025, 3, day))
    hold_meeting(make_meeting(partnership, on=date(2025, 3, 19)))
    return list(Referral.objects.filter(partnership=partnership))


@pytest.fixture
def measure_canary(partnership):
    """A measure whose value for the canary's quarter is 3."""
    periods = make_periods(partnership, date(2024, 4, 1), date(2026, 3, 31))
    indicator = make_indicator(partnership, name="Canary measure", disclosure="public")
    IndicatorValue.objects.create(
        indicator=indicator,
        period=periods["2024/25 Q4"],
        value=Decimal(CANARY_INCIDENTS),
        source=ValueSource.ENTERED,
    )
    return indicator


def _walk(node, visit):
    visit(node)
    if isinstance(node, dict):
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _numbers_in(node, skip=("per",)) -> list:
    """Every number in `node`, and every string with a digit in it (the words "fewer than
    5" and the canary's name aside), except under the keys `skip`."""
    found = []
    words = disclosure.small_text()

    def visit(item):
        number = isinstance(item, int | float) and not isinstance(item, bool)
        digits = isinstance(item, str) and re.search(r"\d", item.replace(words, ""))
        if number or digits:
            found.append(item)

    def walk(item):
        if isinstance(item, dict):
            for key, value in item.items():
                if key not in skip:
                    walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)
        else:
            visit(item)

    walk(node)
    return found


def problems_in(body) -> list[str]:
    """What in an answer gives a count away: a figure below the threshold, a hidden one
    written as a number, a number beside the canary's name, or one in a sentence naming it."""
    problems = []
    limit = disclosure.threshold()

    def visit(node):
        if isinstance(node, dict):
            if {"text", "value"} <= set(node) and "per" not in node:
                # A count of people.
                if node["value"] is not None and node["value"] < limit:
                    problems.append(f"a count below {limit}: {node}")
                if node["value"] is None and _numbers_in(node["text"]):
                    problems.append(f"a hidden count as a number: {node}")
            rate = "per" in node and {"text", "value"} <= set(node)
            if rate and node["value"] is None and _numbers_in(node["text"]):
                problems.append(f"a hidden rate as a number: {node}")
            if any(value == CANARY for value in node.values()):
                numbers = _numbers_in({k: v for k, v in node.items() if v != CANARY})
                if numbers:
                    problems.append(f"numbers beside the canary: {node}")
        elif isinstance(node, str) and CANARY in node and _numbers_in(node.replace(CANARY, "")):
            problems.append(f"a number in a sentence naming the canary: {node}")

    _walk(body, visit)
    return problems


def _operations(schema: dict) -> dict[str, dict]:
    """Each GET path of the API (the schema itself aside) with its parameters by place."""
    found = {}
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None or path == SCHEMA:
            continue
        parameters = operation.get("parameters", [])
        found[path] = {
            "path": [p["name"] for p in parameters if p["in"] == "path"],
            "query": {p["name"] for p in parameters if p["in"] == "query"},
        }
    return found


def _ids_from(listing: dict | None, name: str) -> list:
    """The values a list's items give for a path parameter (`measure_id` from `id`)."""
    items = (listing or {}).get("items") or []
    keys = [name, "id", name.removesuffix("_id"), "slug"]
    values = []
    for item in items:
        key = next((k for k in keys if isinstance(item, dict) and k in item), None)
        if key is not None:
            values.append(item[key])
    return values[:25]


def _sweep_ids(path: str, name: str, world: dict) -> list:  # noqa: F811
    """Where no list names them (an upload's status), the object the URL sweep made."""
    url_name = "api:" + resolve(path.replace("{" + name + "}", "1")).url_name
    kwargs = world["app_kwargs"].get(url_name, {})
    return [kwargs[name]] if name in kwargs else []


def test_no_answer_of_the_api_gives_the_canarys_counts(
    partnership,
    world,  # noqa: F811
    canary,  # noqa: F811
    marac_canary,
    measure_canary,
    monkeypatch,
    settings,
    caplog,
):
    caplog.set_level(logging.DEBUG)
    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # the limit has its own test
    monkeypatch.setattr(figures, "today", lambda: TODAY)
    # Every scope; a server error is reported with the rest, not raised.
    client = ApiClient(make_token(partnership).secret, raise_request_exception=False)
    operations = _operations(json.loads(Client().get(SCHEMA).content))
    answers: dict[str, dict] = {}  # url -> body
    listings: dict[str, dict] = {}  # path -> its plain answer
    answered: set[str] = set()  # the operations that answered with content
    unexpected: list = []  # (path, query, status) answered with neither content nor a refusal

    def call(path: str, params: dict, template: str) -> None:
        response = client.get(path, params)
        if response.status_code not in (200, 404, 422):
            unexpected.append((path, params, response.status_code))
        if response.status_code == 200:
            answered.add(template)
            body = json.loads(response.content)
            answers[f"{path}?{params}"] = body
            if not params:
                listings[path] = body

    def queries(query: set[str]) -> list[dict]:
        return [{}] + [v for v in VARIANTS if set(v) <= query]

    plain = {p: o for p, o in operations.items() if not o["path"]}
    for path, operation in plain.items():
        for params in queries(operation["query"]):
            call(path, params, path)
    unfilled = []
    for path, operation in operations.items():
        if path in plain:
            continue
        parent = path[: path.index("/{")]
        (name,) = operation["path"]  # one path parameter, named by its list
        values = _ids_from(listings.get(parent), name) or _sweep_ids(path, name, world)
        if not values:
            unfilled.append(path)
        for value in values:
            filled = path.replace("{" + name + "}", str(value))
            for params in queries(operation["query"]):
                call(filled, params, path)

    problems = [(url, p) for url, body in answers.items() for p in problems_in(body)]
    assert problems == []

    # The check looked at the canary: its ward is there, in words; its MARAC, its measure.
    summary = answers["/api/v1/insight/summary?{}"]
    (ward,) = [w for w in summary["wards"] if w["ward"] == CANARY]
    assert ward["incidents"] == {"text": disclosure.small_text(), "value": None}
    assert ward["per_1000_residents"]["value"] is None
    month = answers["/api/v1/insight/summary?{'from': '2025-03', 'to': '2025-03'}"]
    (ward,) = [w for w in month["wards"] if w["ward"] == CANARY]
    assert ward["incidents"]["value"] is None
    marac = answers["/api/v1/marac/statistics?{'period': '2024/25 Q4'}"]
    cases = next(f for f in marac["figures"] if f["key"] == "cases")
    assert cases["figure"] == {"text": disclosure.small_text(), "value": None}
    assert all(f["figure"]["value"] is None for f in marac["figures"] if f["unit"] == "%")
    text = json.dumps(answers)
    for case in marac_canary:
        assert case.reference not in text
    measure = answers[f"/api/v1/measures/{measure_canary.pk}?{{'period': '2024/25 Q4'}}"]
    assert measure["latest"]["figure"] == {"text": disclosure.small_text(), "value": None}
    assert CANARY not in caplog.text
    assert unexpected == []
    assert unfilled == [], f"no real id for {unfilled}"
    assert answered == set(operations)


def test_the_check_finds_a_count_beside_the_canary():
    assert problems_in({"ward": CANARY, "incidents": {"text": "3", "value": 3}})
    assert problems_in({"ward": CANARY, "incidents": 3})
    assert problems_in({"ward": CANARY, "incidents": {"text": "3", "value": None}})
    assert problems_in({"cases": {"text": "2", "value": 2}})
    assert problems_in({"rate": {"text": "40.0", "value": None, "per": 100}})
    assert problems_in({"summary": f"{CANARY} has 3 incidents."})
    assert not problems_in(
        {
            "ward": CANARY,
            "incidents": {"text": "fewer than 5", "value": None},
            "per_1000_residents": {"text": "not shown", "value": None, "per": 1000},
        }
    )
    assert not problems_in(
        {"cases": {"text": "10", "value": 10}, "rate": {"text": "2.5", "value": 2.5, "per": 100}}
    )

"""The whole plan as JSON and CSV: nesting, joins, quirks, formula neutralising, bounded queries."""

import csv
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vawg.core.csvsafe import safe_cell, unsafe_cell
from vawg.core.testing import make_body, make_organisation, make_partnership
from vawg.strategy.exports import CSV_COLUMNS, plan_as_dict, plan_csv
from vawg.strategy.loader import load_strategy_file
from vawg.strategy.models import (
    Action,
    ActionLead,
    ActionMeasure,
    MeasureOfSuccess,
    Objective,
    Priority,
    Quirk,
    Strategy,
)

WANDSWORTH_FILE, LAMBETH_FILE = settings.SEED_STRATEGY_FILES


@pytest.fixture
def wandsworth(db) -> Strategy:
    load_strategy_file(WANDSWORTH_FILE)
    return Strategy.objects.get(partnership__slug="wandsworth")


@pytest.fixture
def lambeth(db) -> Strategy:
    load_strategy_file(LAMBETH_FILE)
    return Strategy.objects.get(partnership__slug="lambeth")


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def make_plan(slug: str, actions: int) -> Strategy:
    """A small strategy with `actions` actions, each with measures, leads and a quirk."""
    partnership = make_partnership(slug)
    org = make_organisation(partnership, "Council")
    body = make_body(partnership, "Board")
    strategy = Strategy.objects.create(
        partnership=partnership, slug="plan", title="Plan", start_year=2024, end_year=2027
    )
    priority = Priority.objects.create(strategy=strategy, order=1, code="P", title="Priority")
    Objective.objects.create(priority=priority, kind="goal", order=1, number="1", text="Goal")
    for n in range(1, actions + 1):
        action = Action.objects.create(
            strategy=strategy, priority=priority, order=n, ref=f"P.{n:02d}", activity=f"Do {n}"
        )
        ActionMeasure.objects.create(action=action, order=1, label="(a)", text="Better")
        ActionMeasure.objects.create(action=action, order=2, label="(b)", text="Safer")
        ActionLead.objects.create(action=action, order=1, name_as_written="C", organisation=org)
        ActionLead.objects.create(action=action, order=2, name_as_written="B", body=body)
        Quirk.objects.create(strategy=strategy, action=action, code="no_deliver_by", detail="x")
    measure = MeasureOfSuccess.objects.create(strategy=strategy, order=1, text="More")
    Quirk.objects.create(
        strategy=strategy, measure_of_success=measure, code="direction_lost", detail="y"
    )
    return strategy


# JSON --------------------------------------------------------------------------------------


def test_it_nests_strategy_priorities_objectives_and_actions(wandsworth):
    plan = plan_as_dict(wandsworth)
    assert set(plan) >= {"partnership", "source", "strategy", "governance", "measures_of_success"}
    strategy = plan["strategy"]
    assert strategy["period"] == {"start_year": 2022, "end_year": 2025, "label": "2022–2025"}
    assert len(strategy["principles"]) == 4
    assert [p["code"] for p in strategy["priorities"]] == ["AB", "IH", "SS", "PA", "G"]
    assert sum(len(p["actions"]) for p in strategy["priorities"]) == 37
    ab = strategy["priorities"][0]
    assert [o["text"] for o in ab["objectives"]] == [
        "Educate",
        "Prevention",
        "Raise awareness",
        "Empower",
    ]
    assert ab["goals"] == []
    assert ab["workstream"] == "Changing attitudes and behaviours workstream"
    assert plan["source"]["seed_file"] == "000_fbc9b44c825b5bf5.txt"


def test_it_gives_each_action_every_field_with_its_quirks(wandsworth):
    plan = plan_as_dict(wandsworth)
    ih = plan["strategy"]["priorities"][1]
    first_ih06 = [a for a in ih["actions"] if a["ref"] == "IH.06"][0]
    assert set(first_ih06) >= {
        "ref",
        "ref_assigned",
        "activity",
        "sub_activities",
        "measures_intro",
        "measures",
        "leads",
        "leads_as_written",
        "deliver_by",
        "quirks",
    }
    assert first_ih06["ref_assigned"] is False
    assert first_ih06["sub_activities"][0]["label"] == "2."
    assert first_ih06["measures"][0] == {
        "label": "(a)",
        "text": "Fewer reports of VAWG in public spaces",
    }
    assert first_ih06["deliver_by"] is None
    assert {"name_as_written": "key partners", "resolved_to": None} in first_ih06["leads"]
    assert {
        "name_as_written": "Economic Development",
        "resolved_to": {
            "type": "organisation",
            "name": "Wandsworth Council – Economic Development",
        },
    } in first_ih06["leads"]
    codes = {q["code"] for q in first_ih06["quirks"]}
    assert {"duplicate_ref", "unresolved_lead", "no_deliver_by", "other"} <= codes
    assert all(q["resolved"] is False for q in first_ih06["quirks"])
    assert any(q["code"] == "numbering_gap" for q in ih["quirks"])


def test_it_shows_goals_measures_of_success_and_governance_for_lambeth(lambeth):
    plan = plan_as_dict(lambeth)
    priorities = plan["strategy"]["priorities"]
    assert [len(p["goals"]) for p in priorities] == [4, 3, 4, 5, 6]
    assert all(p["objectives"] == [] for p in priorities)
    sp01 = priorities[0]["actions"][0]
    assert (sp01["ref"], sp01["ref_assigned"], sp01["leads"]) == ("SP.01", True, [])
    measures = plan["measures_of_success"]
    assert len(measures) == 17
    assert measures[14]["direction"] == "decrease"
    assert measures[1]["direction"] is None
    assert measures[1]["quirks"][0]["code"] == "direction_lost"
    assert plan["governance"][0]["body"] == "VAWG Strategy Delivery Group"
    assert plan["strategy"]["quirks"][0]["code"] == "other"


def test_it_marks_a_resolved_quirk_as_resolved(wandsworth):
    quirk = Quirk.objects.filter(strategy=wandsworth, action__ref="AB.01").first()
    quirk.resolved_at = timezone.now()
    quirk.save()
    ab01 = plan_as_dict(wandsworth)["strategy"]["priorities"][0]["actions"][0]
    assert [q["resolved"] for q in ab01["quirks"]] == [True]


# CSV -----------------------------------------------------------------------------------------


def test_it_writes_a_header_and_one_row_per_action(wandsworth):
    text = plan_csv(wandsworth)
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == CSV_COLUMNS
    rows = rows_of(text)
    assert len(rows) == 37
    assert [r["ref"] for r in rows].count("IH.06") == 2
    assert {r["strategy"] for r in rows} == {"wandsworth-2022-2025"}


def test_it_joins_several_values_in_a_cell_with_a_bar(wandsworth):
    ab01 = rows_of(plan_csv(wandsworth))[0]
    assert ab01["objectives"] == "Educate | Prevention | Raise awareness | Empower"
    assert ab01["leads"] == "Schools | Community Safety | Public Health | Childrens Services"
    assert ab01["measures"].split(" | ")[1] == (
        "(b) Understand how to report it and where to get support"
    )
    assert ab01["ref_assigned"] == "no"
    assert ab01["deliver_by"] == ""
    assert ab01["quirks"] == "no_deliver_by: The source gives no deliver-by date for AB.01."
    ih01 = next(r for r in rows_of(plan_csv(wandsworth)) if r["ref"] == "IH.01")
    assert ih01["sub_activities"] == (
        "1. Safe spaces | 2. Better information sharing | 3. Confidential services | 4. Family Hubs"
    )


def test_it_marks_lambeths_assigned_refs_in_the_csv(lambeth):
    rows = rows_of(plan_csv(lambeth))
    assert len(rows) == 30
    assert rows[0]["ref"] == "SP.01" and rows[0]["ref_assigned"] == "yes"
    assert rows[0]["leads"] == ""
    assert "no_lead" in rows[0]["quirks"] and "no_ref" in rows[0]["quirks"]


def test_it_neutralises_cells_a_spreadsheet_would_run_as_formulas(db):
    strategy = make_plan("formulas", actions=1)
    Action.objects.filter(strategy=strategy).update(
        activity='=HYPERLINK("http://example.invalid","click")', leads_as_written="+1 and -2"
    )
    ActionLead.objects.filter(action__strategy=strategy, order=1).update(name_as_written="@SUM")
    row = rows_of(plan_csv(strategy))[0]
    assert row["activity"] == '\'=HYPERLINK("http://example.invalid","click")'
    assert row["leads_as_written"] == "'+1 and -2"
    assert row["leads"] == "'@SUM | B"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("Plain text", "Plain text"),
        ("a = b", "a = b"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (3, "3"),
    ],
)
def test_it_makes_each_cell_safe(value, expected):
    assert safe_cell(value) == expected


def test_it_reads_a_neutralised_cell_back_as_it_was():
    for value in ["=1+1", "-5", "'quoted already", "plain"]:
        assert unsafe_cell(safe_cell(value)) == value


# Queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("export", [plan_as_dict, plan_csv], ids=["json", "csv"])
def test_it_reads_the_plan_in_a_fixed_number_of_queries(db, export):
    small, large = make_plan("small", actions=1), make_plan("large", actions=12)
    with CaptureQueriesContext(connection) as for_small:
        export(small)
    with CaptureQueriesContext(connection) as for_large:
        export(large)
    assert len(for_large.captured_queries) == len(for_small.captured_queries)
    assert len(for_small.captured_queries) <= 20

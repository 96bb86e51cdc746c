"""load_strategy and export_plan, as an operator runs them."""

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from vawg.audit.models import AuditEvent
from vawg.core.testing import make_partnership
from vawg.strategy.models import Action, Quirk, Strategy

WANDSWORTH_FILE, LAMBETH_FILE = settings.SEED_STRATEGY_FILES


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded(db):
    run("load_strategy", str(WANDSWORTH_FILE), str(LAMBETH_FILE))


def test_it_loads_each_file_and_prints_a_line_for_each(db):
    out = run("load_strategy", str(WANDSWORTH_FILE), str(LAMBETH_FILE))
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("data/strategies/wandsworth-2022-2025.yaml: Wandsworth")
    assert "37 actions" in lines[0] and "(created)" in lines[0]
    assert "30 actions" in lines[1] and "17 measures of success" in lines[1]
    assert Strategy.objects.count() == 2


def test_it_says_updated_when_a_file_is_loaded_again(loaded):
    out = run("load_strategy", str(WANDSWORTH_FILE))
    assert "(updated)" in out
    assert Action.objects.filter(strategy__partnership__slug="wandsworth").count() == 37


def test_it_fails_on_a_malformed_file_with_its_problems_and_changes_nothing(tmp_path, loaded):
    data = yaml.safe_load(Path(WANDSWORTH_FILE).read_text(encoding="utf-8"))
    data["priorities"][2]["actions"][0]["measures"] = "none"
    data["priorities"][2]["actions"][1]["activity"] = ""
    data["priorities"][2]["actions"][2]["leads"].append("A brand new agency")
    bad = tmp_path / "wandsworth-edited.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = (Action.objects.count(), Quirk.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommandError) as caught:
        run("load_strategy", str(bad))
    message = str(caught.value)
    assert "wandsworth-edited.yaml could not be loaded (2 problems)" in message
    assert "priorities[3] (SS).actions[1] (SS.01): measures should be a list, not text" in message
    assert "priorities[3] (SS).actions[2] (SS.02): activity must not be empty" in message
    assert (Action.objects.count(), Quirk.objects.count(), AuditEvent.objects.count()) == before


def test_it_fails_with_a_non_zero_exit_on_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        run("load_strategy", str(tmp_path / "missing.yaml"))


def test_it_needs_at_least_one_file(db):
    with pytest.raises(CommandError):
        run("load_strategy")


def test_it_exports_the_plan_as_json_that_parses(loaded):
    plan = json.loads(run("export_plan", "--partnership", "wandsworth", "--format", "json"))
    assert plan["partnership"]["slug"] == "wandsworth"
    assert sum(len(p["actions"]) for p in plan["strategy"]["priorities"]) == 37


def test_it_exports_the_plan_as_csv_that_parses(loaded):
    out = run("export_plan", "--partnership", "lambeth", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 30
    assert rows[-1]["ref"] == "RHP.06"


def test_it_records_an_export_event(loaded):
    run("export_plan", "--partnership", "lambeth", "--format", "csv")
    event = AuditEvent.objects.get(action="export")
    strategy = Strategy.objects.get(partnership__slug="lambeth")
    assert (event.object_id, event.partnership_id) == (str(strategy.pk), strategy.partnership_id)
    assert event.detail == {"format": "csv"}


def test_it_exports_a_named_strategy(loaded):
    out = run(
        "export_plan",
        "--partnership",
        "wandsworth",
        "--format",
        "json",
        "--strategy",
        "wandsworth-2022-2025",
    )
    assert json.loads(out)["strategy"]["slug"] == "wandsworth-2022-2025"


def test_it_refuses_an_unknown_partnership(loaded):
    with pytest.raises(CommandError, match="no partnership with the slug 'nowhere'"):
        run("export_plan", "--partnership", "nowhere", "--format", "json")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_it_refuses_an_unknown_strategy(loaded):
    with pytest.raises(CommandError, match="it has: wandsworth-2022-2025"):
        run("export_plan", "--partnership", "wandsworth", "--format", "csv", "--strategy", "x")


def test_it_refuses_a_partnership_with_no_strategy(db):
    make_partnership("croydon", "Croydon")
    with pytest.raises(CommandError, match="Croydon has no strategy loaded yet"):
        run("export_plan", "--partnership", "croydon", "--format", "json")


def test_it_refuses_an_unknown_format(loaded):
    with pytest.raises(CommandError, match="invalid choice"):
        run("export_plan", "--partnership", "wandsworth", "--format", "xlsx")

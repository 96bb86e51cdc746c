"""Loading the curated strategy files: every item the seed documents contain, in their words,
with their quirks flagged; idempotent; all-or-nothing on a malformed file."""

import hashlib
import os
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.core.models import Organisation, Partnership, PartnershipBody, Region, Ward
from vawg.core.testing import make_partnership
from vawg.strategy.loader import StrategyFileError, load_strategy_file
from vawg.strategy.models import (
    Action,
    ActionLead,
    ActionMeasure,
    GovernanceRole,
    MeasureOfSuccess,
    Objective,
    Principle,
    Priority,
    Quirk,
    Strategy,
)

WANDSWORTH_FILE, LAMBETH_FILE = settings.SEED_STRATEGY_FILES
WANDSWORTH_REFS = (
    ["AB.01", "AB.02", "AB.03", "AB.04", "AB.05", "AB.06", "AB.07", "AB.08"]
    + ["IH.01", "IH.02", "IH.03", "IH.05", "IH.06", "IH.07", "IH.06"]
    + ["SS.01", "SS.02", "SS.03", "SS.04", "SS.05", "SS.05", "SS.06", "SS.07", "SS.08", "SS.08"]
    + ["PA.01", "PA.02", "PA.03", "PA.04", "PA.05", "PA.06", "PA.07"]
    + ["G.1", "G.2", "G.3", "G.4", "G.5"]
)
ALL_MODELS = [
    Region,
    Partnership,
    Ward,
    Organisation,
    PartnershipBody,
    Strategy,
    Principle,
    Priority,
    Objective,
    Action,
    ActionMeasure,
    ActionLead,
    MeasureOfSuccess,
    GovernanceRole,
    Quirk,
    AuditEvent,
]


def seeds_dir() -> Path:
    configured = os.environ.get("VAWG_SEEDS_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "seeds"


def seed_path(name: str) -> Path:
    path = seeds_dir() / name
    if not path.is_file():
        pytest.skip(
            f"The seed document {name} is not at {path.parent} (set VAWG_SEEDS_DIR to the "
            "seeds directory): the text checks against the source were skipped."
        )
    return path


def words(text: str) -> str:
    """Text as a sequence of words and punctuation: spacing and extraction markup do not count."""
    text = re.sub(r"<ul[^>]*>", " ", text).replace("**", " ")
    return " ".join(re.findall(r"\w+|[^\w\s]", text))


def seed_words(name: str) -> str:
    return words(seed_path(name).read_text(encoding="utf-8"))


def file_data(path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


@pytest.fixture
def wandsworth(db) -> Strategy:
    load_strategy_file(WANDSWORTH_FILE)
    return Strategy.objects.get(partnership__slug="wandsworth")


@pytest.fixture
def lambeth(db) -> Strategy:
    load_strategy_file(LAMBETH_FILE)
    return Strategy.objects.get(partnership__slug="lambeth")


def test_loading_a_plan_sets_up_the_quarters_of_its_years(wandsworth):
    """Without them the delivery cycle has nothing to ask for, and no admin page makes them."""
    periods = wandsworth.partnership.reporting_periods.order_by("start")
    labels = [p.label for p in periods]
    assert labels[0] == "2022/23 Q1" and labels[-1] == "2025/26 Q4"
    assert len(labels) == 4 * 4
    assert periods.first().start == wandsworth.starts_on
    assert periods.last().end == wandsworth.ends_on
    # A second load adds none, and keeps the deadlines an admin may have moved.
    first = periods.first()
    first.update_deadline = date(2022, 8, 1)
    first.save()
    load_strategy_file(WANDSWORTH_FILE)
    assert wandsworth.partnership.reporting_periods.count() == 16
    first.refresh_from_db()
    assert first.update_deadline == date(2022, 8, 1)


def quirks_of(strategy: Strategy, code: str) -> list[Quirk]:
    return list(strategy.quirks.filter(code=code).select_related("action", "priority"))


# Against the seed documents themselves ----------------------------------------------------------


@pytest.mark.parametrize("path", [WANDSWORTH_FILE, LAMBETH_FILE], ids=["wandsworth", "lambeth"])
def test_it_records_the_sha256_of_the_seed_it_was_curated_from(path):
    source = file_data(path)["source"]
    seed = seed_path(source["seed_file"])
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == source["sha256"]


def test_it_keeps_every_wandsworth_text_in_the_seeds_words(wandsworth):
    seed = seed_words(wandsworth.source_file)
    texts = [wandsworth.vision, wandsworth.summary]
    texts += [t for p in wandsworth.principles.all() for t in (p.title, *p.text.split("\n\n"))]
    for priority in wandsworth.priorities.all():
        texts += [priority.summary, *priority.aims]
    texts += [o.text for o in Objective.objects.filter(priority__strategy=wandsworth)]
    texts += [g.description for g in wandsworth.governance.all()]
    assert_actions_in_seed(wandsworth, seed, texts)


def test_it_keeps_every_lambeth_text_in_the_seeds_words(lambeth):
    seed = seed_words(lambeth.source_file)
    texts = [lambeth.vision, *lambeth.summary.split("\n\n")]
    texts += [p.title for p in lambeth.priorities.all()]
    texts += [o.text for o in Objective.objects.filter(priority__strategy=lambeth)]
    texts += [m.text for m in lambeth.measures_of_success.all()]
    texts += [g.description for g in lambeth.governance.all()]
    assert_actions_in_seed(lambeth, seed, texts)


def assert_actions_in_seed(strategy: Strategy, seed: str, texts: list[str]) -> None:
    for action in strategy.actions.all():
        texts += [action.activity, action.measures_intro]
        texts += [item["text"] for item in action.sub_activities]
        texts += [m.text for m in action.measures.all()]
        texts += [lead.name_as_written for lead in action.leads.all()]
        if action.quirks.filter(detail__contains="page break").exists():
            texts += action.leads_as_written.split(", ")
        else:
            texts.append(action.leads_as_written)
    missing = [t for t in texts if t and words(t) not in seed]
    assert missing == []


def test_it_loads_every_wandsworth_action_with_the_sources_refs_in_order(wandsworth):
    refs = list(wandsworth.actions.order_by("order").values_list("ref", flat=True))
    assert refs == WANDSWORTH_REFS
    assert wandsworth.actions.filter(ref_assigned=True).count() == 0


def test_it_counts_wandsworths_rows_in_the_seed_plan(wandsworth):
    seed = seed_path(wandsworth.source_file).read_text(encoding="utf-8")
    rows = re.findall(r"^((?:AB|IH|SS|PA)\.\d\d|G\.\d)\t", seed, flags=re.MULTILINE)
    assert rows == WANDSWORTH_REFS


def test_it_loads_wandsworths_four_priorities_and_governance(wandsworth):
    priorities = list(wandsworth.priorities.all())
    assert [p.code for p in priorities] == ["AB", "IH", "SS", "PA", "G"]
    assert [p.number for p in priorities] == ["01", "02", "03", "04", ""]
    assert [p.in_plan_only for p in priorities] == [False, False, False, False, True]
    assert [p.actions.count() for p in priorities] == [8, 7, 10, 7, 5]
    assert all(p.workstream.kind == "workstream" for p in priorities[:4])
    assert wandsworth.principles.count() == 4
    assert list(priorities[2].objectives.values_list("text", flat=True)) == [
        "Safe",
        "Protected",
        "Supported",
    ]


def test_it_splits_sub_activities_and_measures_with_their_labels(wandsworth):
    first_ih06, second_ih06 = wandsworth.actions.filter(ref="IH.06").order_by("order")
    assert [s["label"] for s in first_ih06.sub_activities] == ["2.", "3.", "4.", "5."]
    assert [m.label for m in second_ih06.measures.all()] == ["(d)"]
    ab06 = wandsworth.actions.get(ref="AB.06")
    assert ab06.measures_intro == "More businesses and organisations"
    assert ab06.sub_activities[1] == {
        "label": "(b)",
        "text": "DAHA accreditation and policy development",
    }
    g3 = wandsworth.actions.get(ref="G.3")
    assert [m.label for m in g3.measures.all()] == ["1.", "2.", ""]
    assert wandsworth.actions.get(ref="PA.06").measures_intro == "Multi-agency staff:"


def test_it_resolves_every_wandsworth_lead_except_key_partners(wandsworth):
    unresolved = ActionLead.objects.filter(
        action__strategy=wandsworth, organisation__isnull=True, body__isnull=True
    )
    assert [(lead.action.ref, lead.name_as_written) for lead in unresolved] == [
        ("IH.06", "key partners")
    ]
    police = ActionLead.objects.filter(action__strategy=wandsworth, name_as_written="Police")
    assert {lead.organisation.kind for lead in police} == {"police"}
    csp = ActionLead.objects.get(action__ref="PA.04", action__strategy=wandsworth)
    assert csp.body.name == "Community Safety Partnership"


def test_it_joins_a_lead_cell_split_over_a_page_break(wandsworth):
    ss02 = wandsworth.actions.get(ref="SS.02")
    assert ss02.leads_as_written.endswith(
        "(Community Safety, Housing, Childrens Services, Adults Services)"
    )
    assert ss02.leads.count() == 6


def test_it_loads_wandsworths_governance_bodies_and_wards(wandsworth):
    bodies = PartnershipBody.objects.filter(partnership=wandsworth.partnership)
    board = bodies.get(name="VAWG Strategic Partnership Board")
    assert bodies.filter(reports_to=board, kind="workstream").count() == 4
    assert "VAWG Forum" in bodies.get(name="Practitioners' Forum").aliases
    assert bodies.get(name="Greater London Authority").kind == "external"
    wards = Ward.objects.filter(partnership=wandsworth.partnership)
    assert sorted(wards.values_list("name", flat=True)) == [
        "Latchmere",
        "Queenstown",
        "Roehampton and Putney Heath",
    ]
    assert {w.valid_to for w in wards} == {date(2022, 5, 4)}
    assert wandsworth.partnership.region.slug == "london"


def lambeth_blocks(lambeth: Strategy, start: str, end: str | None) -> list[str]:
    """The seed's paragraphs (blank-line separated) after the line `start`, up to `end`."""
    text = seed_path(lambeth.source_file).read_text(encoding="utf-8")
    text = text.split(f"\n{start}\n", 1)[1]
    if end:
        text = text.split(f"\n{end}\n", 1)[0]
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return [item.removeprefix("- ") for b in blocks for item in b.split("\n- ")]


def test_it_keeps_every_lambeth_action_in_the_seeds_order(lambeth):
    headings = {
        "Working together",
        "Community response",
        "Children and Young People",
        "Reducing harm from perpetrators",
    }
    start = "We use a standard colour coded system to indicate our progress on each action."
    blocks = lambeth_blocks(lambeth, start, "Measuring Success")
    in_seed = [words(b) for b in blocks if b not in headings]
    loaded = [words(a.activity) for a in lambeth.actions.order_by("order")]
    assert loaded == in_seed


def test_it_keeps_every_lambeth_measure_of_success_in_the_seeds_order(lambeth):
    blocks = lambeth_blocks(lambeth, "Measuring Success", None)[1:]  # after the Delivery Group
    # "9. 1" and "15. ↓" are a measure's printed number and arrow, not measures.
    in_seed = [words(b) for b in blocks if not re.fullmatch(r"\d+\.\s*\S?", b)]
    loaded = [words(m.text) for m in lambeth.measures_of_success.all()]
    assert len(loaded) == 17
    assert loaded == in_seed


def test_it_loads_lambeths_priorities_goals_actions_and_measures(lambeth):
    priorities = list(lambeth.priorities.all())
    assert [p.code for p in priorities] == ["SP", "WT", "CR", "CYP", "RHP"]
    assert [p.objectives.filter(kind="goal").count() for p in priorities] == [4, 3, 4, 5, 6]
    assert [p.actions.count() for p in priorities] == [7, 7, 5, 5, 6]
    assert lambeth.actions.count() == 30
    assert lambeth.measures_of_success.count() == 17
    assert lambeth.principles.count() == 0


def test_it_assigns_lambeths_actions_stable_marked_refs_and_no_leads(lambeth):
    refs = list(lambeth.actions.order_by("order").values_list("ref", flat=True))
    assert refs[:2] == ["SP.01", "SP.02"] and refs[-1] == "RHP.06"
    assert len(set(refs)) == 30
    assert lambeth.actions.filter(ref_assigned=False).count() == 0
    assert ActionLead.objects.filter(action__strategy=lambeth).count() == 0


def test_it_keeps_lambeths_measure_directions_and_says_where_they_came_from(lambeth):
    measures = {m.number: m for m in lambeth.measures_of_success.all()}
    assert measures["15"].direction == "decrease"
    assert "arrow ↓" in measures["15"].direction_basis
    assert measures["10"].direction == "decrease"
    assert measures["9"].direction == "increase"
    without = sorted(int(n) for n, m in measures.items() if not m.direction)
    assert without == [2, 5, 6, 7, 13]


def test_it_loads_lambeths_delivery_group_with_experts_by_experience(lambeth):
    group = PartnershipBody.objects.get(
        partnership=lambeth.partnership, name="VAWG Strategy Delivery Group"
    )
    assert group.kind == "delivery_group"
    assert "experts by experience" in group.description
    names = set(
        PartnershipBody.objects.filter(partnership=lambeth.partnership).values_list(
            "name", flat=True
        )
    )
    assert {"Sexual Exploitation and Harm Panel", "MARAC", "Survivors Forum"} <= names
    assert "Children and Young People workstream" in names


# Quirks --------------------------------------------------------------------------------------


def test_it_flags_the_gap_where_ih04_is_missing(wandsworth):
    (gap,) = quirks_of(wandsworth, "numbering_gap")
    assert gap.priority.code == "IH"
    assert "IH.04" in gap.detail


def test_it_flags_each_reference_used_twice_and_keeps_both_actions(wandsworth):
    flagged = sorted(q.action.ref for q in quirks_of(wandsworth, "duplicate_ref"))
    assert flagged == ["IH.06", "IH.06", "SS.05", "SS.05", "SS.08", "SS.08"]


def test_it_flags_the_unresolved_lead_and_every_empty_deliver_by(wandsworth):
    (unresolved,) = quirks_of(wandsworth, "unresolved_lead")
    assert "key partners" in unresolved.detail
    assert len(quirks_of(wandsworth, "no_deliver_by")) == 37


def test_it_adds_the_quirks_the_curator_declared(wandsworth, lambeth):
    ih06 = wandsworth.actions.filter(ref="IH.06").order_by("order").first()
    assert ih06.quirks.filter(code="other", detail__contains="numbered from 2").exists()
    governance = wandsworth.priorities.get(code="G")
    assert governance.quirks.filter(detail__contains="same objectives").exists()
    assert lambeth.priorities.get(code="SP").quirks.filter(code="heading_lost").exists()
    assert Quirk.objects.filter(
        strategy=lambeth, code="text_garbled", objective__priority__code="CYP"
    ).exists()
    assert Quirk.objects.filter(
        strategy=lambeth, measure_of_success__number="9", detail__contains="9. 1"
    ).exists()


def test_it_flags_lambeths_missing_refs_leads_and_directions(lambeth):
    assert len(quirks_of(lambeth, "no_ref")) == 30
    assert len(quirks_of(lambeth, "no_lead")) == 30
    lost = Quirk.objects.filter(strategy=lambeth, code="direction_lost")
    assert sorted(int(q.measure_of_success.number) for q in lost) == [2, 5, 6, 7, 13]


# Idempotency and what admins completed -------------------------------------------------------


def test_it_loads_the_same_files_twice_without_duplicating_anything(wandsworth, lambeth):
    before = snapshot()
    load_strategy_file(WANDSWORTH_FILE)
    load_strategy_file(LAMBETH_FILE)
    after = snapshot()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 2
    assert after == before


def test_it_records_one_audit_event_per_load_without_personal_data(db):
    result = load_strategy_file(WANDSWORTH_FILE)
    event = AuditEvent.objects.get(action="load")
    strategy = Strategy.objects.get(partnership__slug="wandsworth")
    assert event.object_id == str(strategy.pk)
    assert event.detail["data_file"] == "data/strategies/wandsworth-2022-2025.yaml"
    assert event.detail["counts"]["actions"] == result.counts["actions"] == 37


def test_it_stores_where_the_strategy_came_from(wandsworth):
    assert wandsworth.data_file == "data/strategies/wandsworth-2022-2025.yaml"
    assert wandsworth.source_file == "000_fbc9b44c825b5bf5.txt"
    assert len(wandsworth.source_sha256) == 64
    assert wandsworth.data_version == "1.0"


def test_it_keeps_what_an_admin_completed_when_the_file_is_loaded_again(wandsworth, lambeth):
    ab01 = wandsworth.actions.get(ref="AB.01")
    Action.objects.filter(pk=ab01.pk).update(deliver_by=date(2024, 3, 31))
    quirk = ab01.quirks.get(code="no_deliver_by")
    quirk.resolved_at = timezone.now()
    quirk.resolution_note = "Agreed at the board."
    quirk.save()
    key_partners = ActionLead.objects.get(name_as_written="key partners")
    csp = PartnershipBody.objects.get(
        partnership=wandsworth.partnership, name="Community Safety Partnership"
    )
    ActionLead.objects.filter(pk=key_partners.pk).update(body=csp)
    sp01 = lambeth.actions.get(ref="SP.01")
    gaia = Organisation.objects.get(partnership=lambeth.partnership, name="Gaia Centre")
    ActionLead.objects.create(
        action=sp01, order=1, name_as_written="Gaia Centre", organisation=gaia
    )
    MeasureOfSuccess.objects.filter(strategy=lambeth, number="2").update(
        direction="increase", direction_basis="agreed by the delivery group"
    )

    load_strategy_file(WANDSWORTH_FILE)
    load_strategy_file(LAMBETH_FILE)

    ab01.refresh_from_db()
    assert ab01.deliver_by == date(2024, 3, 31)
    quirk.refresh_from_db()
    assert quirk.resolved_at is not None and quirk.resolution_note == "Agreed at the board."
    assert ab01.quirks.filter(code="no_deliver_by").count() == 1
    key_partners.refresh_from_db()
    assert key_partners.body == csp
    assert sp01.leads.get().organisation == gaia
    measure = MeasureOfSuccess.objects.get(strategy=lambeth, number="2")
    assert (measure.direction, measure.direction_basis) == (
        "increase",
        "agreed by the delivery group",
    )


def test_it_leaves_existing_partnerships_settings_alone(db):
    existing = make_partnership("wandsworth", "Wandsworth", colour="#123456")
    load_strategy_file(WANDSWORTH_FILE)
    existing.refresh_from_db()
    assert existing.colour == "#123456"
    assert Strategy.objects.get().partnership == existing


# Malformed files ---------------------------------------------------------------------------


def write(tmp_path, data, name="broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def already_loaded(lambeth):
    """A database with Lambeth in it, to show that a failed load changes nothing."""
    return snapshot()


def failure(path) -> StrategyFileError:
    with pytest.raises(StrategyFileError) as caught:
        load_strategy_file(path)
    return caught.value


def test_it_refuses_a_file_that_is_not_valid_yaml(tmp_path, already_loaded):
    path = tmp_path / "broken.yaml"
    path.write_text("format_version: 1\npriorities: [unclosed\n", encoding="utf-8")
    error = failure(path)
    assert "broken.yaml" in str(error)
    assert "line 3" in str(error) and "not valid YAML" in str(error)
    assert snapshot() == already_loaded


def test_it_refuses_a_key_given_twice(tmp_path, already_loaded):
    path = tmp_path / "broken.yaml"
    path.write_text("format_version: 1\nformat_version: 1\n", encoding="utf-8")
    assert "'format_version' is given twice" in str(failure(path))
    assert snapshot() == already_loaded


def test_it_refuses_a_missing_required_key_naming_the_item(tmp_path, already_loaded):
    data = file_data(WANDSWORTH_FILE)
    del data["priorities"][1]["actions"][4]["activity"]
    error = failure(write(tmp_path, data))
    assert error.problems == [
        "priorities[2] (IH).actions[5] (IH.06): the required key 'activity' is missing"
    ]
    assert error.file == "broken.yaml"
    assert snapshot() == already_loaded


def test_it_refuses_a_value_of_the_wrong_type(tmp_path, already_loaded):
    data = file_data(WANDSWORTH_FILE)
    data["priorities"][0]["actions"] = "all of them"
    data["strategy"]["start_year"] = "twenty twenty-two"
    error = failure(write(tmp_path, data))
    assert "priorities[1] (AB): actions should be a list, not text" in error.problems
    assert "strategy: start_year should be a whole number, not text" in error.problems
    assert snapshot() == already_loaded


def test_it_refuses_two_priorities_with_the_same_code(tmp_path, already_loaded):
    data = file_data(WANDSWORTH_FILE)
    data["priorities"][1]["code"] = "AB"
    error = failure(write(tmp_path, data))
    assert error.problems == [
        "priorities[1] and priorities[2]: the code 'AB' is used by 2 priorities; "
        "each priority needs its own code"
    ]
    assert snapshot() == already_loaded


def test_it_refuses_an_unknown_organisation_kind(tmp_path, already_loaded):
    data = file_data(WANDSWORTH_FILE)
    data["organisations"][0]["kind"] = "quango"
    error = failure(write(tmp_path, data))
    assert error.problems == [
        "organisations[1] (Wandsworth Council): kind 'quango' is not one of: charity, council, "
        "education, health, housing, other, police, probation"
    ]
    assert snapshot() == already_loaded


def test_it_lists_every_problem_in_the_file_at_once(tmp_path, already_loaded):
    data = file_data(WANDSWORTH_FILE)
    data["priorities"][0]["workstream"] = "No such workstream"
    data["measures_of_success"] = [{"text": "More of it", "direction": "sideways"}]
    data["priorities"][3]["actions"][0]["deliver_by"] = "next spring"
    data["priorities"][3]["actions"][1]["unexpected"] = True
    problems = failure(write(tmp_path, data)).problems
    assert len(problems) == 4
    assert "priorities[1] (AB): workstream 'No such workstream' is not a body here" in problems
    assert "priorities[4] (PA).actions[2] (PA.02): unknown key 'unexpected'" in problems
    assert any(
        p.startswith("priorities[4] (PA).actions[1] (PA.01): deliver_by should be a date")
        for p in problems
    )
    assert any(p.startswith("measures_of_success[1]: direction 'sideways'") for p in problems)


def test_it_rolls_back_everything_when_the_database_refuses_an_item(tmp_path, already_loaded):
    # A partnership of the same name under another slug only shows when writing.
    make_partnership("wandsworth-old", "Wandsworth")
    before = snapshot()
    data = file_data(WANDSWORTH_FILE)
    data["partnership"]["region"] = {"name": "South East", "slug": "south-east"}
    error = failure(write(tmp_path, data))
    assert error.problems[0].startswith("partnership: ")
    assert "name" in error.problems[0]
    assert snapshot() == before
    assert not Region.objects.filter(slug="south-east").exists()


def test_it_loads_a_lead_that_matches_nothing_and_flags_it(tmp_path, db):
    data = file_data(WANDSWORTH_FILE)
    data["priorities"][0]["actions"][0]["leads"].append("The Mystery Trust")
    load_strategy_file(write(tmp_path, data, "wandsworth.yaml"))
    ab01 = Action.objects.get(ref="AB.01")
    lead = ab01.leads.get(name_as_written="The Mystery Trust")
    assert not lead.resolved
    assert ab01.quirks.filter(code="unresolved_lead", detail__contains="Mystery Trust").exists()


def test_it_refuses_a_file_that_does_not_exist(tmp_path):
    error = failure(tmp_path / "nowhere.yaml")
    assert error.problems[0].startswith("the file cannot be read")

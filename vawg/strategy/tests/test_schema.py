"""The strategy file's schema: pydantic's errors in the curator's words, naming file, item and
reason."""

import copy
from functools import cache

import pytest
import yaml
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vawg.strategy import schema
from vawg.strategy.loader import StrategyFileError, load_strategy_file

WANDSWORTH_FILE = settings.SEED_STRATEGY_FILES[0]


@cache
def _wandsworth() -> dict:
    with open(WANDSWORTH_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def wandsworth() -> dict:
    return copy.deepcopy(_wandsworth())


def problems_of(data) -> list[str]:
    plan, problems = schema.check(data)
    assert (plan is None) == bool(problems)
    return problems


# problem_text, on errors as pydantic gives them ----------------------------------------------


NESTED = {
    "priorities": [
        {"code": "AB", "actions": []},
        {"code": "IH", "actions": [{"ref": "IH.01"}, {"ref": "IH.06", "leads": ["Police", 5]}]},
    ],
    "partnership": {"wards": [{"name": "Latchmere"}]},
}


def error(loc: tuple, kind: str = "value", msg: str = "should be text, not a list", **more):
    return {"type": kind, "loc": loc, "msg": msg, "input": more.pop("input", None), **more}


@pytest.mark.parametrize(
    "loc, kind, msg, expected",
    [
        (
            ("priorities", 1, "actions", 1, "activity"),
            "missing",
            "Field required",
            "priorities[2] (IH).actions[2] (IH.06): the required key 'activity' is missing",
        ),
        (
            ("priorities", 1, "actions", 1, "leads", 1),
            "value",
            "should be a non-empty name, not 5",
            "priorities[2] (IH).actions[2] (IH.06).leads[2]: should be a non-empty name, not 5",
        ),
        (
            ("priorities", 1, "actions", 0, "measures_intro"),
            "value",
            "should be text, not a list",
            "priorities[2] (IH).actions[1] (IH.01): measures_intro should be text, not a list",
        ),
        (
            ("priorities", 0, "unexpected"),
            "extra_forbidden",
            "Extra inputs are not permitted",
            "priorities[1] (AB): unknown key 'unexpected'",
        ),
        (
            ("partnership", "wards", 0),
            "item",
            "valid_to is before valid_from",
            "partnership.wards[1]: valid_to is before valid_from",
        ),
        (
            ("format_version",),
            "item",
            "this platform reads format_version 1, not 2",
            "format_version: this platform reads format_version 1, not 2",
        ),
        (("priorities",), "value", "should list at least one item", None),
    ],
)
def test_it_words_an_error_by_item_and_reason(loc, kind, msg, expected):
    expected = expected or "priorities should list at least one item"
    assert schema.problem_text(error(loc, kind, msg), NESTED) == expected


def test_it_says_what_was_given_where_a_mapping_was_expected():
    text = schema.problem_text(
        error(("priorities", 1, "actions", 0), "model_type", input=[]), NESTED
    )
    assert text == (
        "priorities[2] (IH).actions[1] (IH.01): should be a mapping of keys to values, not a list"
    )
    assert schema.problem_text(error((), "model_type", input="words"), "words") == (
        "should be a mapping of keys to values, not text"
    )


def test_it_names_a_key_that_is_not_text_as_it_was_given():
    text = schema.problem_text(error(("partnership", 1), "invalid_key", input=1), NESTED)
    assert text == "partnership: unknown key 1"


def test_it_still_words_an_error_whose_location_is_not_in_the_data():
    assert schema.problem_text(error(("priorities", 7, "title")), NESTED) == (
        "priorities[8]: title should be text, not a list"
    )


def test_it_words_a_nested_error_from_a_real_validation():
    data = wandsworth()
    data["priorities"][1]["actions"][4]["sub_activities"][2] = {"label": "4.", "text": ["x"]}
    with pytest.raises(schema.ValidationError) as caught:
        schema.StrategyFile.model_validate(data)
    (only,) = caught.value.errors()
    assert only["loc"] == ("priorities", 1, "actions", 4, "sub_activities", 2, "text")
    assert schema.problem_text(only, data) == (
        "priorities[2] (IH).actions[5] (IH.06).sub_activities[3]: text should be text, not a list"
    )


def test_it_keeps_a_curators_braces_as_written():
    data = wandsworth()
    data["organisations"][0]["kind"] = "{reason}"
    assert problems_of(data) == [
        "organisations[1] (Wandsworth Council): kind '{reason}' is not one of: charity, council, "
        "education, health, housing, other, police, probation"
    ]


# Broken files, each named by file, item and reason -------------------------------------------


def _set(path, value):
    def change(data):
        *parents, last = path
        for step in parents:
            data = data[step]
        data[last] = value

    return change


def _drop(path):
    def change(data):
        *parents, last = path
        for step in parents:
            data = data[step]
        del data[last]

    return change


BROKEN = [
    (
        _set(("priorities", 2, "objectives", 1, "text"), ["Protected"]),
        "priorities[3] (SS).objectives[2]: text should be text, not a list",
    ),
    (
        _set(("priorities", 0, "actions", 2, "deliver_by"), "next spring"),
        "priorities[1] (AB).actions[3] (AB.03): deliver_by should be a date written YYYY-MM-DD, "
        "or empty, not 'next spring'",
    ),
    (
        _set(("priorities", 3, "in_plan_only"), "no"),
        "priorities[4] (PA): in_plan_only should be true or false, not text",
    ),
    (
        _set(("strategy", "quirks"), [{"code": "typo", "detail": "A typo."}]),
        "strategy.quirks[1]: code 'typo' is not one of: direction_lost, duplicate_ref, "
        "heading_lost, no_deliver_by, no_lead, no_ref, numbering_gap, other, text_garbled, "
        "unresolved_lead",
    ),
    (
        _set(("partnership", "wards", 0, "valid_from"), "2023-01-01"),
        "partnership.wards[1]: valid_to is before valid_from",
    ),
    (
        _set(("priorities", 1, "actions", 0, "ref"), "IH.01" * 5),
        "priorities[2] (IH).actions[1] (IH.01IH.01IH.01IH.01IH.01): ref is 25 characters long; "
        "the most is 20",
    ),
    (
        _set(("priorities", 0, "actions", 0), "Educate everyone"),
        "priorities[1] (AB).actions[1]: should be a mapping of keys to values, not text",
    ),
    (
        _set(("governance", 0, "body"), "The Cabinet"),
        "governance[1]: body 'The Cabinet' is not listed under bodies",
    ),
    (
        _set(("organisations", 1, "aliases"), ["VAWG strategic partnership board."]),
        "bodies[1] (VAWG Strategic Partnership Board): the name 'VAWG Strategic Partnership "
        "Board' is also used by organisation 'Wandsworth Council – Community Safety'",
    ),
    (
        _set(("bodies", 1, "reports_to"), "Changing attitudes and behaviours workstream"),
        "bodies[2] (Changing attitudes and behaviours workstream): a body cannot report to itself",
    ),
    (
        _drop(("source", "sha256")),
        "source: the required key 'sha256' is missing",
    ),
    (
        _set(("strategy", "end_year"), 2021),
        "strategy: end_year is before start_year",
    ),
    (
        _set(("source",), None),
        "source: should be a mapping of keys to values, not nothing",
    ),
]


@pytest.mark.parametrize("change, problem", BROKEN)
def test_a_broken_file_names_the_file_the_item_and_the_reason(tmp_path, change, problem):
    data = wandsworth()
    change(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(StrategyFileError) as caught:
        load_strategy_file(path)
    assert caught.value.file == "broken.yaml"
    assert caught.value.problems == [problem]
    assert str(caught.value).startswith("broken.yaml could not be loaded (1 problem):")


def test_the_seed_files_have_no_problems():
    for path in settings.SEED_STRATEGY_FILES:
        with open(path, encoding="utf-8") as f:
            assert problems_of(yaml.safe_load(f)) == []


def test_it_lists_a_cross_reference_with_problems_elsewhere_in_the_same_item():
    data = wandsworth()
    data["priorities"][0]["workstream"] = "Nobody"
    data["priorities"][0]["actions"][0]["activity"] = None
    assert sorted(problems_of(data)) == [
        "priorities[1] (AB).actions[1] (AB.01): activity must not be empty",
        "priorities[1] (AB): workstream 'Nobody' is not a body here",
    ]


def test_it_lists_an_order_of_years_with_other_problems_in_the_same_item():
    data = wandsworth()
    data["strategy"]["end_year"] = 2021
    data["strategy"]["title"] = ["Ending VAWG"]
    assert problems_of(data) == [
        "strategy: title should be text, not a list",
        "strategy: end_year is before start_year",
    ]


# Any wrong value in an action is reported at that action, by key -----------------------------

ACTION_KEYS = sorted(set(schema.Action.model_fields) - {"ref"})
TEXT_KEYS = {"activity", "measures_intro", "leads_as_written", "deliver_by_as_written"}
JUNK = st.one_of(
    st.booleans(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), min_size=1, max_size=2),
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    priority=st.integers(min_value=0, max_value=4),
    action=st.integers(min_value=0, max_value=4),
    key=st.sampled_from(ACTION_KEYS),
    value=JUNK,
)
def test_any_wrong_value_in_an_action_is_named_by_action_and_key(priority, action, key, value):
    data = wandsworth()
    target = data["priorities"][priority]["actions"][action]
    target[key] = value
    where = f"priorities[{priority + 1}] ({data['priorities'][priority]['code']}).actions"
    where += f"[{action + 1}] ({target['ref']})"
    problems = problems_of(data)
    if not problems:
        # A number is text to the loader (YAML reads an unquoted "1.5" as one), and true or false
        # is a flag; any other junk must be reported.
        as_text = isinstance(value, float) and key in TEXT_KEYS
        assert as_text or (isinstance(value, bool) and key == "ref_assigned")
        return
    assert all(p.startswith((f"{where}: {key} ", f"{where}.{key}[")) for p in problems)

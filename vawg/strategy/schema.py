"""The layout of a curated strategy data file, as pydantic models, and its problems in words.

`check(data)` takes the parsed YAML and returns the file as models, or every problem found, each
as "item: reason" in the curator's words ("priorities[2] (IH).actions[5] (IH.06): the required
key 'activity' is missing"). The models hold the structure; `problem_text` turns pydantic's error
locations into the item names a curator can find in the file; `_cross_references` checks what one
item says about another (a workstream that is no body, a code used twice). The format is described
in docs/strategy-data.md.
"""

import contextlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator, validate_slug
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    OnErrorOmit,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from vawg.core import models as core_db
from vawg.strategy import models as db

FORMAT_VERSION = 1
DEFAULT_COLOUR = "#1d70b8"


def name_key(name: str) -> str:
    """How lead names are compared: case, dashes, spacing and end punctuation do not matter."""
    text = name.casefold().replace("’", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"\s*-\s*", " - ", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:")


# Problems in words -----------------------------------------------------------------------------

# An item of these lists is named by this key of its own, so that a curator can find it.
_NAMED_BY = {"organisations": "name", "bodies": "name", "priorities": "code", "actions": "ref"}


def problem_text(error: ErrorDetails, data: Any) -> str:
    """One pydantic error as the project's "item: reason", naming items from the raw `data`.

    An error at a key is about that key's value, and its reason is read after the key
    ("strategy: start_year should be a whole number, not text"), unless it is about the item
    as a whole (type "item") or about the key itself (missing, unknown).
    """
    loc, kind = error["loc"], error["type"]
    if kind in ("missing", "extra_forbidden", "invalid_key"):
        # An invalid key is one that is not text (YAML's 1: or ~:), shown as it was given.
        key = error["input"] if kind == "invalid_key" else loc[-1]
        what = "the required key {!r} is missing" if kind == "missing" else "unknown key {!r}"
        return _joined(_where(loc[:-1], data), what.format(key))
    if kind == "model_type":
        reason = f"should be a mapping of keys to values, not {_kind(error['input'])}"
        return _joined(_where(loc, data), reason)
    if kind != "item" and loc and isinstance(loc[-1], str):
        return _joined(_where(loc[:-1], data), f"{loc[-1]} {error['msg']}")
    return _joined(_where(loc, data), error["msg"])


def _joined(where: str, reason: str) -> str:
    return f"{where}: {reason}" if where else reason


def _where(loc: tuple, data: Any) -> str:
    """A location as the curator reads it: priorities[2] (IH).actions[5] (IH.06).measures[1]."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(node, list) and isinstance(step, int) and parts:
            node = node[step] if step < len(node) else None
            named_by = _NAMED_BY.get(parts[-1])
            parts[-1] += f"[{step + 1}]"
            name = node.get(named_by) if named_by and isinstance(node, dict) else None
            if isinstance(name, str | int) and name:
                parts[-1] += f" ({str(name).strip()})"
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(str(step))
    return ".".join(parts)


_KINDS = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}
_KINDS |= {int: "a number", float: "a number"}


def _kind(value: Any) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _fault(reason: str, about: str = "value") -> PydanticCustomError:
    """A problem with a key's value, shown after the key, or (about="item") with the item as a
    whole, shown after the item's name alone. The reason is the template's one field: pydantic
    fills fields one after another, so a curator's "{...}" would otherwise be filled in too."""
    return PydanticCustomError(about, "{reason}", {"reason": reason})


# Values ----------------------------------------------------------------------------------------
# The file's values are checked by hand-written plain validators rather than pydantic's own
# coercion, which would accept "2022" as a year or 1 as true, and words it in its own terms.


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fault(f"should be text, not {_kind(value)}")
    return str(value).strip()


def _rule(holds: Callable[[Any], bool], reason: str) -> AfterValidator:
    """`reason` (which may show the value as {!r}) where a checked value breaks the rule."""

    def check(value: Any) -> Any:
        if not holds(value):
            raise _fault(reason.format(value))
        return value

    return AfterValidator(check)


def _most(model: type, name: str) -> AfterValidator:
    """At most as long as the model's field allows."""
    most = model._meta.get_field(name).max_length

    def check(value: str) -> str:
        if len(value) > most:
            raise _fault(f"is {len(value)} characters long; the most is {most}")
        return value

    return AfterValidator(check)


def _one_of(choices) -> AfterValidator:
    allowed = ", ".join(sorted(c for c in choices if c))
    return _rule(lambda value: not value or value in choices, "{!r} is not one of: " + allowed)


def _django(validator, reason: str) -> AfterValidator:
    """A Django validator's verdict in the file's words."""

    def holds(value: str) -> bool:
        try:
            validator(value)
        except DjangoValidationError:
            return False
        return True

    return _rule(holds, reason)


def _whole_number(lowest: int, highest: int) -> PlainValidator:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fault(f"should be a whole number, not {_kind(value)}")
        if not lowest <= value <= highest:
            raise _fault(f"should be from {lowest} to {highest}, not {value}")
        return value

    return PlainValidator(check)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fault(f"should be true or false, not {_kind(value)}")
    return value


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value.strip())
    raise _fault(f"should be a date written YYYY-MM-DD, or empty, not {value!r}")


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fault(f"should be a non-empty name, not {value!r}")
    return value.strip()


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fault(f"should be a list, not {_kind(value)}")
    return value


def _not_before(earlier: str) -> AfterValidator:
    """Not before the item's `earlier` key, checked even when the item's other keys are wrong."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if value and info.data.get(earlier) and value < info.data[earlier]:
            raise _fault(f"is before {earlier}")
        return value

    return AfterValidator(check)


def _format_version(value: Any) -> Any:
    if value != FORMAT_VERSION:
        raise _fault(f"this platform reads format_version {FORMAT_VERSION}, not {value!r}", "item")
    return value


_LONGEST_LEAD = db.ActionLead._meta.get_field("name_as_written").max_length
Text = Annotated[str, PlainValidator(_text)]
Needed = _rule(bool, "must not be empty")
Slug = Annotated[
    Text, Needed, _django(validate_slug, "{!r} should use only letters, numbers, - and _")
]
Flag = Annotated[bool, PlainValidator(_flag)]
Day = Annotated[date | None, PlainValidator(_day)]
AsList = BeforeValidator(_as_list)
Name = Annotated[str, PlainValidator(_name)]
Names = Annotated[list[Name], AsList]
AtLeastOne = _rule(bool, "should list at least one item")
LeadLength = _rule(
    lambda name: len(name) <= _LONGEST_LEAD, f"is longer than {_LONGEST_LEAD} characters"
)


# The file --------------------------------------------------------------------------------------


class _Item(BaseModel):
    """A mapping in the file: a key it does not know is refused, a misspelling being likely."""

    model_config = ConfigDict(extra="forbid")


class Quirk(_Item):
    code: Annotated[Text, Needed, _one_of(frozenset(db.Quirk.Code.values))]
    detail: Annotated[Text, Needed]


Quirks = Annotated[list[Quirk], AsList]


class Labelled(_Item):
    """A sub-activity or measure of an action, with the source's label: (a), 1."""

    label: Annotated[Text, _most(db.ActionMeasure, "label")] = ""
    text: Annotated[Text, Needed]


class Source(_Item):
    title: Annotated[Text, Needed, _most(db.Strategy, "source_title")]
    publisher: Annotated[Text, Needed]
    seed_file: Annotated[Text, Needed, _most(db.Strategy, "source_file")]
    sha256: Annotated[
        Text,
        Needed,
        _django(
            RegexValidator(r"^[0-9a-f]{64}\Z"), "should be 64 lower-case hexadecimal characters"
        ),
    ]


class Region(_Item):
    name: Annotated[Text, Needed, _most(core_db.Region, "name")]
    slug: Slug


class Ward(_Item):
    name: Annotated[Text, Needed, _most(core_db.Ward, "name")]
    valid_from: Day = None
    valid_to: Annotated[Day, _not_before("valid_from")] = None


class Partnership(_Item):
    name: Annotated[Text, Needed, _most(core_db.Partnership, "name")]
    slug: Slug
    region: Region
    colour: Annotated[
        Text,
        AfterValidator(lambda value: value or DEFAULT_COLOUR),
        _django(core_db.hex_colour, "{!r} should be # and six hex digits"),
    ] = DEFAULT_COLOUR
    reporting_year_start_month: Annotated[int, _whole_number(1, 12)] = 4
    wards: Annotated[list[Ward], AsList] = []


class Organisation(_Item):
    name: Annotated[Text, Needed, _most(core_db.Organisation, "name")]
    kind: Annotated[Text, Needed, _one_of(frozenset(core_db.Organisation.Kind.values))]
    aliases: Names = []


class Body(_Item):
    name: Annotated[Text, Needed, _most(core_db.PartnershipBody, "name")]
    kind: Annotated[Text, Needed, _one_of(frozenset(core_db.PartnershipBody.Kind.values))]
    description: Text = ""
    reports_to: Text = ""
    aliases: Names = []


class Principle(_Item):
    title: Annotated[Text, Needed, _most(db.Principle, "title")]
    text: Text = ""


class Strategy(_Item):
    slug: Slug
    title: Annotated[Text, Needed, _most(db.Strategy, "title")]
    start_year: Annotated[int, _whole_number(1990, 2100)]
    end_year: Annotated[int, _whole_number(1990, 2100), _not_before("start_year")]
    vision: Text = ""
    summary: Text = ""
    principles: Annotated[list[Principle], AsList] = []
    quirks: Quirks = []


class Objective(_Item):
    """An objective, or a goal where the source calls them that (Lambeth)."""

    number: Annotated[Text, _most(db.Objective, "number")] = ""
    text: Annotated[Text, Needed]
    quirks: Quirks = []


class Action(_Item):
    ref: Annotated[Text, Needed, _most(db.Action, "ref")]
    ref_assigned: Flag = False
    activity: Annotated[Text, Needed]
    sub_activities: Annotated[list[Labelled], AsList] = []
    measures_intro: Annotated[Text, _most(db.Action, "measures_intro")] = ""
    measures: Annotated[list[Labelled], AsList] = []
    leads: Annotated[list[Annotated[Name, LeadLength]], AsList] = []
    leads_as_written: Text = ""
    deliver_by: Day = None
    deliver_by_as_written: Annotated[Text, _most(db.Action, "deliver_by_as_written")] = ""
    quirks: Quirks = []


class Priority(_Item):
    code: Annotated[Text, Needed, _most(db.Priority, "code")]
    number: Annotated[Text, _most(db.Priority, "number")] = ""
    title: Annotated[Text, Needed, _most(db.Priority, "title")]
    summary: Text = ""
    aims: Names = []
    in_plan_only: Flag = False
    workstream: Text = ""
    objectives: Annotated[list[Objective], AsList] = []
    goals: Annotated[list[Objective], AsList] = []
    quirks: Quirks = []
    actions: Annotated[list[Action], AsList, AtLeastOne]

    @model_validator(mode="after")
    def _objectives_or_goals(self):
        if {"objectives", "goals"} <= self.model_fields_set:
            raise _fault("give objectives or goals, not both", "item")
        return self

    @property
    def objectives_or_goals(self) -> tuple[str, list[Objective]]:
        """The source's word for them, which the key given says (goals: Lambeth), and the list."""
        if "goals" in self.model_fields_set:
            return db.Objective.Kind.GOAL, self.goals
        return db.Objective.Kind.OBJECTIVE, self.objectives


class GovernanceRole(_Item):
    body: Annotated[Text, Needed]
    description: Text = ""


class MeasureOfSuccess(_Item):
    number: Annotated[Text, _most(db.MeasureOfSuccess, "number")] = ""
    text: Annotated[Text, Needed]
    direction: Annotated[Text, _one_of(frozenset(db.MeasureOfSuccess.Direction.values))] = ""
    direction_basis: Annotated[Text, _most(db.MeasureOfSuccess, "direction_basis")] = ""
    quirks: Quirks = []


class StrategyFile(_Item):
    format_version: Annotated[int, PlainValidator(_format_version)]
    data_version: Annotated[Text, _most(db.Strategy, "data_version")] = ""
    source: Source
    partnership: Partnership
    organisations: Annotated[list[Organisation], AsList] = []
    bodies: Annotated[list[Body], AsList] = []
    strategy: Strategy
    priorities: Annotated[list[Priority], AsList, AtLeastOne]
    governance: Annotated[list[GovernanceRole], AsList] = []
    measures_of_success: Annotated[list[MeasureOfSuccess], AsList] = []


def check(data: Any) -> tuple[StrategyFile | None, list[str]]:
    """The file as models, or None and every problem found in it, each as "item: reason"."""
    try:
        plan = StrategyFile.model_validate(data)
    except ValidationError as error:
        plan = None
        problems = [problem_text(e, data) for e in error.errors()]
    else:
        problems = []
    problems += _cross_references(data)
    return (None if problems else plan), problems


# Cross-references ------------------------------------------------------------------------------


def _or_else(default: Any) -> WrapValidator:
    """A value that its own check refuses (and so is reported already) is read as `default`."""

    def read(value: Any, handler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            return default

    return WrapValidator(read)


_Reference = Annotated[Text, _or_else("")]


class _References(BaseModel):
    """What an organisation, body, priority or governance role says about others, read even when
    something else in it is wrong, so that cross-references are listed with every other problem."""

    model_config = ConfigDict(extra="ignore")
    name: _Reference = ""
    aliases: Annotated[list[OnErrorOmit[Name]], AsList, _or_else(())] = []
    reports_to: _Reference = ""
    code: _Reference = ""
    workstream: _Reference = ""
    body: _Reference = ""


def _references(data: Any, key: str) -> list[tuple[int, str, _References]]:
    """(position, name in problems, references) of each mapping listed under `key`."""
    items = data.get(key) if isinstance(data, dict) else None
    out = []
    for i, raw in enumerate(items if isinstance(items, list) else []):
        with contextlib.suppress(ValidationError):
            out.append((i, _where((key, i), data), _References.model_validate(raw)))
    return out


def _cross_references(data: Any) -> list[str]:
    """What one item says about another: names and aliases each belong to one agency, a body or
    workstream named exists, a priority's code is its own."""
    problems: list[str] = []
    organisations = _references(data, "organisations")
    bodies = _references(data, "bodies")

    # A name or alias claimed by two agencies would make a lead's match a guess.
    claimed: dict[str, str] = {}
    agencies = [("organisation", *row) for row in organisations]
    agencies += [("body", *row) for row in bodies]
    for noun, _, where, agency in agencies:
        owner = f"{noun} {agency.name!r}"
        for alias in filter(None, [agency.name, *agency.aliases]):
            key = name_key(alias)
            if key in claimed and claimed[key] != owner:
                problems.append(f"{where}: the name {alias!r} is also used by {claimed[key]}")
            claimed.setdefault(key, owner)

    for section, rows in (("organisations", organisations), ("bodies", bodies)):
        for name, count in Counter(row.name for *_, row in rows if row.name).items():
            if count > 1:
                problems.append(f"{section}: {name!r} is listed {count} times; list each once")

    body_names = {body.name for *_, body in bodies}
    for _, where, body in bodies:
        if body.reports_to and body.reports_to not in body_names:
            problems.append(f"{where}: reports_to {body.reports_to!r} is not a body here")
        if body.reports_to and body.reports_to == body.name:
            problems.append(f"{where}: a body cannot report to itself")

    places = defaultdict(list)
    for i, where, priority in _references(data, "priorities"):
        if priority.code:
            places[priority.code].append(f"priorities[{i + 1}]")
        if priority.workstream and priority.workstream not in body_names:
            problems.append(f"{where}: workstream {priority.workstream!r} is not a body here")
    for code, at in places.items():
        if len(at) > 1:
            problems.append(
                f"{' and '.join(at)}: the code {code!r} is used by {len(at)} priorities; "
                "each priority needs its own code"
            )

    for _, where, role in _references(data, "governance"):
        if role.body and role.body not in body_names:
            problems.append(f"{where}: body {role.body!r} is not listed under bodies")
    return problems

"""Loading a curated strategy data file (data/strategies/*.yaml) into the strategy models.

The file is checked in full first, so a curator sees every problem at once, each
named by file, item and reason. Loading is then all-or-nothing and idempotent:
items are matched on natural keys, so loading the same file again changes
nothing, and what an admin completed in the app (a quirk's resolution, a
deliver-by date, a lead, a measure's direction the source left empty) survives
a reload. The format is described in docs/strategy-data.md.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction

from vawg.audit import services as audit
from vawg.core.models import Organisation, Partnership, PartnershipBody, Region, Ward, hex_colour
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

FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
QUIRK_CODES = frozenset(Quirk.Code.values)
DIRECTIONS = frozenset({"", *MeasureOfSuccess.Direction.values})


class StrategyFileError(ValueError):
    """A data file that cannot be loaded: every problem found, each naming its item."""

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = problems
        count = len(problems)
        heading = f"{file} could not be loaded ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([heading, *(f"  - {p}" for p in problems)]))


@dataclass
class LoadResult:
    data_file: str
    partnership: str
    strategy: str
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    quirks: int = 0
    open_quirks: int = 0

    def __str__(self) -> str:
        c = self.counts
        return (
            f"{self.data_file}: {self.partnership}, {self.strategy} "
            f"({'created' if self.created else 'updated'}): {c['priorities']} priorities, "
            f"{c['objectives']} objectives or goals, {c['actions']} actions, "
            f"{c['measures_of_success']} measures of success, "
            f"{self.quirks} quirks ({self.open_quirks} open)"
        )


def load_strategy_file(path: str | Path) -> LoadResult:
    """Check and load one curated strategy file; raise StrategyFileError if it is malformed."""
    path = Path(path)
    data_file = _display_name(path)
    plan = _check(_read(path, data_file), data_file)
    try:
        with transaction.atomic():
            return _Writer(plan, data_file).write()
    except ValidationError as error:
        # The checks above mirror the models' rules, so this is a backstop.
        raise StrategyFileError(data_file, [_validation_text(error)]) from error


def name_key(name: str) -> str:
    """How lead names are compared: case, dashes, spacing and end punctuation do not matter."""
    text = name.casefold().replace("’", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"\s*-\s*", " - ", text)
    return re.sub(r"\s+", " ", text).strip(" .,;:")


# Reading ---------------------------------------------------------------------------------------


def _display_name(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path(settings.BASE_DIR).resolve()).as_posix()
    except ValueError:
        return path.name


# libyaml's parser where it is installed: several times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """YAML that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read(path: Path, data_file: str) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise StrategyFileError(
            data_file, [f"the file cannot be read ({error.strerror})"]
        ) from error
    if len(raw) > MAX_FILE_BYTES:
        raise StrategyFileError(data_file, ["the file is larger than 5 MB"])
    try:
        return yaml.load(raw.decode("utf-8"), Loader=_StrictLoader)  # noqa: S506 (safe loader)
    except UnicodeDecodeError as error:
        raise StrategyFileError(data_file, ["the file is not UTF-8 text"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise StrategyFileError(data_file, [f"{where}not valid YAML: {problem}"]) from error


# Checking --------------------------------------------------------------------------------------


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


class _Checker:
    """Collects every problem, each as "item: reason", and returns clean values with defaults."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, reason: str) -> None:
        self.problems.append(f"{where}: {reason}" if where else reason)

    def mapping(self, value: Any, where: str, keys: set[str], required: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.problem(where, f"should be a mapping of keys to values, not {_kind(value)}")
            return None
        for key in sorted(set(value) - keys, key=str):
            self.problem(where, f"unknown key {key!r}")
        for key in sorted(required - set(value)):
            self.problem(where, f"the required key {key!r} is missing")
        return value

    def text(
        self,
        m: dict,
        key: str,
        where: str,
        *,
        required: bool = False,
        limit: tuple[type[models.Model], str] | None = None,
    ) -> str:
        value = m.get(key)
        if value is None:
            if required and key in m:
                self.problem(where, f"{key} must not be empty")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(where, f"{key} should be text, not {_kind(value)}")
            return ""
        value = str(value).strip()
        if required and not value:
            self.problem(where, f"{key} must not be empty")
        if limit and value:
            most = _max_length(*limit)
            if most and len(value) > most:
                self.problem(where, f"{key} is {len(value)} characters long; the most is {most}")
        return value

    def integer(self, m: dict, key: str, where: str, *, lowest: int, highest: int) -> int | None:
        value = m.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            if key in m:
                self.problem(where, f"{key} should be a whole number, not {_kind(value)}")
            return None
        if not lowest <= value <= highest:
            self.problem(where, f"{key} should be from {lowest} to {highest}, not {value}")
            return None
        return value

    def boolean(self, m: dict, key: str, where: str) -> bool:
        value = m.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, f"{key} should be true or false, not {_kind(value)}")
            return False
        return value

    def day(self, m: dict, key: str, where: str) -> date | None:
        value = m.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(where, f"{key} should be a date written YYYY-MM-DD, or empty, not {value!r}")
        return None

    def items(self, m: dict, key: str, where: str, *, required: bool = False) -> list:
        value = m.get(key)
        if value is None:
            if required:
                self.problem(where, f"{key} should list at least one item")
            return []
        if not isinstance(value, list):
            self.problem(where, f"{key} should be a list, not {_kind(value)}")
            return []
        if required and not value:
            self.problem(where, f"{key} should list at least one item")
        return value

    def strings(
        self, m: dict, key: str, where: str, limit: tuple[type[models.Model], str] | None = None
    ) -> list[str]:
        out = []
        for i, value in enumerate(self.items(m, key, where), start=1):
            if not isinstance(value, str) or not value.strip():
                self.problem(f"{where}.{key}[{i}]", f"should be a non-empty name, not {value!r}")
                continue
            value = value.strip()
            most = _max_length(*limit) if limit else None
            if most and len(value) > most:
                self.problem(f"{where}.{key}[{i}]", f"is longer than {most} characters")
                continue
            out.append(value)
        return out

    def choice(self, m: dict, key: str, where: str, choices, *, required: bool = True) -> str:
        value = self.text(m, key, where, required=required)
        if value and value not in choices:
            allowed = ", ".join(sorted(c for c in choices if c))
            self.problem(where, f"{key} {value!r} is not one of: {allowed}")
        return value

    def quirks(self, m: dict, where: str) -> list[dict]:
        out = []
        for i, raw in enumerate(self.items(m, "quirks", where), start=1):
            here = f"{where}.quirks[{i}]"
            q = self.mapping(raw, here, {"code", "detail"}, {"code", "detail"})
            if q is None:
                continue
            code = self.choice(q, "code", here, QUIRK_CODES)
            detail = self.text(q, "detail", here, required=True)
            if code and detail:
                out.append({"code": code, "detail": detail})
        return out

    def labelled(self, m: dict, key: str, where: str) -> list[dict]:
        """Sub-activities and measures: [{label, text}] in the source's order."""
        out = []
        for i, raw in enumerate(self.items(m, key, where), start=1):
            here = f"{where}.{key}[{i}]"
            item = self.mapping(raw, here, {"label", "text"}, {"text"})
            if item is None:
                continue
            label = self.text(item, "label", here, limit=(ActionMeasure, "label"))
            text = self.text(item, "text", here, required=True)
            out.append({"label": label, "text": text})
        return out


def _named(where: str, raw: Any, key: str) -> str:
    """`where` with the item's own name or code, so a curator can find it in the file."""
    value = raw.get(key) if isinstance(raw, dict) else None
    return f"{where} ({str(value).strip()})" if isinstance(value, str | int) and value else where


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _check(data: Any, data_file: str) -> dict:
    """The file as clean plain data, or StrategyFileError listing every problem."""
    c = _Checker()
    top_keys = {
        "format_version",
        "data_version",
        "source",
        "partnership",
        "organisations",
        "bodies",
        "strategy",
        "priorities",
        "governance",
        "measures_of_success",
    }
    required = {"format_version", "source", "partnership", "strategy", "priorities"}
    top = c.mapping(data, "", top_keys, required)
    if top is None:
        raise StrategyFileError(data_file, c.problems)
    if "format_version" in top and top["format_version"] != FORMAT_VERSION:
        c.problem(
            "format_version",
            f"this platform reads format_version {FORMAT_VERSION}, not {top['format_version']!r}",
        )
    plan: dict[str, Any] = {
        "data_version": c.text(
            top, "data_version", "data_version", limit=(Strategy, "data_version")
        )
    }
    plan["source"] = _check_source(c, top.get("source"))
    plan["partnership"] = _check_partnership(c, top.get("partnership"))
    plan["organisations"], plan["bodies"] = _check_agencies(c, top)
    plan["strategy"] = _check_strategy(c, top.get("strategy"))
    body_names = {b["name"] for b in plan["bodies"]}
    plan["priorities"] = _check_priorities(c, top, body_names)
    plan["governance"] = _check_governance(c, top, body_names)
    plan["measures_of_success"] = _check_measures_of_success(c, top)
    if c.problems:
        raise StrategyFileError(data_file, c.problems)
    return plan


def _check_source(c: _Checker, raw: Any) -> dict:
    keys = {"title", "publisher", "seed_file", "sha256"}
    s = c.mapping(raw, "source", keys, keys) if raw is not None else None
    if s is None:
        return {}
    out = {
        "title": c.text(s, "title", "source", required=True, limit=(Strategy, "source_title")),
        "publisher": c.text(s, "publisher", "source", required=True),
        "seed_file": c.text(
            s, "seed_file", "source", required=True, limit=(Strategy, "source_file")
        ),
        "sha256": c.text(s, "sha256", "source", required=True),
    }
    if out["sha256"] and not re.fullmatch(r"[0-9a-f]{64}", out["sha256"]):
        c.problem("source", "sha256 should be 64 lower-case hexadecimal characters")
    return out


def _check_partnership(c: _Checker, raw: Any) -> dict:
    keys = {"name", "slug", "region", "colour", "reporting_year_start_month", "wards"}
    p = c.mapping(raw, "partnership", keys, {"name", "slug", "region"}) if raw is not None else None
    if p is None:
        return {}
    out = {
        "name": c.text(p, "name", "partnership", required=True, limit=(Partnership, "name")),
        "slug": _slug(c, p, "slug", "partnership"),
        "colour": c.text(p, "colour", "partnership") or "#1d70b8",
        "reporting_year_start_month": c.integer(
            p, "reporting_year_start_month", "partnership", lowest=1, highest=12
        )
        or 4,
        "region": {},
        "wards": [],
    }
    try:
        hex_colour(out["colour"])
    except ValidationError:
        c.problem("partnership", f"colour {out['colour']!r} should be # and six hex digits")
    r = c.mapping(p.get("region"), "partnership.region", {"name", "slug"}, {"name", "slug"})
    if r is not None:
        out["region"] = {
            "name": c.text(r, "name", "partnership.region", required=True, limit=(Region, "name")),
            "slug": _slug(c, r, "slug", "partnership.region"),
        }
    for i, raw_ward in enumerate(c.items(p, "wards", "partnership"), start=1):
        here = f"partnership.wards[{i}]"
        w = c.mapping(raw_ward, here, {"name", "valid_from", "valid_to"}, {"name"})
        if w is None:
            continue
        ward = {
            "name": c.text(w, "name", here, required=True, limit=(Ward, "name")),
            "valid_from": c.day(w, "valid_from", here),
            "valid_to": c.day(w, "valid_to", here),
        }
        if ward["valid_from"] and ward["valid_to"] and ward["valid_to"] < ward["valid_from"]:
            c.problem(here, "valid_to is before valid_from")
        out["wards"].append(ward)
    return out


def _slug(c: _Checker, m: dict, key: str, where: str) -> str:
    value = c.text(m, key, where, required=True)
    if value:
        try:
            validate_slug(value)
        except ValidationError:
            c.problem(where, f"{key} {value!r} should use only letters, numbers, - and _")
    return value


def _check_agencies(c: _Checker, top: dict) -> tuple[list[dict], list[dict]]:
    """Organisations and bodies, and that no name or alias points at two of them."""
    organisations, bodies = [], []
    claimed: dict[str, str] = {}

    def claim(alias: str, owner: str, where: str) -> None:
        key = name_key(alias)
        if key in claimed and claimed[key] != owner:
            c.problem(where, f"the name {alias!r} is also used by {claimed[key]}")
        claimed.setdefault(key, owner)

    kinds = set(Organisation.Kind.values)
    for i, raw in enumerate(c.items(top, "organisations", ""), start=1):
        here = _named(f"organisations[{i}]", raw, "name")
        o = c.mapping(raw, here, {"name", "kind", "aliases"}, {"name", "kind"})
        if o is None:
            continue
        name = c.text(o, "name", here, required=True, limit=(Organisation, "name"))
        org = {
            "name": name,
            "kind": c.choice(o, "kind", here, kinds),
            "aliases": c.strings(o, "aliases", here),
        }
        for alias in [name, *org["aliases"]]:
            if alias:
                claim(alias, f"organisation {name!r}", here)
        organisations.append(org)

    kinds = set(PartnershipBody.Kind.values)
    for i, raw in enumerate(c.items(top, "bodies", ""), start=1):
        here = _named(f"bodies[{i}]", raw, "name")
        keys = {"name", "kind", "description", "reports_to", "aliases"}
        b = c.mapping(raw, here, keys, {"name", "kind"})
        if b is None:
            continue
        name = c.text(b, "name", here, required=True, limit=(PartnershipBody, "name"))
        body = {
            "name": name,
            "kind": c.choice(b, "kind", here, kinds),
            "description": c.text(b, "description", here),
            "reports_to": c.text(b, "reports_to", here),
            "aliases": c.strings(b, "aliases", here),
        }
        for alias in [name, *body["aliases"]]:
            if alias:
                claim(alias, f"body {name!r}", here)
        bodies.append(body)

    for key, rows in (("organisations", organisations), ("bodies", bodies)):
        for name, count in Counter(r["name"] for r in rows if r["name"]).items():
            if count > 1:
                c.problem(key, f"{name!r} is listed {count} times; list each once")
    names = {b["name"] for b in bodies}
    for i, body in enumerate(bodies, start=1):
        target = body["reports_to"]
        if target and target not in names:
            c.problem(f"bodies[{i}] ({body['name']})", f"reports_to {target!r} is not a body here")
        if target and target == body["name"]:
            c.problem(f"bodies[{i}] ({body['name']})", "a body cannot report to itself")
    return organisations, bodies


def _check_strategy(c: _Checker, raw: Any) -> dict:
    keys = {
        "slug",
        "title",
        "start_year",
        "end_year",
        "vision",
        "summary",
        "principles",
        "quirks",
    }
    required = {"slug", "title", "start_year", "end_year"}
    s = c.mapping(raw, "strategy", keys, required) if raw is not None else None
    if s is None:
        return {}
    out = {
        "slug": _slug(c, s, "slug", "strategy"),
        "title": c.text(s, "title", "strategy", required=True, limit=(Strategy, "title")),
        "start_year": c.integer(s, "start_year", "strategy", lowest=1990, highest=2100),
        "end_year": c.integer(s, "end_year", "strategy", lowest=1990, highest=2100),
        "vision": c.text(s, "vision", "strategy"),
        "summary": c.text(s, "summary", "strategy"),
        "principles": [],
        "quirks": c.quirks(s, "strategy"),
    }
    if out["start_year"] and out["end_year"] and out["end_year"] < out["start_year"]:
        c.problem("strategy", "end_year is before start_year")
    for i, raw_principle in enumerate(c.items(s, "principles", "strategy"), start=1):
        here = f"strategy.principles[{i}]"
        p = c.mapping(raw_principle, here, {"title", "text"}, {"title"})
        if p is not None:
            out["principles"].append(
                {
                    "title": c.text(p, "title", here, required=True, limit=(Principle, "title")),
                    "text": c.text(p, "text", here),
                }
            )
    return out


def _check_priorities(c: _Checker, top: dict, body_names: set[str]) -> list[dict]:
    keys = {
        "code",
        "number",
        "title",
        "summary",
        "aims",
        "in_plan_only",
        "workstream",
        "objectives",
        "goals",
        "quirks",
        "actions",
    }
    priorities = []
    for i, raw in enumerate(c.items(top, "priorities", "", required=True), start=1):
        here = _named(f"priorities[{i}]", raw, "code")
        p = c.mapping(raw, here, keys, {"code", "title", "actions"})
        if p is None:
            continue
        code = c.text(p, "code", here, required=True, limit=(Priority, "code"))
        priority = {
            "code": code,
            "number": c.text(p, "number", here, limit=(Priority, "number")),
            "title": c.text(p, "title", here, required=True, limit=(Priority, "title")),
            "summary": c.text(p, "summary", here),
            "aims": c.strings(p, "aims", here),
            "in_plan_only": c.boolean(p, "in_plan_only", here),
            "workstream": c.text(p, "workstream", here),
            "quirks": c.quirks(p, here),
            "objectives": [],
            "actions": [],
        }
        if priority["workstream"] and priority["workstream"] not in body_names:
            c.problem(here, f"workstream {priority['workstream']!r} is not a body here")
        if "objectives" in p and "goals" in p:
            c.problem(here, "give objectives or goals, not both")
        kind = Objective.Kind.GOAL if "goals" in p else Objective.Kind.OBJECTIVE
        key = "goals" if "goals" in p else "objectives"
        for j, raw_objective in enumerate(c.items(p, key, here), start=1):
            where = f"{here}.{key}[{j}]"
            o = c.mapping(raw_objective, where, {"number", "text", "quirks"}, {"text"})
            if o is not None:
                priority["objectives"].append(
                    {
                        "kind": kind,
                        "number": c.text(o, "number", where, limit=(Objective, "number")),
                        "text": c.text(o, "text", where, required=True),
                        "quirks": c.quirks(o, where),
                    }
                )
        for j, raw_action in enumerate(c.items(p, "actions", here, required=True), start=1):
            action = _check_action(c, raw_action, f"{here}.actions[{j}]")
            if action is not None:
                priority["actions"].append(action)
        priorities.append(priority)
    places = defaultdict(list)
    for i, p in enumerate(priorities, start=1):
        if p["code"]:
            places[p["code"]].append(f"priorities[{i}]")
    for code, where in places.items():
        if len(where) > 1:
            c.problem(
                " and ".join(where),
                f"the code {code!r} is used by {len(where)} priorities; "
                "each priority needs its own code",
            )
    return priorities


def _check_action(c: _Checker, raw: Any, here: str) -> dict | None:
    keys = {
        "ref",
        "ref_assigned",
        "activity",
        "sub_activities",
        "measures_intro",
        "measures",
        "leads",
        "leads_as_written",
        "deliver_by",
        "deliver_by_as_written",
        "quirks",
    }
    here = _named(here, raw, "ref")
    a = c.mapping(raw, here, keys, {"ref", "activity"})
    if a is None:
        return None
    ref = c.text(a, "ref", here, required=True, limit=(Action, "ref"))
    return {
        "ref": ref,
        "ref_assigned": c.boolean(a, "ref_assigned", here),
        "activity": c.text(a, "activity", here, required=True),
        "sub_activities": c.labelled(a, "sub_activities", here),
        "measures_intro": c.text(a, "measures_intro", here, limit=(Action, "measures_intro")),
        "measures": c.labelled(a, "measures", here),
        "leads": c.strings(a, "leads", here, limit=(ActionLead, "name_as_written")),
        "leads_as_written": c.text(a, "leads_as_written", here),
        "deliver_by": c.day(a, "deliver_by", here),
        "deliver_by_as_written": c.text(
            a, "deliver_by_as_written", here, limit=(Action, "deliver_by_as_written")
        ),
        "quirks": c.quirks(a, here),
        "where": here,
    }


def _check_governance(c: _Checker, top: dict, body_names: set[str]) -> list[dict]:
    out = []
    for i, raw in enumerate(c.items(top, "governance", ""), start=1):
        here = f"governance[{i}]"
        g = c.mapping(raw, here, {"body", "description"}, {"body"})
        if g is None:
            continue
        body = c.text(g, "body", here, required=True)
        if body and body not in body_names:
            c.problem(here, f"body {body!r} is not listed under bodies")
        out.append({"body": body, "description": c.text(g, "description", here)})
    return out


def _check_measures_of_success(c: _Checker, top: dict) -> list[dict]:
    out = []
    keys = {"number", "text", "direction", "direction_basis", "quirks"}
    for i, raw in enumerate(c.items(top, "measures_of_success", ""), start=1):
        here = f"measures_of_success[{i}]"
        m = c.mapping(raw, here, keys, {"text"})
        if m is None:
            continue
        out.append(
            {
                "number": c.text(m, "number", here, limit=(MeasureOfSuccess, "number")),
                "text": c.text(m, "text", here, required=True),
                "direction": c.choice(m, "direction", here, DIRECTIONS, required=False),
                "direction_basis": c.text(
                    m, "direction_basis", here, limit=(MeasureOfSuccess, "direction_basis")
                ),
                "quirks": c.quirks(m, here),
            }
        )
    return out


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


# Writing ---------------------------------------------------------------------------------------


def _saved(obj: models.Model, where: str) -> models.Model:
    # Foreign keys here point at rows this load just saved, so checking that each
    # exists would only cost a query per item.
    links = [f.name for f in obj._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    try:
        obj.full_clean(exclude=links)
    except ValidationError as error:
        raise ValidationError(f"{where}: {_validation_text(error)}") from error
    obj.save()
    return obj


def _merge_aliases(existing: list, from_file: list[str]) -> list[str]:
    """The file's aliases first, then any an admin added in the app."""
    merged = list(from_file)
    keys = {name_key(a) for a in merged}
    for alias in existing or []:
        if isinstance(alias, str) and name_key(alias) not in keys:
            merged.append(alias)
            keys.add(name_key(alias))
    return merged


class _Writer:
    """Writes a checked plan. Runs inside the caller's transaction."""

    def __init__(self, plan: dict, data_file: str):
        self.plan = plan
        self.data_file = data_file
        # Quirks this load finds: (code, detail, target field, target id).
        self.quirks: list[tuple[str, str, str | None, int | None]] = []

    def write(self) -> LoadResult:
        partnership = self._partnership()
        organisations = self._organisations(partnership)
        bodies = self._bodies(partnership)
        strategy, created = self._strategy(partnership)
        self.names = self._name_index(partnership)
        counts = Counter()
        counts["principles"] = self._principles(strategy)
        self._priorities(strategy, bodies, counts)
        counts["measures_of_success"] = self._measures_of_success(strategy)
        counts["governance"] = self._governance(strategy, bodies)
        counts["organisations"] = len(organisations)
        counts["bodies"] = len(bodies)
        total, still_open = self._sync_quirks(strategy)
        audit.record(
            action=audit.Action.LOAD,
            partnership=partnership,
            obj=strategy,
            summary=f"Loaded strategy data file {self.data_file}",
            detail={
                "data_file": self.data_file,
                "data_version": strategy.data_version,
                "source_sha256": strategy.source_sha256,
                "counts": dict(counts),
                "quirks": total,
            },
        )
        return LoadResult(
            data_file=self.data_file,
            partnership=partnership.name,
            strategy=strategy.title,
            created=created,
            counts=dict(counts),
            quirks=total,
            open_quirks=still_open,
        )

    # Partnership and its agencies.

    def _partnership(self) -> Partnership:
        p = self.plan["partnership"]
        region = Region.objects.filter(slug=p["region"]["slug"]).first()
        if region is None:
            region = _saved(Region(**p["region"]), "partnership.region")
        # The partnership's own settings (name, colour...) belong to its admins once it exists.
        partnership = Partnership.objects.filter(slug=p["slug"]).first()
        if partnership is None:
            partnership = _saved(
                Partnership(
                    slug=p["slug"],
                    name=p["name"],
                    region=region,
                    colour=p["colour"],
                    reporting_year_start_month=p["reporting_year_start_month"],
                ),
                "partnership",
            )
        for i, w in enumerate(p["wards"], start=1):
            ward = Ward.objects.filter(
                partnership=partnership, name=w["name"], valid_from=w["valid_from"]
            ).first() or Ward(partnership=partnership, name=w["name"], valid_from=w["valid_from"])
            ward.valid_to = w["valid_to"]
            _saved(ward, f"partnership.wards[{i}]")
        return partnership

    def _organisations(self, partnership: Partnership) -> dict[str, Organisation]:
        out = {}
        existing = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
        for i, o in enumerate(self.plan["organisations"], start=1):
            org = existing.get(o["name"]) or Organisation(partnership=partnership, name=o["name"])
            org.kind = o["kind"]
            org.aliases = _merge_aliases(org.aliases, o["aliases"])
            out[o["name"]] = _saved(org, f"organisations[{i}] ({o['name']})")
        return out

    def _bodies(self, partnership: Partnership) -> dict[str, PartnershipBody]:
        out = {}
        existing = {b.name: b for b in PartnershipBody.objects.filter(partnership=partnership)}
        for i, b in enumerate(self.plan["bodies"], start=1):
            body = existing.get(b["name"]) or PartnershipBody(
                partnership=partnership, name=b["name"]
            )
            body.kind = b["kind"]
            body.description = b["description"] or body.description
            body.aliases = _merge_aliases(body.aliases, b["aliases"])
            body.order = i
            out[b["name"]] = _saved(body, f"bodies[{i}] ({b['name']})")
        for i, b in enumerate(self.plan["bodies"], start=1):
            body = out[b["name"]]
            target = out[b["reports_to"]] if b["reports_to"] else None
            if target is not None and body.reports_to_id != target.pk:
                body.reports_to = target
                _saved(body, f"bodies[{i}] ({b['name']})")
        return out

    def _name_index(self, partnership: Partnership) -> dict[str, tuple[str, models.Model]]:
        """Every name and alias of the partnership's organisations and bodies, for leads."""
        index: dict[str, tuple[str, models.Model]] = {}
        for body in PartnershipBody.objects.filter(partnership=partnership):
            for name in [body.name, *(body.aliases or [])]:
                index.setdefault(name_key(str(name)), ("body", body))
        # An organisation wins over a body of the same name: leads are usually agencies.
        for org in Organisation.objects.filter(partnership=partnership):
            for name in [org.name, *(org.aliases or [])]:
                index[name_key(str(name))] = ("organisation", org)
        return index

    # The strategy.

    def _strategy(self, partnership: Partnership) -> tuple[Strategy, bool]:
        s, source = self.plan["strategy"], self.plan["source"]
        strategy = Strategy.objects.filter(partnership=partnership, slug=s["slug"]).first()
        created = strategy is None
        strategy = strategy or Strategy(partnership=partnership, slug=s["slug"])
        strategy.title = s["title"]
        strategy.start_year = s["start_year"]
        strategy.end_year = s["end_year"]
        strategy.vision = s["vision"]
        strategy.summary = s["summary"]
        strategy.source_title = source["title"]
        strategy.source_file = source["seed_file"]
        strategy.source_sha256 = source["sha256"]
        strategy.data_file = self.data_file
        strategy.data_version = self.plan["data_version"]
        _saved(strategy, "strategy")
        for q in s["quirks"]:
            self.quirks.append((q["code"], q["detail"], None, None))
        return strategy, created

    def _principles(self, strategy: Strategy) -> int:
        rows = self.plan["strategy"]["principles"]
        existing = {p.order: p for p in strategy.principles.all()}
        for i, p in enumerate(rows, start=1):
            principle = existing.get(i) or Principle(strategy=strategy, order=i)
            principle.title, principle.text = p["title"], p["text"]
            _saved(principle, f"strategy.principles[{i}]")
        strategy.principles.filter(order__gt=len(rows)).delete()
        return len(rows)

    def _priorities(self, strategy: Strategy, bodies: dict, counts: Counter) -> None:
        existing = {p.code: p for p in strategy.priorities.all()}
        existing_actions = {a.order: a for a in strategy.actions.all()}
        position = 0
        kept_codes = []
        for i, p in enumerate(self.plan["priorities"], start=1):
            where = f"priorities[{i}] ({p['code']})"
            priority = existing.get(p["code"]) or Priority(strategy=strategy, code=p["code"])
            priority.order = i
            priority.number = p["number"]
            priority.title = p["title"]
            priority.summary = p["summary"]
            priority.aims = p["aims"]
            priority.in_plan_only = p["in_plan_only"]
            priority.workstream = bodies[p["workstream"]] if p["workstream"] else None
            _saved(priority, where)
            kept_codes.append(p["code"])
            for q in p["quirks"]:
                self.quirks.append((q["code"], q["detail"], "priority", priority.pk))
            counts["objectives"] += self._objectives(priority, p["objectives"], where)
            for a in p["actions"]:
                position += 1
                action = existing_actions.get(position) or Action(strategy=strategy, order=position)
                self._action(action, priority, a)
                counts["measures"] += len(a["measures"])
            self._detect_numbering_gap(priority, p["actions"])
        counts["priorities"] = len(kept_codes)
        counts["actions"] = position
        strategy.actions.filter(order__gt=position).delete()
        strategy.priorities.exclude(code__in=kept_codes).delete()
        self._detect_duplicate_refs(strategy)

    def _objectives(self, priority: Priority, rows: list[dict], where: str) -> int:
        existing = {o.order: o for o in priority.objectives.all()}
        for i, o in enumerate(rows, start=1):
            objective = existing.get(i) or Objective(priority=priority, order=i)
            objective.kind, objective.number, objective.text = o["kind"], o["number"], o["text"]
            _saved(objective, f"{where}.{o['kind']}s[{i}]")
            for q in o["quirks"]:
                self.quirks.append((q["code"], q["detail"], "objective", objective.pk))
        priority.objectives.filter(order__gt=len(rows)).delete()
        return len(rows)

    def _action(self, action: Action, priority: Priority, a: dict) -> None:
        where = a["where"]
        action.priority = priority
        action.ref = a["ref"]
        action.ref_assigned = a["ref_assigned"]
        action.activity = a["activity"]
        action.sub_activities = a["sub_activities"]
        action.measures_intro = a["measures_intro"]
        action.leads_as_written = a["leads_as_written"]
        # A date an admin completed in the app stands while the source has none.
        action.deliver_by = a["deliver_by"] or action.deliver_by
        action.deliver_by_as_written = a["deliver_by_as_written"] or action.deliver_by_as_written
        _saved(action, where)

        existing = {m.order: m for m in action.measures.all()}
        for i, m in enumerate(a["measures"], start=1):
            measure = existing.get(i) or ActionMeasure(action=action, order=i)
            measure.label, measure.text = m["label"], m["text"]
            _saved(measure, f"{where}.measures[{i}]")
        action.measures.filter(order__gt=len(a["measures"])).delete()

        leads = self._leads(action, a)
        for q in a["quirks"]:
            self.quirks.append((q["code"], q["detail"], "action", action.pk))
        if a["ref_assigned"]:
            detail = f"The source gives this action no reference; the platform assigned {a['ref']}."
            self.quirks.append((Quirk.Code.NO_REF, detail, "action", action.pk))
        if not action.deliver_by and not action.deliver_by_as_written:
            detail = f"The source gives no deliver-by date for {a['ref']}."
            self.quirks.append((Quirk.Code.NO_DELIVER_BY, detail, "action", action.pk))
        if not leads:
            detail = f"The source names no lead for {a['ref']}."
            self.quirks.append((Quirk.Code.NO_LEAD, detail, "action", action.pk))
        for lead in leads:
            if not lead.resolved:
                detail = (
                    f"The lead '{lead.name_as_written}' ({a['ref']}) matches no organisation "
                    f"or body of the partnership."
                )
                self.quirks.append((Quirk.Code.UNRESOLVED_LEAD, detail, "action", action.pk))

    def _leads(self, action: Action, a: dict) -> list[ActionLead]:
        existing = {lead.order: lead for lead in action.leads.all() if lead.from_source}
        if not a["leads"]:
            # Leads an admin named in the app stand while the source names none.
            return list(action.leads.all())
        leads = []
        for i, name in enumerate(a["leads"], start=1):
            lead = existing.get(i) or ActionLead(action=action, order=i)
            found = self.names.get(name_key(name))
            kept = lead.pk and name_key(lead.name_as_written) == name_key(name) and lead.resolved
            if found:
                lead.organisation = found[1] if found[0] == "organisation" else None
                lead.body = found[1] if found[0] == "body" else None
            elif not kept:
                # Unresolved, unless an admin resolved this same name in the app.
                lead.organisation = lead.body = None
            lead.name_as_written = name
            leads.append(_saved(lead, f"{a['where']}.leads[{i}]"))
        # Leads an admin added in the app (from_source=False) are not the source's to drop.
        action.leads.filter(order__gt=len(a["leads"]), from_source=True).delete()
        return leads

    def _detect_numbering_gap(self, priority: Priority, actions: list[dict]) -> None:
        """A missing number among the source's own references, such as IH.04."""
        numbered = defaultdict(set)
        widths = {}
        for a in actions:
            match = re.fullmatch(r"(.*?)(\d+)", a["ref"])
            if a["ref_assigned"] or not match:
                continue
            prefix, digits = match.groups()
            numbered[prefix].add(int(digits))
            widths[prefix] = len(digits)
        for prefix, numbers in numbered.items():
            for n in range(min(numbers), max(numbers) + 1):
                if n not in numbers:
                    missing = f"{prefix}{n:0{widths[prefix]}d}"
                    before = f"{prefix}{max(k for k in numbers if k < n):0{widths[prefix]}d}"
                    after = f"{prefix}{min(k for k in numbers if k > n):0{widths[prefix]}d}"
                    detail = (
                        f"There is no {missing}: the source's references go from {before} "
                        f"to {after}."
                    )
                    self.quirks.append((Quirk.Code.NUMBERING_GAP, detail, "priority", priority.pk))

    def _detect_duplicate_refs(self, strategy: Strategy) -> None:
        by_ref = defaultdict(list)
        for action in strategy.actions.order_by("order"):
            by_ref[action.ref].append(action)
        for ref, actions in by_ref.items():
            if len(actions) < 2:
                continue
            positions = ", ".join(str(a.order) for a in actions)
            detail = (
                f"{ref} is used by {len(actions)} actions in the source (positions {positions} "
                f"in the plan); each is kept as its own action."
            )
            for action in actions:
                self.quirks.append((Quirk.Code.DUPLICATE_REF, detail, "action", action.pk))

    def _measures_of_success(self, strategy: Strategy) -> int:
        rows = self.plan["measures_of_success"]
        existing = {m.order: m for m in strategy.measures_of_success.all()}
        for i, m in enumerate(rows, start=1):
            measure = existing.get(i) or MeasureOfSuccess(strategy=strategy, order=i)
            measure.number, measure.text = m["number"], m["text"]
            # A direction an admin completed in the app stands while the source has none.
            if m["direction"] or not measure.direction:
                measure.direction = m["direction"]
                measure.direction_basis = m["direction_basis"]
            _saved(measure, f"measures_of_success[{i}]")
            for q in m["quirks"]:
                self.quirks.append((q["code"], q["detail"], "measure_of_success", measure.pk))
            if not measure.direction:
                label = m["number"] or str(i)
                detail = (
                    f"Measure of success {label} does not say whether it should increase "
                    f"or decrease (an arrow may have been lost from the source)."
                )
                self.quirks.append(
                    (Quirk.Code.DIRECTION_LOST, detail, "measure_of_success", measure.pk)
                )
        strategy.measures_of_success.filter(order__gt=len(rows)).delete()
        return len(rows)

    def _governance(self, strategy: Strategy, bodies: dict) -> int:
        rows = self.plan["governance"]
        existing = {g.order: g for g in strategy.governance.all()}
        for i, g in enumerate(rows, start=1):
            role = existing.get(i) or GovernanceRole(strategy=strategy, order=i)
            role.body, role.description = bodies[g["body"]], g["description"]
            _saved(role, f"governance[{i}]")
        strategy.governance.filter(order__gt=len(rows)).delete()
        return len(rows)

    def _sync_quirks(self, strategy: Strategy) -> tuple[int, int]:
        """Add the quirks found; keep those an admin resolved; drop open ones no longer found."""
        targets = ("priority", "objective", "action", "measure_of_success")

        def key_of(code, detail, target, target_id):
            ids = tuple(target_id if t == target else None for t in targets)
            return (code, detail, *ids)

        existing = {}
        for quirk in strategy.quirks.all():
            ids = tuple(getattr(quirk, f"{t}_id") for t in targets)
            existing.setdefault((quirk.code, quirk.detail, *ids), quirk)
        wanted = set()
        for code, detail, target, target_id in self.quirks:
            key = key_of(code, detail, target, target_id)
            if key in wanted:
                continue
            wanted.add(key)
            if key not in existing:
                quirk = Quirk(strategy=strategy, code=code, detail=detail)
                if target:
                    setattr(quirk, f"{target}_id", target_id)
                _saved(quirk, f"quirk {code} ({detail[:60]})")
        stale = [q.pk for k, q in existing.items() if k not in wanted and q.open]
        strategy.quirks.filter(pk__in=stale).delete()
        total = strategy.quirks.count()
        return total, strategy.quirks.filter(resolved_at__isnull=True).count()

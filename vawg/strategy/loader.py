"""Loading a curated strategy data file (data/strategies/*.yaml) into the strategy models.

The file is checked in full first, against the schema in vawg/strategy/schema.py, so a
curator sees every problem at once, each named by file, item and reason. Loading is then
all-or-nothing and idempotent: items are matched on natural keys, so loading the same file
again changes nothing, and what an admin completed in the app (a quirk's resolution, a
deliver-by date, a lead, a measure's direction the source left empty) survives a reload.
The format is described in docs/strategy-data.md.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from vawg.audit import services as audit
from vawg.core.models import Organisation, Partnership, PartnershipBody, Region, Ward
from vawg.core.periods import periods_ensure_range
from vawg.strategy import schema
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
from vawg.strategy.schema import name_key

MAX_FILE_BYTES = 5 * 1024 * 1024


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


def _check(data: Any, data_file: str) -> schema.StrategyFile:
    """The file as checked models, or StrategyFileError listing every problem."""
    plan, problems = schema.check(data)
    if plan is None:
        raise StrategyFileError(data_file, problems)
    return plan


# Writing ---------------------------------------------------------------------------------------


def _validation_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


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

    def __init__(self, plan: schema.StrategyFile, data_file: str):
        self.plan = plan
        self.data_file = data_file
        # Quirks this load finds: (code, detail, target field, target id).
        self.quirks: list[tuple[str, str, str | None, int | None]] = []

    def write(self) -> LoadResult:
        partnership = self._partnership()
        organisations = self._organisations(partnership)
        bodies = self._bodies(partnership)
        strategy, created = self._strategy(partnership)
        # Every quarter of the plan's years, so updates can be asked for and history recorded.
        periods_ensure_range(
            partnership=partnership, first=strategy.starts_on, last=strategy.ends_on
        )
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
        p = self.plan.partnership
        region = Region.objects.filter(slug=p.region.slug).first()
        if region is None:
            region = _saved(Region(name=p.region.name, slug=p.region.slug), "partnership.region")
        # The partnership's own settings (name, colour...) belong to its admins once it exists.
        partnership = Partnership.objects.filter(slug=p.slug).first()
        if partnership is None:
            partnership = _saved(
                Partnership(
                    slug=p.slug,
                    name=p.name,
                    region=region,
                    colour=p.colour,
                    reporting_year_start_month=p.reporting_year_start_month,
                ),
                "partnership",
            )
        for i, w in enumerate(p.wards, start=1):
            ward = Ward.objects.filter(
                partnership=partnership, name=w.name, valid_from=w.valid_from
            ).first() or Ward(partnership=partnership, name=w.name, valid_from=w.valid_from)
            ward.valid_to = w.valid_to
            _saved(ward, f"partnership.wards[{i}]")
        return partnership

    def _organisations(self, partnership: Partnership) -> dict[str, Organisation]:
        out = {}
        existing = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
        for i, o in enumerate(self.plan.organisations, start=1):
            org = existing.get(o.name) or Organisation(partnership=partnership, name=o.name)
            org.kind = o.kind
            org.aliases = _merge_aliases(org.aliases, o.aliases)
            out[o.name] = _saved(org, f"organisations[{i}] ({o.name})")
        return out

    def _bodies(self, partnership: Partnership) -> dict[str, PartnershipBody]:
        out = {}
        existing = {b.name: b for b in PartnershipBody.objects.filter(partnership=partnership)}
        for i, b in enumerate(self.plan.bodies, start=1):
            body = existing.get(b.name) or PartnershipBody(partnership=partnership, name=b.name)
            body.kind = b.kind
            body.description = b.description or body.description
            body.aliases = _merge_aliases(body.aliases, b.aliases)
            body.order = i
            out[b.name] = _saved(body, f"bodies[{i}] ({b.name})")
        for i, b in enumerate(self.plan.bodies, start=1):
            body = out[b.name]
            target = out[b.reports_to] if b.reports_to else None
            if target is not None and body.reports_to_id != target.pk:
                body.reports_to = target
                _saved(body, f"bodies[{i}] ({b.name})")
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
        s, source = self.plan.strategy, self.plan.source
        strategy = Strategy.objects.filter(partnership=partnership, slug=s.slug).first()
        created = strategy is None
        strategy = strategy or Strategy(partnership=partnership, slug=s.slug)
        strategy.title = s.title
        strategy.start_year = s.start_year
        strategy.end_year = s.end_year
        strategy.vision = s.vision
        strategy.summary = s.summary
        strategy.source_title = source.title
        strategy.source_file = source.seed_file
        strategy.source_sha256 = source.sha256
        strategy.data_file = self.data_file
        strategy.data_version = self.plan.data_version
        _saved(strategy, "strategy")
        for q in s.quirks:
            self.quirks.append((q.code, q.detail, None, None))
        return strategy, created

    def _principles(self, strategy: Strategy) -> int:
        rows = self.plan.strategy.principles
        existing = {p.order: p for p in strategy.principles.all()}
        for i, p in enumerate(rows, start=1):
            principle = existing.get(i) or Principle(strategy=strategy, order=i)
            principle.title, principle.text = p.title, p.text
            _saved(principle, f"strategy.principles[{i}]")
        strategy.principles.filter(order__gt=len(rows)).delete()
        return len(rows)

    def _priorities(self, strategy: Strategy, bodies: dict, counts: Counter) -> None:
        existing = {p.code: p for p in strategy.priorities.all()}
        existing_actions = {a.order: a for a in strategy.actions.all()}
        position = 0
        kept_codes = []
        for i, p in enumerate(self.plan.priorities, start=1):
            where = f"priorities[{i}] ({p.code})"
            priority = existing.get(p.code) or Priority(strategy=strategy, code=p.code)
            priority.order = i
            priority.number = p.number
            priority.title = p.title
            priority.summary = p.summary
            priority.aims = p.aims
            priority.in_plan_only = p.in_plan_only
            priority.workstream = bodies[p.workstream] if p.workstream else None
            _saved(priority, where)
            kept_codes.append(p.code)
            for q in p.quirks:
                self.quirks.append((q.code, q.detail, "priority", priority.pk))
            counts["objectives"] += self._objectives(priority, p, where)
            for j, a in enumerate(p.actions, start=1):
                position += 1
                action = existing_actions.get(position) or Action(strategy=strategy, order=position)
                self._action(action, priority, a, f"{where}.actions[{j}] ({a.ref})")
                counts["measures"] += len(a.measures)
            self._detect_numbering_gap(priority, p.actions)
        counts["priorities"] = len(kept_codes)
        counts["actions"] = position
        strategy.actions.filter(order__gt=position).delete()
        strategy.priorities.exclude(code__in=kept_codes).delete()
        self._detect_duplicate_refs(strategy)

    def _objectives(self, priority: Priority, p: schema.Priority, where: str) -> int:
        kind, rows = p.objectives_or_goals
        existing = {o.order: o for o in priority.objectives.all()}
        for i, o in enumerate(rows, start=1):
            objective = existing.get(i) or Objective(priority=priority, order=i)
            objective.kind, objective.number, objective.text = kind, o.number, o.text
            _saved(objective, f"{where}.{kind}s[{i}]")
            for q in o.quirks:
                self.quirks.append((q.code, q.detail, "objective", objective.pk))
        priority.objectives.filter(order__gt=len(rows)).delete()
        return len(rows)

    def _action(self, action: Action, priority: Priority, a: schema.Action, where: str) -> None:
        action.priority = priority
        action.ref = a.ref
        action.ref_assigned = a.ref_assigned
        action.activity = a.activity
        action.sub_activities = [s.model_dump() for s in a.sub_activities]
        action.measures_intro = a.measures_intro
        action.leads_as_written = a.leads_as_written
        # A date an admin completed in the app stands while the source has none.
        action.deliver_by = a.deliver_by or action.deliver_by
        action.deliver_by_as_written = a.deliver_by_as_written or action.deliver_by_as_written
        _saved(action, where)

        existing = {m.order: m for m in action.measures.all()}
        for i, m in enumerate(a.measures, start=1):
            measure = existing.get(i) or ActionMeasure(action=action, order=i)
            measure.label, measure.text = m.label, m.text
            _saved(measure, f"{where}.measures[{i}]")
        action.measures.filter(order__gt=len(a.measures)).delete()

        leads = self._leads(action, a, where)
        for q in a.quirks:
            self.quirks.append((q.code, q.detail, "action", action.pk))
        if a.ref_assigned:
            detail = f"The source gives this action no reference; the platform assigned {a.ref}."
            self.quirks.append((Quirk.Code.NO_REF, detail, "action", action.pk))
        if not action.deliver_by and not action.deliver_by_as_written:
            detail = f"The source gives no deliver-by date for {a.ref}."
            self.quirks.append((Quirk.Code.NO_DELIVER_BY, detail, "action", action.pk))
        if not leads:
            detail = f"The source names no lead for {a.ref}."
            self.quirks.append((Quirk.Code.NO_LEAD, detail, "action", action.pk))
        for lead in leads:
            if not lead.resolved:
                detail = (
                    f"The lead '{lead.name_as_written}' ({a.ref}) matches no organisation "
                    f"or body of the partnership."
                )
                self.quirks.append((Quirk.Code.UNRESOLVED_LEAD, detail, "action", action.pk))

    def _leads(self, action: Action, a: schema.Action, where: str) -> list[ActionLead]:
        existing = {lead.order: lead for lead in action.leads.all() if lead.from_source}
        if not a.leads:
            # Leads an admin named in the app stand while the source names none.
            return list(action.leads.all())
        leads = []
        for i, name in enumerate(a.leads, start=1):
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
            leads.append(_saved(lead, f"{where}.leads[{i}]"))
        # Leads an admin added in the app (from_source=False) are not the source's to drop.
        action.leads.filter(order__gt=len(a.leads), from_source=True).delete()
        return leads

    def _detect_numbering_gap(self, priority: Priority, actions: list[schema.Action]) -> None:
        """A missing number among the source's own references, such as IH.04."""
        numbered = defaultdict(set)
        widths = {}
        for a in actions:
            match = re.fullmatch(r"(.*?)(\d+)", a.ref)
            if a.ref_assigned or not match:
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
        rows = self.plan.measures_of_success
        existing = {m.order: m for m in strategy.measures_of_success.all()}
        for i, m in enumerate(rows, start=1):
            measure = existing.get(i) or MeasureOfSuccess(strategy=strategy, order=i)
            measure.number, measure.text = m.number, m.text
            # A direction an admin completed in the app stands while the source has none.
            if m.direction or not measure.direction:
                measure.direction = m.direction
                measure.direction_basis = m.direction_basis
            _saved(measure, f"measures_of_success[{i}]")
            for q in m.quirks:
                self.quirks.append((q.code, q.detail, "measure_of_success", measure.pk))
            if not measure.direction:
                label = m.number or str(i)
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
        rows = self.plan.governance
        existing = {g.order: g for g in strategy.governance.all()}
        for i, g in enumerate(rows, start=1):
            role = existing.get(i) or GovernanceRole(strategy=strategy, order=i)
            role.body, role.description = bodies[g.body], g.description
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

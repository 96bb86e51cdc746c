"""Writes to the measures of success: defining indicators, baselines and targets,
entering, importing and snapshotting values, and seeding indicators from a strategy.

Every write validates, runs in a transaction and is written to the audit trail.
A refused write raises ValidationError with messages a person can act on, keyed
by the form field they belong to.
"""

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import metrics
from vawg.core.metrics import Unit
from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.tabular import Problem, TableError
from vawg.core.uploads import Source, size_of
from vawg.exchange.exporting import Table
from vawg.exchange.importing import Change, Column, Outcome, Row, RowImport, run_import
from vawg.measures import status as st
from vawg.measures.models import (
    PER,
    RATE_UNITS,
    Direction,
    Indicator,
    IndicatorValue,
    Target,
    TargetKind,
    ValueSource,
)
from vawg.measures.rules import may_enter_for
from vawg.strategy.models import MeasureOfSuccess

logger = logging.getLogger(__name__)

# A value may differ from numerator / denominator by this much after rounding.
RATIO_SLACK = Decimal("0.05")


# --- Checking figures ------------------------------------------------------------


def figure_problems(
    *,
    unit: str,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    what: str = "value",
) -> dict[str, str]:
    """What is wrong with a figure in `unit`, keyed by field ("value", "numerator"...)."""
    problems: dict[str, str] = {}
    label = Unit(unit).label.lower()
    for name, number in (("numerator", numerator), ("denominator", denominator)):
        if number is not None and number < 0:
            problems[name] = f"The {name} cannot be negative."
    if denominator is not None and denominator == 0:
        problems["denominator"] = "The denominator cannot be 0."
    if unit in RATE_UNITS and value is not None and denominator is None:
        problems["denominator"] = (
            f"A {label} needs its denominator (the population it is a rate of)."
        )
    if (numerator is None) != (denominator is None) and "denominator" not in problems:
        missing = "denominator" if denominator is None else "numerator"
        problems[missing] = f"Enter the {missing} too, or leave both empty."
    if value is None:
        if numerator is None or denominator is None:
            problems.setdefault(what, f"Enter the {what}.")
        return problems
    if value < 0:
        problems[what] = f"The {what} cannot be negative."
    elif unit == Unit.PERCENTAGE and value > 100:
        problems[what] = f"A percentage must be between 0 and 100; {st.number(value)} is not."
    elif unit == Unit.COUNT and value != value.to_integral():
        problems[what] = f"A count must be a whole number; {st.number(value)} is not."
    elif numerator is not None and denominator and not problems:
        computed = numerator * PER.get(unit, 1) / denominator
        if abs(computed - value) > RATIO_SLACK:
            problems[what] = (
                f"The {what} ({st.number(value)}) does not match the numerator divided by the "
                f"denominator ({st.number(computed)})."
            )
    return problems


def _computed_value(unit: str, numerator, denominator) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (numerator * PER.get(unit, 1) / denominator).quantize(Decimal("0.1"))


# --- Indicators --------------------------------------------------------------------

DEFINITION_FIELDS = [
    "name",
    "definition",
    "numerator",
    "denominator",
    "unit",
    "direction",
    "frequency",
    "data_source",
    "owner",
    "disclosure",
    "metric_key",
    "baseline_value",
    "baseline_period",
    "tolerance",
]
LINK_FIELDS = ["priorities", "goals", "actions", "action_measures"]


@transaction.atomic
def indicator_save(
    *,
    partnership: Partnership,
    actor,
    values: dict,
    indicator: Indicator | None = None,
    request: HttpRequest | None = None,
) -> Indicator:
    """Create an indicator, or change one. `values` holds DEFINITION_FIELDS and LINK_FIELDS."""
    creating = indicator is None
    if indicator is None:
        indicator = Indicator(partnership=partnership)
    else:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = {name: _plain(getattr(indicator, name)) for name in DEFINITION_FIELDS}
    for name in DEFINITION_FIELDS:
        if name in values:
            setattr(indicator, name, values[name])
    if indicator.direction and (creating or before["direction"] != indicator.direction):
        indicator.direction_basis = "Chosen by the partnership"
    _check_definition(indicator, partnership)
    indicator.full_clean()
    indicator.save()
    links = _set_links(indicator, partnership, values)
    after = {name: _plain(getattr(indicator, name)) for name in DEFINITION_FIELDS}
    changed = {k: v for k, v in after.items() if creating or before[k] != v}
    record(
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=indicator,
        summary=("Defined" if creating else "Changed") + " a measure of success",
        detail={"changed": sorted(changed), **links},
        request=request,
    )
    return indicator


def _plain(value):
    return getattr(value, "pk", value if not isinstance(value, Decimal) else str(value))


def _check_definition(indicator: Indicator, partnership: Partnership) -> None:
    errors: dict[str, str] = {}
    if indicator.is_ratio and not indicator.denominator.strip():
        errors["denominator"] = (
            f"A {Unit(indicator.unit).label.lower()} needs a denominator: say what it is out of."
        )
    owner, baseline = indicator.owner, indicator.baseline_period
    if owner is not None and owner.partnership_id != partnership.pk:
        errors["owner"] = "Choose an organisation of this partnership."
    if baseline is not None and baseline.partnership_id != partnership.pk:
        errors["baseline_period"] = "Choose one of this partnership's reporting periods."
    if (indicator.baseline_value is None) != (indicator.baseline_period_id is None):
        missing = "baseline_period" if indicator.baseline_value is not None else "baseline_value"
        errors[missing] = "Enter the baseline value and the period it was measured in."
    if indicator.baseline_value is not None:
        problem = figure_problems(
            unit=indicator.unit, value=indicator.baseline_value, what="baseline"
        ).get("baseline")
        if problem:
            errors["baseline_value"] = problem
    if indicator.metric_key:
        try:
            metric = metrics.get(indicator.metric_key)
        except KeyError:
            errors["metric_key"] = "Choose a figure the platform can compute."
        else:
            if metric.unit != indicator.unit:
                errors["metric_key"] = (
                    f"“{metric.label}” is a {Unit(metric.unit).label.lower()}, but this "
                    f"indicator is a {Unit(indicator.unit).label.lower()}."
                )
    if indicator.pk and indicator.direction:
        for target in indicator.targets.all():
            problem = _target_problem(indicator, target.kind, target.amount, target.upper)
            if problem:
                errors["direction"] = f"The {target.year} target no longer fits: {problem}"
                break
    if errors:
        raise ValidationError(errors)


def _set_links(indicator: Indicator, partnership: Partnership, values: dict) -> dict:
    """Set the priorities, goals, actions and action measures it evidences (this partnership's)."""
    links = {}
    for name in LINK_FIELDS:
        if name not in values:
            continue
        chosen = list(values[name])
        model = getattr(Indicator, name).field.related_model
        path = model.partnership_path
        allowed = set(
            model.objects.filter(**{path: partnership}, pk__in=[o.pk for o in chosen]).values_list(
                "pk", flat=True
            )
        )
        if len(allowed) != len({o.pk for o in chosen}):
            raise ValidationError({name: "Choose only items of this partnership's strategy."})
        getattr(indicator, name).set(chosen)
        links[f"{name}_ids"] = sorted(allowed)
    return links


# --- Targets -------------------------------------------------------------------------


def _target_problem(indicator: Indicator, kind: str, amount: Decimal, upper) -> str:
    if not indicator.direction:
        return "Say whether an increase or a decrease is good before setting a target."
    if indicator.direction == Direction.RANGE:
        if kind != TargetKind.ABSOLUTE:
            return "A range target is two values: its lowest and its highest."
    elif upper is not None:
        return "Only a range indicator has a highest value."
    if kind == TargetKind.CHANGE and indicator.baseline_value is None:
        return "Set a baseline before setting a target as a % change from it."
    value = st.target_value(kind=kind, amount=amount, baseline=indicator.baseline_value)
    for what, number in (("target", value), ("highest value", upper)):
        if number is None:
            continue
        problem = figure_problems(unit=indicator.unit, value=number, what=what).get(what)
        if problem and "whole number" not in problem:
            return problem
    return st.wrong_direction(
        direction=indicator.direction,
        baseline=indicator.baseline_value,
        target=value,
        upper=upper,
    )


@transaction.atomic
def target_set(
    *,
    indicator: Indicator,
    year: int,
    kind: str,
    amount: Decimal,
    upper: Decimal | None = None,
    actor,
    request: HttpRequest | None = None,
) -> Target:
    """Set (or replace) the target for one reporting year."""
    problem = _target_problem(indicator, kind, amount, upper)
    if problem:
        raise ValidationError({"amount": problem})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Enter the year as four digits, for example 2026."})
    target, created = Target.objects.update_or_create(
        indicator=indicator, year=year, defaults={"kind": kind, "amount": amount, "upper": upper}
    )
    record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        partnership=indicator.partnership_id,
        obj=target,
        summary="Set a measure-of-success target",
        detail={
            "indicator_id": indicator.pk,
            "year": year,
            "kind": kind,
            "amount": str(amount),
            "upper": None if upper is None else str(upper),
        },
        request=request,
    )
    return target


# --- Values ----------------------------------------------------------------------------


def period_problem(indicator: Indicator, period: ReportingPeriod | None, today: date) -> str:
    if period is None or period.partnership_id != indicator.partnership_id:
        return "Choose one of this partnership's reporting periods."
    if period.start > today:
        return f"{period.label} has not started yet, so it cannot have a value."
    return ""


@transaction.atomic
def value_record(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    note: str = "",
    source: str = ValueSource.ENTERED,
    provenance: str = "",
    actor,
    today: date,
    request: HttpRequest | None = None,
    audit: bool = True,
) -> tuple[IndicatorValue, bool]:
    """Record a period's value; a different figure for a period that has one is a correction,
    kept as a new version. Returns (the current value, whether anything changed)."""
    errors = figure_problems(
        unit=indicator.unit, value=value, numerator=numerator, denominator=denominator
    )
    problem = period_problem(indicator, period, today)
    if problem:
        errors["period"] = problem
    if errors:
        raise ValidationError(errors)
    if value is None:
        value = _computed_value(indicator.unit, numerator, denominator)
    if value is None:  # figure_problems has already refused a value without both parts
        raise ValidationError({"value": "Enter the value."})
    note = (note or "").strip()
    # One writer per indicator at a time, so two first entries cannot both be version 1.
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    current = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, period=period, superseded_at__isnull=True)
        .first()
    )
    if current is not None and (
        current.value,
        current.numerator,
        current.denominator,
        current.note,
    ) == (value, numerator, denominator, note):
        return current, False
    version = 1
    if current is not None:
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
        version = current.version + 1
    row = IndicatorValue(
        indicator=indicator,
        period=period,
        version=version,
        value=value,
        numerator=numerator,
        denominator=denominator,
        source=source,
        provenance=provenance[:300],
        note=note,
        entered_by=actor,
    )
    row.full_clean()
    row.save()
    if audit:
        record(
            action=AuditAction.CREATE if version == 1 else AuditAction.UPDATE,
            actor=actor,
            partnership=indicator.partnership_id,
            obj=row,
            summary="Recorded a measure-of-success value"
            if version == 1
            else "Corrected a measure-of-success value",
            detail={
                "indicator_id": indicator.pk,
                "period_id": period.pk,
                "version": version,
                "source": source,
            },
            request=request,
        )
    return row, True


def value_record_message(row: IndicatorValue, changed: bool) -> tuple[int, str]:
    """What to tell the person who entered a value: (message level, text)."""
    label = row.period.label
    if not changed:
        return messages.INFO, f"{label} already has this value: nothing changed."
    if row.version > 1:
        return messages.SUCCESS, f"Value for {label} corrected (version {row.version})."
    return messages.SUCCESS, f"Value for {label} saved."


# --- Importing values ---------------------------------------------------------------

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

IMPORT_COLUMNS = ["Indicator ID", "Period", "Value", "Numerator", "Denominator", "Note"]
REQUIRED_COLUMNS = ["Indicator ID", "Period"]


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem], outcome: Outcome | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.outcome = outcome  # what the importer found (None: the file was not read)


@dataclass
class ImportResult:
    recorded: int = 0
    corrected: int = 0
    unchanged: int = 0
    indicator_ids: set[int] = field(default_factory=set)
    # The importer's own account: the encoding read in, and any rows set aside.
    outcome: Outcome | None = None

    @property
    def message(self) -> str:
        """What the import did, in words."""
        return (
            f"Imported: {self.recorded} new value{'s' if self.recorded != 1 else ''}, "
            f"{self.corrected} correction{'s' if self.corrected != 1 else ''}, "
            f"{self.unchanged} unchanged."
        )


def check_upload(data: Source, filename: str) -> None:
    """The size check before anything reads the file. Raises TableError."""
    if size_of(data) > MAX_UPLOAD_BYTES:
        raise TableError("The file must be smaller than 2 MB.")
    # read_table refuses an .xlsx archive bomb before opening it.


def import_template() -> Table:
    """A file to fill in for the values import: its headings and one example row."""
    return Table(
        name="measures-values-template",
        headers=IMPORT_COLUMNS,
        rows=[[12, "2025/26 Q1", "42", "", "", "From the quarterly return"]],
        title="Values",
    )


def _decimal(text: str) -> Decimal | None:
    text = text.replace(",", "").replace("%", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def values_import(
    *,
    partnership: Partnership,
    data: Source,
    filename: str,
    actor,
    roles,
    organisation_ids: set[int],
    today: date,
    request: HttpRequest | None = None,
    encoding: str | None = None,
    set_aside: bool = False,
) -> ImportResult:
    """Import a spreadsheet of values. Every row is checked first; one problem anywhere and
    nothing is saved (raises ImportRejected), unless `set_aside` asks for the sound rows
    to be saved and the others set aside (the result's outcome holds them). The same file
    twice records nothing new. `encoding`: a CSV's codec, detected when None."""
    try:
        check_upload(data, filename)
    except TableError as error:
        raise ImportRejected([Problem(None, "", "", str(error))]) from None
    values = _ValuesImport(
        partnership=partnership,
        filename=filename,
        actor=actor,
        roles=roles,
        organisation_ids=organisation_ids,
        today=today,
        request=request,
    )
    outcome = run_import(
        values,
        source=data,
        filename=filename,
        actor=actor,
        request=request,
        encoding=encoding,
        set_aside=set_aside,
    )
    if not outcome.stored:
        raise ImportRejected(outcome.problems, outcome)
    return ImportResult(
        recorded=outcome.created,
        corrected=outcome.updated,
        unchanged=outcome.unchanged,
        indicator_ids=values.indicator_ids,
        outcome=outcome,
    )


class _ValuesImport(RowImport):
    """One row per indicator and period, checked by the rules `value_record` keeps."""

    columns = [Column(c, required=c in REQUIRED_COLUMNS) for c in IMPORT_COLUMNS]
    refuse_unknown_columns = True
    max_rows = MAX_ROWS
    audit_summary = "Imported measure-of-success values"

    def __init__(self, *, partnership, filename, actor, roles, organisation_ids, today, request):
        self.partnership = partnership
        self.filename = filename
        self.actor = actor
        self.roles = roles
        self.organisation_ids = organisation_ids
        self.today = today
        # A restricted indicator is not there for someone who may not see it.
        self.indicators = {
            i.pk: i for i in Indicator.objects.filter(partnership=partnership).visible_to(roles)
        }
        self.periods = {p.label.casefold(): p for p in partnership.reporting_periods.all()}
        self.seen: dict[tuple[int, int], int] = {}
        self.indicator_ids: set[int] = set()

    def missing_columns(self, missing: list[Column]) -> list[Problem]:
        names = [c.heading for c in missing]
        return [
            Problem(
                None,
                "",
                "",
                "The file must have the column heading"
                + ("s " if len(names) > 1 else " ")
                + " and ".join(f"“{c}”" for c in names)
                + f" in row 1. The columns are: {', '.join(IMPORT_COLUMNS)}.",
            )
        ]

    def clean(self, row: Row):
        errors: dict[str, list[str]] = {}

        def bad(column: str, reason: str) -> None:
            errors.setdefault(column, []).append(reason)

        indicator = self._indicator(row["Indicator ID"], bad)
        period = self.periods.get(row["Period"].casefold())
        if not row["Period"]:
            bad("Period", "Enter the reporting period, for example 2025/26 Q1.")
        elif period is None:
            bad(
                "Period",
                f"There is no reporting period “{row['Period']}”. Use a label such as "
                f"{_example_label(self.periods)}.",
            )
        figures = {}
        for column in ("Value", "Numerator", "Denominator"):
            try:
                figures[column.lower()] = _decimal(row[column])
            except ValueError:
                bad(column, f"“{row[column]}” is not a number.")
        if indicator is not None and period is not None:
            problem = period_problem(indicator, period, self.today)
            if problem:
                bad("Period", problem)
            key = (indicator.pk, period.pk)
            if key in self.seen:
                bad(
                    "Period", f"Row {self.seen[key]} already gives this indicator's {period.label}."
                )
            self.seen.setdefault(key, row.number)
            if len(figures) == 3:
                found = figure_problems(
                    unit=indicator.unit,
                    value=figures["value"],
                    numerator=figures["numerator"],
                    denominator=figures["denominator"],
                )
                for name, reason in found.items():
                    bad(name.capitalize(), reason)
        if len(row["Note"]) > 2000:
            bad("Note", "The note must be 2000 characters or fewer.")
        if errors:
            raise ValidationError(errors)
        return indicator, period, figures, row["Note"]

    def _indicator(self, ref: str, bad) -> Indicator | None:
        if not ref:
            bad("Indicator ID", "Enter the indicator's ID (shown on its page).")
            return None
        if not ref.isdecimal() or int(ref) not in self.indicators:
            bad("Indicator ID", f"There is no indicator {ref} in {self.partnership.name}.")
            return None
        indicator = self.indicators[int(ref)]
        if not may_enter_for(
            roles=self.roles, organisation_ids=self.organisation_ids, indicator=indicator
        ):
            bad(
                "Indicator ID",
                f"You may enter values only for indicators your organisation owns; "
                f"“{indicator.name[:60]}” is not one of them.",
            )
            return None
        return indicator

    def save(self, values, row: Row) -> Change:
        indicator, period, figures, note = values
        current, changed = value_record(
            indicator=indicator,
            period=period,
            note=note,
            source=ValueSource.IMPORTED,
            provenance=f"Imported from {self.filename}"[:300],
            actor=self.actor,
            today=self.today,
            audit=False,  # the import's one event stands for its rows
            **figures,
        )
        self.indicator_ids.add(indicator.pk)
        if not changed:
            return Change.UNCHANGED
        return Change.CREATED if current.version == 1 else Change.UPDATED

    def audit_target(self) -> dict:
        return {"partnership": self.partnership, "object_type": "measures.IndicatorValue"}

    def audit_detail(self, outcome: Outcome) -> dict:
        return {
            "recorded": outcome.created,
            "corrected": outcome.updated,
            "indicator_ids": sorted(self.indicator_ids),
        }


def _example_label(periods: dict) -> str:
    labels = [p.label for p in periods.values()]
    return f"“{labels[-1]}”" if labels else "“2025/26 Q1”"


# --- Computed values --------------------------------------------------------------


@transaction.atomic
def indicator_snapshot(
    *, indicator: Indicator, period: ReportingPeriod, today: date
) -> IndicatorValue | None:
    """Keep the computed figure for a closed period, with where it came from.

    Does nothing when the period has a value already (a snapshot, or one an owner
    entered), when it has not closed, or when the figure cannot be computed.
    """
    if not indicator.metric_key or period.end >= today:
        return None
    if IndicatorValue.objects.filter(indicator=indicator, period=period).exists():
        return None
    try:
        metric = metrics.get(indicator.metric_key)
    except KeyError:
        return None
    computed = metric.compute(indicator.partnership, period)
    if computed.value is None:
        return None
    row = IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        value=computed.value,
        numerator=computed.numerator,
        denominator=computed.denominator,
        # The cell keys of parts that count people, so the snapshot is shown as the figure
        # is on its own module's pages (core.disclosure).
        numerator_key=computed.numerator_key,
        denominator_key=computed.denominator_key,
        source=ValueSource.COMPUTED,
        provenance=(f"{metric.key} ({metric.label}), computed {timezone.now():%Y-%m-%d %H:%M} UTC")[
            :300
        ],
        note=computed.note,
    )
    record(
        action=AuditAction.CREATE,
        partnership=indicator.partnership_id,
        obj=row,
        summary="Snapshotted a computed measure-of-success value",
        detail={"indicator_id": indicator.pk, "period_id": period.pk, "metric": metric.key},
    )
    return row


def snapshot_closed_periods(*, today: date, partnership: Partnership | None = None) -> int:
    """Snapshot every closed period of every computed indicator. Safe to run again."""
    made = 0
    indicators = Indicator.objects.exclude(metric_key="").select_related("partnership")
    if partnership is not None:
        indicators = indicators.filter(partnership=partnership)
    for indicator in indicators:
        closed = indicator.partnership.reporting_periods.filter(end__lt=today)
        if (baseline := indicator.baseline_period) is not None:
            closed = closed.filter(start__gte=baseline.start)
        for period in closed:
            try:
                if indicator_snapshot(indicator=indicator, period=period, today=today):
                    made += 1
            except Exception:
                # One failing figure must not stop the others; the next run tries again.
                logger.exception("Snapshot of indicator %s failed", indicator.pk)
    return made


# --- Seeding from the strategy ---------------------------------------------------------

UNSET_BASIS = "Not stated in the source: an admin must choose"


@dataclass
class SeedResult:
    created: int = 0
    direction_completed: int = 0
    flagged: int = 0


@transaction.atomic
def indicators_seed_from_measures(*, partnership: Partnership, actor=None) -> SeedResult:
    """One indicator per measure of success in the partnership's strategies.

    The direction comes from the measure where the source states it; where it was
    lost, it stays unset (flagged for an admin). Running again adds only what is
    new, and takes a direction since completed on the strategy's measure.
    """
    result = SeedResult()
    measures = MeasureOfSuccess.objects.filter(strategy__partnership=partnership).select_related(
        "strategy"
    )
    existing = {i.source_measure_id: i for i in Indicator.objects.filter(partnership=partnership)}
    for measure in measures:
        indicator = existing.get(measure.pk)
        if indicator is None:
            indicator = Indicator.objects.create(
                partnership=partnership,
                source_measure=measure,
                name=_seed_name(measure.text),
                definition=(
                    f"{measure.text} (measure of success "
                    f"{measure.number or measure.order} in “{measure.strategy.title}”)."
                    + (
                        " The strategy states the aim as a % change, so its targets are a % "
                        "change from the baseline."
                        if PERCENT_CHANGE_WORDING.match(re.sub(r"\s+", " ", measure.text).strip())
                        else ""
                    )
                ),
                direction=measure.direction,
                direction_basis=(
                    f"From the strategy: {measure.direction_basis}"[:200]
                    if measure.direction
                    else UNSET_BASIS
                ),
            )
            result.created += 1
        elif not indicator.direction and measure.direction:
            indicator.direction = measure.direction
            indicator.direction_basis = f"From the strategy: {measure.direction_basis}"[:200]
            indicator.save(update_fields=["direction", "direction_basis", "updated_at"])
            result.direction_completed += 1
        if not indicator.direction:
            result.flagged += 1
    if result.created or result.direction_completed:
        record(
            action=AuditAction.LOAD,
            actor=actor,
            partnership=partnership,
            object_type="measures.Indicator",
            summary="Created measures of success from the strategy",
            detail={
                "created": result.created,
                "direction_completed": result.direction_completed,
                "flagged": result.flagged,
            },
        )
    return result


# "% increase in self-referrals…": the strategy states the target as a % change, while
# what is counted (and what the values are) is the self-referrals themselves.
PERCENT_CHANGE_WORDING = re.compile(
    r"^%\s*(?:increase|decrease|reduction|rise|fall)\s*(?:(?:in|of)\s+)?(?:the\s+)?"
    r"(?=\S)",
    re.IGNORECASE,
)


def _seed_name(text: str) -> str:
    """The indicator's name says what its values are: a measure worded as a % change
    ("% increase in self-referrals to …") is named for what is counted ("Self-referrals
    to …"); the % change is its target's kind, and the wording stays in its definition."""
    text = re.sub(r"\s+", " ", text).strip()
    text = PERCENT_CHANGE_WORDING.sub("", text) or text
    name = text[:1].upper() + text[1:]
    return name if len(name) <= 300 else name[:299] + "…"

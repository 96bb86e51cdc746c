"""The one importer: every spreadsheet of rows an app takes in goes through `run_import`.

An app declares its import as a small `RowImport`: the columns it reads (with the
headings partners use for them), how one row is checked (a Django form, or the app's
own typed check raising ValidationError keyed by column), and how one checked row is
saved (by calling the app's own service, so that a rule written for the app's form
holds for its import too). The rest is done here, the same for every import:

- the file is read by core.tabular (which answers for the file as a whole: empty,
  not UTF-8, not a spreadsheet, merged or repeated headings, an archive bomb);
- its headings are matched to the columns (by heading or alias, or by the mapping a
  person chose), and a missing required column is named;
- every row is checked, each problem kept as a `Problem` (row, column, value, reason)
  that the pages show and offer as a file to download and correct;
- one problem anywhere and nothing is written; otherwise every row is saved inside one
  transaction, and a row the service refuses rolls back the whole file;
- one audit event records the import, with its counts.

Insight's partner extracts, read at millions of rows, keep their own reader and
staging (insight.importer); they share the problem report, the date parser and the
audit event's shape.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.dates import ENTER_A_DATE, DateError, parse_date
from vawg.core.tabular import Problem, TableError, problems_table, read_table, write_table
from vawg.core.uploads import Source
from vawg.exchange.exporting import Table

MAX_ROWS = 5000
SHOWN_VALUE_CHARS = 100  # of a cell, in the report: enough to find it, no more


@dataclass(frozen=True)
class Column:
    """One column an import reads: its heading in the import's template, whether a file
    must have it, the other headings partners give it, and a line of help."""

    heading: str
    required: bool = True
    help: str = ""
    key: str = ""  # what the row and the checks call it; the heading unless given
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.heading)

    @property
    def label(self) -> str:
        return self.heading


class Change(Enum):
    """What saving one row did."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Outcome:
    """What an import did, or every problem that stopped it (then nothing was written)."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class Row:
    """One row of the file: its number in the spreadsheet (the heading row is row 1) and
    its cells by column key ("" for a column the file does not have)."""

    __slots__ = ("cells", "number")

    def __init__(self, number: int, cells: dict[str, str]) -> None:
        self.number = number
        self.cells = cells

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")

    def get(self, key: str, default: str = "") -> str:
        return self.cells.get(key, default)


class RowImport:
    """One kind of import, as an app declares it. Subclass it, set `columns`, and give
    either `form` (a Django form whose fields are the column keys) or `clean`; and `save`,
    calling the app's service. An instance is made for each import, holding what the
    app needs (the partnership, the actor, lookups), and may remember earlier rows."""

    columns: Sequence[Column] = ()
    form: type[forms.Form] | None = None
    max_rows: int = MAX_ROWS
    # Refuse a file with a heading that is none of the columns (a mistyped heading
    # would otherwise be read as an empty column).
    refuse_unknown_columns: bool = False
    # A column key whose value may appear on one row only (compared ignoring case).
    unique: str = ""
    # The column a problem with the whole row is reported under.
    row_column: str = ""
    no_rows_message = "The file has headings but no values. There are no rows under them."
    audit_summary = "Imported a spreadsheet"

    def clean(self, row: Row) -> Any:
        """The row's values, ready for `save`; or raise ValidationError keyed by column."""
        if self.form is None:
            raise NotImplementedError("Give the import a form, or a clean() of its own.")
        form = self.form(data=dict(row.cells))
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        return form.cleaned_data

    def save(self, values: Any, row: Row) -> Change | Iterable[Change]:
        """Write one checked row through the app's service, saying what it did (a row may
        add more than one thing). May raise ValidationError or PermissionDenied: the file
        is then refused and nothing of it kept."""
        raise NotImplementedError

    def missing_columns(self, missing: list[Column]) -> list[Problem]:
        return [
            Problem(None, c.heading, "", f"The file has no “{c.heading}” column.") for c in missing
        ]

    # --- The audit event -----------------------------------------------------------

    def audit_target(self) -> dict[str, Any]:
        """`partnership` and `obj` (or `object_type`) for the import's audit event."""
        raise NotImplementedError

    def audit_detail(self, outcome: Outcome) -> dict[str, Any]:
        """What the app adds to the audit event's counts (never personal data)."""
        return {}


class _Rollback(Exception):
    pass


def run_import(
    spec: RowImport,
    *,
    source: Source,
    filename: str,
    actor,
    mapping: dict[str, str] | None = None,
    request: HttpRequest | None = None,
) -> Outcome:
    """Read, check and (only if every row is sound) save the file, in one transaction,
    recording one audit event. `mapping` gives the file's heading for each column key
    ("" for none), as a person chose it; without it, headings are matched by name."""
    outcome = Outcome()
    checked: list[tuple[Row, Any]] = []
    try:
        table = read_table(source, filename)
        try:
            headings = _headings(spec, table.headers, mapping, outcome)
            if outcome.problems:
                return outcome
            checked = _check_rows(spec, table.rows, headings, outcome)
        finally:
            table.close()
    except TableError as error:
        outcome.problems.append(Problem(None, "", "", str(error)))
    if outcome.problems:
        return outcome
    if not checked:
        outcome.problems.append(Problem(None, "", "", spec.no_rows_message))
        return outcome
    try:
        with transaction.atomic():
            for row, values in checked:
                try:
                    change = spec.save(values, row)
                except (ValidationError, PermissionDenied) as error:
                    outcome.problems.extend(_problems(spec, row, error, headings))
                    continue
                _count(outcome, change)
            if outcome.problems:
                raise _Rollback
            record_import(
                actor=actor,
                summary=spec.audit_summary,
                counts={
                    "rows": outcome.rows,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    **spec.audit_detail(outcome),
                },
                request=request,
                **spec.audit_target(),
            )
    except _Rollback:
        outcome.created = outcome.updated = outcome.unchanged = 0
    return outcome


def record_import(
    *,
    actor,
    partnership,
    summary: str,
    counts: dict[str, Any],
    obj=None,
    object_type: str = "",
    request: HttpRequest | None = None,
):
    """The one audit event of an import: who loaded what into which partnership, and how
    many rows it added, changed or left (counts, never the rows' contents)."""
    return record(
        action=AuditAction.LOAD,
        actor=actor,
        partnership=partnership,
        obj=obj,
        object_type=object_type,
        summary=summary,
        detail=counts,
        request=request,
    )


def _count(outcome: Outcome, changes: Change | Iterable[Change]) -> None:
    for change in [changes] if isinstance(changes, Change) else changes:
        if change is Change.CREATED:
            outcome.created += 1
        elif change is Change.UPDATED:
            outcome.updated += 1
        else:
            outcome.unchanged += 1


def _headings(
    spec: RowImport, headers: list[str], mapping: dict[str, str] | None, outcome: Outcome
) -> dict[str, str]:
    """The file's heading for each column key ("" where the file has none)."""
    chosen = mapping is not None
    mapping = guess_mapping(headers, spec.columns) if mapping is None else mapping
    headings = {c.key: mapping.get(c.key, "") or "" for c in spec.columns}
    missing = [c for c in spec.columns if c.required and not headings[c.key]]
    if missing:
        outcome.problems.extend(spec.missing_columns(missing))
    elif spec.refuse_unknown_columns and not chosen:
        known = set(headings.values())
        unknown = [h for h in headers if h not in known]
        if unknown:
            outcome.problems.append(
                Problem(
                    None,
                    "",
                    "",
                    f"The column “{unknown[0]}” is not one this import reads. "
                    f"The columns are: {', '.join(c.heading for c in spec.columns)}.",
                )
            )
    return headings


def heading_key(text: str) -> str:
    """A heading as matching compares it: partners write "Victim_Age", "victim-age" and
    " Victim Age " for the same column."""
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


def guess_mapping(headers: Sequence[str], columns: Sequence[Column]) -> dict[str, str]:
    """The file's heading for each column key, matched by the column's key, heading or one
    of its aliases however they are written ("" where none matches). No heading is given
    to two columns: the first column to claim it keeps it."""
    by_name: dict[str, str] = {}
    for heading in headers:
        by_name.setdefault(heading_key(heading), heading)
    taken: set[str] = set()
    guessed = {}
    for c in columns:
        found = ""
        for name in (c.heading, c.key, *c.aliases):
            heading = by_name.get(heading_key(name), "")
            if heading and heading not in taken:
                found = heading
                taken.add(heading)
                break
        guessed[c.key] = found
    return guessed


def mapping_problems(
    headers: Sequence[str], columns: Sequence[Column], mapping: dict[str, str]
) -> list[Problem]:
    """What stops a mapping a person chose (or one saved from an earlier file) being used on
    this file: a required column with no heading or with a heading the file no longer has,
    or one heading chosen for two columns. (An optional column the file lacks is read as
    empty.)"""
    problems = []
    for c in columns:
        heading = mapping.get(c.key, "")
        if not heading:
            if c.required:
                problems.append(
                    Problem(None, "", "", f"Choose the column that holds “{c.heading}”.")
                )
        elif heading not in headers and c.required:
            problems.append(
                Problem(
                    None,
                    heading,
                    "",
                    f"The file has no column “{heading}” for “{c.heading}”: the heading "
                    "may have changed since the mapping was saved.",
                )
            )
    used = [h for h in mapping.values() if h]
    for heading in sorted({h for h in used if used.count(h) > 1}):
        problems.append(
            Problem(None, heading, "", f"The column “{heading}” is chosen for two fields.")
        )
    return problems


def _check_rows(
    spec: RowImport,
    rows: Iterable[tuple[int, dict[str, str]]],
    headings: dict[str, str],
    outcome: Outcome,
) -> list[tuple[Row, Any]]:
    checked: list[tuple[Row, Any]] = []
    first_seen: dict[str, int] = {}
    pairs = [(key, heading) for key, heading in headings.items() if heading]
    for number, cells in rows:
        outcome.rows += 1
        if outcome.rows > spec.max_rows:
            outcome.problems.append(
                Problem(None, "", "", f"The file has more than {spec.max_rows:,} rows: split it.")
            )
            break
        row = Row(number, {key: cells.get(heading, "") for key, heading in pairs})
        before = len(outcome.problems)
        try:
            values = spec.clean(row)
        except ValidationError as error:
            outcome.problems.extend(_problems(spec, row, error, headings))
            values = None
        if spec.unique:
            key = row[spec.unique].strip().casefold()
            if key and key in first_seen:
                outcome.problems.append(
                    Problem(
                        number,
                        _column_name(spec, spec.unique, headings),
                        _shown(row[spec.unique]),
                        f"Appears twice in the file (also row {first_seen[key]}).",
                    )
                )
            elif key:
                first_seen[key] = number
        if len(outcome.problems) == before:
            checked.append((row, values))
    return checked


def _problems(
    spec: RowImport, row: Row, error: ValidationError | PermissionDenied, headings: dict[str, str]
) -> list[Problem]:
    """One Problem for each message, under the column its key names."""
    found: dict[str, list[str]]
    if isinstance(error, PermissionDenied):
        found = {NON_FIELD_ERRORS: [str(error)]}
    elif hasattr(error, "error_dict"):
        found = error.message_dict
    else:
        found = {NON_FIELD_ERRORS: error.messages}
    problems: list[Problem] = []
    for name, messages in found.items():
        key = spec.row_column if name == NON_FIELD_ERRORS else name
        value = _shown(row[key]) if key in headings else ""
        column = _column_name(spec, key, headings)
        problems.extend(Problem(row.number, column, value, message) for message in messages)
    return problems


def _column_name(spec: RowImport, key: str, headings: dict[str, str]) -> str:
    """The file's own heading for a column; the import's heading for one the file does
    not have; and for a field no column holds (a rule of the model), its name."""
    if not key:
        return ""
    if headings.get(key):
        return headings[key]
    for column in spec.columns:
        if column.key == key:
            return column.heading
    return key.replace("_", " ")


def _shown(value: str) -> str:
    return value[:SHOWN_VALUE_CHARS]


# --- Helpers for an app's row checks -------------------------------------------------


def date_cell(
    row: Row, key: str, errors: dict[str, list[str]], *, message: str = ENTER_A_DATE
) -> date | None:
    """The date in a cell (None if blank), noting in `errors` a cell that is not one."""
    try:
        return parse_date(row[key])
    except DateError:
        errors.setdefault(key, []).append(message)
        return None


def problems_export(
    problems: Iterable[Problem],
    *,
    name: str,
    subject: Model | str,
    what: str = "the problems found in an import",
) -> Table:
    """The problems as a table for `exporting.export_response`, so that a page's download
    of them is served, named and recorded in the audit trail as every export is."""
    headers, rows = problems_table(problems)
    return Table(name=name, headers=headers, rows=rows, what=what, subject=subject)


def problems_file(problems: Iterable[Problem], fmt: str = "csv") -> bytes:
    """The problems as a spreadsheet to download, correct against, and upload again."""
    headers, rows = problems_table(problems)
    return write_table(fmt, headers, rows, title="Problems")

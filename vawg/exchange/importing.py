"""The one importer: every spreadsheet of rows an app takes in goes through `run_import`.

An app declares its import as a small `RowImport`: the columns it reads (with the
headings partners use for them), how one row is checked (a Django form, or the app's
own typed check raising ValidationError keyed by column), and how one checked row is
saved (by calling the app's own service, so that a rule written for the app's form
holds for its import too). The rest is done here, the same for every import:

- the file is read by core.tabular (which answers for the file as a whole: empty,
  not a spreadsheet, merged or repeated headings, an archive bomb), a CSV in the
  encoding the person chose or the one detected (core.encodings), which the outcome
  names for the check page; text that will not read is named by row and column;
- its headings are matched to the columns (by heading or alias, or by the mapping a
  person chose), and a missing required column is named;
- every row is checked, each problem kept as a `Problem` (row, column, value, reason)
  that the pages show and offer as a file to download and correct;
- what a problem does is the person's choice (`set_aside`): all or nothing (the
  default), where one problem anywhere and nothing is written, and a row the service
  refuses rolls back the whole file; or the good rows are written and the others *set
  aside*, returned as a file of the original columns plus the row number and the
  reason, to correct and upload again. Either way the import is one transaction: a
  fault (anything but a row's own problems) stores nothing;
- one audit event records the import, with its counts: rows read = new + updated +
  unchanged + set aside.

Set-aside rows hold what the partner sent, identifiers and notes included, so they are
never stored: the page carries them encrypted (`set_aside_token`, an hour's life), and
their download is marked OFFICIAL-SENSITIVE and recorded as every export is
(`set_aside_export`).

Insight's partner extracts, read at millions of rows, keep their own reader and
staging (insight.importer); they share the problem report, the date parser and the
audit event's shape.
"""

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from cryptography.fernet import InvalidToken
from django import forms
from django.contrib import messages as notices
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto, encodings, layout
from vawg.core.dates import DateError, parse_date
from vawg.core.tabular import Problem, TableError, problems_table, read_table, write_table
from vawg.core.uploads import Source
from vawg.exchange.exporting import OFFICIAL_SENSITIVE, Contents, Table, export_response

MAX_ROWS = 5000
SHOWN_VALUE_CHARS = 100  # of a cell, in the report: enough to find it, no more

# What a problem does: the person chooses on the check page; all or nothing by default.
ALL_OR_NOTHING = "all-or-nothing"
SET_ASIDE = "set-aside"
ON_PROBLEMS = [
    (ALL_OR_NOTHING, "Import nothing until every row is right"),
    (SET_ASIDE, "Import the rows that are right, and set the others aside to correct"),
]
# The columns a set-aside file adds after the file's own; an import ignores them, so the
# corrected file goes back in as it is.
SET_ASIDE_ROW = "Row in the file sent"
SET_ASIDE_REASON = "Why it was set aside"
SET_ASIDE_MAX_AGE = 60 * 60  # seconds the page may offer the set-aside rows to download


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


@dataclass(frozen=True)
class SetAsideRow:
    """A row not imported: its number in the file, its cells under the file's headings
    (in the file's order), and why, in words."""

    number: int
    cells: tuple[str, ...]
    reason: str


@dataclass
class Outcome:
    """What an import did, and every problem found.

    All or nothing: any problem and nothing was written (`stored` is False, the counts
    0). Setting aside: the rows with problems are in `set_aside` and the rest were
    written. `created`, `updated` and `unchanged` count the records saved (a row may
    save more than one); `new_rows`, `updated_rows` and `unchanged_rows` count rows, so
    that once stored, rows = new_rows + updated_rows + unchanged_rows + len(set_aside)."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_rows: int = 0
    updated_rows: int = 0
    unchanged_rows: int = 0
    # The codec the CSV was read in ("" for a workbook, or a file that was not read).
    encoding: str = ""
    # True when the encoding was detected rather than chosen.
    detected: bool = False
    # How the file was laid out (core.layout): a CSV's separator, and the headings' row.
    separator: str = ""
    heading_row: int = 1
    set_aside_chosen: bool = False
    headers: list[str] = field(default_factory=list)
    set_aside: list[SetAsideRow] = field(default_factory=list)
    stored: bool = False

    @property
    def ok(self) -> bool:
        """Every row went in, with nothing set aside."""
        return not self.problems

    @property
    def encoding_label(self) -> str:
        return encodings.label(self.encoding) if self.encoding else ""

    @property
    def separator_label(self) -> str:
        """A CSV's separator in words, where it is not commas."""
        if self.separator in ("", ","):
            return ""
        return layout.separator_label(self.separator)

    @property
    def headings_label(self) -> str:
        return layout.headings_said(self.heading_row)


class Row:
    """One row of the file: its number in the spreadsheet (the heading row is row 1), its
    cells by column key ("" for a column the file does not have), and all its cells
    under the file's own headings (`sent`, for setting it aside as it came)."""

    __slots__ = ("cells", "number", "sent")

    def __init__(
        self, number: int, cells: dict[str, str], sent: dict[str, str] | None = None
    ) -> None:
        self.number = number
        self.cells = cells
        self.sent = sent if sent is not None else {}

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
        """Each required column the file lacks, with the other headings read as it."""
        return [
            Problem(None, c.heading, "", f"The file has no “{c.heading}” column{_nor(c)}.")
            for c in missing
        ]

    # --- The audit event -----------------------------------------------------------

    def audit_target(self) -> dict[str, Any]:
        """`partnership` and `obj` (or `object_type`) for the import's audit event."""
        raise NotImplementedError

    def audit_detail(self, outcome: Outcome) -> dict[str, Any]:
        """What the app adds to the audit event's counts (never personal data)."""
        return {}


def _nor(column: Column) -> str:
    others = [a for a in column.aliases if heading_key(a) != heading_key(column.heading)]
    return f" (nor {' nor '.join(f'“{a}”' for a in others)})" if others else ""


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
    encoding: str | None = None,
    set_aside: bool = False,
) -> Outcome:
    """Read, check and save the file in one transaction, recording one audit event.

    `mapping` gives the file's heading for each column key ("" for none), as a person
    chose it; without it, headings are matched by name. `encoding` is a CSV's codec
    (detected when None or ""). With `set_aside` False (all or nothing) the file is saved
    only if every row is sound; with it True the sound rows are saved and the others set
    aside. A fault (any other exception) rolls back everything and is raised."""
    outcome = Outcome(set_aside_chosen=set_aside, detected=not encoding)
    checked: list[tuple[Row, Any]] = []
    failed: dict[int, Row] = {}  # the rows with problems, by number
    try:
        table = read_table(source, filename, encoding or None)
        outcome.encoding, outcome.headers = table.encoding, table.headers
        outcome.separator, outcome.heading_row = table.separator, table.heading_row
        try:
            headings = _headings(spec, table.headers, mapping, outcome)
            if outcome.problems:
                return outcome
            checked = _check_rows(spec, table.rows, headings, outcome, failed)
        finally:
            table.close()
    except TableError as error:
        outcome.problems.append(Problem(None, "", "", str(error)))
    whole_file = any(p.row is None for p in outcome.problems)
    if whole_file or (outcome.problems and not set_aside):
        return outcome
    if set_aside:
        checked = _set_aside_problems(checked, failed, outcome)
    if not checked:
        if not outcome.problems:
            outcome.problems.append(Problem(None, "", "", spec.no_rows_message))
        return outcome
    try:
        with transaction.atomic():
            _save_rows(spec, checked, headings, outcome)
            if outcome.problems and not set_aside:
                raise _Rollback
            if set_aside and not (outcome.new_rows + outcome.updated_rows + outcome.unchanged_rows):
                raise _Rollback  # every row set aside: nothing to record
            record_import(
                actor=actor,
                summary=spec.audit_summary,
                counts={
                    "rows": outcome.rows,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "unchanged": outcome.unchanged,
                    "set_aside": len(outcome.set_aside),
                    "encoding": outcome.encoding,
                    **spec.audit_detail(outcome),
                },
                request=request,
                **spec.audit_target(),
            )
            outcome.stored = True
    except _Rollback:
        outcome.created = outcome.updated = outcome.unchanged = 0
        outcome.new_rows = outcome.updated_rows = outcome.unchanged_rows = 0
    return outcome


def _save_rows(
    spec: RowImport, checked: list[tuple[Row, Any]], headings: dict[str, str], outcome: Outcome
) -> None:
    """Save each checked row through the app's service. Setting aside, each row is saved
    in a savepoint of its own, so that a row the service refuses leaves nothing behind
    and the others stand."""
    for row, values in checked:
        try:
            if outcome.set_aside_chosen:
                with transaction.atomic():
                    change = spec.save(values, row)
            else:
                change = spec.save(values, row)
        except (ValidationError, PermissionDenied) as error:
            problems = _problems(spec, row, error, headings)
            outcome.problems.extend(problems)
            if outcome.set_aside_chosen:
                outcome.set_aside.append(_aside(row, problems, outcome.headers))
            continue
        _count(outcome, change)
    outcome.set_aside.sort(key=lambda aside: aside.number)


def _set_aside_problems(
    checked: list[tuple[Row, Any]], failed: dict[int, Row], outcome: Outcome
) -> list[tuple[Row, Any]]:
    """Set aside each row with a problem; the rest, to save."""
    by_row: dict[int, list[Problem]] = {}
    for problem in outcome.problems:
        by_row.setdefault(problem.row or 0, []).append(problem)
    outcome.set_aside = [
        _aside(failed[number], problems, outcome.headers)
        for number, problems in sorted(by_row.items())
    ]
    outcome.problems.sort(key=lambda p: p.row or 0)
    return [(row, values) for row, values in checked if row.number not in by_row]


def _reason(problem: Problem) -> str:
    """A problem as the set-aside file gives it: column, value (unless the reason starts
    with it, as a date's does) and reason."""
    where = problem.column
    if problem.value and not problem.reason.startswith(problem.value):
        where += f" “{problem.value}”"
    return f"{where}: {problem.reason}" if where else problem.reason


def _aside(row: Row, problems: list[Problem], headers: list[str]) -> SetAsideRow:
    reason = " | ".join(_reason(p) for p in problems)
    return SetAsideRow(row.number, tuple(row.sent.get(h, "") for h in headers), reason)


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
    """Count the records one row saved, and the row by the most it did."""
    changes = [changes] if isinstance(changes, Change) else list(changes)
    for change in changes:
        if change is Change.CREATED:
            outcome.created += 1
        elif change is Change.UPDATED:
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    if Change.CREATED in changes:
        outcome.new_rows += 1
    elif Change.UPDATED in changes:
        outcome.updated_rows += 1
    else:
        outcome.unchanged_rows += 1


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
        unknown = [h for h in headers if h not in known and not added_by_set_aside(h)]
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


def added_by_set_aside(heading: str) -> bool:
    """Whether a heading is one a set-aside file adds (its row, its reason, its marking),
    which an import of the corrected file passes over."""
    return heading in (SET_ASIDE_ROW, SET_ASIDE_REASON) or heading.startswith(
        f"{OFFICIAL_SENSITIVE}:"
    )


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
    failed: dict[int, Row],
) -> list[tuple[Row, Any]]:
    """The rows that pass their checks, with their values; each row that does not is
    put in `failed` and its problems in the outcome. Setting aside, both rows of a pair
    that must be unique fail: which is right is the person's to say."""
    checked: list[tuple[Row, Any]] = []
    first_seen: dict[str, Row] = {}
    pairs = [(key, heading) for key, heading in headings.items() if heading]
    unique_column = _column_name(spec, spec.unique, headings)
    for number, cells in rows:
        outcome.rows += 1
        if outcome.rows > spec.max_rows:
            outcome.problems.append(
                Problem(None, "", "", f"The file has more than {spec.max_rows:,} rows: split it.")
            )
            break
        row = Row(number, {key: cells.get(heading, "") for key, heading in pairs}, cells)
        before = len(outcome.problems)
        try:
            values = spec.clean(row)
        except ValidationError as error:
            outcome.problems.extend(_problems(spec, row, error, headings))
            values = None
        if spec.unique:
            key = row[spec.unique].strip().casefold()
            first = first_seen.get(key) if key else None
            if first is not None:
                outcome.problems.append(
                    Problem(
                        number,
                        unique_column,
                        _shown(row[spec.unique]),
                        f"Appears twice in the file (also row {first.number}).",
                    )
                )
                if outcome.set_aside_chosen and first.number not in failed:
                    failed[first.number] = first
                    outcome.problems.append(
                        Problem(
                            first.number,
                            unique_column,
                            _shown(first[spec.unique]),
                            f"Appears twice in the file (also row {number}).",
                        )
                    )
            elif key:
                first_seen[key] = row
        if len(outcome.problems) == before:
            checked.append((row, values))
        else:
            failed[number] = row
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
    row: Row, key: str, errors: dict[str, list[str]], *, message: str = ""
) -> date | None:
    """The date in a cell (None if blank), noting in `errors` a cell that is not one:
    the date parser's own message (the value, why, the forms accepted) unless given."""
    try:
        return parse_date(row[key])
    except DateError as error:
        errors.setdefault(key, []).append(message or str(error))
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


# --- Set-aside rows ---------------------------------------------------------------------


def set_aside_token(outcome: Outcome) -> str:
    """The set-aside rows as the page carries them to their download: compressed and
    encrypted (they hold what the partner sent), readable for SET_ASIDE_MAX_AGE."""
    rows = [[a.number, *a.cells, a.reason] for a in outcome.set_aside]
    data = json.dumps({"headers": outcome.headers, "rows": rows}).encode()
    return crypto.encrypt(zlib.compress(data)).decode()


class SetAsideExpired(ValueError):
    """The page's set-aside rows have expired or were altered."""


def set_aside_export(token: str, *, name: str, subject: Model | str) -> Table:
    """The set-aside rows a page carried, as an export: the file's own columns, then the
    row number and the reason, marked OFFICIAL-SENSITIVE (they are what the partner
    sent). Raises SetAsideExpired."""
    try:
        data = crypto.fernet().decrypt(token.encode(), ttl=SET_ASIDE_MAX_AGE)
        found = json.loads(zlib.decompress(data))
    except (InvalidToken, zlib.error, ValueError, UnicodeError):
        raise SetAsideExpired(
            "The rows set aside can be downloaded for an hour after the import. "
            "Upload the file again to see them."
        ) from None
    rows = [[*cells, number, reason] for number, *cells, reason in found["rows"]]
    return Table(
        name=f"{name}-set-aside",
        headers=[*found["headers"], SET_ASIDE_ROW, SET_ASIDE_REASON],
        rows=rows,
        what="the rows set aside from an import",
        subject=subject,
        contents=Contents.PARTNER_RECORDS,
    )


def set_aside_response(request: HttpRequest, *, name: str, subject: Model | str) -> HttpResponse:
    """The download of the set-aside rows a page posted back (`set_aside`, from
    `set_aside_token`): marked, recorded and served as every export is; or, once they
    have expired, the page again with a message saying so."""
    try:
        table = set_aside_export(request.POST.get("set_aside", ""), name=name, subject=subject)
    except SetAsideExpired as error:
        notices.error(request, str(error))
        return redirect(request.get_full_path())
    return export_response(request, table, fmt="csv")


def outcome_context(outcome: Outcome | None) -> dict[str, Any]:
    """What includes/import_outcome.html needs: the outcome, and its set-aside rows as
    the page carries them to their download."""
    token = set_aside_token(outcome) if outcome is not None and outcome.set_aside else ""
    return {"outcome": outcome, "set_aside_token": token}

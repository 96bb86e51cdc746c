"""Imports of training attendance, register participants and review recommendations.

Each import reads the whole file first and checks every row; only a file with no
problems is written, in one transaction, so a failed file leaves nothing behind.
Rows are matched on their natural key (attendee reference, participant name,
recommendation number), so importing the same file twice changes nothing.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from vawg.core.models import Organisation, Partnership
from vawg.core.tabular import Problem, TableError, read_table
from vawg.core.uploads import Source
from vawg.learning import services
from vawg.learning.models import (
    CONFIDENCE_MAX,
    CONFIDENCE_MIN,
    CaseReview,
    Initiative,
    Participant,
    Recommendation,
    TrainingSession,
    attendee_reference_validator,
)

MAX_ROWS = 5000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Column:
    heading: str
    required: bool = True
    help: str = ""


class _Row:
    """One spreadsheet row's cells, noting a Problem for each cell that will not do."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[Problem]):
        self.number = number
        self.cells = {k.casefold(): v for k, v in cells.items()}
        self.problems = problems

    def problem(self, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(self.number, column, value, reason))

    def text(self, column: Column, max_length: int | None = None) -> str:
        value = self.cells.get(column.heading.casefold(), "").strip()
        if column.required and not value:
            self.problem(column.heading, value, f"Enter the {column.heading.lower()}.")
        elif max_length and len(value) > max_length:
            self.problem(column.heading, value[:50], f"Must be {max_length} characters or fewer.")
        return value

    def date(self, column: Column) -> date | None:
        value = self.text(column)
        if not value:
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.problem(
            column.heading, value, "Enter a real date as YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-03-31."
        )
        return None

    def score(self, column: Column) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not value.isdecimal() or not CONFIDENCE_MIN <= int(value) <= CONFIDENCE_MAX:
            self.problem(
                column.heading,
                value,
                f"Enter a whole number from {CONFIDENCE_MIN} to {CONFIDENCE_MAX}, "
                "or leave it empty.",
            )
            return None
        return int(value)

    def choice(self, column: Column, lookup: dict[str, str], default: str = "") -> str:
        value = self.text(column)
        if not value:
            return default
        chosen = lookup.get(value.casefold())
        if chosen is None:
            options = sorted({v for k, v in lookup.items() if k == v.casefold()})
            self.problem(column.heading, value, f"Use one of: {', '.join(options)}.")
        return chosen or default

    def organisation(self, column: Column, organisations: dict[str, Organisation]):
        value = self.text(column)
        if not value:
            return None
        found = organisations.get(value.casefold())
        if found is None and column.required:
            self.problem(
                column.heading,
                value,
                "This is not one of the partnership's organisations. Use the name as the "
                "platform lists it.",
            )
        return found


def organisation_lookup(partnership: Partnership) -> dict[str, Organisation]:
    """The partnership's organisations by name and by each alias, case-folded."""
    lookup: dict[str, Organisation] = {}
    for organisation in Organisation.objects.filter(partnership=partnership):
        lookup[organisation.name.casefold()] = organisation
        for alias in organisation.aliases or []:
            lookup.setdefault(str(alias).casefold(), organisation)
    return lookup


class _Rollback(Exception):
    pass


def _run(
    data: Source,
    filename: str,
    columns: list[Column],
    key_column: Column,
    parse: Callable[[_Row], dict | None],
    write: Callable[[dict], bool],
) -> ImportResult:
    """Read and check every row, then write them all or none. `write` returns True if new."""
    result = ImportResult()
    try:
        table = read_table(data, filename)
        headings = {h.casefold() for h in table.headers}
        missing = [
            c.heading for c in columns if c.required and c.heading.casefold() not in headings
        ]
        if missing:
            for heading in missing:
                result.problems.append(
                    Problem(None, heading, "", f"The file has no “{heading}” column.")
                )
            return result
        parsed: list[tuple[int, dict]] = []
        first_seen: dict[str, int] = {}
        for count, (number, cells) in enumerate(table.rows, start=1):
            if count > MAX_ROWS:
                raise TableError(f"The file has more than {MAX_ROWS:,} rows: split it.")
            row = _Row(number, cells, result.problems)
            before = len(result.problems)
            values = parse(row)
            key = row.cells.get(key_column.heading.casefold(), "").strip().casefold()
            if key and key in first_seen:
                row.problem(
                    key_column.heading,
                    key,
                    f"Appears twice in the file (also row {first_seen[key]}).",
                )
            elif key:
                first_seen[key] = number
            if values is not None and len(result.problems) == before:
                parsed.append((number, values))
    except TableError as error:
        result.problems.append(Problem(None, "", "", str(error)))
        return result
    if result.problems:
        return result
    if not parsed:
        result.problems.append(Problem(None, "", "", "The file has no rows under the headings."))
        return result
    try:
        with transaction.atomic():
            for number, values in parsed:
                try:
                    created = write(values)
                except ValidationError as error:
                    for column, messages in _messages(error):
                        result.problems.append(Problem(number, column, "", messages))
                    continue
                if created:
                    result.created += 1
                else:
                    result.updated += 1
            if result.problems:
                raise _Rollback
    except _Rollback:
        result.created = result.updated = 0
    return result


def _messages(error: ValidationError):
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            yield ("" if name == "__all__" else name.replace("_", " ")), " ".join(errors)
    else:
        yield "", " ".join(error.messages)


# --- Attendance ----------------------------------------------------------------

REFERENCE = Column("Attendee reference", help="A booking or staff number, never a name")
ORGANISATION = Column("Organisation", help="As the platform names it")
BEFORE = Column("Confidence before", required=False, help="1 (not at all) to 5 (very)")
AFTER = Column("Confidence after", required=False, help="1 (not at all) to 5 (very)")
ATTENDANCE_COLUMNS = [REFERENCE, ORGANISATION, BEFORE, AFTER]


def attendance_import(
    *,
    session: TrainingSession,
    actor,
    data: Source,
    filename: str,
    request: HttpRequest | None = None,
) -> ImportResult:
    organisations = organisation_lookup(session.course.partnership)
    existing = {
        r.casefold() for r in session.attendances.values_list("attendee_reference", flat=True)
    }

    def parse(row: _Row) -> dict:
        reference = row.text(REFERENCE, max_length=30)
        if reference:
            try:
                attendee_reference_validator(reference)
            except ValidationError as error:
                row.problem(REFERENCE.heading, reference[:50], error.messages[0])
        return {
            "attendee_reference": reference,
            "organisation": row.organisation(ORGANISATION, organisations),
            "confidence_before": row.score(BEFORE),
            "confidence_after": row.score(AFTER),
        }

    def write(values: dict) -> bool:
        services.attendance_record(session=session, actor=actor, request=request, **values)
        return values["attendee_reference"].casefold() not in existing

    return _run(data, filename, ATTENDANCE_COLUMNS, REFERENCE, parse, write)


# --- Register participants ---------------------------------------------------------

PARTICIPANT = Column("Participant", help="The organisation, school or venue")
STATUS = Column("Status", help="Working towards, In place, Lapsed or Withdrawn")
STARTED = Column("Started on", required=False, help="YYYY-MM-DD or DD/MM/YYYY")
RENEWAL = Column("Renewal due", required=False, help="YYYY-MM-DD or DD/MM/YYYY")
ENDED = Column("Ended on", required=False, help="Needed when lapsed or withdrawn")
PARTICIPANT_COLUMNS = [PARTICIPANT, STATUS, STARTED, RENEWAL, ENDED]


def participants_import(
    *,
    initiative: Initiative,
    actor,
    data: Source,
    filename: str,
    request: HttpRequest | None = None,
) -> ImportResult:
    organisations = organisation_lookup(initiative.partnership)
    current = {p.name.casefold(): p for p in initiative.participants.all()}
    statuses = services.choices_lookup(Participant.Status)
    optional_organisation = Column(PARTICIPANT.heading, required=False)

    def parse(row: _Row) -> dict:
        name = row.text(PARTICIPANT, max_length=200)
        return {
            "name": name,
            # A participant that is one of the partnership's organisations is linked to it.
            "organisation": row.organisation(optional_organisation, organisations),
            "status": row.choice(STATUS, statuses),
            "started_on": row.date(STARTED),
            "renewal_due": row.date(RENEWAL),
            "ended_on": row.date(ENDED),
        }

    def write(values: dict) -> bool:
        participant = current.get(values["name"].casefold())
        services.participant_save(
            initiative=initiative,
            actor=actor,
            participant=participant,
            request=request,
            **values,
        )
        return participant is None

    return _run(data, filename, PARTICIPANT_COLUMNS, PARTICIPANT, parse, write)


# --- Recommendations -----------------------------------------------------------------

NUMBER = Column("Number", help="As numbered in the review, e.g. 3.1")
TEXT = Column("Recommendation", help="The recommendation as the review words it")
OWNER = Column("Owner organisation", help="As the platform names it")
DUE = Column("Due date", help="YYYY-MM-DD or DD/MM/YYYY")
REC_STATUS = Column(
    "Status",
    required=False,
    help="Not started, In progress, Completed, or Completed and embedded (empty: Not started)",
)
COMPLETED = Column("Completed on", required=False, help="Needed when completed")
EMBEDDED = Column("Embedded on", required=False, help="Needed when embedded")
EVIDENCE = Column("Evidence", required=False, help="Needed when embedded")
THEMES = Column("Themes", required=False, help="Separated by semicolons")
RECOMMENDATION_COLUMNS = [
    NUMBER,
    TEXT,
    OWNER,
    DUE,
    REC_STATUS,
    COMPLETED,
    EMBEDDED,
    EVIDENCE,
    THEMES,
]


def recommendations_import(
    *,
    review: CaseReview,
    actor,
    data: Source,
    filename: str,
    request: HttpRequest | None = None,
) -> ImportResult:
    organisations = organisation_lookup(review.partnership)
    current = {r.number.casefold(): r for r in review.recommendations.all()}
    statuses = services.choices_lookup(Recommendation.Status)

    def parse(row: _Row) -> dict:
        return {
            "number": row.text(NUMBER, max_length=10),
            "text": row.text(TEXT, max_length=5000),
            "owner": row.organisation(OWNER, organisations),
            "due_on": row.date(DUE),
            "status": row.choice(REC_STATUS, statuses, default=Recommendation.Status.OPEN),
            "completed_on": row.date(COMPLETED),
            "embedded_on": row.date(EMBEDDED),
            "evidence": row.text(EVIDENCE, max_length=5000),
            "themes": [
                t for t in re.split(r"[;\n]", row.text(THEMES, max_length=500)) if t.strip()
            ],
        }

    def write(values: dict) -> bool:
        recommendation = current.get(values["number"].casefold())
        services.recommendation_save(
            review=review,
            actor=actor,
            recommendation=recommendation,
            request=request,
            **values,
        )
        return recommendation is None

    return _run(data, filename, RECOMMENDATION_COLUMNS, NUMBER, parse, write)

"""Imports of training attendance, register participants and review recommendations.

Each is a register import run by the shared importer (exchange.importing): every row
is checked first, and only a file with no problems is written, in one transaction,
through the register's own services, so a failed file leaves nothing behind.
Rows are matched on their natural key (attendee reference, participant name,
recommendation number), so importing the same file twice changes nothing.
"""

import re
from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from vawg.core.models import Organisation, Partnership
from vawg.core.uploads import Source
from vawg.exchange.importing import Change, Column, Outcome, Row, RowImport, date_cell, run_import
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

# What an import did, or every problem that stopped it.
ImportResult = Outcome


class _Cells:
    """One row's cells read as the register's fields, noting what will not do by column."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.errors: dict[str, list[str]] = {}

    def problem(self, column: Column, reason: str) -> None:
        self.errors.setdefault(column.key, []).append(reason)

    def text(self, column: Column, max_length: int | None = None) -> str:
        value = self.row[column.key].strip()
        if column.required and not value:
            self.problem(column, f"Enter the {column.heading.lower()}.")
        elif max_length and len(value) > max_length:
            self.problem(column, f"Must be {max_length} characters or fewer.")
        return value

    def date(self, column: Column) -> date | None:
        self.text(column)
        return date_cell(self.row, column.key, self.errors)

    def score(self, column: Column) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not value.isdecimal() or not CONFIDENCE_MIN <= int(value) <= CONFIDENCE_MAX:
            self.problem(
                column,
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
            self.problem(column, f"Use one of: {', '.join(options)}.")
        return chosen or default

    def organisation(self, column: Column, organisations: dict[str, Organisation]):
        value = self.text(column)
        if not value:
            return None
        found = organisations.get(value.casefold())
        if found is None and column.required:
            self.problem(
                column,
                "This is not one of the partnership's organisations. Use the name as the "
                "platform lists it.",
            )
        return found

    def checked(self, values: dict) -> dict:
        if self.errors:
            raise ValidationError(self.errors)
        return values


def organisation_lookup(partnership: Partnership) -> dict[str, Organisation]:
    """The partnership's organisations by name and by each alias, case-folded."""
    lookup: dict[str, Organisation] = {}
    for organisation in Organisation.objects.filter(partnership=partnership):
        lookup[organisation.name.casefold()] = organisation
        for alias in organisation.aliases or []:
            lookup.setdefault(str(alias).casefold(), organisation)
    return lookup


class _RegisterImport(RowImport):
    """A learning import: each row is a register entry, found again by its natural key
    (`unique`) and written through the register's own service."""

    def __init__(
        self,
        *,
        columns: list[Column],
        key: Column,
        parse: Callable[[_Cells], dict],
        write: Callable[[dict], bool],
        partnership: Partnership,
        target,
        summary: str,
    ) -> None:
        self.partnership = partnership
        self.columns = columns
        self.unique = key.key
        self.parse = parse
        self.write = write
        self.target = target
        self.audit_summary = summary
        self.max_rows = MAX_ROWS  # read when the import runs

    def clean(self, row: Row) -> dict:
        cells = _Cells(row)
        return cells.checked(self.parse(cells))

    def save(self, values: dict, row: Row) -> Change:
        return Change.CREATED if self.write(values) else Change.UPDATED

    def audit_target(self) -> dict:
        return {"partnership": self.partnership, "obj": self.target}


def _run(
    data: Source,
    filename: str,
    actor,
    request: HttpRequest | None,
    options: dict,
    **spec,
) -> ImportResult:
    """Read and check every row, then write them all or none (or, with
    `options["set_aside"]`, the sound ones). `write` returns True if new; `parse` reads a
    row's cells (noting what will not do). `options`: run_import's encoding and set_aside."""
    return run_import(
        _RegisterImport(**spec),
        source=data,
        filename=filename,
        actor=actor,
        request=request,
        **options,
    )


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
    encoding: str | None = None,
    set_aside: bool = False,
) -> ImportResult:
    organisations = organisation_lookup(session.course.partnership)
    existing = {
        r.casefold() for r in session.attendances.values_list("attendee_reference", flat=True)
    }

    def parse(row: _Cells) -> dict:
        reference = row.text(REFERENCE, max_length=30)
        if reference:
            try:
                attendee_reference_validator(reference)
            except ValidationError as error:
                row.problem(REFERENCE, error.messages[0])
        return {
            "attendee_reference": reference,
            "organisation": row.organisation(ORGANISATION, organisations),
            "confidence_before": row.score(BEFORE),
            "confidence_after": row.score(AFTER),
        }

    def write(values: dict) -> bool:
        services.attendance_record(session=session, actor=actor, request=request, **values)
        return values["attendee_reference"].casefold() not in existing

    return _run(
        data,
        filename,
        actor,
        request,
        {"encoding": encoding, "set_aside": set_aside},
        columns=ATTENDANCE_COLUMNS,
        key=REFERENCE,
        parse=parse,
        write=write,
        partnership=session.course.partnership,
        target=session,
        summary="Imported training attendance",
    )


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
    encoding: str | None = None,
    set_aside: bool = False,
) -> ImportResult:
    organisations = organisation_lookup(initiative.partnership)
    current = {p.name.casefold(): p for p in initiative.participants.all()}
    statuses = services.choices_lookup(Participant.Status)
    optional_organisation = Column(PARTICIPANT.heading, required=False)

    def parse(row: _Cells) -> dict:
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

    return _run(
        data,
        filename,
        actor,
        request,
        {"encoding": encoding, "set_aside": set_aside},
        columns=PARTICIPANT_COLUMNS,
        key=PARTICIPANT,
        parse=parse,
        write=write,
        partnership=initiative.partnership,
        target=initiative,
        summary="Imported register participants",
    )


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
    encoding: str | None = None,
    set_aside: bool = False,
) -> ImportResult:
    organisations = organisation_lookup(review.partnership)
    current = {r.number.casefold(): r for r in review.recommendations.all()}
    statuses = services.choices_lookup(Recommendation.Status)

    def parse(row: _Cells) -> dict:
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

    return _run(
        data,
        filename,
        actor,
        request,
        {"encoding": encoding, "set_aside": set_aside},
        columns=RECOMMENDATION_COLUMNS,
        key=NUMBER,
        parse=parse,
        write=write,
        partnership=review.partnership,
        target=review,
        summary="Imported case review recommendations",
    )

"""Every table that leaves the platform as a file: written, marked, recorded and served one way.

The owning app describes the download as a `Table`: its rows, what they are in words, and
what they hold (`Contents`). A view passes it to `export_response`; everything else is done
here, the same for every download:

- **written** as CSV or XLSX by core.tabular.write_table, which neutralises every cell a
  spreadsheet would run as a formula;
- **marked** by one rule, `marking_for`: exact figures about people and MARAC case data are
  OFFICIAL-SENSITIVE; records and figures that passed disclosure control are OFFICIAL. An
  OFFICIAL-SENSITIVE file says so in its name (``official-sensitive-…``), in a last heading
  (a CSV has nowhere else that travels with the rows), and in an XLSX also in the sheet's name
  and on every printed page. An OFFICIAL file carries no marking: the classification scheme
  does not ask for one, and files an import reads back keep their own columns;
- **recorded** as one export event in the audit trail: what, in which format, how many rows;
- **served** with its content type, a safe attachment file name, and nothing cached on the way.

A service that is called outside a request (or returns other formats beside a table) uses
`export_file`; a file that stays where it was made (a command's report) uses `write_export`,
the same writer without the audit event or the response.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from vawg.audit.services import Action, record
from vawg.core.disclosure import Audience
from vawg.core.tabular import CONTENT_TYPES, write_table

FORMATS = ("csv", "xlsx")
OFFICIAL = "OFFICIAL"
OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"


class Contents(Enum):
    """What an export's rows hold: the one thing its marking is decided from."""

    # The partnership's working records: plans, updates, registers, listings, reports.
    RECORDS = "records"
    # Figures about people that passed disclosure control (core.disclosure).
    CONTROLLED_FIGURES = "controlled figures"
    # Figures about people as counted, without disclosure control.
    EXACT_FIGURES = "exact figures"
    # MARAC case records about people.
    CASE_DATA = "case data"
    # A partner's own rows about people as sent (identifiers, notes): an import's set-aside rows.
    PARTNER_RECORDS = "partner records"

    @classmethod
    def figures(cls, audience: Audience) -> "Contents":
        """Figures as `audience` is shown them."""
        return cls.EXACT_FIGURES if audience.exact else cls.CONTROLLED_FIGURES


SENSITIVE = frozenset({Contents.EXACT_FIGURES, Contents.CASE_DATA, Contents.PARTNER_RECORDS})


@dataclass(frozen=True)
class Marking:
    classification: str
    reason: str = ""

    @property
    def sensitive(self) -> bool:
        return self.classification == OFFICIAL_SENSITIVE

    @property
    def heading(self) -> str:
        """The last heading of a marked file, e.g. "OFFICIAL-SENSITIVE: exact figures"."""
        return f"{self.classification}: {self.reason}" if self.sensitive else ""

    @property
    def prefix(self) -> str:
        """How a marked file's name begins, so the name alone warns whoever holds it."""
        return "official-sensitive-" if self.sensitive else ""


def marking_for(contents: Contents) -> Marking:
    """The protective marking of a file holding `contents` (the one rule for every export)."""
    if contents in SENSITIVE:
        return Marking(OFFICIAL_SENSITIVE, contents.value)
    return Marking(OFFICIAL)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    marking: Marking = Marking(OFFICIAL)
    # The data rows written, headings not counted (None for a file that is not a table).
    rows: int | None = None


# What a file name may hold: anything else could break out of the header or the folder.
UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """`name` with only letters, digits, dots, hyphens and underscores, never hidden."""
    cleaned = UNSAFE_IN_FILENAME.sub("-", name).strip(".-")
    return cleaned[-150:] or "export"


@dataclass(frozen=True)
class Table:
    """A table to export, as the owning app describes it."""

    name: str  # the file's name, without the marking or the suffix
    headers: Sequence[str]
    rows: Sequence[Sequence]
    # For the audit trail: what was exported, in words with no personal data ("the support
    # directory"), and from what (a record, or the model label of the rows).
    what: str = ""
    subject: Model | str = ""
    detail: dict[str, Any] = field(default_factory=dict)  # filters, period, level
    contents: Contents = Contents.RECORDS
    title: str = "Data"  # the XLSX sheet's name (a marked sheet is named for its marking)


def write_export(table: Table, *, fmt: str) -> ExportFile:
    """`table` as a marked CSV or XLSX file.

    Nothing is recorded: `export_file` and `export_response` record what leaves the platform;
    this alone is for a file that stays where it was made (a command's report)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    marking = marking_for(table.contents)
    rows = list(table.rows)
    headers, title, printed = list(table.headers), table.title, ""
    if marking.sensitive:
        headers.append(marking.heading)
        title = printed = marking.classification
    return ExportFile(
        content=write_table(fmt, headers, rows, title=title, marking=printed),
        content_type=CONTENT_TYPES[fmt],
        filename=safe_filename(f"{marking.prefix}{table.name}.{fmt}"),
        marking=marking,
        rows=len(rows),
    )


def record_export(
    *,
    fmt: str,
    what: str,
    partnership,
    subject: Model | str,
    rows: int | None = None,
    detail: dict[str, Any] | None = None,
    actor=None,
    request: HttpRequest | None = None,
) -> None:
    """One export event: `what` was exported, from `subject`, in which format and how many
    rows. For a file that is not a table (a JSON plan); `export_file` calls it for tables."""
    obj = subject if isinstance(subject, Model) else None
    detail = {**(detail or {}), "format": fmt}
    if rows is not None:
        detail["rows"] = rows
    record(
        action=Action.EXPORT,
        actor=actor,
        partnership=partnership,
        obj=obj,
        object_type="" if obj is not None else str(subject),
        summary=f"Exported {what} as {fmt.upper()}",
        detail=detail,
        request=request,
    )


def export_file(
    table: Table, *, fmt: str, partnership, actor=None, request: HttpRequest | None = None
) -> ExportFile:
    """`table` written and marked (`write_export`), and recorded as exported by `actor`."""
    file = write_export(table, fmt=fmt)
    record_export(
        fmt=fmt,
        what=table.what,
        partnership=partnership,
        subject=table.subject,
        rows=file.rows,
        detail=table.detail,
        actor=actor,
        request=request,
    )
    return file


def export_response(
    request: HttpRequest, table: Table, *, fmt: str, partnership=None
) -> HttpResponse:
    """`table` as a marked download, recorded as exported by the person asking, for the
    partnership the request is for unless another is named."""
    if partnership is None:
        partnership = request.partnership  # type: ignore[attr-defined]  # set by core.access
    file = export_file(table, fmt=fmt, partnership=partnership, actor=request.user, request=request)
    return as_response(file)


def template_response(table: Table, *, fmt: str) -> HttpResponse:
    """A blank file for an import to fill in (its headings, perhaps an example row). It holds
    nothing of the partnership's, so nothing is recorded."""
    return as_response(write_export(table, fmt=fmt))


def workbook_response(content: bytes, *, filename: str) -> HttpResponse:
    """A workbook an app built and recorded itself (several sheets, marked on each), served
    as every export is."""
    return as_response(ExportFile(content, CONTENT_TYPES["xlsx"], filename))


def as_response(file: ExportFile) -> HttpResponse:
    """`file` as an attachment that no browser or proxy keeps a copy of."""
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=safe_filename(file.filename)
    )
    response["Cache-Control"] = "no-store"
    return response

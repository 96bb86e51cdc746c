"""Every write to the incident store: uploads, mappings, checks, imports, reference data.

An import is one transaction: the rows are checked in one pass and written together.
By default a single rejected row rolls the whole file back; the analyst may choose
instead to import the good rows and set the others aside, to download (with their row
number and the reason), correct and upload again. Set-aside rows hold the partner's raw
values, so they are read back from the held file (encrypted) and erased with it. The
same file twice changes nothing; an overlapping extract updates the records whose
standardised values differ (a new crime outcome) and adds the rest.
"""

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto, encodings, jobs
from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.tabular import Problem, TableError, check_archive, layout_of, read_table
from vawg.core.uploads import Source, chunks_of, megabytes, open_binary, size_of
from vawg.exchange.exporting import Contents, Table
from vawg.exchange.importing import (
    SET_ASIDE_REASON,
    SET_ASIDE_ROW,
    added_by_set_aside,
    record_import,
)
from vawg.insight import columns, cubes, incoming, locks, store
from vawg.insight.derive import LABELS
from vawg.insight.importer import (
    PROBLEMS_KEPT,
    READ_AS,
    Mapping,
    Standardiser,
    mapping_problems,
    read_rows,
    suggest_columns,
    unknown_values,
)
from vawg.insight.importer import dropped_columns as _dropped
from vawg.insight.models import ColumnMapping, DataImport, HeldPart
from vawg.insight.selectors import imports_for
from vawg.insight.standard import STRAND

HELD_PART_BYTES = 1024 * 1024  # a held file is encrypted and stored this much at a time
PROGRESS_EVERY = 20_000  # rows between progress reports on the row path
# Files with more rows than this, or larger than this, are checked and imported by the
# background worker (whatever their format: an .xlsx file's rows are counted at upload).
BACKGROUND_ROWS = 20_000
BACKGROUND_BYTES = 4 * 1024 * 1024
UTF8 = ("utf-8", "utf-8-sig")
SET_ASIDE_HEADINGS = [SET_ASIDE_ROW, SET_ASIDE_REASON]  # as every import's set-aside file

Progress = Callable[[int], None]
logger = logging.getLogger(__name__)
S = DataImport.Status
Step = DataImport.Step


class ImportRejected(Exception):
    """Raised inside the write transaction to roll a rejected file back."""

    def __init__(self, outcome: "Outcome") -> None:
        super().__init__("The file was rejected.")
        self.outcome = outcome


@dataclass
class Outcome:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    # (row, reason) of every row set aside: rejected rows, and duplicates set aside.
    set_aside: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    by_rule: dict[str, dict[str, str]] = field(default_factory=dict)
    undecodable: bool = False  # another encoding may read the file

    def add_problems(self, problems: list[Problem]) -> None:
        self.rejected += 1
        self.problems_total += len(problems)
        room = PROBLEMS_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])
        self.set_aside.append((problems[0].row or 0, " | ".join(map(_reason, problems))))


def _reason(problem: Problem) -> str:
    """A problem as a set-aside file gives it, as every import's does: column, value
    (unless the reason starts with it, as a date's does) and reason."""
    where = problem.column
    if problem.value and not problem.reason.startswith(problem.value):
        where += f" “{problem.value}”"
    return f"{where}: {problem.reason}" if where else problem.reason


# --- Uploads ---------------------------------------------------------------------


def max_upload_bytes() -> int:
    """The largest partner file the pages take (INSIGHT_UPLOAD_MAX_BYTES); the upload
    handler refuses a larger one as it arrives (vawg.core.uploads)."""
    return settings.INSIGHT_UPLOAD_MAX_BYTES


def check_upload(data: Source, filename: str, *, sized: bool = True) -> None:
    """Size, type and archive-bomb checks before anything reads the file. `sized=False`
    for the command line, which takes a file of any size."""
    if sized and size_of(data) > max_upload_bytes():
        raise ValidationError(
            f"The file is larger than {megabytes(max_upload_bytes())}; "
            "split it, or import it from the command line."
        )
    try:
        check_archive(data, filename)
    except TableError as error:
        raise ValidationError(str(error)) from None


def saved_mapping(partner: Organisation, source: str = "") -> ColumnMapping | None:
    return ColumnMapping.objects.filter(partner=partner, source=source).first()


def mapping_for(partner: Organisation, source: str = "") -> Mapping:
    """The partner's saved mapping for this source (its columns, code matching, date format
    and the values its files do not hold), or an empty one."""
    saved = saved_mapping(partner, source)
    if saved is None:
        return Mapping()
    return Mapping(
        columns=dict(saved.columns),
        values={k: dict(v) for k, v in saved.values.items()},
        date_format=saved.date_format,
        fixed=dict(saved.fixed),
        derived={k: dict(v) for k, v in saved.derived.items()},
        record_id_from=list(saved.record_id_from),
    )


def _mapping_of(data_import: DataImport) -> Mapping:
    return mapping_for(data_import.partner, data_import.source)


def detect_encoding(data: Source, filename: str) -> str:
    """The codec a CSV upload is most likely in ("" for a spreadsheet, which says its own),
    read a piece at a time (core.encodings)."""
    if not filename.lower().endswith(".csv"):
        return ""
    file, close = open_binary(data)
    try:
        return encodings.detect_file(file)
    finally:
        close()


def readable(data: bytes, filename: str, encoding: str) -> bytes:
    """The file as the importer reads it: a CSV in UTF-8 (architecture decision 10: the
    whole-file reader takes UTF-8 alone). Raises encodings.Undecodable, naming the row and
    column of the first byte the encoding cannot read."""
    if not filename.lower().endswith(".csv") or not encoding:
        return data
    return encodings.to_utf8(data, encoding)


def _headers_and_rows(data: Source, filename: str, encoding: str):
    """The headings and rows of an upload read in `encoding`. A UTF-8 file is read where it
    lies, a piece at a time; another is converted to UTF-8 first."""
    if encoding in UTF8 or not filename.lower().endswith(".csv"):
        # Refused, naming the row and column, where the text is not UTF-8 (core.tabular).
        return read_rows(data, filename)
    return read_rows(readable(b"".join(chunks_of(data)), filename, encoding), filename)


@transaction.atomic
def import_upload(
    *,
    partnership: Partnership,
    partner: Organisation,
    filename: str,
    data: Source,
    actor,
    request: HttpRequest | None = None,
    hold: bool = True,
    source: str = "",
    encoding: str = "",
) -> DataImport:
    """Receive a partner file: check it can be read, hold it encrypted until it is imported.

    `data` is the file's bytes or the uploaded file itself; a UTF-8 file is read a piece
    at a time and never held whole in memory. `source` names which of the partner's saved
    mappings it uses; `encoding` is the codec to read a CSV in (else the saved mapping's,
    else detected). `hold=False` (the command line, which imports at once) keeps only its
    provenance."""
    if partner.partnership_id != partnership.pk:
        raise ValidationError({"partner": "Choose one of the partnership's organisations."})
    check_upload(data, filename, sized=hold)
    source = source.strip()[:100]
    detected = detect_encoding(data, filename)
    saved = saved_mapping(partner, source)
    if detected and not encoding:
        encoding = (saved.encoding if saved else "") or detected
    if not filename.lower().endswith(".csv"):
        encoding = ""
    try:
        if filename.lower().endswith(".csv"):
            headers, _ = _headers_and_rows(data, filename, encoding)
            separator, heading_row = layout_of(data, filename, encoding)
            counted = None
        else:
            # A spreadsheet's rows are counted by reading them (a CSV's by its lines), so
            # that a large workbook goes to the background worker as a large CSV does; the
            # one reading gives its layout too.
            table = read_table(data, filename)
            try:
                headers, counted = table.headers, sum(1 for _ in table.rows)
            finally:
                table.close()
            separator, heading_row = "", table.heading_row
    except (TableError, encodings.Undecodable) as error:
        raise ValidationError(str(error)) from None
    digest, lines = hashlib.sha256(), 0
    for chunk in chunks_of(data):
        digest.update(chunk)
        lines += chunk.count(b"\n")
    data_import = DataImport.objects.create(
        partnership=partnership,
        partner=partner,
        source=source,
        filename=filename[:255],
        file_sha256=digest.hexdigest(),
        headers=headers,
        rows_total=max(lines - 1, 0) if counted is None else counted,
        size_bytes=size_of(data),
        encoding=encoding,
        encoding_detected=detected,
        separator=separator,
        heading_row=heading_row,
        uploaded_by=actor,
    )
    if hold:
        _hold(data_import, data)
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=partnership,
        obj=data_import,
        summary=f"Uploaded a partner extract for {partner.name}",
        request=request,
    )
    return data_import


@transaction.atomic
def mapping_save(
    *,
    data_import: DataImport,
    columns: dict[str, str],
    values: dict[str, dict[str, str]],
    actor,
    request: HttpRequest | None = None,
    date_format: str | None = None,
    fixed: dict[str, str] | None = None,
    derived: dict[str, dict] | None = None,
    record_id_from: list[str] | None = None,
) -> ColumnMapping:
    """Save the partner's mapping for the file's source, for this file and the next: its
    columns, code matching, date format, the values its files do not hold (None keeps
    what is saved), and the encoding, where the analyst chose one."""
    kept = _mapping_of(data_import)
    mapping = Mapping(
        columns={k: v for k, v in columns.items() if v},
        values=values,
        date_format=kept.date_format if date_format is None else date_format,
        fixed=kept.fixed if fixed is None else fixed,
        derived=kept.derived if derived is None else derived,
        record_id_from=kept.record_id_from if record_id_from is None else record_id_from,
    )
    preparer = mapping.preparer(data_import.headers)
    problems = mapping_problems(preparer.headers, mapping.with_added(preparer))
    if problems:
        raise ValidationError([p.reason for p in problems])
    chosen = data_import.encoding if data_import.encoding != data_import.encoding_detected else ""
    saved, _ = ColumnMapping.objects.update_or_create(
        partner=data_import.partner,
        source=data_import.source,
        defaults={
            "partnership": data_import.partnership,
            "columns": mapping.columns,
            "values": mapping.values,
            "date_format": mapping.date_format,
            "fixed": mapping.fixed,
            "derived": mapping.derived,
            "record_id_from": mapping.record_id_from,
            "headers": data_import.headers,
            "encoding": chosen,
        },
    )
    # What the mapping cannot read yet is worked out again, once, when next asked.
    DataImport.objects.filter(pk=data_import.pk).update(unknown_values=None)
    data_import.unknown_values = None
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=data_import.partnership,
        obj=saved,
        summary=f"Saved the column mapping for {data_import.partner.name}",
        request=request,
    )
    return saved


def mapping_ready(data_import: DataImport) -> bool:
    mapping = _mapping_of(data_import)
    preparer = mapping.preparer(data_import.headers)
    effective = mapping.with_added(preparer)
    return bool(effective.columns) and not mapping_problems(preparer.headers, effective)


def suggested_mapping(data_import: DataImport) -> Mapping:
    """The saved mapping for the file's partner and source, as far as the file's headings
    allow, completed by headings that name a field plainly."""
    saved = _mapping_of(data_import)
    headers = data_import.headers
    columns = {k: v for k, v in saved.columns.items() if v in headers}
    filled = (
        set(saved.fixed) | set(saved.derived) | ({"source_id"} if saved.record_id_from else set())
    )
    for name, heading in suggest_columns(headers).items():
        if name not in columns and name not in filled and heading not in columns.values():
            columns[name] = heading
    derived = {
        name: rule
        for name, rule in saved.derived.items()
        if all(v in headers for k, v in rule.items() if k != "rule")
    }
    return Mapping(
        columns=columns,
        values=saved.values,
        date_format=saved.date_format,
        fixed=saved.fixed,
        derived=derived,
        record_id_from=[h for h in saved.record_id_from if h in headers],
    )


@dataclass
class MappingChanges:
    """How the file's headings differ from those the saved mapping was made for."""

    saved_at: datetime | None
    added: list[str]
    missing: list[str]
    lost: list[str]  # fields the saved mapping read from a heading the file lacks

    @property
    def any(self) -> bool:
        return bool(self.added or self.missing)


def mapping_changes(data_import: DataImport) -> MappingChanges | None:
    """What changed in the partner's columns since its mapping was saved (None: no saved
    mapping for this partner and source)."""
    saved = saved_mapping(data_import.partner, data_import.source)
    if saved is None:
        return None
    now, before = data_import.headers, saved.headers or []
    used = Mapping(
        columns=saved.columns, derived=saved.derived, record_id_from=saved.record_id_from
    )
    lost = [LABELS.get(name, name) for name, h in saved.columns.items() if h not in now]
    lost += [h for h in used.read_columns() - set(saved.columns.values()) if h not in now]
    return MappingChanges(
        saved_at=saved.updated_at,
        added=[h for h in now if before and h not in before and not added_by_set_aside(h)],
        missing=[h for h in before if h not in now],
        lost=lost,
    )


def mapping_open(data_import: DataImport) -> bool:
    """Whether the file's mapping may still be chosen: until it is imported (a file already
    checked is checked again with the new mapping)."""
    return data_import.status in {S.UPLOADED, S.CHECKED}


def unknown_values_of(data_import: DataImport) -> dict[str, list[str]]:
    """The values in the held file whose meaning the partner's saved mapping does not give.

    Worked out once for the mapping (the file is decrypted for it) and kept on the import,
    so a page that shows them does not read the file again on every refresh."""
    if data_import.unknown_values is not None:
        return data_import.unknown_values
    try:
        found = unknown_values(
            partnership=data_import.partnership,
            data=readable(payload_of(data_import), data_import.filename, data_import.encoding),
            filename=data_import.filename,
            mapping=_mapping_of(data_import),
        )
    except (TableError, encodings.Undecodable):
        found = {}  # the check reports what is wrong with the file, row by row
    data_import.unknown_values = found
    DataImport.objects.filter(pk=data_import.pk).update(unknown_values=found)
    return found


def mapping_columns_save(
    *,
    data_import: DataImport,
    columns: dict[str, str],
    actor,
    today: date,
    request: HttpRequest | None = None,
    extra: dict | None = None,
) -> bool:
    """Save which of the file's columns holds each field (keeping the partner's saved value
    mapping), then check the file; unless the file holds values the mapping cannot read
    yet. True when those are to be mapped first."""
    mapping_save(
        data_import=data_import,
        columns=columns,
        values=_mapping_of(data_import).values,
        actor=actor,
        request=request,
        **(extra or {}),
    )
    if unknown_values_of(data_import):
        return True
    import_check_start(data_import=data_import, today=today)
    return False


def mapping_values_save(
    *,
    data_import: DataImport,
    mapped: dict[str, dict[str, str]],
    actor,
    today: date,
    request: HttpRequest | None = None,
) -> DataImport:
    """Add what the file's unknown values mean (`mapped`: field, value, code) to the
    partner's saved mapping, for this file and the next, and check the file."""
    mapping = _mapping_of(data_import)
    for name, chosen in mapped.items():
        mapping.values.setdefault(name, {}).update(chosen)
    mapping_save(
        data_import=data_import,
        columns=mapping.columns,
        values=mapping.values,
        actor=actor,
        request=request,
    )
    return import_check_start(data_import=data_import, today=today)


def imports_refreshed(*, partnership: Partnership, now: datetime) -> QuerySet[DataImport]:
    """The partnership's imports, any whose worker stopped first marked failed, so that a
    list of them never shows one as still running when nothing is."""
    imports = imports_for(partnership=partnership)
    stopped_imports_fail(now=now, imports=imports)
    return imports


# --- Checking and importing --------------------------------------------------------


def import_check_start(*, data_import: DataImport, today: date) -> DataImport:
    """Check now if the file is small, or hand it to the background worker."""
    if data_import.status not in {S.UPLOADED, S.CHECKED}:
        raise ValidationError("This file has already been checked.")
    _started(data_import, S.CHECKING, Step.CHECK, fresh=True)
    if in_background(data_import):
        from vawg.insight.tasks import check_import

        transaction.on_commit(lambda: _enqueue(check_import, data_import.pk))
        return data_import
    return import_check(data_import=data_import, today=today)


def in_background(data_import: DataImport) -> bool:
    """Larger than the web takes in a request, in rows or in bytes, whatever its format."""
    return data_import.rows_total > BACKGROUND_ROWS or data_import.size_bytes > BACKGROUND_BYTES


def import_run_start(
    *,
    data_import: DataImport,
    actor,
    today: date,
    request: HttpRequest | None = None,
    set_aside: bool | None = None,
    duplicates_set_aside: bool | None = None,
) -> DataImport:
    """Import a checked file: now if it is small, else in the background worker.

    `set_aside`: import the good rows and set the others aside (else nothing is stored
    unless every row passes); `duplicates_set_aside`: set likely duplicates aside (else
    import them). None keeps the import's choice."""
    if data_import.status != S.CHECKED:
        raise ValidationError("Only a checked file can be imported.")
    if set_aside is not None:
        data_import.set_aside = set_aside
    if duplicates_set_aside is not None:
        data_import.duplicates_set_aside = duplicates_set_aside
    data_import.save(update_fields=["set_aside", "duplicates_set_aside"])
    if in_background(data_import):
        from vawg.insight.tasks import run_import

        _started(data_import, S.QUEUED, Step.IMPORT, fresh=True)
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: _enqueue(run_import, data_import.pk, actor_id))
        return data_import
    _started(data_import, S.RUNNING, Step.IMPORT, fresh=True)  # done in this request: no task
    return import_run(data_import=data_import, actor=actor, today=today, request=request)


def _started(data_import: DataImport, status: str, step: str, *, fresh: bool = False) -> None:
    """Work on the file starts, or the worker picks it up: the first heartbeat.

    `fresh`: a person started it, so no task has it yet (`_enqueue` adds the task)."""
    data_import.status = status
    data_import.step = step
    data_import.rows_done = 0
    data_import.heartbeat_at = timezone.now()
    fields = ["status", "step", "rows_done", "heartbeat_at"]
    if fresh:
        data_import.task_id = None
        fields.append("task_id")
    data_import.save(update_fields=fields)


def _enqueue(task, import_id: int, *args) -> None:
    """Queue the work, and note which of the worker's tasks has it (vawg.core.jobs)."""
    result = task.enqueue(import_id, *args)
    DataImport.objects.filter(pk=import_id).update(task_id=result.id)


def _beat(data_import: DataImport) -> None:
    """The job is alive: its heartbeat (vawg.core.jobs)."""
    data_import.heartbeat_at = timezone.now()
    DataImport.objects.filter(pk=data_import.pk).update(heartbeat_at=data_import.heartbeat_at)


def import_check(*, data_import: DataImport, today: date, progress: Progress | None = None):
    """Check every row against the standard and the store, writing nothing to it.

    The report (new, updated, unchanged, rejected and the problems) is saved on
    the import so the analyst can read it before choosing to import.
    """
    _beat(data_import)  # the worker has it now, perhaps long after it was queued
    data_import.error = ""
    try:
        outcome = _process(data_import, today=today, write=False, progress=progress)
    except Exception as error:  # noqa: BLE001 (a fault of ours: say so, rather than check for ever)
        _failed(data_import, error)
        data_import.save()
        return data_import
    # Rows with problems leave the file checked: the analyst may import the good rows and
    # set the others aside. A file that cannot be read at all is rejected, and forgotten
    # unless another encoding may read it.
    unreadable = bool(data_import.error) and not outcome.set_aside
    data_import.status = S.REJECTED if unreadable else S.CHECKED
    _save_report(data_import, outcome)
    data_import.save()
    if unreadable and not outcome.undecodable:
        _forget_payload(data_import)
    return data_import


def import_run(
    *,
    data_import: DataImport,
    actor,
    today: date,
    progress: Progress | None = None,
    request: HttpRequest | None = None,
    data: bytes | None = None,
) -> DataImport:
    """Write a checked file to the store, all or nothing, and bring the cubes up to date.

    The file is the one held since upload, or `data` when it was never held."""
    _started(data_import, S.RUNNING, Step.IMPORT)
    data_import.error = ""
    try:
        # All or nothing: everything the import writes is in this one transaction, so a
        # worker that dies part-way (killed, out of memory, the machine lost) leaves nothing
        # half-written: PostgreSQL rolls back the transaction of a connection that is gone,
        # and SQLite never applies one that was not committed. `stopped_imports_fail` then
        # finds the import by its heartbeat and marks it failed.
        outcome = _write(data_import, today=today, progress=progress, data=data)
    except ImportRejected as rejected:
        data_import.status = S.REJECTED
        _save_report(data_import, rejected.outcome)
    except (TableError, encodings.Undecodable) as error:
        data_import.status = S.REJECTED
        data_import.error = str(error)[:500]
    except Exception as error:  # noqa: BLE001 (rolled back: nothing stored; say so, not "Importing")
        _failed(data_import, error)
    else:
        data_import.status = S.IMPORTED
        _save_report(data_import, outcome)
        data_import.imported_by = actor
        data_import.imported_at = timezone.now()
        data_import.rows_done = outcome.new + outcome.updated + outcome.unchanged
    if data_import.status == S.IMPORTED and data_import.rows_set_aside and data is None:
        # The set-aside rows are read back from the held file, which is kept (encrypted)
        # until the analyst erases it or the week's erasure does.
        data_import.save(update_fields=_ALL_BUT_PAYLOAD)
    elif data_import.status == S.FAILED:
        # A fault of ours, not the file's: it stays held (not written back) to try again or
        # discard, and the week's erasure removes it if neither happens, as for any file.
        data_import.save(update_fields=_ALL_BUT_PAYLOAD)
    else:
        # The file is forgotten in the same write, imported or rejected.
        data_import.payload = None
        data_import.save()
        _drop_parts(data_import)
    record_import(
        actor=actor,
        partnership=data_import.partnership,
        obj=data_import,
        summary=f"Import of a partner extract: {data_import.get_status_display().lower()}",
        counts={
            "new": data_import.rows_new,
            "updated": data_import.rows_updated,
            "unchanged": data_import.rows_unchanged,
            "rejected": data_import.rows_rejected,
            "set aside": data_import.rows_set_aside,
        },
        request=request,
    )
    return data_import


_ALL_BUT_PAYLOAD = [
    f.name for f in DataImport._meta.concrete_fields if f.name not in {"id", "payload"}
]


def _failed(data_import: DataImport, error: Exception) -> None:
    """Mark an import that stopped on a fault of the platform's own (not the file's).

    The log names the import and the kind of fault only: an exception's text may quote
    the extract's values."""
    logger.error("Partner extract %s stopped: %s", data_import.pk, type(error).__name__)
    data_import.status = S.FAILED
    data_import.error = (
        "The platform stopped while working on this file, and nothing from it was stored. "
        "You can try it again or discard the file; if it stops again, tell the platform's "
        "operators."
    )


# What the page says of work whose worker stopped (vawg.core.jobs), by the step it was in.
WORKER_STOPPED = {
    Step.CHECK: "The check stopped because the worker running it stopped. Nothing was "
    "imported. You can try it again or discard the file.",
    Step.IMPORT: "The import stopped because the worker running it stopped. Nothing was "
    "imported. You can try it again or discard the file.",
}


def stopped_imports_fail(*, now: datetime, imports: QuerySet | None = None) -> int:
    """Mark failed every import being worked on whose worker stopped (vawg.core.jobs).

    Run by `fail_stale_tasks` every few minutes, by the week's erasure first, and for an
    import when its page is shown. Nothing from the file was stored (an import writes in
    one transaction), and it is then a failed import like any other: its file stays held,
    to try again or discard, and the week's erasure removes it if neither happens."""
    working = (DataImport.objects.all() if imports is None else imports).filter(
        status__in=DataImport.WORKING
    )
    failed = 0
    for pk, status, task_id, heartbeat_at in working.values_list(
        "pk", "status", "task_id", "heartbeat_at"
    ):
        if not jobs.stopped(heartbeat_at=heartbeat_at, task=jobs.task_of(task_id), now=now):
            continue
        try:
            with transaction.atomic():
                # Only if nothing moved meanwhile, and not a row a live import holds.
                data_import = (
                    DataImport.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("partnership")
                    .defer("payload", "problems")
                    .filter(pk=pk, status=status, heartbeat_at=heartbeat_at)
                    .first()
                )
                if data_import is None:
                    continue
                data_import.step = Step.CHECK if status == S.CHECKING else Step.IMPORT
                data_import.status = S.FAILED
                data_import.error = WORKER_STOPPED[data_import.step]
                data_import.save(update_fields=["status", "step", "error"])
                jobs.task_fail(task_id, now=now)
                record(
                    action=AuditAction.UPDATE,
                    actor=None,
                    partnership=data_import.partnership,
                    obj=data_import,
                    summary="Marked failed a partner extract whose worker stopped",
                )
        except OperationalError:
            continue  # SQLite: another import is writing; the next sweep tries again
        logger.error("Partner extract %s stopped: its worker stopped", pk)
        failed += 1
    return failed


def import_retry(
    *, data_import: DataImport, actor, today: date, request: HttpRequest | None = None
) -> DataImport:
    """Try a failed file again from the step that stopped: check it again, or import it
    again (it had passed its check). Its file must still be held."""
    if not data_import.retryable:
        raise ValidationError("Only a failed file that is still held can be tried again.")
    data_import.error = ""
    data_import.save(update_fields=["error"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=data_import.partnership,
        obj=data_import,
        summary="Tried a failed partner extract again",
        request=request,
    )
    if data_import.step == Step.IMPORT:
        data_import.status = S.CHECKED
        return import_run_start(data_import=data_import, actor=actor, today=today, request=request)
    data_import.status = S.UPLOADED
    return import_check_start(data_import=data_import, today=today)


def import_discard(*, data_import: DataImport, actor, request: HttpRequest | None = None):
    if not data_import.discardable:
        raise ValidationError("Only a file that has not been imported can be discarded.")
    data_import.status = S.DISCARDED
    data_import.save(update_fields=["status"])
    _forget_payload(data_import)
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=data_import.partnership,
        obj=data_import,
        summary="Discarded a partner extract before import",
        request=request,
    )
    return data_import


def set_aside_export(data_import: DataImport, data: bytes | None = None) -> Table:
    """The rows set aside, as the partner sent them (every column) with their row number and
    the reason, to correct and upload again. Read back from the held file (or `data`, the
    command line's own copy): nothing of them is kept anywhere else. OFFICIAL-SENSITIVE, for
    they hold the partner's identifiers and notes (vawg.exchange.exporting)."""
    if data is None and not data_import.set_aside_held:
        raise ValidationError("The set-aside rows are no longer held.")
    raw = payload_of(data_import) if data is None else data
    headers, rows = read_rows(
        readable(raw, data_import.filename, data_import.encoding), data_import.filename
    )
    reasons: dict[int, list[str]] = {}
    for number, reason in data_import.set_aside_rows:
        reasons.setdefault(number, []).append(reason)
    kept = [
        [*values, number, " ".join(reasons[number])] for number, values in rows if number in reasons
    ]
    return Table(
        name=f"import-{data_import.pk}-set-aside",
        headers=[*headers, *SET_ASIDE_HEADINGS],
        rows=kept,
        what="the rows set aside from a partner extract",
        subject=data_import,
        contents=Contents.PARTNER_RECORDS,
    )


def set_aside_erase(*, data_import: DataImport, actor, request: HttpRequest | None = None):
    """Erase the held file, and with it the rows set aside from it."""
    if not data_import.set_aside_held:
        raise ValidationError("No set-aside rows are held for this file.")
    _forget_payload(data_import)
    data_import.set_aside_rows = []
    data_import.save(update_fields=["set_aside_rows"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=data_import.partnership,
        obj=data_import,
        summary="Erased the rows set aside from a partner extract",
        request=request,
    )
    return data_import


def import_encoding_set(
    *, data_import: DataImport, encoding: str, actor, today: date, request=None
) -> DataImport:
    """Read the held file in another encoding: its headings again, then check it again
    (if its mapping fits it)."""
    if not data_import.encoding_changeable:
        raise ValidationError("Only a CSV file not yet imported can be read another way.")
    if encoding not in dict(encodings.ENCODINGS):
        raise ValidationError("Choose one of the encodings offered.")
    try:
        text = readable(payload_of(data_import), data_import.filename, encoding)
        headers, _ = read_rows(text, data_import.filename)
        separator, heading_row = layout_of(text, data_import.filename, READ_AS)
    except (TableError, encodings.Undecodable) as error:
        raise ValidationError(str(error)) from None
    data_import.encoding, data_import.headers = encoding, headers
    data_import.separator, data_import.heading_row = separator, heading_row
    data_import.status, data_import.error, data_import.unknown_values = S.UPLOADED, "", None
    data_import.save(
        update_fields=[
            *("encoding", "headers", "separator", "heading_row"),
            *("status", "error", "unknown_values"),
        ]
    )
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=data_import.partnership,
        obj=data_import,
        summary=f"Chose to read a partner extract as {encodings.label(encoding)}",
        request=request,
    )
    if mapping_ready(data_import) and not unknown_values_of(data_import):
        return import_check_start(data_import=data_import, today=today)
    return data_import


# A staged file holds personal data until it is imported: one left longer than this is
# erased by `insight_forget_stale` (docs/insight.md). No import waits days in the queue.
STALE_AFTER_DAYS = 7


def stale_uploads_forget(
    *, days: int = STALE_AFTER_DAYS, today: date, now: datetime | None = None
) -> int:
    """Erase the held file of every import not finished within `days` of its upload.

    The import is marked discarded with the reason, so the analyst sees what happened
    and can upload the file again; its provenance (who, when, which file) stays.
    An import whose worker stopped is first marked failed, and so erased as any other.
    """
    stopped_imports_fail(now=now or timezone.now())
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    # Only files waiting on a person: one being checked or imported now is left to finish.
    stale = DataImport.objects.filter(
        payload__isnull=False, uploaded_at__lt=cutoff, status__in=DataImport.WAITING
    )
    erased = 0
    # Rows set aside at import are held in the file too, and erased with it, as late.
    kept = DataImport.objects.filter(
        payload__isnull=False, uploaded_at__lt=cutoff, status=S.IMPORTED
    )
    for data_import in kept.select_related("partnership"):
        with transaction.atomic():
            _forget_payload(data_import)
            data_import.set_aside_rows = []
            data_import.save(update_fields=["set_aside_rows"])
            record(
                action=AuditAction.UPDATE,
                actor=None,
                partnership=data_import.partnership,
                obj=data_import,
                summary=f"Erased the rows set aside from a partner extract after {days} days",
            )
        erased += 1
    for data_import in stale.select_related("partnership"):
        with transaction.atomic():
            data_import.status = S.DISCARDED
            data_import.error = (
                f"Not imported within {days} days of upload: the file was erased. "
                "Upload it again to import it."
            )
            data_import.payload = None
            data_import.save(update_fields=["status", "error", "payload"])
            _drop_parts(data_import)
            record(
                action=AuditAction.UPDATE,
                actor=None,
                partnership=data_import.partnership,
                obj=data_import,
                summary=f"Erased a partner extract not imported within {days} days",
            )
        erased += 1
    return erased


def import_file(
    *,
    partnership: Partnership,
    partner: Organisation,
    filename: str,
    data: bytes,
    actor,
    today: date,
    mapping: Mapping | None = None,
    progress: Progress | None = None,
    source: str = "",
    encoding: str = "",
    set_aside: bool = False,
) -> DataImport:
    """Check and import in one go (the command line and the benchmark).

    With no mapping given, the partner's saved mapping for `source`, completed from the
    file's headings, is used. `set_aside`: import the good rows (`set_aside_export` gives
    the others). Likely duplicates are imported, and listed on the import.
    """
    data_import = import_upload(
        partnership=partnership,
        partner=partner,
        filename=filename,
        data=data,
        actor=actor,
        hold=False,
        source=source,
        encoding=encoding,
    )
    data_import.set_aside, data_import.duplicates_set_aside = set_aside, False
    if mapping is not None:
        mapping_save(
            data_import=data_import,
            columns=mapping.columns,
            values=mapping.values,
            actor=actor,
            date_format=mapping.date_format,
            fixed=mapping.fixed,
            derived=mapping.derived,
            record_id_from=mapping.record_id_from,
        )
    elif not mapping_ready(data_import):
        guess = suggested_mapping(data_import)
        mapping_save(
            data_import=data_import, columns=guess.columns, values=guess.values, actor=actor
        )
    return import_run(
        data_import=data_import, actor=actor, today=today, progress=progress, data=data
    )


def store_rebuild() -> int:
    """Rebuild every repeat flag, cube and people index from the incidents held, holding
    the import lock (`insight_rebuild`). Returns how many repeat flags were mended."""
    with transaction.atomic():
        locks.everything()
        mended = cubes.rebuild_all()
        record(
            action=AuditAction.UPDATE,
            actor=None,
            partnership=None,
            object_type="insight.IncidentSegment",
            summary=f"Rebuilt the insight cubes ({mended} repeat flags mended)",
        )
    return mended


# The key every import holds shared and the rebuild alone (locks.py).
IMPORT_LOCK = locks.IMPORT_LOCK


def _write(
    data_import: DataImport, *, today: date, progress: Progress | None, data: bytes | None
) -> Outcome:
    """The import's writes in one transaction, holding its regions (locks.py); started
    again, holding more, when a region it reaches is another import's."""
    regions: set[int] = set()
    while True:
        try:
            with transaction.atomic():
                # Its heartbeat can't be seen from outside until commit, but the write holds
                # the import's row (PostgreSQL; SQLite holds the whole database) until then:
                # the sweep leaves a row a live import holds, however long it writes.
                _beat(data_import)
                with locks.importing(data_import.partnership_id, regions):
                    outcome = _process(
                        data_import, today=today, write=True, progress=progress, data=data
                    )
                    if outcome.rejected and not data_import.set_aside:
                        raise ImportRejected(outcome)
                    locks.settle()
            return outcome
        except locks.Busy as busy:
            regions = set(busy.regions)


def _save_report(data_import: DataImport, outcome: Outcome) -> None:
    """The counts, problems, set-aside rows and likely duplicates, true for the import's
    status: a rejected file stored nothing, so it counts nothing new, updated or unchanged."""
    stored = data_import.status != S.REJECTED
    data_import.rows_new = outcome.new if stored else 0
    data_import.rows_updated = outcome.updated if stored else 0
    data_import.rows_unchanged = outcome.unchanged if stored else 0
    data_import.rows_rejected = outcome.rejected
    data_import.problems_total = outcome.problems_total
    data_import.problems = [
        {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
        for p in outcome.problems
    ]
    imported = data_import.status == S.IMPORTED
    data_import.set_aside_rows = [list(r) for r in sorted(outcome.set_aside)] if imported else []
    data_import.rows_set_aside = len(outcome.set_aside) if imported else 0
    data_import.duplicates = outcome.duplicates
    data_import.read_by_rule = outcome.by_rule
    data_import.columns_dropped = _dropped(data_import.headers, _mapping_of(data_import))


def _hold(data_import: DataImport, data: Source) -> None:
    """Hold the file until it is imported: encrypted and stored a piece at a time under a
    key of its own (kept in `payload`), so that a file of any size is never whole in
    memory on its way in (a single encrypted value would be, several times over)."""
    key = crypto.FileKey()
    for number, chunk in enumerate(chunks_of(data, HELD_PART_BYTES)):
        HeldPart.objects.create(data_import=data_import, number=number, token=key.encrypt(chunk))
    data_import.payload = key.wrapped
    data_import.save(update_fields=["payload"])


def _drop_parts(data_import: DataImport) -> None:
    HeldPart.objects.filter(data_import=data_import).delete()


def _forget_payload(data_import: DataImport) -> None:
    DataImport.objects.filter(pk=data_import.pk).update(payload=None)
    data_import.payload = None
    _drop_parts(data_import)


def payload_of(data_import: DataImport) -> bytes:
    """The held file, decrypted a piece at a time into one copy of it."""
    if data_import.payload is None:
        raise ValidationError("The file is no longer held: upload it again.")
    parts = HeldPart.objects.filter(data_import=data_import).order_by("number")
    if not parts.exists():
        # Held before files were held in pieces: the whole file, encrypted in one.
        return crypto.decrypt(data_import.payload)
    key = crypto.FileKey(data_import.payload)
    out = io.BytesIO()
    for token in parts.values_list("token", flat=True).iterator(chunk_size=4):
        out.write(key.decrypt(token))
    return out.getvalue()


def _process(
    data_import: DataImport,
    *,
    today: date,
    write: bool,
    progress: Progress | None,
    data: bytes | None = None,
):
    """One pass over the rows: count what each would do, and (if `write`) do it."""
    data = payload_of(data_import) if data is None else data
    mapping = _mapping_of(data_import)
    outcome = Outcome()
    filename = data_import.filename
    try:
        data = readable(data, filename, data_import.encoding)
        headers, rows = read_rows(data, filename)
        preparer = mapping.preparer(headers, today)
        effective = mapping.with_added(preparer)
        problems = mapping_problems(preparer.headers, effective)
        if problems:
            outcome.problems_total = len(problems)
            outcome.problems = problems
            outcome.rejected = 0
            raise TableError(problems[0].reason)
        standardiser = Standardiser(
            partnership=data_import.partnership,
            headers=preparer.headers,
            mapping=effective,
            today=today,
            repeats_are_problems=not preparer.generates_ids,
        )
        # The whole-file reader reads the file's own columns: a file with values added
        # (derive.py) goes row by row, as a file with problems does.
        table = None
        if not preparer.active:
            table = columns.standardise(standardiser, data, filename, len(headers))
        rows_of: dict[str, int] = {}
        if table is None:
            records = _row_by_row(
                standardiser, preparer.rows(rows), outcome, data_import, write, progress
            )
            if preparer.generates_ids:
                records = _generated_twice(records, outcome, standardiser)
            rows_of = {r.source_id: r.row for r in records}
            table = columns.from_records(records)
        outcome.by_rule = standardiser.by_rule
        _report_progress(data_import, table.num_rows + outcome.rejected, write, progress)
    except encodings.Undecodable as error:
        if write:
            raise
        data_import.error = str(error)[:500]
        outcome.undecodable = True
        return outcome
    except TableError as error:
        if write:
            raise
        data_import.error = str(error)[:500]
        if not outcome.problems:
            outcome.problems = [Problem(None, "", "", str(error))]
            outcome.problems_total = 1
        return outcome
    # A check reads only what matching needs; an import, everything it may write again.
    parts = store.ALL_PARTS if write else ("dims", "record", "people")
    held = store.load([data_import.partnership_id], parts=parts)
    sorted_ = incoming.sort(
        held, incoming.rows_from_file(table, data_import), data_import.partner_id
    )
    duplicates = incoming.likely_duplicates(held, sorted_, data_import.partner_id)
    if duplicates:
        if not rows_of:
            rows_of = _rows_of(data, filename, standardiser.index["source_id"])
        outcome.duplicates = _duplicates_listed(duplicates, rows_of)
        if write and data_import.duplicates_set_aside:
            table = _without_duplicates(table, outcome)
            sorted_ = incoming.sort(
                held, incoming.rows_from_file(table, data_import), data_import.partner_id
            )
    outcome.new, outcome.updated = sorted_.new, sorted_.updated
    outcome.unchanged = sorted_.unchanged
    if write and (not outcome.rejected or data_import.set_aside):
        incoming.apply(data_import, sorted_)
    return outcome


def _row_by_row(standardiser, rows, outcome: Outcome, data_import, write, progress) -> list:
    """The records of a file the whole-file path steps aside for (a problem somewhere, a
    spreadsheet, or values added), each problem worded for the report."""
    records = []
    for done, (number, values) in enumerate(rows, start=1):
        result = standardiser.record(number, values)
        if isinstance(result, list):
            outcome.add_problems(result)
        else:
            records.append(result)
        if done % PROGRESS_EVERY == 0:
            _report_progress(data_import, done, write, progress)
    return records


def _generated_twice(records: list, outcome: Outcome, standardiser: Standardiser) -> list:
    """The records without any whose generated id another row also has: such rows cannot
    be told apart (nor, next quarter, matched), so every one of them is set aside."""
    rows_by_id: dict[str, list[int]] = {}
    for r in records:
        rows_by_id.setdefault(r.source_id, []).append(r.row)
    twice = {i: rows for i, rows in rows_by_id.items() if len(rows) > 1}
    if not twice:
        return records
    heading = standardiser.headings.get("source_id", "Source record id")
    for r in records:
        if r.source_id in twice:
            others = ", ".join(str(n) for n in twice[r.source_id] if n != r.row)
            reason = (
                f"Rows {r.row} and {others} give the same generated record id: nothing in "
                "the columns it is generated from tells them apart, so each is set aside. "
                "Generate the id from more columns, or correct the rows."
            )
            outcome.add_problems([Problem(r.row, heading, r.source_id, reason)])
    return [r for r in records if r.source_id not in twice]


def _rows_of(data: bytes, filename: str, position: int) -> dict[str, int]:
    """Each record id's row in the file (the whole-file reader does not keep rows)."""
    _, rows = read_rows(data, filename)
    return {values[position].strip(): number for number, values in rows}


def _duplicates_listed(duplicates: list[dict], rows_of: dict[str, int]) -> list[dict]:
    listed = []
    for d in duplicates:
        listed.append(
            {
                "row": rows_of.get(d["source_id"]),
                "source_id": d["source_id"],
                "matches": d["matches"],
                "date": d["occurred_on"].isoformat(),
                "strand": STRAND.label_for(d["strand"]),
            }
        )
    return sorted(listed, key=lambda d: (d["row"] or 0, d["source_id"]))


def _without_duplicates(table: pa.Table, outcome: Outcome) -> pa.Table:
    """The table without the likely duplicates, each noted as set aside with the reason."""
    import pyarrow.compute as pc

    for d in outcome.duplicates:
        outcome.set_aside.append(
            (
                d["row"] or 0,
                f"Likely the same incident as stored record {d['matches']}: the same person, "
                f"date ({d['date']}) and strand ({d['strand']}) under a new record id.",
            )
        )
    ids = pa.array([d["source_id"] for d in outcome.duplicates], pa.string())
    return table.filter(pc.invert(pc.is_in(table["source_id"], value_set=ids)))


def _report_progress(data_import: DataImport, done: int, write: bool, progress) -> None:
    data_import.rows_done = done
    if progress:
        progress(done)
    if not write:
        # Outside the write transaction: the page polling this import sees it move, and
        # its heartbeat says the worker is alive.
        data_import.heartbeat_at = timezone.now()
        DataImport.objects.filter(pk=data_import.pk).update(
            rows_done=done, heartbeat_at=data_import.heartbeat_at
        )


# --- Reference data ------------------------------------------------------------------


def population_import(
    *,
    partnership: Partnership,
    data: Source,
    filename: str,
    actor,
    synthetic: bool = False,
    source: str = "",
    request: HttpRequest | None = None,
) -> tuple[int, list[Problem]]:
    """Replace the population figures for the years in the file. All or nothing.

    Columns: year, ward, age_band, sex, ethnicity, people.
    """
    from vawg.insight.importer import WardResolver
    from vawg.insight.models import Population
    from vawg.insight.standard import AGE_BAND, ETHNICITY, SEX, default_lookup, normalise_code

    check_upload(data, filename)
    try:
        headers, rows = read_rows(data, filename)
    except TableError as error:
        return 0, [Problem(None, "", "", str(error))]
    wanted = ["year", "ward", "age_band", "sex", "ethnicity", "people"]
    keyed = {normalise_code(h): i for i, h in enumerate(headers)}
    missing = [w for w in wanted if w not in keyed]
    if missing:
        return 0, [
            Problem(None, m, "", f"The file has no “{m}” column (it needs {', '.join(wanted)}).")
            for m in missing
        ]
    wards = WardResolver(partnership)
    lookups = {v.name: default_lookup(v) for v in (AGE_BAND, SEX, ETHNICITY)}
    problems: list[Problem] = []
    cells: dict[tuple, int] = {}
    try:
        for number, values in rows:
            cell = {w: values[keyed[w]].strip() for w in wanted}
            row_problems = []
            year = cell["year"]
            if not (year.isdecimal() and 1990 <= int(year) <= 2100):
                row_problems.append(Problem(number, "year", year, "Enter a year such as 2025."))
            ward_id = wards(cell["ward"])
            if ward_id is None:
                row_problems.append(
                    Problem(number, "ward", cell["ward"], "This is not a ward of the partnership.")
                )
            codes = {}
            for name, lookup in lookups.items():
                codes[name] = lookup.get(normalise_code(cell[name]))
                if codes[name] is None:
                    row_problems.append(
                        Problem(number, name, cell[name], "This is not a code of the standard.")
                    )
            if not cell["people"].isdecimal():
                row_problems.append(
                    Problem(number, "people", cell["people"], "Enter a whole number of people.")
                )
            if row_problems:
                problems.extend(row_problems)
                continue
            key = (int(year), ward_id, codes["age_band"], codes["sex"], codes["ethnicity"])
            cells[key] = cells.get(key, 0) + int(cell["people"])
    except TableError as error:
        return 0, [Problem(None, "", "", str(error))]
    if problems:
        return 0, problems
    if not cells:
        return 0, [Problem(None, "", "", "The file holds no population figures.")]
    with transaction.atomic():
        years = {key[0] for key in cells}
        Population.objects.filter(partnership=partnership, year__in=years).delete()
        Population.objects.bulk_create(
            Population(
                partnership=partnership,
                year=year,
                ward_id=ward_id,
                age_band=age,
                sex=sex,
                ethnicity=eth,
                people=people,
                synthetic=synthetic,
                source=source[:300] or filename[:300],
            )
            for (year, ward_id, age, sex, eth), people in cells.items()
        )
        record(
            action=AuditAction.LOAD,
            actor=actor,
            partnership=partnership,
            object_type="insight.Population",
            summary=f"Loaded population figures for {', '.join(map(str, sorted(years)))}",
            request=request,
        )
    return len(cells), []


def wards_ensure(*, partnership: Partnership, wards: list[dict], source: str) -> int:
    """Create the partnership's wards and old-to-new links from a curated list (idempotent)."""
    from vawg.insight.models import WardSuccessor

    by_name = {}
    for w in wards:
        ward = Ward.objects.filter(partnership=partnership, name=w["name"]).first()
        if ward is None:
            ward = Ward(partnership=partnership, name=w["name"])
        ward.valid_from = w.get("valid_from")
        ward.valid_to = w.get("valid_to")
        ward.save()
        by_name[w["name"]] = ward
    for w in wards:
        if w.get("successor"):
            WardSuccessor.objects.update_or_create(
                ward=by_name[w["name"]],
                defaults={"successor": by_name[w["successor"]], "source": source[:300]},
            )
    return len(by_name)

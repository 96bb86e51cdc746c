"""Every write to the incident store: uploads, mappings, checks, imports, reference data.

An import is all-or-nothing: the rows are checked in one pass and written in
one transaction, and a single rejected row rolls the whole file back. The
same file twice changes nothing; an overlapping extract updates the records
whose standardised values differ (a new crime outcome) and adds the rest.
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
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto, jobs
from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.tabular import Problem, TableError, check_archive
from vawg.core.uploads import Source, chunks_of, megabytes, size_of
from vawg.exchange.importing import record_import
from vawg.insight import columns, cubes, incoming, store
from vawg.insight.importer import (
    PROBLEMS_KEPT,
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

HELD_PART_BYTES = 1024 * 1024  # a held file is encrypted and stored this much at a time
PROGRESS_EVERY = 20_000  # rows between progress reports on the row path
# Files with more rows than this are checked and imported by the background worker.
BACKGROUND_ROWS = 20_000

Progress = Callable[[int], None]
logger = logging.getLogger(__name__)
S = DataImport.Status
Step = DataImport.Step


class ImportRejected(Exception):
    """Raised inside the write transaction to roll a rejected file back."""


@dataclass
class Outcome:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0

    def add_problems(self, problems: list[Problem]) -> None:
        self.rejected += 1
        self.problems_total += len(problems)
        room = PROBLEMS_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])


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


def mapping_for(partner: Organisation) -> Mapping:
    saved = ColumnMapping.objects.filter(partner=partner).first()
    if saved is None:
        return Mapping()
    values = {k: dict(v) for k, v in saved.values.items()}
    return Mapping(columns=dict(saved.columns), values=values)


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
) -> DataImport:
    """Receive a partner file: check it can be read, hold it encrypted until it is imported.

    `data` is the file's bytes or the uploaded file itself, which is read a piece at a
    time and never held whole in memory. `hold=False` (the command line, which imports at
    once) keeps only its provenance."""
    if partner.partnership_id != partnership.pk:
        raise ValidationError({"partner": "Choose one of the partnership's organisations."})
    check_upload(data, filename, sized=hold)
    try:
        headers, _ = read_rows(data, filename)
    except TableError as error:
        raise ValidationError(str(error)) from None
    digest, lines = hashlib.sha256(), 0
    for chunk in chunks_of(data):
        digest.update(chunk)
        lines += chunk.count(b"\n")
    data_import = DataImport.objects.create(
        partnership=partnership,
        partner=partner,
        filename=filename[:255],
        file_sha256=digest.hexdigest(),
        headers=headers,
        rows_total=max(lines - 1, 0) if filename.lower().endswith(".csv") else 0,
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
) -> ColumnMapping:
    """Save the partner's column and value mapping, for this file and the next."""
    mapping = Mapping(columns={k: v for k, v in columns.items() if v}, values=values)
    problems = mapping_problems(data_import.headers, mapping)
    if problems:
        raise ValidationError([p.reason for p in problems])
    saved, _ = ColumnMapping.objects.update_or_create(
        partner=data_import.partner,
        defaults={
            "partnership": data_import.partnership,
            "columns": mapping.columns,
            "values": mapping.values,
        },
    )
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
    mapping = mapping_for(data_import.partner)
    return bool(mapping.columns) and not mapping_problems(data_import.headers, mapping)


def suggested_mapping(data_import: DataImport) -> Mapping:
    saved = mapping_for(data_import.partner)
    columns = {k: v for k, v in saved.columns.items() if v in data_import.headers}
    for name, heading in suggest_columns(data_import.headers).items():
        if name not in columns and heading not in columns.values():
            columns[name] = heading
    return Mapping(columns=columns, values=saved.values)


def mapping_open(data_import: DataImport) -> bool:
    """Whether the file's mapping may still be chosen: until it is imported (a file already
    checked is checked again with the new mapping)."""
    return data_import.status in {S.UPLOADED, S.CHECKED}


def unknown_values_of(data_import: DataImport) -> dict[str, list[str]]:
    """The values in the held file whose meaning the partner's saved mapping does not give."""
    try:
        return unknown_values(
            partnership=data_import.partnership,
            data=payload_of(data_import),
            filename=data_import.filename,
            mapping=mapping_for(data_import.partner),
        )
    except TableError:
        return {}  # the check reports what is wrong with the file, row by row


def mapping_columns_save(
    *,
    data_import: DataImport,
    columns: dict[str, str],
    actor,
    today: date,
    request: HttpRequest | None = None,
) -> bool:
    """Save which of the file's columns holds each field (keeping the partner's saved value
    mapping), then check the file; unless the file holds values the mapping cannot read
    yet. True when those are to be mapped first."""
    mapping_save(
        data_import=data_import,
        columns=columns,
        values=mapping_for(data_import.partner).values,
        actor=actor,
        request=request,
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
    mapping = mapping_for(data_import.partner)
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
    if data_import.rows_total and data_import.rows_total > BACKGROUND_ROWS:
        from vawg.insight.tasks import check_import

        transaction.on_commit(lambda: _enqueue(check_import, data_import.pk))
        return data_import
    return import_check(data_import=data_import, today=today)


def import_run_start(
    *, data_import: DataImport, actor, today: date, request: HttpRequest | None = None
) -> DataImport:
    """Import a checked file: now if it is small, else in the background worker."""
    if data_import.status != S.CHECKED:
        raise ValidationError("Only a checked file with no problems can be imported.")
    if data_import.rows_total and data_import.rows_total > BACKGROUND_ROWS:
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
    try:
        outcome = _process(data_import, today=today, write=False, progress=progress)
    except Exception as error:  # noqa: BLE001 (a fault of ours: say so, rather than check for ever)
        _failed(data_import, error)
        data_import.save()
        return data_import
    _save_report(data_import, outcome)
    data_import.status = S.REJECTED if outcome.rejected else S.CHECKED
    data_import.save()
    if outcome.rejected:
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
    try:
        # All or nothing: everything the import writes is in this one transaction, so a
        # worker that dies part-way (killed, out of memory, the machine lost) leaves nothing
        # half-written: PostgreSQL rolls back the transaction of a connection that is gone,
        # and SQLite never applies one that was not committed. `stopped_imports_fail` then
        # finds the import by its heartbeat and marks it failed.
        with transaction.atomic():
            # Its heartbeat can't be seen from outside until commit, but the write holds the
            # import's row (PostgreSQL; SQLite holds the whole database) until then: the
            # sweep leaves a row a live import holds, however long it writes.
            _beat(data_import)
            _one_import_at_a_time()
            outcome = _process(data_import, today=today, write=True, progress=progress, data=data)
            if outcome.rejected:
                raise ImportRejected
    except ImportRejected:
        _save_report(data_import, outcome)
        data_import.status = S.REJECTED
    except TableError as error:
        data_import.status = S.REJECTED
        data_import.error = str(error)[:500]
    except Exception as error:  # noqa: BLE001 (rolled back: nothing stored; say so, not "Importing")
        _failed(data_import, error)
    else:
        _save_report(data_import, outcome)
        data_import.status = S.IMPORTED
        data_import.imported_by = actor
        data_import.imported_at = timezone.now()
        data_import.rows_done = outcome.new + outcome.updated + outcome.unchanged
    if data_import.status == S.FAILED:
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
) -> DataImport:
    """Check and import in one go (the command line and the benchmark).

    With no mapping given, the partner's saved mapping, completed from the
    file's headings, is used.
    """
    data_import = import_upload(
        partnership=partnership,
        partner=partner,
        filename=filename,
        data=data,
        actor=actor,
        hold=False,
    )
    if mapping is not None:
        mapping_save(
            data_import=data_import, columns=mapping.columns, values=mapping.values, actor=actor
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
        _one_import_at_a_time()
        mended = cubes.rebuild_all()
        record(
            action=AuditAction.UPDATE,
            actor=None,
            partnership=None,
            object_type="insight.IncidentSegment",
            summary=f"Rebuilt the insight cubes ({mended} repeat flags mended)",
        )
    return mended


# The key of the lock every import's write holds (PostgreSQL advisory locks are numbers).
IMPORT_LOCK = 0x56415747  # "VAWG"


def _one_import_at_a_time() -> None:
    """Wait until no other import is writing, on any app server, then hold that until commit.

    The repeat rule links a person's incidents across partnerships, and imports into
    one region share its roll-up: two imports at once could each miss the other's
    incidents of the same person. SQLite has one writer already (IMMEDIATE transactions);
    PostgreSQL takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])


def _save_report(data_import: DataImport, outcome: Outcome) -> None:
    data_import.rows_new = outcome.new
    data_import.rows_updated = outcome.updated
    data_import.rows_unchanged = outcome.unchanged
    data_import.rows_rejected = outcome.rejected
    data_import.problems_total = outcome.problems_total
    data_import.problems = [
        {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
        for p in outcome.problems
    ]
    mapping = mapping_for(data_import.partner)
    data_import.columns_dropped = _dropped(data_import.headers, mapping)


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
    mapping = mapping_for(data_import.partner)
    outcome = Outcome()
    try:
        headers, rows = read_rows(data, data_import.filename)
        problems = mapping_problems(headers, mapping)
        if problems:
            outcome.problems_total = len(problems)
            outcome.problems = problems
            outcome.rejected = 0
            raise TableError(problems[0].reason)
        standardiser = Standardiser(
            partnership=data_import.partnership, headers=headers, mapping=mapping, today=today
        )
        table = columns.standardise(standardiser, data, data_import.filename, len(headers))
        if table is None:
            table = _row_by_row(standardiser, rows, outcome, data_import, write, progress)
        _report_progress(data_import, table.num_rows + outcome.rejected, write, progress)
    except TableError as error:
        if write:
            raise
        data_import.error = str(error)[:500]
        outcome.rejected = max(outcome.rejected, 1)
        if not outcome.problems:
            outcome.problems = [Problem(None, "", "", str(error))]
            outcome.problems_total = 1
        return outcome
    # A check reads only what matching needs; an import, everything it may write again.
    parts = store.ALL_PARTS if write else ("dims", "record")
    held = store.load([data_import.partnership_id], parts=parts)
    sorted_ = incoming.sort(
        held, incoming.rows_from_file(table, data_import), data_import.partner_id
    )
    outcome.new, outcome.updated = sorted_.new, sorted_.updated
    outcome.unchanged = sorted_.unchanged
    if write and not outcome.rejected:
        incoming.apply(data_import, sorted_)
    return outcome


def _row_by_row(standardiser, rows, outcome: Outcome, data_import, write, progress) -> pa.Table:
    """The records of a file the whole-file path steps aside for (a problem somewhere, or
    a spreadsheet), each problem worded for the report."""
    records = []
    for done, (number, values) in enumerate(rows, start=1):
        result = standardiser.record(number, values)
        if isinstance(result, list):
            outcome.add_problems(result)
        else:
            records.append(result)
        if done % PROGRESS_EVERY == 0:
            _report_progress(data_import, done, write, progress)
    return columns.from_records(records)


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

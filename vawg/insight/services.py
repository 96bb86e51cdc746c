# SQL here is built from model table and column names only; values go as parameters.
# ruff: noqa: S608
"""Every write to the incident store: uploads, mappings, checks, imports, reference data.

An import is all-or-nothing: the rows are checked in one pass and written in
one transaction, and a single rejected row rolls the whole file back. The
same file twice changes nothing; an overlapping extract updates the records
whose standardised values differ (a new crime outcome) and adds the rest.
"""

import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import repeat

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto
from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.tabular import Problem, TableError, check_archive
from vawg.insight import columns, cubes
from vawg.insight.importer import (
    PROBLEMS_KEPT,
    Mapping,
    Record,
    Standardiser,
    mapping_problems,
    read_rows,
    suggest_columns,
)
from vawg.insight.importer import dropped_columns as _dropped
from vawg.insight.models import ColumnMapping, DataImport, Incident

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
WRITE_CHUNK = 20_000
# Files with more rows than this are checked and imported by the background worker.
BACKGROUND_ROWS = 20_000

Progress = Callable[[int], None]
S = DataImport.Status


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


def check_upload(data: bytes, filename: str) -> None:
    """Size, type and archive-bomb checks before anything reads the file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
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
    data: bytes,
    actor,
    request: HttpRequest | None = None,
    hold: bool = True,
) -> DataImport:
    """Receive a partner file: check it can be read, hold it encrypted until it is imported.

    `hold=False` (the command line, which imports at once) keeps only its provenance."""
    if partner.partnership_id != partnership.pk:
        raise ValidationError({"partner": "Choose one of the partnership's organisations."})
    check_upload(data, filename)
    try:
        headers, _ = read_rows(data, filename)
    except TableError as error:
        raise ValidationError(str(error)) from None
    data_import = DataImport.objects.create(
        partnership=partnership,
        partner=partner,
        filename=filename[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        headers=headers,
        payload=crypto.encrypt(data) if hold else None,
        rows_total=max(data.count(b"\n") - 1, 0) if filename.lower().endswith(".csv") else 0,
        uploaded_by=actor,
    )
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


# --- Checking and importing --------------------------------------------------------


def import_check_start(*, data_import: DataImport, today: date) -> DataImport:
    """Check now if the file is small, or hand it to the background worker."""
    if data_import.status not in {S.UPLOADED, S.CHECKED}:
        raise ValidationError("This file has already been checked.")
    data_import.status = S.CHECKING
    data_import.rows_done = 0
    data_import.save(update_fields=["status", "rows_done"])
    if data_import.rows_total and data_import.rows_total > BACKGROUND_ROWS:
        from vawg.insight.tasks import check_import

        transaction.on_commit(lambda: check_import.enqueue(data_import.pk))
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

        data_import.status = S.QUEUED
        data_import.save(update_fields=["status"])
        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: run_import.enqueue(data_import.pk, actor_id))
        return data_import
    return import_run(data_import=data_import, actor=actor, today=today, request=request)


def import_check(*, data_import: DataImport, today: date, progress: Progress | None = None):
    """Check every row against the standard and the store, writing nothing to it.

    The report (new, updated, unchanged, rejected and the problems) is saved on
    the import so the analyst can read it before choosing to import.
    """
    outcome = _process(data_import, today=today, write=False, progress=progress)
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
    data_import.status = S.RUNNING
    data_import.rows_done = 0
    data_import.save(update_fields=["status", "rows_done"])
    try:
        with transaction.atomic(), _large_page_cache():
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
    else:
        _save_report(data_import, outcome)
        data_import.status = S.IMPORTED
        data_import.imported_by = actor
        data_import.imported_at = timezone.now()
        data_import.rows_done = outcome.new + outcome.updated + outcome.unchanged
    # The file is forgotten in the same write, imported or not (never written back).
    data_import.payload = None
    data_import.save()
    record(
        action=AuditAction.LOAD,
        actor=actor,
        partnership=data_import.partnership,
        obj=data_import,
        summary=f"Import of a partner extract: {data_import.get_status_display().lower()}",
        detail={
            "new": data_import.rows_new,
            "updated": data_import.rows_updated,
            "unchanged": data_import.rows_unchanged,
            "rejected": data_import.rows_rejected,
        },
        request=request,
    )
    return data_import


def import_discard(*, data_import: DataImport, actor, request: HttpRequest | None = None):
    if data_import.status not in {S.UPLOADED, S.CHECKED, S.REJECTED}:
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


def stale_uploads_forget(*, days: int = STALE_AFTER_DAYS, today: date) -> int:
    """Erase the held file of every import not finished within `days` of its upload.

    The import is marked discarded with the reason, so the analyst sees what happened
    and can upload the file again; its provenance (who, when, which file) stays.
    """
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    # Only files waiting on a person: one being checked or imported now is left to finish.
    waiting = [S.UPLOADED, S.CHECKED, S.REJECTED, S.FAILED]
    stale = DataImport.objects.filter(
        payload__isnull=False, uploaded_at__lt=cutoff, status__in=waiting
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


@contextmanager
def _large_page_cache():
    """On SQLite, a 128 MB page cache while an import writes (then the setting as it was):
    the random-digest index outgrows the default 2 MB, and pages spill mid-transaction."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -131072")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


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


def _forget_payload(data_import: DataImport) -> None:
    DataImport.objects.filter(pk=data_import.pk).update(payload=None)
    data_import.payload = None


def payload_of(data_import: DataImport) -> bytes:
    if data_import.payload is None:
        raise ValidationError("The file is no longer held: upload it again.")
    return crypto.decrypt(data_import.payload)


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
        writer = _Writer(data_import) if write else None
        existing = _existing(data_import)
        whole = columns.standardise(standardiser, data, data_import.filename, len(headers))
        if whole is not None:
            _sort_whole(whole, existing, outcome, writer)
            rows = iter(())  # nothing left for the row path
            _report_progress(data_import, whole.num_rows, write, progress)
        done = 0
        for number, values in rows:
            result = standardiser.record(number, values)
            done += 1
            if isinstance(result, list):
                outcome.add_problems(result)
            else:
                before = existing.get(result.source_id)
                if before is None:
                    outcome.new += 1
                    if writer and not outcome.rejected:
                        writer.add(result)
                elif before[1] != result.fingerprint:
                    outcome.updated += 1
                    if writer and not outcome.rejected:
                        writer.change(before, result)
                else:
                    outcome.unchanged += 1
            if done % WRITE_CHUNK == 0:
                if writer and not outcome.rejected:
                    writer.flush()
                _report_progress(data_import, done, write, progress)
        if whole is None:
            _report_progress(data_import, done, write, progress)
    except TableError as error:
        if write:
            raise
        data_import.error = str(error)[:500]
        outcome.rejected = max(outcome.rejected, 1)
        if not outcome.problems:
            outcome.problems = [Problem(None, "", "", str(error))]
            outcome.problems_total = 1
        return outcome
    if writer and not outcome.rejected:
        writer.finish()
    return outcome


def _sort_whole(table: pa.Table, existing: dict, outcome: Outcome, writer) -> None:
    """New, updated or unchanged, for a whole clean file (columns.py); write it if asked."""
    changed: list[tuple[int, tuple]] = []
    if existing:
        new = []
        fingerprints = table.column("fingerprint").to_pylist()
        for i, source_id in enumerate(table.column("source_id").to_pylist()):
            before = existing.get(source_id)
            if before is None:
                new.append(i)
            elif before[1] != fingerprints[i]:
                changed.append((i, before))
            else:
                outcome.unchanged += 1
        outcome.new = len(new)
        added = table.take(pa.array(new, pa.int64()))
    else:
        outcome.new, added = table.num_rows, table
    outcome.updated = len(changed)
    if writer:
        writer.add_table(added)
        for i, before in changed:
            writer.change(before, _record_at(table, i))


def _record_at(table: pa.Table, i: int) -> Record:
    values = table.slice(i, 1).to_pylist()[0]
    return Record(0, *(values[name] for name in Record._fields[1:]))


def _report_progress(data_import: DataImport, done: int, write: bool, progress) -> None:
    data_import.rows_done = done
    if progress:
        progress(done)
    if not write:
        # Outside the write transaction: the page polling this import sees it move.
        DataImport.objects.filter(pk=data_import.pk).update(rows_done=done)


def _existing(data_import: DataImport) -> dict[str, tuple]:
    """What the store already holds from this partner: source id -> (id, fingerprint, ...)."""
    rows = Incident.objects.filter(
        partnership=data_import.partnership, partner=data_import.partner
    ).values_list("source_id", "id", "fingerprint", "person_digest", "month")
    return {source_id: (pk, fp, digest, month) for source_id, pk, fp, digest, month in rows}


_COLUMNS = (
    "partnership_id",
    "partner_id",
    "source_id",
    "occurred_on",
    "day",
    "month",
    "strand",
    "crime_type",
    "ward_id",
    "age_band",
    "sex",
    "gender_identity",
    "ethnicity",
    "disability",
    "orientation",
    "relationship",
    "perpetrator_sex",
    "perpetrator_age_band",
    "outcome",
    "person_key_version",
    "person_digest",
    "person_key",
    "is_repeat",
    "fingerprint",
    "data_import_id",
)
_UPDATED = _COLUMNS[3:]


class _Writer:
    """Buffers records and writes them in batches with plain SQL (COPY on PostgreSQL).

    The ORM's bulk_create builds a model instance per row, which costs more
    than everything else an import does; these rows are already validated.
    """

    def __init__(self, data_import: DataImport) -> None:
        self.data_import = data_import
        self.new: list[tuple] = []
        self.changed: list[tuple] = []
        self.digests: set[str] = set()
        self.months: set[tuple[int, date]] = set()
        self.postgres = connection.vendor == "postgresql"
        self._date_cache: dict[date, tuple] = {}
        self._person_keys: dict[str, int] = {}
        # A whole file's new rows in months that held no incident: their cube rows are
        # summed from these rows rather than read back from the store (`finish`).
        self.fresh: tuple[pa.Table, set[date]] | None = None
        self.changes = 0

    def _dates(self, day: date) -> tuple:
        """The date as stored: (date, day number, month); worked out once per distinct date."""
        cached = self._date_cache.get(day)
        if cached is None:
            month = day.replace(day=1)
            self.months.add((self.data_import.partnership_id, month))
            if self.postgres:
                cached = (day, day.toordinal(), month)
            else:
                cached = (day.isoformat(), day.toordinal(), month.isoformat())
            self._date_cache[day] = cached
        return cached

    def _row(self, r: Record) -> tuple:
        if r.person_digest:
            self.digests.add(r.person_digest)
        day_text, day_number, month_text = self._dates(r.occurred_on)
        return (
            self.data_import.partnership_id,
            self.data_import.partner_id,
            r.source_id,
            day_text,
            day_number,
            month_text,
            r.strand,
            r.crime_type,
            r.ward_id,
            r.age_band,
            r.sex,
            r.gender_identity,
            r.ethnicity,
            r.disability,
            r.orientation,
            r.relationship,
            r.perpetrator_sex,
            r.perpetrator_age_band,
            r.outcome,
            r.person_key_version,
            r.person_digest,
            self._person_key(r.person_digest),
            False,
            r.fingerprint,
            self.data_import.pk,
        )

    def _person_key(self, digest: str) -> int | None:
        key = self._person_keys.get(digest)
        if key is None and digest:
            key = self._person_keys[digest] = cubes.person_key(digest)
        return key

    def add(self, r: Record) -> None:
        self.new.append(self._row(r))

    def add_table(self, table: pa.Table) -> None:
        """New incidents from a whole clean file (columns.py): COPY on PostgreSQL, one
        executemany on SQLite, with no Python object made per row but the tuple."""
        self.flush()
        if table.num_rows == 0:
            return
        partnership_id = self.data_import.partnership_id
        months = set(pc.unique(table["month"]).to_pylist())
        self.months.update((partnership_id, m) for m in months)
        # Flags among the file's own rows go in with them; only people seen before
        # need the store's repeat window once the rows are in (`finish`).
        table = table.append_column("is_repeat", columns.repeat_flags(table))
        people = {d for d in pc.unique(table["person_digest"]).to_pylist() if d}
        self.digests |= cubes.people_with_history(people)
        fresh = cubes.months_without_incidents(partnership_id, months)
        self.fresh = (table, fresh) if fresh else None
        constants = {
            "partnership_id": partnership_id,
            "partner_id": self.data_import.partner_id,
            "data_import_id": self.data_import.pk,
        }
        if self.postgres:
            _copy_in(table, constants)
            return
        values = []
        for name in _COLUMNS:
            if name in constants:
                values.append(repeat(constants[name]))
            elif name in ("occurred_on", "month"):
                values.append(table[name].cast(pa.string()).to_pylist())  # ISO, as SQLite holds it
            else:
                values.append(table[name].to_pylist())
        marks = ", ".join(["%s"] * len(_COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {Incident._meta.db_table} ({', '.join(_COLUMNS)}) VALUES ({marks})",
                zip(*values, strict=False),  # the constants repeat without end
            )

    def change(self, before: tuple, r: Record) -> None:
        pk, _, old_digest, old_month = before
        self.changes += 1
        if old_digest:
            self.digests.add(old_digest)
        self.months.add((self.data_import.partnership_id, old_month))
        self.changed.append((*self._row(r)[3:], pk))

    def flush(self) -> None:
        table = Incident._meta.db_table
        with connection.cursor() as cursor:
            if self.new and self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                    for row in self.new:
                        copy.write_row(row)
            elif self.new:
                marks = ", ".join(["%s"] * len(_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({marks})",
                    self.new,
                )
            if self.changed:
                sets = ", ".join(f"{c} = %s" for c in _UPDATED)
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", self.changed)
        self.new, self.changed = [], []

    def finish(self) -> None:
        self.flush()
        built: set[tuple[int, date]] = set()
        if self.fresh and not self.changes:  # a changed record may have moved into one
            table, months = self.fresh
            import_ = self.data_import
            cubes.build_from_rows(import_.partnership_id, import_.partner_id, table, months)
            built = {(import_.partnership_id, m) for m in months}
        # Repeat flags the store's window changes in the built months adjust their cubes.
        cubes.refresh_repeats(self.digests, rebuilding=self.months - built)
        cubes.rebuild(self.months - built)


def _copy_in(table: pa.Table, constants: dict) -> None:
    """COPY the incidents into PostgreSQL as CSV that Arrow writes in C++.

    Arrow quotes every text value, so an empty one arrives as "" (empty text) while a
    missing value (no person) is left bare, which COPY reads as NULL."""
    rows = table.num_rows
    arrays = [
        pa.repeat(constants[name], rows) if name in constants else table[name] for name in _COLUMNS
    ]
    buffer = pa.BufferOutputStream()
    pacsv.write_csv(
        pa.table(arrays, names=list(_COLUMNS)),
        buffer,
        write_options=pacsv.WriteOptions(include_header=False),
    )
    table_name = Incident._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table_name} ({', '.join(_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
        ) as copy,
    ):
        copy.write(buffer.getvalue().to_pybytes())


# --- Reference data ------------------------------------------------------------------


def population_import(
    *,
    partnership: Partnership,
    data: bytes,
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

"""Every write to the incident store: uploads, mappings, checks, imports, reference data.

An import is all-or-nothing: the rows are checked in one pass and written in
one transaction, and a single rejected row rolls the whole file back. The
same file twice changes nothing; an overlapping extract updates the records
whose standardised values differ (a new crime outcome) and adds the rest.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core import crypto
from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.tabular import Problem, TableError, check_archive
from vawg.insight import columns, cubes, incoming, store
from vawg.insight.importer import (
    PROBLEMS_KEPT,
    Mapping,
    Standardiser,
    mapping_problems,
    read_rows,
    suggest_columns,
)
from vawg.insight.importer import dropped_columns as _dropped
from vawg.insight.models import ColumnMapping, DataImport

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
PROGRESS_EVERY = 20_000  # rows between progress reports on the row path
# Files with more rows than this are checked and imported by the background worker.
BACKGROUND_ROWS = 20_000

Progress = Callable[[int], None]
logger = logging.getLogger(__name__)
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
    data_import.status = S.RUNNING
    data_import.rows_done = 0
    data_import.save(update_fields=["status", "rows_done"])
    try:
        with transaction.atomic():
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


def _failed(data_import: DataImport, error: Exception) -> None:
    """Mark an import that stopped on a fault of the platform's own (not the file's).

    The log names the import and the kind of fault only: an exception's text may quote
    the extract's values."""
    logger.error("Partner extract %s stopped: %s", data_import.pk, type(error).__name__)
    data_import.status = S.FAILED
    data_import.error = (
        "The platform stopped while working on this file, and nothing from it was stored. "
        "Upload it again; if the same happens, tell the platform's operators."
    )


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


def stale_uploads_forget(*, days: int = STALE_AFTER_DAYS, today: date) -> int:
    """Erase the held file of every import not finished within `days` of its upload.

    The import is marked discarded with the reason, so the analyst sees what happened
    and can upload the file again; its provenance (who, when, which file) stays.
    """
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
        # Outside the write transaction: the page polling this import sees it move.
        DataImport.objects.filter(pk=data_import.pk).update(rows_done=done)


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

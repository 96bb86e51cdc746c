"""Making reports: asked for on the page, made by the task worker, downloaded with a record.

A request is made once, by the worker (`report_make`), and the file is kept on the
request. The maker runs outside any transaction, so each progress report is seen by the
page as it happens; the finished file is saved in one write, so a failure keeps nothing
half-made and says which step failed.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from vawg.audit.services import Action, record
from vawg.core import jobs
from vawg.core.meetings import strategic_board
from vawg.core.models import Partnership, PartnershipBody, Region
from vawg.exchange.exporting import ExportFile, record_export
from vawg.reports import kinds
from vawg.reports.models import ReportRequest
from vawg.reports.periods import PeriodError, period_for
from vawg.reports.spec import Period, ReportSpec

S = ReportRequest.Status


def spec_for(
    *,
    kind: str,
    partnership: Partnership | None,
    period: Period,
    reader: str,
    body: PartnershipBody | None = None,
    region: Region | None = None,
) -> ReportSpec:
    return ReportSpec(
        kind=kind,
        period=period,
        audience=reader,
        partnership=partnership,
        body=body,
        region=region,
    )


def request_spec(report: ReportRequest) -> ReportSpec:
    """The spec a request was made for, read back from its row: a region's row without a
    partnership is the region's combined return."""
    return spec_for(
        kind=report.kind,
        partnership=report.partnership,
        period=Period(report.period_label, report.period_start, report.period_end),
        reader=report.reader,
        body=report.body,
        region=report.region if report.partnership_id is None else None,
    )


@transaction.atomic
def report_request(
    *,
    kind: str,
    partnership: Partnership,
    period_text: str,
    fmt: str,
    actor,
    today: date,
    reader: str = "",
    body: PartnershipBody | None = None,
) -> ReportRequest:
    """Ask for a report of `partnership`; the worker makes it once this commits.

    ValidationError says what does not go together (kind, format, reader, period)."""
    try:
        found = kinds.kind_for(kind)
        reader = reader or found.reader
        kinds.check(found, fmt=fmt, reader=reader)
        period = period_for(partnership, period_text, found.period, today)
    except (kinds.KindError, PeriodError) as error:
        raise ValidationError(str(error)) from error
    if body is not None and body.partnership_id != partnership.pk:
        raise ValidationError("Choose one of this partnership's bodies.")
    if found.for_body and body is None:
        body = strategic_board(partnership)
    report = ReportRequest.objects.create(
        kind=found.slug,
        partnership=partnership,
        body=body if found.for_body else None,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        reader=reader,
        fmt=fmt,
        requested_by=actor,
        step="Waiting for the worker",
        heartbeat_at=timezone.now(),
    )
    record(
        action=Action.CREATE,
        actor=actor,
        partnership=partnership,
        obj=report,
        summary=f"Asked for the {found.title.lower()} for {period.label} as {fmt.upper()}",
        detail={"kind": found.slug, "period": period.label, "reader": reader, "format": fmt},
    )
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


EVERY_FORMAT = "all"


@transaction.atomic
def reports_request(*, kind: str, fmt: str, **asked) -> list[ReportRequest]:
    """`report_request` for one format, or for each the kind is made in (EVERY_FORMAT):
    the board pack as PDF and Word from one click."""
    if fmt != EVERY_FORMAT:
        return [report_request(kind=kind, fmt=fmt, **asked)]
    try:
        formats = kinds.kind_for(kind).formats
    except kinds.KindError as error:
        raise ValidationError(str(error)) from error
    return [report_request(kind=kind, fmt=each, **asked) for each in formats]


def report_remake(*, report: ReportRequest, actor, today: date) -> ReportRequest:
    """The same report asked for again: a new request, so the earlier file and who made
    it stay in the list."""
    if report.partnership is None or report.for_region:
        raise ValidationError("A region's return is made again from the region's page.")
    return report_request(
        kind=report.kind,
        partnership=report.partnership,
        period_text=report.period_label,
        fmt=report.fmt,
        actor=actor,
        today=today,
        reader=report.reader,
        body=report.body,
    )


def _enqueue(report_id: int) -> None:
    from vawg.reports.tasks import make_report

    result = make_report.enqueue(report_id)
    ReportRequest.objects.filter(pk=report_id).update(task_id=result.id)


def _progress(report_id: int):
    def progress(percent: int, step: str) -> None:
        ReportRequest.objects.filter(pk=report_id).update(
            percent=max(0, min(int(percent), 99)), step=step[:200], heartbeat_at=timezone.now()
        )

    return progress


def report_make(*, report_id: int) -> ReportRequest | None:
    """Make the report (the task's work). Idempotent: a request no longer waiting is left
    as it is, so a task delivered twice makes one file."""
    claimed = ReportRequest.objects.filter(pk=report_id, status=S.QUEUED).update(
        status=S.RUNNING, step="Starting", heartbeat_at=timezone.now()
    )
    if not claimed:
        return None
    report = ReportRequest.objects.select_related("partnership", "body", "region").get(pk=report_id)
    kind = kinds.kind_for(report.kind)
    try:
        content = kind.make(request_spec(report), report.fmt, _progress(report.pk))
    except Exception as error:  # noqa: BLE001 (any fault: say which step, keep no file)
        report.refresh_from_db(fields=["step"])
        report.status = S.FAILED
        report.error = f"{report.step}: {type(error).__name__}: {error}"[:2000]
        report.content = None
    else:
        report.status = S.DONE
        report.percent = 100
        report.step = "Finished"
        report.content = content
        report.filename = kind.filename(request_spec(report), report.fmt)
        report.content_type = kinds.content_type(report.fmt)
    report.finished_at = timezone.now()
    report.save()
    return report


def report_download(
    *, report: ReportRequest, actor, request: HttpRequest | None = None
) -> ExportFile:
    """The finished file, recorded in the audit trail as exported by `actor`."""
    if not report.ready:
        raise ValidationError("This report has no file to download.")
    record_export(
        fmt=report.fmt,
        what=f"the {kinds.kind_for(report.kind).title.lower()} for {report.period_label}",
        partnership=report.partnership,
        subject=report,
        detail={
            "kind": report.kind,
            "period": report.period_label,
            "reader": report.reader,
            **({"region": report.region_id} if report.for_region else {}),
        },
        actor=actor,
        request=request,
    )
    return ExportFile(bytes(report.content or b""), report.content_type, report.filename)


def stopped_reports_fail(*, now: datetime, reports: QuerySet | None = None) -> int:
    """Requests whose worker stopped part-way, marked failed with no file (vawg.core.jobs)."""
    failed = 0
    queryset = ReportRequest.objects.all() if reports is None else reports
    for report in queryset.filter(status__in=ReportRequest.WORKING).defer("content"):
        task = jobs.task_of(report.task_id)
        if not jobs.stopped(heartbeat_at=report.heartbeat_at, task=task, now=now):
            continue
        jobs.task_fail(report.task_id, now=now)
        ReportRequest.objects.filter(pk=report.pk, status__in=ReportRequest.WORKING).update(
            status=S.FAILED,
            error=f"{report.step}: the worker making it stopped before it finished.",
            content=None,
            finished_at=now,
        )
        failed += 1
    return failed


@transaction.atomic
def region_return_request(
    *,
    region: Region,
    period_text: str,
    actor,
    today: date,
    partnership: Partnership | None = None,
) -> ReportRequest:
    """The regional officer asks for a borough's return (`partnership`) or the region's
    combined workbook (none); the worker makes it once this commits, and it is kept on the
    region's page. A combined workbook grows with the region, so it is never made while a
    web worker waits.

    ValidationError when the period names no reporting year, or the partnership is not the
    region's."""
    if partnership is not None and partnership.region_id != region.pk:
        raise ValidationError("That partnership is not in this region.")
    anchor = partnership or region.partnerships.order_by("name").first()
    if anchor is None:
        raise ValidationError("This region has no partnerships yet.")
    kind = kinds.kind_for("regional-return")
    try:
        period = period_for(anchor, period_text, kind.period, today)
    except PeriodError as error:
        raise ValidationError(str(error)) from error
    report = ReportRequest.objects.create(
        kind=kind.slug,
        partnership=partnership,
        region=region,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        reader=kind.reader,
        fmt="xlsx",
        requested_by=actor,
        step="Waiting for the worker",
        heartbeat_at=timezone.now(),
    )
    scope = partnership.name if partnership else f"every partnership in {region.name}"
    record(
        action=Action.CREATE,
        actor=actor,
        partnership=partnership,
        obj=report,
        summary=f"Asked for the regional return for {period.label}: {scope}",
        detail={"kind": kind.slug, "period": period.label, "region": region.pk},
    )
    transaction.on_commit(lambda: _enqueue(report.pk))
    return report


def region_return_remake(*, report: ReportRequest, actor, today: date) -> ReportRequest:
    """The same return asked for again, as a new request beside the earlier one."""
    if report.region is None:
        raise ValidationError("Only a region's return is made again from the region's page.")
    return region_return_request(
        region=report.region,
        partnership=report.partnership,
        period_text=report.period_label,
        actor=actor,
        today=today,
    )

"""The partner API's writes: progress updates, measure values and partner extracts.

Each goes through the same service as the web's form, so it is checked, versioned and
audited exactly as a person's would be; the token stands for its organisation (an action
it leads, a measure it owns, its own extracts), never for a person, so what it writes has
no author and is reviewed by people as the web's is. Every write takes an
`Idempotency-Key`: a retry with the same key is answered from the first call and stores
nothing again (vawg.api.idempotency).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Path, Router
from ninja.files import UploadedFile

from vawg.api import idempotency, problems
from vawg.api.auth import TokenAuth
from vawg.api.models import ApiToken, IdempotentCall
from vawg.api.periods import period_asked
from vawg.api.problems import ApiProblem, Problem
from vawg.api.respond import conditional
from vawg.api.scopes import Scope
from vawg.api.writes_schemas import (
    CheckReport,
    ExtractOut,
    ImportIn,
    NotInFile,
    RowProblem,
    UpdateIn,
    UpdateOut,
    ValueIn,
    ValueOut,
)
from vawg.audit.models import AuditEvent
from vawg.audit.services import record
from vawg.core.access import get_scoped_or_404
from vawg.core.uploads import RefusedUpload, chunks_of, megabytes
from vawg.delivery import selectors as delivery_selectors
from vawg.delivery import services as delivery
from vawg.insight import selectors as insight_selectors
from vawg.insight import services as insight
from vawg.insight.derive import LABELS
from vawg.measures import selectors as measures_selectors
from vawg.measures import services as measures

router = Router()

ID = Path(..., ge=1, le=2_147_483_647, description="The record's id.")
REFUSALS = {400: Problem, 404: Problem, 409: Problem, 422: Problem}
# The first problems of a check, row by row; the web's report holds every one.
PROBLEMS_SHOWN = 1000
WHERE_TO_MAP = "Local picture → Data imports"
EXTRACT_FILE = File(..., description="A CSV or Excel (.xlsx) file, its headings in row 1.")
EXTRACT_SOURCE = Form(
    "",
    max_length=100,
    description="Which of the organisation's extracts it is, where it sends more than one "
    "(its mapping is saved under this name).",
)


def _today() -> date:
    return timezone.localdate()


def _sent(request: HttpRequest, token: ApiToken, obj, what: str) -> None:
    """The service audits the write with no author: this says which token sent it."""
    record(
        action=AuditEvent.Action.API,
        partnership=token.partnership_id,
        obj=obj,
        summary=f"{what} sent through the partner API by the token “{token.name}”"[:300],
        detail={"token": token.name, "token_id": token.pk, "organisation": token.organisation_id},
        request=request,
    )


# --- Progress updates ---------------------------------------------------------------------


@router.post(
    "/actions/{action_id}/updates",
    response={201: UpdateOut, **REFUSALS},
    auth=TokenAuth(Scope.WRITE_PROGRESS),
    summary="Send a progress update for an action the organisation leads, for review",
)
def action_update_send(request: HttpRequest, body: UpdateIn, action_id: int = ID):
    """Save the action's update for the period and submit it for review, as an action lead
    does on the web: the workstream chair then approves it or returns it, and only then
    does it count. An update awaiting review can no longer be changed (409); one returned
    for changes may be sent again. The action must be one the token's organisation leads
    (else 403)."""
    token: ApiToken = request.auth
    action = delivery_selectors.action_for_update(partnership=token.partnership, pk=action_id)
    standing = delivery.Standing(lead_organisations=frozenset({token.organisation_id}))
    if action.retired_at is None and not standing.may_update(action):
        raise ApiProblem(403, f"{token.organisation.name} does not lead this action.")
    fields = {"action": action.pk, **body.model_dump()}

    def run() -> tuple[int, dict]:
        period = period_asked(token.partnership, body.period)
        existing = delivery_selectors.update_for(action=action, period=period)
        if existing is not None and not existing.editable:
            raise ApiProblem(
                409,
                f"The update for {period.label} is {existing.get_state_display().lower()}, "
                "so it can no longer be changed.",
            )
        try:
            update = delivery.update_save(
                action=action,
                period=period,
                actor=None,
                standing=standing,
                data=delivery.UpdateInput(
                    status=body.status,
                    commentary=body.commentary,
                    commentary_public=body.commentary_public,
                    next_milestone=body.next_milestone,
                    next_milestone_date=body.next_milestone_date,
                ),
                version=existing.version if existing is not None else 0,
                submit=True,
                today=_today(),
                request=request,
            )
        except delivery.StaleUpdate:
            raise ApiProblem(
                409, "The update changed while this was sent: send it again."
            ) from None
        _sent(request, token, update, f"Progress update for action {action.ref}")
        return 201, UpdateOut(
            id=update.pk,
            action=action.pk,
            period=period.label,
            state=update.state,
            status=update.status,
            version=update.version,
            submitted_at=update.submitted_at,
        ).model_dump(mode="json")

    return idempotency.once(request, token, fields, run)


# --- Measure values ----------------------------------------------------------------------


@router.put(
    "/measures/{measure_id}/values",
    response={200: ValueOut, **REFUSALS},
    auth=TokenAuth(Scope.WRITE_MEASURES),
    summary="Record a measure's value for a period (a measure the organisation owns)",
)
def measure_value_put(request: HttpRequest, body: ValueIn, measure_id: int = ID):
    """Record the value for the period, as the measure's page does: a different value for
    a period that has one is a correction, kept as a new version; the same value again
    changes nothing (`changed` is false). Only the organisation that owns the measure may
    send its values (else 403); restricted measures are not reached through the API."""
    token: ApiToken = request.auth
    # The web's rule (measures.rules.may_enter_for) for an organisation rather than a
    # person: the owner organisation enters the values. No roles: restricted ones are 404.
    indicator = get_scoped_or_404(
        measures_selectors.indicators_for(partnership=token.partnership, roles=frozenset()),
        token.partnership,
        pk=measure_id,
    )
    if indicator.owner_id is None or indicator.owner_id != token.organisation_id:
        raise ApiProblem(403, "Only the organisation that owns this measure may send its values.")
    fields = {"measure": indicator.pk, **body.model_dump()}

    def run() -> tuple[int, dict]:
        period = period_asked(token.partnership, body.period)
        if not indicator.is_ratio:
            sent = {
                name: "This measure is not a rate or percentage: send only its value."
                for name in ("numerator", "denominator")
                if getattr(body, name) is not None
            }
            if sent:
                raise ApiProblem(422, "Some of what was sent does not fit this measure.", sent)
        row, changed = measures.value_record(
            indicator=indicator,
            period=period,
            value=body.value,
            numerator=body.numerator,
            denominator=body.denominator,
            note=body.note,
            # Typed in by the owner's own system for one measure and period, as the form's
            # value is; "imported" is the spreadsheet of many. The provenance names the token.
            source=measures.ValueSource.ENTERED,
            provenance=f"API token {token.name}",
            actor=None,
            today=_today(),
            request=request,
        )
        if changed:
            _sent(request, token, row, "Measure value")
        return 200, ValueOut(
            measure=indicator.pk,
            period=period.label,
            version=row.version,
            changed=changed,
            source=row.source,
        ).model_dump(mode="json")

    return idempotency.once(request, token, fields, run)


# --- Partner extracts ----------------------------------------------------------------------


def _reason(problem: dict) -> str:
    """The check's reason with the row's value taken out: only where and why leave."""
    reason, value = problem.get("reason") or "", problem.get("value") or ""
    if value:
        reason = reason.replace(f"“{value}”", "the value")
        if reason.startswith(value):
            reason = "The value" + reason[len(value) :]
        if value in reason and len(value) > 2:
            reason = reason.replace(value, "the value")
    return reason[:1].upper() + reason[1:]


# The statuses an extract has once its check has finished (a failed one, if the import
# failed: the check's report stands).
CHECKED = {"checked", "rejected", "queued", "running", "imported"}


def _report(data_import) -> CheckReport | None:
    """The check's report, without any value from the file's rows."""
    done = data_import.status in CHECKED or (
        data_import.status == "failed" and data_import.step == "import"
    )
    if not done:
        return None
    return CheckReport(
        rows=data_import.rows_total,
        new=data_import.rows_new,
        updated=data_import.rows_updated,
        unchanged=data_import.rows_unchanged,
        rejected=data_import.rows_rejected,
        problems=[
            RowProblem(row=p.get("row"), column=p.get("column") or "", reason=_reason(p))
            for p in (data_import.problems or [])[:PROBLEMS_SHOWN]
        ],
        problems_total=data_import.problems_total,
        likely_duplicates=len(data_import.duplicates or []),
        encoding=data_import.encoding,
        encoding_shown=insight_selectors.encoding_shown(data_import),
        separator=data_import.separator,
        heading_row=data_import.heading_row,
        columns_not_read=list(data_import.columns_dropped or []),
        values_not_in_file=[
            NotInFile(field=name, how=how)
            for name, how in insight_selectors.values_not_in_file(data_import)
        ],
        error=data_import.error,
    )


def _next(data_import) -> str:
    status = data_import.status
    if status == "uploaded":
        return f"Map the file's columns on the web ({WHERE_TO_MAP}), then import it."
    if status in {"checking", "queued", "running"}:
        return f"Being worked on: ask again at /api/v1/extracts/{data_import.pk}."
    if status == "checked":
        return f"Import it: POST /api/v1/extracts/{data_import.pk}/import."
    if status == "imported":
        return "Imported: the dashboard shows it now."
    if status == "rejected":
        return "Nothing was stored: correct the file and send it again."
    if status == "failed":
        return f"The platform stopped while working on it: try again on the web ({WHERE_TO_MAP})."
    return "The file is no longer held: send it again."


def _extract(data_import) -> dict:
    return _extract_out(data_import).model_dump(mode="json")


def _extract_out(data_import) -> ExtractOut:
    return ExtractOut(
        id=data_import.pk,
        filename=data_import.filename,
        source=data_import.source,
        status=data_import.status,
        status_label=data_import.get_status_display(),
        uploaded_at=data_import.uploaded_at,
        imported_at=data_import.imported_at,
        set_aside=data_import.set_aside,
        rows_set_aside=data_import.rows_set_aside,
        report=_report(data_import),
        next=_next(data_import),
    )


def _own_extract(token: ApiToken, pk: int):
    """One of the token's organisation's extracts (any other is 404)."""
    found = insight_selectors.import_for(partnership=token.partnership, pk=pk)
    if found.partner_id != token.organisation_id:
        raise ApiProblem(404, "There is no such record in this token's partnership.")
    return found


def _not_mapped(request: HttpRequest, data_import) -> tuple[int, dict]:
    """Kept, as the web keeps an upload waiting for its mapping, and said so (422)."""
    saved = insight.saved_mapping(data_import.partner, data_import.source)
    if saved is None:
        why = (
            "The first file from this partner (and this source) must be mapped once on the "
            f"web, under {WHERE_TO_MAP}: its columns and codes are matched to the data "
            "standard there, and saved for every later file."
        )
    elif not insight.mapping_ready(data_import):
        why = (
            "The file's columns differ from those mapped before: check the mapping on the "
            f"web, under {WHERE_TO_MAP}."
        )
    else:
        fields = sorted(LABELS.get(name, name) for name in insight.unknown_values_of(data_import))
        why = (
            f"The file holds values of {', '.join(fields)} that the saved mapping does not "
            f"read yet: say what they mean on the web, under {WHERE_TO_MAP}."
        )
    detail = (
        f"{why} The file is kept, encrypted, as extract {data_import.pk} for that step (it "
        f"is erased if not imported within {insight.STALE_AFTER_DAYS} days); once it is "
        f"mapped, import it there or with POST /api/v1/extracts/{data_import.pk}/import."
    )
    body = Problem(
        type=problems.TYPE_BASE + problems.SLUGS[422],
        title=problems.TITLES[422],
        status=422,
        detail=detail,
        instance=request.path,
        errors=[{"field": "file", "reason": why}],
    )
    return 422, body.model_dump(mode="json")


def _digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in chunks_of(upload):
        digest.update(chunk)
    return digest.hexdigest()


def _filename(upload: UploadedFile) -> str:
    name = "".join(ch for ch in (upload.name or "") if ch.isprintable()).strip()
    return name[-255:] or "extract"


def _no_nul(values: dict[str, str]) -> None:
    bad = {name: "must not contain the NUL character" for name, v in values.items() if "\x00" in v}
    if bad:
        raise ApiProblem(422, "Some of what was sent is missing or not valid.", bad)


def _answer(response: HttpResponse) -> HttpResponse:
    """A kept answer that is a refusal reads as one; a new extract says where it is."""
    if response.status_code >= 400:
        response["Content-Type"] = problems.MEDIA_TYPE
    return response


@router.post(
    "/extracts",
    response={201: ExtractOut, 202: ExtractOut, 413: Problem, **REFUSALS},
    auth=TokenAuth(Scope.UPLOAD_EXTRACTS),
    summary="Send a partner extract: it is held, encrypted, and checked against the standard",
)
def extract_send(
    request: HttpRequest,
    file: UploadedFile = EXTRACT_FILE,
    source: str = EXTRACT_SOURCE,
):
    """The extract is received as the web's Data imports page receives it, from the
    token's organisation, then checked with the organisation's saved mapping: 201 with the
    check's report when the check finished in the request, 202 while the worker checks a
    large file (ask again at `/extracts/{id}`). Nothing is imported until
    `/extracts/{id}/import` says so. The report names rows, columns and reasons, never a
    value from the file.

    The first file from an organisation (and source) must be mapped once on the web: it is
    kept there for that step, and the answer is 422 saying so."""
    token: ApiToken = request.auth
    if isinstance(file, RefusedUpload):
        raise ApiProblem(
            413,
            f"The file is larger than {megabytes(file.max_bytes)}, the most the API takes: "
            f"send it on the web ({WHERE_TO_MAP}).",
            {"file": "too large"},
        )
    _no_nul({"source": source})
    filename = _filename(file)
    fields = {"file_sha256": _digest(file), "filename": filename, "source": source.strip()}

    def run() -> tuple[int, dict]:
        try:
            data_import = insight.import_upload(
                partnership=token.partnership,
                partner=token.organisation,
                filename=filename,
                data=file,
                actor=None,
                request=request,
                source=source,
            )
        except ValidationError as error:
            raise ApiProblem(
                422, "The file could not be taken.", {"file": " ".join(error.messages)}
            ) from None
        _sent(request, token, data_import, "Partner extract")
        if not insight.mapping_ready(data_import) or insight.unknown_values_of(data_import):
            return _not_mapped(request, data_import)
        data_import = insight.import_check_start(data_import=data_import, today=_today())
        return (202 if data_import.status == "checking" else 201), _extract(data_import)

    response = _answer(idempotency.once(request, token, fields, run))
    if response.status_code in (201, 202):
        kept = json.loads(response.content)["id"]
        response["Location"] = reverse("api:extract_detail", kwargs={"extract_id": kept})
    return response


@router.get(
    "/extracts/{extract_id}",
    response={200: ExtractOut, 304: None, 404: Problem},
    auth=TokenAuth(Scope.UPLOAD_EXTRACTS),
    summary="One of the organisation's extracts: its status and its check's report",
)
def extract_detail(request: HttpRequest, extract_id: int = ID):
    """For polling while a large file is checked or imported: the status, and the check's
    report once it has finished (rows, columns and reasons, never a value from the file)."""
    token: ApiToken = request.auth
    data_import = _own_extract(token, extract_id)
    if data_import.working and insight.stopped_imports_fail(
        now=timezone.now(),
        imports=insight_selectors.imports_for(partnership=token.partnership).filter(pk=extract_id),
    ):
        data_import = _own_extract(token, extract_id)
    return conditional(request, _extract_out(data_import))


@router.post(
    "/extracts/{extract_id}/import",
    response={200: ExtractOut, 202: ExtractOut, **REFUSALS},
    auth=TokenAuth(Scope.UPLOAD_EXTRACTS),
    summary="Import a checked extract into the partnership's local picture",
)
def extract_import(request: HttpRequest, extract_id: int = ID, body: ImportIn | None = None):
    """Import a checked extract, as the web's Import button does: all or nothing, unless
    `set_aside` asks for the rows that passed to be imported and the others set aside
    (to download and correct on the web). 200 when it was imported (or rejected) in the
    request, 202 while the worker imports a large file. Only a checked extract can be
    imported (409 otherwise)."""
    token: ApiToken = request.auth
    data_import = _own_extract(token, extract_id)
    body = body or ImportIn()
    fields = {"extract": data_import.pk, **body.model_dump()}

    def work() -> tuple[int, dict]:
        if data_import.status != "checked":
            raise ApiProblem(
                409,
                f"Only a checked extract can be imported: this one is "
                f"{data_import.get_status_display().lower()}.",
            )
        try:
            done = insight.import_run_start(
                data_import=data_import,
                actor=None,
                today=_today(),
                request=request,
                set_aside=body.set_aside,
            )
        except ValidationError as error:
            raise ApiProblem(409, " ".join(error.messages)) from None
        _sent(request, token, done, "Import of a partner extract")
        return (202 if done.status in {"queued", "running"} else 200), _extract(done)

    return _committed_first(request, token, fields, work)


def _never() -> tuple[int, dict]:
    raise AssertionError("a kept answer is replayed, never run again")


def _committed_first(
    request: HttpRequest, token: ApiToken, fields: dict, work: Callable[[], tuple[int, dict]]
) -> HttpResponse:
    """`idempotency.once` for a write that must commit on its own, as the web's does.

    An import holds its regions' locks to its own commit and, when another import holds
    one it reaches, rolls back to start again holding more (vawg.insight.locks): inside
    the transaction that keeps the key's answer it could not let them go. So a kept
    answer is replayed (or a bad key refused) without running, as `once` does; otherwise
    the import runs in its own transactions and its answer is kept after. The service's
    own state keeps a retry from importing twice: only a checked extract imports."""
    key = request.headers.get(idempotency.HEADER)
    if key is not None and (
        not idempotency.KEY.match(key)
        or IdempotentCall.objects.filter(token=token, key=key).exists()
    ):
        return idempotency.once(request, token, fields, _never)
    status, body = work()
    return idempotency.once(request, token, fields, lambda: (status, body))

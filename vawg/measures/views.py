from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vawg.accounts.models import Membership
from vawg.audit.services import Action as AuditAction
from vawg.audit.services import figures_viewed, record
from vawg.core.access import partnership_permission
from vawg.core.periods import current_period
from vawg.core.permissions import roles_grant
from vawg.core.tabular import CONTENT_TYPES, write_table
from vawg.core.uploads import upload_limit
from vawg.measures import charts, selectors, services
from vawg.measures.forms import (
    ImportForm,
    IndicatorForm,
    ScorecardFilterForm,
    TargetForm,
    ValueForm,
    add_service_errors,
)
from vawg.measures.models import Disclosure
from vawg.measures.rules import may_enter_for

EXPORT_FORMATS = ("csv", "xlsx")


def _today() -> date:
    return timezone.localdate()


def _organisation_ids(request: HttpRequest) -> set[int]:
    return set(
        Membership.objects.active()
        .filter(user=request.user, partnership=request.partnership)
        .values_list("organisation_id", flat=True)
    )


def _may_enter(request: HttpRequest, indicator) -> bool:
    return roles_grant(request.roles, "measures.enter") and may_enter_for(
        roles=request.roles, organisation_ids=_organisation_ids(request), indicator=indicator
    )


def _scorecard(request: HttpRequest, form: ScorecardFilterForm, **also_recorded):
    """The scorecard for the viewer's audience (the view recorded), or None for bad filters."""
    if not form.is_valid():
        return None
    audience = figures_viewed(
        request, subject="measures.Scorecard", filters={**form.filters(), **also_recorded}
    )
    return selectors.scorecard(
        partnership=request.partnership,
        roles=request.roles,
        today=_today(),
        audience=audience,
        **form.filters(),
    )


@partnership_permission("measures.view")
@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    options = selectors.filter_options(partnership=request.partnership)
    form = ScorecardFilterForm(request.GET, options=options)
    card = _scorecard(request, form)
    return render(
        request,
        "measures/scorecard.html",
        {
            "form": form,
            "card": card,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "query": request.GET.urlencode(),
            "can_manage": roles_grant(request.roles, "measures.manage"),
            "can_enter": roles_grant(request.roles, "measures.enter"),
        },
    )


@partnership_permission("measures.view")
@require_GET
def scorecard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such export format")
    options = selectors.filter_options(partnership=request.partnership)
    form = ScorecardFilterForm(request.GET, options=options)
    card = _scorecard(request, form, format=fmt)
    if card is None:
        return redirect("measures:scorecard", partnership=request.partnership.slug)
    headers, rows = selectors.scorecard_table(card)
    exact = card.audience.exact
    # Exact figures leave marked, so nobody passes them on unawares: in the file's name,
    # and inside it (a CSV has no sheet to title, so in its headings too).
    marking = "official-sensitive-" if exact else ""
    if exact:
        headers = [*headers, "OFFICIAL-SENSITIVE: exact figures"]
    content = write_table(fmt, headers, rows, title="OFFICIAL-SENSITIVE" if exact else "Scorecard")
    record(
        action=AuditAction.EXPORT,
        actor=request.user,
        partnership=request.partnership,
        object_type="measures.Indicator",
        summary=f"Exported the measures scorecard as {fmt.upper()}",
        detail={
            "format": fmt,
            "rows": len(rows),
            "level": card.audience.level.value,
            **form.filters(),
        },
        request=request,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = f"{marking}{request.partnership.slug}-measures-scorecard.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _detail_summary(request: HttpRequest, pk: int, **also_recorded):
    indicator = selectors.indicator_for_detail(
        partnership=request.partnership, roles=request.roles, pk=pk
    )
    audience = figures_viewed(
        request, subject="measures.Indicator", filters={"indicator": indicator.pk, **also_recorded}
    )
    summary = selectors.summarise(
        indicator,
        today=_today(),
        audience=audience,
        period=current_period(request.partnership, _today()),
    )
    if indicator.disclosure == Disclosure.RESTRICTED:
        record(
            action=AuditAction.READ_RESTRICTED,
            actor=request.user,
            partnership=request.partnership,
            obj=indicator,
            summary="Read a restricted measure of success",
            request=request,
        )
    return indicator, summary, audience


@partnership_permission("measures.view")
@require_GET
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator, summary, audience = _detail_summary(request, pk)
    return render(
        request,
        "measures/indicator_detail.html",
        {
            "indicator": indicator,
            "summary": summary,
            "history": selectors.value_history(indicator=indicator, audience=audience),
            "exact": audience.exact,
            "chart_alt": charts.chart_alt_text(summary),
            "can_manage": roles_grant(request.roles, "measures.manage"),
            "can_enter": _may_enter(request, indicator),
        },
    )


@partnership_permission("measures.view")
@require_GET
def indicator_chart(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in charts.FORMATS:
        raise Http404("No such chart format")
    _, summary, _ = _detail_summary(request, pk, chart=fmt)
    response = HttpResponse(charts.indicator_chart(summary, fmt), content_type=charts.FORMATS[fmt])
    response["Cache-Control"] = "private, no-store"
    return response


def _indicator_initial(indicator) -> dict:
    initial = {name: getattr(indicator, name) for name in services.DEFINITION_FIELDS}
    for name in ("baseline_value", "tolerance"):
        if initial[name] is not None:  # 31, not 31.000
            initial[name] = format(initial[name].normalize(), "f")
    for name in services.LINK_FIELDS:
        initial[name] = list(getattr(indicator, name).all())
    return initial


@partnership_permission("measures.manage")
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    indicator = None
    initial = {
        "tolerance": 0,
        "unit": "count",
        "frequency": "quarterly",
        "disclosure": "partnership",
    }
    if pk is not None:
        indicator = selectors.indicator_for_change(partnership=request.partnership, pk=pk)
        initial = _indicator_initial(indicator)
    data = request.POST if request.method == "POST" else None
    form = IndicatorForm(data, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.indicator_save(
                partnership=request.partnership,
                actor=request.user,
                values=form.cleaned_data,
                indicator=indicator,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Indicator saved: {saved.name}.")
            return redirect(
                "measures:indicator-detail", partnership=request.partnership.slug, pk=saved.pk
            )
    return render(request, "measures/indicator_form.html", {"form": form, "indicator": indicator})


@partnership_permission("measures.manage")
@require_http_methods(["GET", "POST"])
def target_set(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_for_change(partnership=request.partnership, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = TargetForm(data, initial={"kind": "absolute"})
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(
                indicator=indicator, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Target set for {form.cleaned_data['year']}.")
            return redirect(
                "measures:indicator-detail", partnership=request.partnership.slug, pk=indicator.pk
            )
    return render(request, "measures/target_form.html", {"form": form, "indicator": indicator})


@partnership_permission("measures.enter")
@require_http_methods(["GET", "POST"])
def value_enter(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.indicator_for_detail(
        partnership=request.partnership, roles=request.roles, pk=pk
    )
    if not _may_enter(request, indicator):
        raise PermissionDenied("Only the owner organisation may enter this indicator's values.")
    periods = selectors.periods_for_entry(partnership=request.partnership, today=_today())
    data = request.POST if request.method == "POST" else None
    # Values are usually for the quarter just ended.
    closed = periods.filter(end__lt=_today()).first()
    form = ValueForm(data, initial={"period": closed}, periods=periods, ratio=indicator.is_ratio)
    if request.method == "POST" and form.is_valid():
        try:
            row, changed = services.value_record(
                indicator=indicator,
                actor=request.user,
                today=_today(),
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not changed:
                messages.info(
                    request, f"{row.period.label} already has this value: nothing changed."
                )
            elif row.version > 1:
                messages.success(
                    request, f"Value for {row.period.label} corrected (version {row.version})."
                )
            else:
                messages.success(request, f"Value for {row.period.label} saved.")
            return redirect(
                "measures:indicator-detail", partnership=request.partnership.slug, pk=indicator.pk
            )
    return render(request, "measures/value_form.html", {"form": form, "indicator": indicator})


@upload_limit(services.MAX_UPLOAD_BYTES)
@partnership_permission("measures.enter")
@require_http_methods(["GET", "POST"])
def values_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.values_import(
                partnership=request.partnership,
                data=upload,  # read where it lies, a row at a time
                filename=upload.name,
                actor=request.user,
                roles=request.roles,
                organisation_ids=_organisation_ids(request),
                today=_today(),
                request=request,
            )
        except services.ImportRejected as rejected:
            problems = rejected.problems
        else:
            messages.success(
                request,
                f"Imported: {result.recorded} new value{'s' if result.recorded != 1 else ''}, "
                f"{result.corrected} correction{'s' if result.corrected != 1 else ''}, "
                f"{result.unchanged} unchanged.",
            )
            return redirect("measures:scorecard", partnership=request.partnership.slug)
    status = 400 if problems else 200
    return render(
        request,
        "measures/values_import.html",
        {"form": form, "problems": problems, "columns": services.IMPORT_COLUMNS},
        status=status,
    )


@partnership_permission("measures.enter")
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such format")
    response = HttpResponse(services.import_template(fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="measures-values-template.{fmt}"'
    return response

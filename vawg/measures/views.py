from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import figures_viewed, record
from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.periods import current_period
from vawg.core.permissions import roles_grant
from vawg.core.uploads import upload_limit
from vawg.exchange.exporting import FORMATS, Contents, Table, export_response, template_response
from vawg.exchange.importing import outcome_context, set_aside_response
from vawg.measures import charts, selectors, services
from vawg.measures.forms import (
    ImportForm,
    IndicatorForm,
    ScorecardFilterForm,
    TargetForm,
    ValueForm,
)
from vawg.measures.models import Disclosure


def _today() -> date:
    return timezone.localdate()


def _post(request: HttpRequest):
    return request.POST if request.method == "POST" else None


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
    if fmt not in FORMATS:
        raise Http404("No such export format")
    options = selectors.filter_options(partnership=request.partnership)
    form = ScorecardFilterForm(request.GET, options=options)
    card = _scorecard(request, form, format=fmt)
    if card is None:
        return redirect("measures:scorecard", partnership=request.partnership.slug)
    headers, rows = selectors.scorecard_table(card)
    table = Table(
        name=f"{request.partnership.slug}-measures-scorecard",
        headers=headers,
        rows=rows,
        title="Scorecard",
        what="the measures scorecard",
        subject="measures.Indicator",
        detail={"level": card.audience.level.value, **form.filters()},
        contents=Contents.figures(card.audience),
    )
    return export_response(request, table, fmt=fmt)


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
            "can_enter": selectors.may_enter(
                user=request.user,
                partnership=request.partnership,
                roles=request.roles,
                indicator=indicator,
            ),
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


@partnership_permission("measures.manage")
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    indicator = None
    if pk is not None:
        indicator = selectors.indicator_for_change(partnership=request.partnership, pk=pk)
    initial = IndicatorForm.initial_for(indicator)
    form = IndicatorForm(_post(request), initial=initial, partnership=request.partnership)
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
    indicator = selectors.indicator_for_entry(
        partnership=request.partnership, roles=request.roles, user=request.user, pk=pk
    )
    periods = selectors.periods_for_entry(partnership=request.partnership, today=_today())
    initial = {"period": selectors.period_just_ended(periods, today=_today())}
    form = ValueForm(_post(request), initial=initial, periods=periods, ratio=indicator.is_ratio)
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
            messages.add_message(request, *services.value_record_message(row, changed))
            return redirect(
                "measures:indicator-detail", partnership=request.partnership.slug, pk=indicator.pk
            )
    return render(request, "measures/value_form.html", {"form": form, "indicator": indicator})


def _import_values(request: HttpRequest, form: ImportForm) -> services.ImportResult:
    """The values import the form asks for, as the person's organisations may enter."""
    return services.values_import(
        partnership=request.partnership,
        actor=request.user,
        roles=request.roles,
        organisation_ids=selectors.member_organisation_ids(request.user, request.partnership),
        today=_today(),
        request=request,
        **form.service_kwargs(),
    )


@upload_limit(services.MAX_UPLOAD_BYTES)
@partnership_permission("measures.enter")
@require_http_methods(["GET", "POST"])
def values_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "set_aside" in request.POST:
        return set_aside_response(
            request, name="measures-values", subject="measures.IndicatorValue"
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            result = _import_values(request, form)
        except services.ImportRejected as rejected:
            problems, outcome = rejected.problems, rejected.outcome
        else:
            messages.success(request, result.message)
            if result.outcome is None or not result.outcome.set_aside:
                return redirect("measures:scorecard", partnership=request.partnership.slug)
            problems, outcome = result.outcome.problems, result.outcome
    context = {"form": form, "problems": problems, "columns": services.IMPORT_COLUMNS}
    context.update(outcome_context(outcome))
    status = 400 if problems and not (outcome and outcome.stored) else 200
    return render(request, "measures/values_import.html", context, status=status)


@partnership_permission("measures.enter")
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format")
    return template_response(services.import_template(), fmt=fmt)

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.audit.services import figures_viewed
from vawg.core.access import partnership_permission, region_permission
from vawg.core.permissions import roles_grant
from vawg.core.uploads import upload_limit
from vawg.exchange.exporting import Contents, Table, export_response
from vawg.insight import dashboard, selectors, services
from vawg.insight.forms import (
    ColumnMappingForm,
    DashboardForm,
    EncodingForm,
    ImportChoicesForm,
    PopulationForm,
    UploadForm,
    ValueMappingForm,
)
from vawg.insight.importer import dropped_columns
from vawg.insight.models import DataImport
from vawg.insight.region import demo_incidents

IMPORTS_PER_PAGE = 20
S = DataImport.Status


def _board(
    request: HttpRequest,
    partnerships: tuple[int, ...],
    *,
    single,
    subject: str,
    region: int | None = None,
):
    """The filter form and the dashboard it asks for (`region`: the partnerships are all
    of it). The view is recorded in the audit trail, with its filters, for every role."""
    today = timezone.localdate()
    start_month = single.reporting_year_start_month if single else 4
    # Unfiltered, the page shows the last 12 months.
    form = DashboardForm(
        request.GET or {"period": "12"},
        periods=selectors.period_choices(partnerships, start_month, today),
        wards=selectors.current_wards(single) if single else None,
        partners=selectors.partners(single) if single else None,
    )
    if not form.is_valid() and request.GET:
        return form, None
    filters = selectors.filters_from(form, partnerships, start_month, today, region)
    audience = figures_viewed(request, subject=subject, filters=form.cleaned_data)
    names = dashboard.ward_names(partnerships)
    return form, dashboard.build(filters, audience=audience, ward_names=names, today=today)


@partnership_permission("insight.view")
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    form, board = _board(
        request, (request.partnership.pk,), single=request.partnership, subject="insight.Dashboard"
    )
    return render(
        request,
        "insight/dashboard.html",
        {
            "form": form,
            "board": board,
            "exact": bool(board and board.audience.exact),
            "can_import": roles_grant(request.roles, "insight.import"),
            "query": request.GET.urlencode(),
        },
    )


@partnership_permission("insight.view")
@require_GET
def dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    form, board = _board(
        request, (request.partnership.pk,), single=request.partnership, subject="insight.Dashboard"
    )
    if board is None or chart not in dashboard.CHARTS:
        raise Http404("Nothing to download for these filters")
    # A view too small to show downloads as the page says it, not as an error.
    headers, rows = (["Note"], [[board.refused]]) if board.refused else _chart_table(board, chart)
    table = Table(
        name=f"{request.partnership.slug}-{chart}",
        headers=headers,
        rows=rows,
        what=f"the dashboard's {chart} table",
        subject="insight.Dashboard",
        detail={"chart": chart, "unsuppressed": board.audience.exact},
        contents=Contents.figures(board.audience),
    )
    return export_response(request, table, fmt="csv")


def _trend_table(trend) -> tuple[list[str], list[list]]:
    # A month still under way is marked as the page marks it (and so is a month not yet
    # begun, which a year's view can reach), in a column of its own so the month stays a
    # plain year and month for whoever sorts or joins on it.
    this_month = timezone.localdate().replace(day=1)
    rows = [
        [
            p.month.strftime("%Y-%m"),
            "Yes" if p.month < this_month and not p.partial else "No",
            p.figure.text,
            p.rolling.text,
            p.last_year.text,
        ]
        for p in trend.points
    ]
    headers = ["Month", "Complete month", "Incidents", "3-month average", "Same month last year"]
    return headers, rows


def _chart_table(board, chart: str) -> tuple[list[str], list[list]]:
    if chart == "trend" and board.trend:
        return _trend_table(board.trend)
    if chart == "projection":
        return ["Year", "Residents", "Change", "Expected incidents a year"], board.projection
    for c in board.charts:
        if c.key == chart:
            return c.headers, [[b.label, b.figure.text, *[e.text for e in b.extra]] for b in c.bars]
    raise Http404("No such chart")


@region_permission("region.view")
@require_GET
def region_dashboard(request: HttpRequest) -> HttpResponse:
    region_partnerships = list(request.region.partnerships.order_by("name"))
    ids = tuple(p.pk for p in region_partnerships)
    form, board = _board(
        request, ids, single=None, subject="insight.RegionDashboard", region=request.region.pk
    )
    rows = []
    if board is not None and not board.refused:
        rows = dashboard.region_rows(board.filters, region_partnerships)
    return render(
        request,
        "insight/region_dashboard.html",
        {
            "form": form,
            "board": board,
            "rows": rows,
            "region": request.region,
            "synthetic": demo_incidents(ids),
        },
    )


@upload_limit(services.max_upload_bytes)
@partnership_permission("insight.import")
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            data_import = services.import_upload(
                **form.service_kwargs(), actor=request.user, request=request
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect(_step_url("import-mapping", data_import))
    imports = services.imports_refreshed(partnership=request.partnership, now=timezone.now())
    page = Paginator(imports, IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "insight/import_list.html", {"form": form, "page": page})


@partnership_permission("insight.import")
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    if not services.mapping_open(data_import):
        return redirect(data_import_url(data_import))
    suggestion = services.suggested_mapping(data_import)
    form = ColumnMappingForm(request.POST or None, headers=data_import.headers, initial=suggestion)
    if request.method == "POST" and form.is_valid():
        try:
            values_next = services.mapping_columns_save(
                data_import=data_import,
                columns=form.columns(),
                extra=form.extra(),
                actor=request.user,
                today=timezone.localdate(),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            step = "import-values" if values_next else "import-detail"
            return redirect(_step_url(step, data_import))
    dropped = dropped_columns(data_import.headers, form.mapping())  # as the form stands now
    changes = services.mapping_changes(data_import)
    context = {"form": form, "data_import": data_import, "dropped": dropped, "changes": changes}
    return render(request, "insight/import_mapping.html", context)


@partnership_permission("insight.import")
@require_http_methods(["GET", "POST"])
def import_values(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    if not services.mapping_open(data_import):
        return redirect(data_import_url(data_import))
    if not services.mapping_ready(data_import):
        return redirect(_step_url("import-mapping", data_import))
    unknown = services.unknown_values_of(data_import)
    if not unknown:
        return redirect(data_import_url(data_import))
    wards = [name for _, name in selectors.current_wards(request.partnership)]
    form = ValueMappingForm(request.POST or None, unknown=unknown, ward_names=wards)
    if request.method == "POST" and form.is_valid():
        services.mapping_values_save(
            data_import=data_import,
            mapped=form.mapped_values(),
            actor=request.user,
            today=timezone.localdate(),
            request=request,
        )
        return redirect(data_import_url(data_import))
    return render(request, "insight/import_values.html", {"form": form, "data_import": data_import})


def _step_url(name: str, data_import: DataImport) -> str:
    """The page of one step of an import: mapping its columns, its values, or its detail."""
    return reverse(
        f"insight:{name}",
        kwargs={"partnership": data_import.partnership.slug, "pk": data_import.pk},
    )


def data_import_url(data_import: DataImport) -> str:
    return _step_url("import-detail", data_import)


@partnership_permission("insight.import")
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    if data_import.working and services.stopped_imports_fail(
        now=timezone.now(), imports=DataImport.objects.filter(pk=data_import.pk)
    ):
        data_import.refresh_from_db()
    context = {
        "data_import": data_import,
        "choices": ImportChoicesForm(data_import=data_import),
        "encoding_form": EncodingForm(initial={"encoding": data_import.encoding}),
        "encoding": selectors.encoding_shown(data_import),
        "separator": selectors.separator_shown(data_import),
        "headings": selectors.headings_shown(data_import),
        "notes": selectors.values_not_in_file(data_import),
    }
    return render(request, "insight/import_detail.html", context)


@partnership_permission("insight.import")
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    choices = ImportChoicesForm(request.POST)
    chosen = choices.cleaned_data if choices.is_valid() else {}
    try:
        data_import = services.import_run_start(
            data_import=data_import,
            actor=request.user,
            today=timezone.localdate(),
            request=request,
            set_aside=chosen.get("set_aside"),
            duplicates_set_aside=chosen.get("duplicates_set_aside"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if data_import.status == S.IMPORTED:
            messages.success(request, "The file is imported: the dashboard shows it now.")
    return redirect(data_import_url(data_import))


@partnership_permission("insight.import")
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    try:
        data_import = services.import_retry(
            data_import=data_import, actor=request.user, today=timezone.localdate(), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if data_import.status == S.IMPORTED:
            messages.success(request, "The file is imported: the dashboard shows it now.")
    return redirect(data_import_url(data_import))


@partnership_permission("insight.import")
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    try:
        services.import_discard(data_import=data_import, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The file is discarded and no longer held.")
    return redirect(data_import_url(data_import))


@partnership_permission("insight.import")
@require_POST
def import_encoding(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    form = EncodingForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose one of the encodings offered.")
        data_import = services.import_encoding_set(
            data_import=data_import,
            encoding=form.cleaned_data["encoding"],
            actor=request.user,
            today=timezone.localdate(),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if data_import.status == S.UPLOADED:
        return redirect(_step_url("import-mapping", data_import))
    return redirect(data_import_url(data_import))


@partnership_permission("insight.import")
@require_GET
def import_set_aside(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    try:
        table = services.set_aside_export(data_import)
    except ValidationError:
        raise Http404("The set-aside rows are no longer held") from None
    return export_response(request, table, fmt="csv")


@partnership_permission("insight.import")
@require_POST
def import_erase(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    try:
        services.set_aside_erase(data_import=data_import, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The file and the rows set aside from it are erased.")
    return redirect(data_import_url(data_import))


@partnership_permission("insight.import")
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    data_import = selectors.import_for(partnership=request.partnership, pk=pk)
    return export_response(request, selectors.import_report(data_import), fmt="csv")


@upload_limit(services.max_upload_bytes)
@partnership_permission("insight.import")
@require_http_methods(["GET", "POST"])
def population(request: HttpRequest) -> HttpResponse:
    form = PopulationForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            count, problems = services.population_import(
                partnership=request.partnership,
                actor=request.user,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            if not problems:
                messages.success(request, f"{count:,} population figures loaded.")
                return redirect("insight:population", partnership=request.partnership.slug)
            form.add_error("file", f"The file has {len(problems)} problems; nothing was loaded.")
    summary = selectors.population_summary(partnership=request.partnership)
    context = {"form": form, "problems": problems[:200], "summary": summary}
    return render(request, "insight/population.html", context)

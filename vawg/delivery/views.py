"""Pages for action plan delivery. Thin: parse, call a selector or service, render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.models import Partnership
from vawg.core.permissions import roles_grant
from vawg.core.safety import survivor_safe
from vawg.core.uploads import upload_limit
from vawg.delivery import exports, imports, selectors, services, uploads
from vawg.delivery.forms import (
    AssignLeadForm,
    DashboardFilterForm,
    EvidenceForm,
    ImportStartForm,
    MappingForm,
    PeriodDeadlineForm,
    ReviewForm,
    SinceForm,
    UpdateForm,
)
from vawg.delivery.models import ImportFile, ProgressUpdate, UpdateState
from vawg.exchange.exporting import export_response
from vawg.exchange.importing import outcome_context, set_aside_response
from vawg.strategy.models import Action
from vawg.strategy.registries import plan_panels_for


def _today():
    return timezone.localdate()


# --- My actions and posting updates -------------------------------------------


@partnership_permission("delivery.update")
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    standing = services.standing_for(request.user, request.partnership)
    period = services.period_due(request.partnership, _today())
    data = selectors.my_work(
        partnership=request.partnership, standing=standing, period=period, today=_today()
    )
    reminding = (
        period is not None
        and data.due_count > 0
        and 0 <= (period.update_deadline - _today()).days <= services.REMINDER_DAYS
    )
    return render(
        request,
        "delivery/my_actions.html",
        {
            "data": data,
            "reminding": reminding,
            "can_manage": roles_grant(request.roles, "strategy.manage"),
        },
    )


def _refused(form, error: ValidationError, *, otherwise: int) -> int:
    """Show a service's refusal on the form, and say which status to answer with: a save over
    someone else's newer version is a conflict (409), whatever else was wrong."""
    add_service_errors(form, error)
    return 409 if isinstance(error, services.StaleUpdate) else otherwise


def _edit_page(
    request: HttpRequest,
    page: selectors.UpdateToEdit,
    form: UpdateForm,
    *,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The update form, with evidence once there is a saved update to attach it to."""
    if evidence_form is None and page.update is not None:
        evidence_form = EvidenceForm()
    context = {"action": page.action, "period": page.period, "update": page.update}
    context |= {"form": form, "evidence_form": evidence_form}
    return render(request, "delivery/update_edit.html", context, status=status)


def _to_edit_page(request: HttpRequest, update: ProgressUpdate) -> HttpResponse:
    return redirect(
        "delivery:update-edit",
        partnership=request.partnership.slug,
        pk=update.action_id,
        period=update.period_id,
    )


def _after_save(request: HttpRequest, action: Action, saved: ProgressUpdate) -> HttpResponse:
    """A submitted update goes back to the list; a draft stays open for more work."""
    if saved.state == UpdateState.SUBMITTED:
        messages.success(request, f"Update for {action.ref} submitted for review.")
        return redirect("delivery:my-actions", partnership=request.partnership.slug)
    messages.success(request, f"Draft update for {action.ref} saved.")
    return _to_edit_page(request, saved)


@partnership_permission("delivery.update")
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int, period: int) -> HttpResponse:
    page = selectors.update_to_edit(
        partnership=request.partnership, user=request.user, pk=pk, period=period
    )
    posted = request.method == "POST"
    if page.closed and not posted:
        slug = request.partnership.slug
        return redirect("delivery:update-detail", partnership=slug, pk=page.update.pk)
    form = UpdateForm(request.POST if posted else None, action=page.action, update=page.update)
    if posted and form.is_valid():
        try:
            saved = services.update_save(
                action=page.action,
                period=page.period,
                standing=page.standing,
                actor=request.user,
                today=_today(),
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            return _edit_page(request, page, form, status=_refused(form, error, otherwise=200))
        return _after_save(request, page.action, saved)
    return _edit_page(request, page, form)


@partnership_permission("strategy.view")
@require_GET
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    update = selectors.update_for_review(partnership=request.partnership, pk=pk)
    standing = services.standing_for(request.user, request.partnership)
    return render(
        request,
        "delivery/update_detail.html",
        {
            "update": update,
            "action": update.action,
            "can_review": update.state == UpdateState.SUBMITTED
            and standing.may_review(update.action),
            "can_edit": update.editable and standing.may_update(update.action),
            "can_see_evidence": standing.may_see_evidence(update.action),
        },
    )


@upload_limit(uploads.max_bytes)
@partnership_permission("delivery.update")
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.update_for_evidence(partnership=request.partnership, user=request.user, pk=pk)
    update = found.update
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                update=update,
                actor=request.user,
                standing=found.standing,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Evidence added.")
            return _to_edit_page(request, update)
    action = selectors.action_for_update(partnership=request.partnership, pk=update.action_id)
    page = selectors.UpdateToEdit(action, update.period, update, found.standing)
    update_form = UpdateForm(action=action, update=update)
    return _edit_page(request, page, update_form, evidence_form=form, status=400)


@partnership_permission("delivery.update")
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_for(partnership=request.partnership, pk=pk)
    update = evidence.update
    try:
        services.evidence_remove(
            evidence=evidence,
            actor=request.user,
            standing=services.standing_for(request.user, request.partnership),
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Evidence “{evidence.title}” removed.")
    return _to_edit_page(request, update)


@partnership_permission("strategy.view")
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_for(partnership=request.partnership, pk=pk)
    if evidence.kind != evidence.Kind.FILE:
        raise Http404
    handle = services.evidence_read(
        evidence=evidence,
        actor=request.user,
        standing=services.standing_for(request.user, request.partnership),
        request=request,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Reviewing ------------------------------------------------------------------


@partnership_permission("delivery.review")
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    standing = services.standing_for(request.user, request.partnership)
    updates = selectors.review_queue(partnership=request.partnership, standing=standing)
    return render(request, "delivery/review_list.html", {"updates": updates})


@partnership_permission("delivery.review")
@require_http_methods(["GET", "POST"])
def update_review(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.update_to_review(partnership=request.partnership, user=request.user, pk=pk)
    update = found.update
    form = ReviewForm(request.POST if request.method == "POST" else None, update=update)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reviewed = services.update_review(
                update=update,
                actor=request.user,
                standing=found.standing,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            status = _refused(form, error, otherwise=400)
        else:
            word = "approved" if reviewed.state == UpdateState.APPROVED else "returned"
            messages.success(request, f"Update for {update.action.ref} {word}.")
            return redirect("delivery:review-list", partnership=request.partnership.slug)
    context = {"update": update, "action": update.action, "form": form}
    context |= {"reviewable": found.awaiting_review, "can_see_evidence": True}
    return render(request, "delivery/update_review.html", context, status=status)


# --- Actions with no lead ---------------------------------------------------------


@partnership_permission("strategy.manage")
@require_GET
def unassigned(request: HttpRequest) -> HttpResponse:
    actions = selectors.unassigned_actions(partnership=request.partnership)
    organisations = selectors.organisations_for(request.partnership)
    return render(
        request,
        "delivery/unassigned.html",
        {"actions": actions, "form": AssignLeadForm(organisations=organisations)},
    )


@partnership_permission("strategy.manage")
@require_POST
def assign_lead(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for_update(partnership=request.partnership, pk=pk)
    organisations = selectors.organisations_for(request.partnership)
    form = AssignLeadForm(request.POST, organisations=organisations)
    if form.is_valid():
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        services.action_lead_assign(
            action=action, organisation=organisation, actor=request.user, request=request
        )
        messages.success(request, f"{organisation.name} now leads action {action.ref}.")
    else:
        messages.error(request, f"Action {action.ref}: {form.errors['organisation'][0]}")
    return redirect("delivery:unassigned", partnership=request.partnership.slug)


# --- The dashboard, exceptions and what changed ----------------------------------


@partnership_permission("strategy.view")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the partnership's most recent plan (the navigation's "Delivery")."""
    strategies = selectors.strategies_for(partnership=request.partnership)
    if not strategies:
        return render(request, "delivery/no_plan.html")
    return redirect(
        "delivery:dashboard", partnership=request.partnership.slug, strategy=strategies[0].slug
    )


def _dashboard(request: HttpRequest, strategy_slug: str):
    strategy = selectors.strategy_for(partnership=request.partnership, slug=strategy_slug)
    today = _today()
    periods = selectors.periods_for(request.partnership, today)
    options = selectors.dashboard_options(partnership=request.partnership, strategy=strategy)
    data = request.GET.copy()
    # By default the last round whose deadline has passed: what the board reviews.
    default = services.period_reported(request.partnership, today)
    if not data.get("period") and default is not None:
        data["period"] = str(default.pk)
    form = DashboardFilterForm(data, periods=periods, options=options)
    result = None
    if form.is_valid() and form.cleaned_data.get("period"):
        period = next(p for p in periods if p.pk == form.cleaned_data["period"])
        result = selectors.dashboard(
            partnership=request.partnership,
            strategy=strategy,
            period=period,
            filters=form.filters(),
            today=today,
        )
    return strategy, form, result


@partnership_permission("strategy.view")
@require_GET
def dashboard(request: HttpRequest, strategy: str) -> HttpResponse:
    plan, form, result = _dashboard(request, strategy)
    return render(
        request,
        "delivery/dashboard.html",
        {
            "strategy": plan,
            "form": form,
            "result": result,
            "query": _query_without(request, "show"),
            "actions_url": reverse(
                "strategy:action-search", kwargs={"partnership": request.partnership.slug}
            ),
            # The full list is long: shown on request, or whenever a status filter narrows it.
            "show_all": request.GET.get("show") == "all" or bool(request.GET.get("status")),
            "filtered": any(
                request.GET.get(k) for k in ("priority", "workstream", "organisation", "status")
            ),
            "can_export": roles_grant(request.roles, "strategy.export"),
            # The board pack is made from here in one click (vawg.reports).
            "can_make_reports": roles_grant(request.roles, "reports.make"),
        },
        status=200 if result is not None or not form.errors else 400,
    )


def _query_without(request: HttpRequest, name: str) -> str:
    params = request.GET.copy()
    params.pop(name, None)
    return params.urlencode()


@partnership_permission("strategy.export")
@require_GET
def dashboard_export(request: HttpRequest, strategy: str, view: str, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS or view not in exports.DASHBOARD_VIEWS:
        raise Http404
    plan, form, result = _dashboard(request, strategy)
    if result is None:
        # The filters are chosen on the dashboard, which says what is wrong with them.
        dashboard = reverse(
            "delivery:dashboard",
            kwargs={"partnership": request.partnership.slug, "strategy": strategy},
        )
        return redirect(f"{dashboard}?{request.GET.urlencode()}")
    return export_response(request, exports.dashboard_table(result=result, view=view), fmt=fmt)


@partnership_permission("strategy.view")
@require_GET
def changes(request: HttpRequest, strategy: str) -> HttpResponse:
    plan = selectors.strategy_for(partnership=request.partnership, slug=strategy)
    meeting = selectors.last_board(partnership=request.partnership, today=_today())
    form = SinceForm.starting_from(request.GET, meeting)
    found = None
    if form.is_valid():
        found = selectors.changes_since(
            partnership=request.partnership, strategy=plan, since=form.cleaned_data["since"]
        )
    return render(
        request,
        "delivery/changes.html",
        {
            "strategy": plan,
            "form": form,
            "changes": found,
            "meeting": meeting,
            "query": urlencode(form.data),
            "can_export": roles_grant(request.roles, "strategy.export"),
        },
    )


@partnership_permission("strategy.export")
@require_GET
def changes_export(request: HttpRequest, strategy: str, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    plan = selectors.strategy_for(partnership=request.partnership, slug=strategy)
    meeting = selectors.last_board(partnership=request.partnership, today=_today())
    form = SinceForm.starting_from(request.GET, meeting)
    if not form.is_valid():
        # The date is chosen on the page; the download follows from it.
        return redirect("delivery:changes", partnership=request.partnership.slug, strategy=strategy)
    found = selectors.changes_since(
        partnership=request.partnership, strategy=plan, since=form.cleaned_data["since"]
    )
    table = exports.changes_table(strategy=plan, changes=found, since=form.cleaned_data["since"])
    return export_response(request, table, fmt=fmt)


# --- The published plan ------------------------------------------------------------


@survivor_safe
@require_GET
def published_plan(request: HttpRequest, partnership: str) -> HttpResponse:
    """The plan as the public sees it: no sign-in, no cookies, only approved progress.
    Residents and survivors read it, so it leaves no trace either (core.safety)."""
    found = get_object_or_404(Partnership, slug=partnership)
    context = {
        "partnership": found,
        "plans": selectors.published_plan(partnership=found),
        # Measures of success and the like come from the apps that hold them.
        "panels": plan_panels_for(partnership=found),
    }
    return render(request, "delivery/published_plan.html", context)


# --- Spreadsheet imports ---------------------------------------------------------------


@upload_limit(imports.MAX_BYTES)
@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "set_aside" in request.POST:  # from the columns page
        return set_aside_response(request, name="delivery-import", subject="delivery.ImportFile")
    strategies = selectors.strategies_for(partnership=request.partnership)
    form = ImportStartForm(request.POST or None, request.FILES or None, strategies=strategies)
    if request.method == "POST" and form.is_valid():
        strategy = next(s for s in strategies if s.slug == form.cleaned_data["strategy"])
        try:
            staged = imports.import_stage(
                strategy=strategy,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(
                "delivery:import-map", partnership=request.partnership.slug, pk=staged.pk
            )
    return render(
        request, "delivery/import_start.html", {"form": form}, status=400 if form.errors else 200
    )


def _imported(staged: ImportFile, result: imports.Result) -> str:
    return (
        f"Imported “{staged.filename}”: {result.created} added, {result.updated} changed, "
        f"{result.unchanged} already up to date."
    )


@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    staged = selectors.import_file_for(partnership=request.partnership, pk=pk)
    columns = imports.columns_for(staged)
    form = MappingForm(request.POST if request.method == "POST" else None, columns=columns)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.import_run(
            staged=staged, actor=request.user, request=request, **form.service_kwargs()
        )
        if result.ok:
            messages.success(request, _imported(staged, result))
            return redirect(
                "delivery:dashboard",
                partnership=request.partnership.slug,
                strategy=staged.strategy.slug,
            )
    context = {"staged": staged, "form": form, "result": result, "headers": columns.headers}
    context.update(outcome_context(result))
    status = 400 if result is not None and not result.stored else 200
    return render(request, "delivery/import_map.html", context, status=status)


# --- Reporting periods: when each quarter's updates are due ----------------------------


@partnership_permission("strategy.manage")
@require_GET
def periods(request: HttpRequest) -> HttpResponse:
    years = selectors.periods_by_year(partnership=request.partnership)
    return render(request, "delivery/periods.html", {"years": years, "today": _today()})


@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = selectors.period_for(request.partnership, pk)
    initial = {"update_deadline": period.update_deadline}
    posted = request.POST if request.method == "POST" else None
    form = PeriodDeadlineForm(posted, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_deadline_set(
                period=period,
                deadline=form.cleaned_data["update_deadline"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            due = f"{period.update_deadline:%-d %B %Y}"
            messages.success(request, f"Updates for {period.label} are now due by {due}.")
            return redirect("delivery:periods", partnership=request.partnership.slug)
    context = {"form": form, "period": period}
    return render(request, "delivery/period_edit.html", context, status=400 if form.errors else 200)

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.permissions import roles_grant
from vawg.exchange.exporting import as_response
from vawg.strategy import selectors, services
from vawg.strategy.forms import ActionSearchForm, QuirkFilterForm, quirk_form
from vawg.strategy.registries import action_panels_for

ACTIONS_PER_PAGE = 25


@partnership_permission("strategy.view")
@require_GET
def strategy_list(request: HttpRequest) -> HttpResponse:
    strategies = list(selectors.strategies_for(partnership=request.partnership))
    if len(strategies) == 1:
        return redirect(
            "strategy:strategy-detail",
            partnership=request.partnership.slug,
            strategy=strategies[0].slug,
        )
    return render(request, "strategy/strategy_list.html", {"strategies": strategies})


@partnership_permission("strategy.view")
@require_GET
def strategy_detail(request: HttpRequest, strategy: str) -> HttpResponse:
    plan = selectors.strategy_for_detail(partnership=request.partnership, slug=strategy)
    return render(
        request,
        "strategy/strategy_detail.html",
        {
            "strategy": plan,
            "can_manage": roles_grant(request.roles, "strategy.manage"),
            "can_export": roles_grant(request.roles, "strategy.export"),
        },
    )


@partnership_permission("strategy.view")
@require_GET
def action_search(request: HttpRequest) -> HttpResponse:
    options = selectors.action_search_options(partnership=request.partnership)
    form = ActionSearchForm(request.GET, options=options)
    page = None
    if form.is_valid():
        actions = selectors.actions_matching(partnership=request.partnership, **form.filters())
        page = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "strategy/action_search.html",
        {"form": form, "page": page, "searched": any(request.GET.get(f) for f in form.fields)},
    )


@partnership_permission("strategy.view")
@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for_detail(partnership=request.partnership, pk=pk)
    context = {
        "action": action,
        "can_manage": roles_grant(request.roles, "strategy.manage"),
        # Progress, learning and the like come from the apps that hold them.
        "panels": action_panels_for(request=request, action=action),
    }
    return render(request, "strategy/action_detail.html", context)


@partnership_permission("strategy.export")
@require_GET
def export(request: HttpRequest, strategy: str, fmt: str) -> HttpResponse:
    if fmt not in services.EXPORT_FORMATS:
        raise Http404("No such export format")
    plan = selectors.strategy_for_export(partnership=request.partnership, slug=strategy)
    file = services.strategy_export(strategy=plan, fmt=fmt, actor=request.user, request=request)
    return as_response(file)


@partnership_permission("strategy.manage")
@require_GET
def quirk_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", selectors.QuirkStatus.ALL)
    form = QuirkFilterForm(data)
    groups = None
    if form.is_valid():
        groups = selectors.quirks_by_strategy(
            partnership=request.partnership, status=form.chosen_status()
        )
    return render(request, "strategy/quirk_list.html", {"form": form, "groups": groups})


@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def quirk_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    quirk = selectors.quirk_for_resolution(partnership=request.partnership, pk=pk)
    if not quirk.open:
        # The page says when it was completed; a second completion is refused, not repeated.
        status = 409 if request.method == "POST" else 200
        return render(request, "strategy/quirk_resolve.html", {"quirk": quirk}, status=status)
    form = quirk_form(
        quirk, request.partnership, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quirk_resolve(
                quirk=quirk, actor=request.user, request=request, **form.completion()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Quirk completed: {quirk.get_code_display()}.")
            return redirect("strategy:quirk-list", partnership=request.partnership.slug)
    return render(request, "strategy/quirk_resolve.html", {"quirk": quirk, "form": form})

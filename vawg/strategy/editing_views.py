"""Pages for editing the plan (partnership admins only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.core.access import get_scoped_or_404, partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.params import query_id
from vawg.strategy import editing
from vawg.strategy.editing_forms import FORMS, RolloverForm, initial_for
from vawg.strategy.models import Objective, PlanChange, Priority, Strategy
from vawg.strategy.selectors import strategy_for_export, strategy_rolled_over

LABELS = {"priority": "priority", "objective": "objective", "action": "action"}


def _strategy(request: HttpRequest, slug: str) -> Strategy:
    return strategy_for_export(partnership=request.partnership, slug=slug)


def _item(request: HttpRequest, strategy: Strategy, kind: str, pk: int):
    if kind not in editing.KINDS:
        raise Http404
    model = editing.KINDS[kind]
    queryset = model.objects.all()
    queryset = (
        queryset.filter(priority__strategy=strategy)
        if model is Objective
        else queryset.filter(strategy=strategy)
    )
    return get_scoped_or_404(queryset, request.partnership, pk=pk)


def _back(request: HttpRequest, strategy: Strategy) -> HttpResponse:
    return redirect(
        "strategy:plan-edit", partnership=request.partnership.slug, strategy=strategy.slug
    )


@partnership_permission("strategy.manage")
@require_GET
def plan_edit(request: HttpRequest, strategy: str) -> HttpResponse:
    plan = _strategy(request, strategy)
    priorities = (
        Priority.objects.filter(strategy=plan)
        .select_related("workstream")
        .prefetch_related("objectives", "actions")
        .order_by("order")
    )
    return render(request, "strategy/plan_edit.html", {"strategy": plan, "priorities": priorities})


@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def plan_item_add(request: HttpRequest, strategy: str, kind: str) -> HttpResponse:
    plan = _strategy(request, strategy)
    if kind not in editing.KINDS:
        raise Http404
    parent = None
    if kind == "objective":
        priority = query_id(request.GET, "priority")
        parent = Priority.objects.filter(strategy=plan, pk=priority).first() if priority else None
        if parent is None:
            raise Http404("Choose the priority to add an objective to.")
    return _item_form(request, plan, kind, None, parent)


@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def plan_item_edit(request: HttpRequest, strategy: str, kind: str, pk: int) -> HttpResponse:
    plan = _strategy(request, strategy)
    return _item_form(request, plan, kind, _item(request, plan, kind, pk), None)


def _item_form(request, plan: Strategy, kind: str, obj, parent) -> HttpResponse:
    form_class = FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, strategy=plan)
    else:
        form = form_class(strategy=plan, initial=initial_for(obj) if obj else None)
    if request.method == "POST" and form.is_valid():
        if obj is None:
            obj = editing.plan_item_new(kind=kind, strategy=plan, parent=parent)
        try:
            editing.plan_item_save(
                obj=obj, actor=request.user, request=request, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The {LABELS[kind]} has been saved.")
            return _back(request, plan)
    return render(
        request,
        "strategy/plan_item.html",
        {"strategy": plan, "form": form, "kind": kind, "item": obj, "parent": parent},
    )


@partnership_permission("strategy.manage")
@require_POST
def plan_item_move(request: HttpRequest, strategy: str, kind: str, pk: int) -> HttpResponse:
    plan = _strategy(request, strategy)
    item = _item(request, plan, kind, pk)
    editing.plan_item_move(
        obj=item, up=request.POST.get("direction") == "up", actor=request.user, request=request
    )
    return _back(request, plan)


@partnership_permission("strategy.manage")
@require_POST
def plan_item_retire(request: HttpRequest, strategy: str, kind: str, pk: int) -> HttpResponse:
    plan = _strategy(request, strategy)
    item = _item(request, plan, kind, pk)
    retire = request.POST.get("retire") == "1"
    try:
        editing.plan_item_retire(obj=item, retire=retire, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        word = "retired; its history is kept" if retire else "restored to the plan"
        messages.success(request, f"The {LABELS[kind]} has been {word}.")
    return _back(request, plan)


@partnership_permission("strategy.manage")
@require_GET
def plan_history(request: HttpRequest, strategy: str) -> HttpResponse:
    plan = _strategy(request, strategy)
    changes = PlanChange.objects.filter(strategy=plan).order_by("-at", "-pk")[:500]
    return render(request, "strategy/plan_history.html", {"strategy": plan, "changes": changes})


@partnership_permission("strategy.manage")
@require_http_methods(["GET", "POST"])
def rollover(request: HttpRequest, strategy: str) -> HttpResponse:
    plan = _strategy(request, strategy)
    form = RolloverForm(request.POST or None, initial=editing.rollover_defaults(plan))
    if request.method == "POST" and form.is_valid():
        try:
            result = editing.strategy_rollover(
                strategy=plan, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{result.strategy.title} created: {result.carried} actions carried forward, "
                f"{result.left_complete} complete actions left behind.",
            )
            return redirect(
                "strategy:strategy-detail",
                partnership=request.partnership.slug,
                strategy=result.strategy.slug,
            )
    already = strategy_rolled_over(strategy=plan)
    return render(
        request, "strategy/rollover.html", {"strategy": plan, "form": form, "already": already}
    )

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vawg.audit import selectors
from vawg.audit.forms import AuditFilterForm
from vawg.core.access import partnership_permission

EVENTS_PER_PAGE = 50


@partnership_permission("audit.view")
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    partnership = request.partnership
    members = selectors.members_for_filter(partnership=partnership)
    form = AuditFilterForm(
        request.GET,
        members=members,
        object_types=selectors.object_types_for(partnership=partnership),
    )
    page = None
    if form.is_valid():
        events = selectors.events_for_partnership(partnership=partnership, **form.filters())
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "names": dict(members)},
    )

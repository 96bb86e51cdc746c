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
    # Everyone who is or was a member, reached through the partnership (as core.access
    # reaches a user's roles through the user): audit sits below accounts, so imports none
    # of it.
    member_ids = partnership.memberships.values("user_id")
    members = selectors.members_for_filter(member_ids=member_ids)
    form = AuditFilterForm(
        request.GET,
        members=members,
        object_types=selectors.object_types_for(partnership=partnership),
    )
    page = None
    if form.is_valid():
        events = selectors.events_for_partnership(
            partnership=partnership, member_ids=member_ids, **form.filters()
        )
        page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "names": dict(members)},
    )

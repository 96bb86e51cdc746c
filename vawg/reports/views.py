"""Pages for reports and board meetings. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.core.access import partnership_permission, region_permission
from vawg.core.forms import add_service_errors
from vawg.core.permissions import roles_grant
from vawg.exchange.exporting import as_response
from vawg.reports import meetings, selectors, services
from vawg.reports.forms import MakeReportForm, MeetingDatesForm, MeetingForm, RegionReturnForm
from vawg.reports.kinds import KINDS

# The report pages' links, by whose reports they are: a partnership's, or a region's returns.
# Each URL takes the partnership's or region's slug, then the report's id.
OWN_URLS = {
    "list": "reports:list",
    "detail": "reports:detail",
    "download": "reports:download",
    "remake": "reports:remake",
}
REGION_URLS = {
    "list": "reports:region-returns",
    "detail": "reports:region-detail",
    "download": "reports:region-download",
    "remake": "reports:region-remake",
}


def _today():
    return timezone.localdate()


def _list(request: HttpRequest, form: MakeReportForm, status: int = 200) -> HttpResponse:
    reports = list(selectors.requests_for(partnership=request.partnership)[:50])
    can_make = roles_grant(request.roles, "reports.make")
    working = any(report.working for report in reports)
    context = {"reports": reports, "form": form, "can_make": can_make, "working": working}
    context["can_date_meetings"] = roles_grant(request.roles, "meetings.manage")
    context["urls"] = OWN_URLS
    return render(request, "reports/report_list.html", context, status=status)


@partnership_permission("reports.view")
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return _list(request, MakeReportForm(partnership=request.partnership, today=_today()))


@partnership_permission("reports.make")
@require_POST
def report_make(request: HttpRequest) -> HttpResponse:
    """Ask for a report; the page it lands on follows the worker making it."""
    form = MakeReportForm(request.POST, partnership=request.partnership, today=_today())
    if form.is_valid():
        try:
            made = services.reports_request(
                partnership=request.partnership, actor=request.user, today=_today(), **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if len(made) > 1:  # several files: the list follows them all
                return redirect("reports:list", partnership=request.partnership.slug)
            return redirect("reports:detail", partnership=request.partnership.slug, pk=made[0].pk)
    return _list(request, form, status=400)


@partnership_permission("reports.view")
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.stopped_reports_fail(
        now=timezone.now(), reports=selectors.requests_for(partnership=request.partnership)
    )
    report = selectors.request_for(partnership=request.partnership, pk=pk)
    context = {"report": report, "kind": KINDS.get(report.kind)}
    context["can_make"] = roles_grant(request.roles, "reports.make")
    context.update(urls=OWN_URLS, scope=request.partnership.slug)
    return render(request, "reports/report_detail.html", context)


@partnership_permission("reports.view")
@never_cache
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.request_for(partnership=request.partnership, pk=pk)
    if not report.ready:
        return redirect("reports:detail", partnership=request.partnership.slug, pk=pk)
    file = services.report_download(report=report, actor=request.user, request=request)
    return as_response(file)


@partnership_permission("reports.make")
@require_POST
def report_remake(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.request_for(partnership=request.partnership, pk=pk)
    try:
        again = services.report_remake(report=report, actor=request.user, today=_today())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:detail", partnership=request.partnership.slug, pk=pk)
    return redirect("reports:detail", partnership=request.partnership.slug, pk=again.pk)


# --- Meetings of the governance bodies ------------------------------------------------


@partnership_permission("meetings.manage")
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Every body's meetings, and a form to add one."""
    form = MeetingForm(request.POST or None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_save(actor=request.user, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting added.")
            return redirect("reports:meetings", partnership=request.partnership.slug)
    bodies = selectors.meetings_by_body(partnership=request.partnership, today=_today())
    status = 400 if form.errors else 200
    return render(request, "reports/meetings.html", {"form": form, "bodies": bodies}, status=status)


@partnership_permission("meetings.manage")
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(partnership=request.partnership, pk=pk)
    initial = {"body": meeting.body, "held_on": meeting.held_on, "title": meeting.title}
    initial["notes"] = meeting.notes
    form = MeetingForm(request.POST or None, partnership=request.partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meetings.meeting_save(actor=request.user, meeting=meeting, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting changed.")
            return redirect("reports:meetings", partnership=request.partnership.slug)
    context = {"form": form, "meeting": meeting}
    return render(request, "reports/meeting_edit.html", context, status=400 if form.errors else 200)


@partnership_permission("meetings.manage")
@require_POST
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(partnership=request.partnership, pk=pk)
    meetings.meeting_delete(meeting=meeting, actor=request.user)
    messages.success(request, "Meeting removed.")
    return redirect("reports:meetings", partnership=request.partnership.slug)


@partnership_permission("meetings.manage")
@require_http_methods(["GET", "POST"])
def meeting_dates(request: HttpRequest) -> HttpResponse:
    """Past meeting dates entered together, one a line."""
    form = MeetingDatesForm(request.POST or None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        added = meetings.meetings_add_dates(actor=request.user, **form.values())
        messages.success(
            request,
            f"{len(added.added)} meeting date(s) added; {len(added.already)} already recorded.",
        )
        return redirect("reports:meetings", partnership=request.partnership.slug)
    status = 400 if form.errors else 200
    return render(request, "reports/meeting_dates.html", {"form": form}, status=status)


# --- The regional officer's returns -----------------------------------------------------


def _region_list(request: HttpRequest, form: RegionReturnForm, status: int = 200) -> HttpResponse:
    reports = list(selectors.region_requests(region=request.region)[:50])
    working = any(report.working for report in reports)
    context = {"reports": reports, "form": form, "working": working, "urls": REGION_URLS}
    return render(request, "reports/region_returns.html", context, status=status)


@region_permission("region.view")
@require_GET
def region_returns(request: HttpRequest) -> HttpResponse:
    """The returns made for the region, and a form to ask for another."""
    return _region_list(request, RegionReturnForm(region=request.region, today=_today()))


@region_permission("region.view")
@require_POST
def region_return_make(request: HttpRequest) -> HttpResponse:
    form = RegionReturnForm(request.POST, region=request.region, today=_today())
    if form.is_valid():
        try:
            report = services.region_return_request(
                region=request.region, actor=request.user, today=_today(), **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reports:region-detail", region=request.region.slug, pk=report.pk)
    return _region_list(request, form, status=400)


@region_permission("region.view")
@require_GET
def region_return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.stopped_reports_fail(
        now=timezone.now(), reports=selectors.region_requests(region=request.region)
    )
    report = selectors.region_request_for(region=request.region, pk=pk)
    context = {"report": report, "kind": KINDS.get(report.kind), "can_make": True}
    context.update(urls=REGION_URLS, scope=request.region.slug)
    return render(request, "reports/report_detail.html", context)


@region_permission("region.view")
@never_cache
@require_GET
def region_return_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.region_request_for(region=request.region, pk=pk)
    if not report.ready:
        return redirect("reports:region-detail", region=request.region.slug, pk=pk)
    return as_response(services.report_download(report=report, actor=request.user, request=request))


@region_permission("region.view")
@require_POST
def region_return_remake(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.region_request_for(region=request.region, pk=pk)
    try:
        again = services.region_return_remake(report=report, actor=request.user, today=_today())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:region-detail", region=request.region.slug, pk=pk)
    return redirect("reports:region-detail", region=request.region.slug, pk=again.pk)

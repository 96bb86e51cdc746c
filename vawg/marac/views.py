"""Thin views: parse, call a service or selector, render. Access is declared on each view
(partnership permission) and narrowed to the user's own rows in the selectors."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.audit.services import figures_viewed
from vawg.core import disclosure
from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.permissions import roles_grant
from vawg.core.uploads import upload_limit
from vawg.exchange.exporting import (
    FORMATS,
    Table,
    as_response,
    export_response,
    template_response,
    workbook_response,
)
from vawg.exchange.importing import outcome_context, set_aside_response
from vawg.marac import dash, forms, imports, pack, selectors, services, subject_access
from vawg.marac.models import Attachment
from vawg.marac.national import national_figures
from vawg.marac.statistics import (
    EXACT_PERMISSIONS,
    SUBJECT,
    last_ended,
    periods_for,
    statistics_export,
    statistics_for,
)

PER_PAGE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _who(request: HttpRequest) -> selectors.MaracUser:
    return selectors.marac_user(request.user, request.partnership, request.roles)


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"marac:{name}", kwargs={"partnership": request.partnership.slug, **kwargs})


def _post(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _today() -> date:
    return date.today()


# --- Home, screening, checklist, referral (practitioners and MARAC roles) --------------


@partnership_permission("marac.refer")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    return render(
        request,
        "marac/home.html",
        {
            "who": who,
            "can_view": roles_grant(request.roles, "marac.view"),
            "can_coordinate": roles_grant(request.roles, "marac.coordinate"),
            "can_statistics": roles_grant(request.roles, "marac.statistics"),
            "can_subject_access": roles_grant(request.roles, "marac.subject_access"),
            "recent": selectors.own_referrals(who)[:5],
        },
    )


@partnership_permission("marac.refer")
@GET_POST
def screening_new(request: HttpRequest) -> HttpResponse:
    form = forms.ScreeningForm(_post(request))
    if request.method == "POST" and form.is_valid():
        who = _who(request)
        screening = services.screening_record(
            partnership=request.partnership,
            practitioner=request.user,
            organisation=selectors.member_organisation(who),
            screened_on=_today(),
            request=request,
            **form.values(),
        )
        return redirect(_url("screening-result", request, pk=screening.pk))
    return render(request, "marac/screening_form.html", {"form": form})


def directory_finder_url(request: HttpRequest) -> str | None:
    """The public support directory's finder, once that capability is installed."""
    for kwargs in ({"partnership": request.partnership.slug}, {}):
        try:
            return reverse("directory:finder", kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


@partnership_permission("marac.refer")
@require_GET
def screening_result(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.own_screening(_who(request), pk)
    return render(
        request,
        "marac/screening_result.html",
        {"screening": screening, "finder_url": directory_finder_url(request)},
    )


@partnership_permission("marac.refer")
@GET_POST
def assessment_new(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    screening = None
    if request.GET.get("screening", "").isdecimal():
        screening = selectors.own_screening(who, int(request.GET["screening"]))
    form = forms.ChecklistForm(_post(request), partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_complete(
                partnership=request.partnership,
                practitioner=request.user,
                organisation=selectors.member_organisation(who),
                completed_on=_today(),
                screening=screening,
                request=request,
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_url("assessment-detail", request, pk=assessment.pk))
    return render(request, "marac/checklist_form.html", {"form": form})


@partnership_permission("marac.refer")
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.own_assessment(_who(request), pk)
    return render(
        request,
        "marac/assessment_detail.html",
        {
            "assessment": assessment,
            "criteria": selectors.criteria_labels(assessment.criteria, request.partnership),
            "referral": getattr(assessment, "referral", None),
            "high_risk_yes": dash.HIGH_RISK_YES,
        },
    )


@partnership_permission("marac.refer")
@GET_POST
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    who = _who(request)
    assessment = selectors.own_assessment(who, pk)
    if getattr(assessment, "referral", None):
        return redirect(_url("referral-detail", request, pk=assessment.referral.pk))
    form = forms.ReferralForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_make(
                assessment=assessment,
                referrer=request.user,
                organisation=selectors.member_organisation(who),
                referred_on=form.cleaned_data["referred_on"],
                details=form.details(),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} made to MARAC.")
            return redirect(_url("referral-detail", request, pk=referral.pk))
    criteria = selectors.criteria_labels(assessment.criteria, request.partnership)
    context = {"form": form, "assessment": assessment, "criteria": criteria}
    return render(request, "marac/referral_form.html", context)


@partnership_permission("marac.refer")
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.own_referrals(_who(request)), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "marac/referral_list.html", {"page": page})


@partnership_permission("marac.refer")
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner's own referral, by reference only. A MARAC role who may see the
    case is taken to the case instead."""
    who = _who(request)
    try:
        referral = selectors.own_referral(who, pk)
    except Http404:
        if who.marac_role and selectors.cases_visible_to(who).filter(pk=pk).exists():
            return redirect(_url("case-detail", request, pk=pk))
        raise
    return render(
        request,
        "marac/referral_detail.html",
        {
            "referral": referral,
            "criteria": selectors.criteria_labels(referral.criteria, request.partnership),
        },
    )


# --- Cases (MARAC roles) --------------------------------------------------------------


@partnership_permission("marac.view")
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.case_list(_who(request)), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "marac/case_list.html", {"page": page})


@partnership_permission("marac.view")
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = _who(request)
    referral = selectors.case_for_detail(who, pk)
    case = None
    if not referral.reduced_on:
        case = services.case_read(referral=referral, actor=request.user, request=request)
    actions = [
        (action, case.actions.get(action.pk) if case else ("", ""))
        for action in referral.actions.all()
    ]
    return render(
        request,
        "marac/case_detail.html",
        {
            "referral": referral,
            "case": case,
            "actions": actions,
            "criteria": selectors.criteria_labels(referral.criteria, request.partnership),
            "note_form": forms.NoteForm(),
            "can_coordinate": who.coordinator,
            "can_subject_access": roles_grant(request.roles, "marac.subject_access"),
            "today": _today(),
        },
    )


@partnership_permission("marac.view")
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.case_for_detail(_who(request), pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        services.case_note_add(
            referral=referral,
            author=request.user,
            text=form.cleaned_data["text"],
            request=request,
        )
        messages.success(request, "Note added.")
    else:
        messages.error(request, "The note was not added: enter the note.")
    return redirect(_url("case-detail", request, pk=referral.pk))


@partnership_permission("marac.coordinate")
@GET_POST
def case_seal(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.case_for_detail(_who(request), pk)
    initial = {
        "sealed": "yes" if referral.sealed else "no",
        "reason": referral.sealed_reason,
        "named": list(referral.sealed_for.all()),
    }
    form = forms.SealForm(
        _post(request),
        initial=initial,
        representatives=selectors.representatives(request.partnership),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.case_seal(
            referral=referral,
            sealed=d["sealed"] == "yes",
            reason=d.get("reason") or "",
            named=d.get("named") or [],
            actor=request.user,
            request=request,
        )
        messages.success(request, f"Access to {referral.reference} saved.")
        return redirect(_url("case-detail", request, pk=referral.pk))
    return render(request, "marac/case_seal.html", {"form": form, "referral": referral})


@upload_limit(services.MAX_ATTACHMENT_BYTES)
@partnership_permission("marac.coordinate")
@GET_POST
def case_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.case_for_detail(_who(request), pk)
    return _upload(
        request,
        "marac/attachment_form.html",
        Attachment.Kind.RESEARCH_PACK,
        {"referral": referral},
        _url("case-detail", request, pk=referral.pk),
    )


@upload_limit(services.MAX_ATTACHMENT_BYTES)
@partnership_permission("marac.coordinate")
@GET_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_detail(_who(request), pk)
    return _upload(
        request,
        "marac/attachment_form.html",
        Attachment.Kind.MINUTES,
        {"meeting": meeting},
        _url("meeting-detail", request, pk=meeting.pk),
    )


def _upload(request, template, kind, owner: dict, back: str) -> HttpResponse:
    form = forms.AttachmentForm(_post(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                partnership=request.partnership,
                kind=kind,
                actor=request.user,
                today=_today(),
                request=request,
                **owner,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{Attachment.Kind(kind).label} uploaded.")
            return redirect(back)
    return render(
        request,
        template,
        {"form": form, "kind": Attachment.Kind(kind).label, "back": back, **owner},
    )


@partnership_permission("marac.view")
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.attachment_for(_who(request), pk)
    data = services.attachment_read(attachment=found, actor=request.user, request=request)
    response = HttpResponse(data, content_type=found.content_type)
    filename = services.attachment_filename(found)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Meetings ---------------------------------------------------------------------------


@partnership_permission("marac.view")
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.meeting_list(_who(request)), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "marac/meeting_list.html",
        {"page": page, "can_coordinate": roles_grant(request.roles, "marac.coordinate")},
    )


@partnership_permission("marac.coordinate")
@GET_POST
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingForm(_post(request), partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                partnership=request.partnership,
                held_on=form.cleaned_data["held_on"],
                agencies=form.cleaned_data["agencies"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled.")
            return redirect(_url("meeting-detail", request, pk=meeting.pk))
    return render(request, "marac/meeting_form.html", {"form": form})


@partnership_permission("marac.view")
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    who = _who(request)
    meeting = selectors.meeting_for_detail(who, pk)
    return render(
        request,
        "marac/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": selectors.agenda_for(who, meeting),
            "can_coordinate": who.coordinator,
            "scheduled": meeting.status == meeting.Status.SCHEDULED,
            "statement": services.CONFIDENTIALITY_STATEMENT,
        },
    )


@partnership_permission("marac.coordinate")
@require_GET
def meeting_pack_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_detail(_who(request), pk)
    context = {"meeting": meeting, "form": forms.NamedPackForm()}
    return render(request, "marac/meeting_pack_page.html", context)


@partnership_permission("marac.coordinate")
@require_GET
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The pack without names: references, flags and the agencies asked to research."""
    who = _who(request)
    meeting = selectors.meeting_for_detail(who, pk)
    file = pack.meeting_pack(who=who, meeting=meeting, named=False, request=request)
    return as_response(file)


@partnership_permission("marac.coordinate")
@require_POST
def meeting_pack_named(request: HttpRequest, pk: int) -> HttpResponse:
    """The named pack: only once the coordinator confirms they need it (audited apart)."""
    who = _who(request)
    meeting = selectors.meeting_for_detail(who, pk)
    form = forms.NamedPackForm(request.POST)
    if not form.is_valid():
        context = {"meeting": meeting, "form": form}
        return render(request, "marac/meeting_pack_page.html", context, status=400)
    file = pack.meeting_pack(who=who, meeting=meeting, named=True, request=request)
    return as_response(file)


def _meeting_step(request, pk, step, done_message) -> HttpResponse:
    meeting = selectors.meeting_for_detail(_who(request), pk)
    try:
        result = step(meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message(result))
    return redirect(_url("meeting-detail", request, pk=meeting.pk))


@partnership_permission("marac.coordinate")
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_step(
        request,
        pk,
        lambda m: services.agenda_build(meeting=m, actor=request.user, request=request),
        lambda added: f"{added} case{'s' if added != 1 else ''} added to the agenda.",
    )


@partnership_permission("marac.coordinate")
@require_POST
def meeting_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_step(
        request,
        pk,
        lambda m: services.meeting_hold(
            meeting=m, actor=request.user, today=_today(), request=request
        ),
        lambda _: "Meeting marked as held.",
    )


@partnership_permission("marac.coordinate")
@GET_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_detail(_who(request), pk)
    form = forms.AttendanceForm(_post(request), meeting=meeting)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.attendance_record(
                meeting=meeting,
                organisation=d["organisation"],
                attendee_name=d["attendee_name"],
                accepted=d["accepted"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Attendance recorded.")
            return redirect(_url("meeting-detail", request, pk=meeting.pk))
    return render(request, "marac/attendance_form.html", {"form": form, "meeting": meeting})


@partnership_permission("marac.coordinate")
@GET_POST
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    who = _who(request)
    item = selectors.agenda_item_for(who, pk)
    form = forms.CaseActionForm(_post(request), partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_action_add(
                item=item,
                organisation=d["organisation"],
                description=d["description"],
                due_on=d["due_on"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action added to {item.referral.reference}.")
            return redirect(_url("meeting-detail", request, pk=item.meeting_id))
    return render(request, "marac/action_form.html", {"form": form, "item": item})


@partnership_permission("marac.view")
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    who = _who(request)
    form = forms.ActionFilterForm(request.GET or None)
    actions = selectors.actions_for(who, on=_today(), show=form.chosen)
    if form.is_bound and not form.is_valid():
        actions = actions.none()
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "today": _today(), "form": form, "show": form.chosen}
    return render(request, "marac/action_list.html", context)


@partnership_permission("marac.view")
@GET_POST
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    who = _who(request)
    action = selectors.action_for_completion(who, pk)
    if action.completed_on:
        return _action_page(request, action)
    form = forms.CompleteActionForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_action_complete(
                action=action,
                actor=request.user,
                agencies=set(who.agencies),
                coordinator=who.coordinator,
                today=_today(),
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action for {action.referral.reference} completed.")
            return redirect(_url("action-list", request))
    return _action_page(request, action, form)


def _action_page(request: HttpRequest, action, form=None) -> HttpResponse:
    """An action's page. While it is open: the form, and the action's text (an audited read).
    Once completed: neither, and a conflict to anyone posting a second completion."""
    if form is None:
        status = 409 if request.method == "POST" else 200
        return render(request, "marac/action_complete.html", {"action": action}, status=status)
    description = services.action_description_read(
        action=action, actor=request.user, request=request
    )
    context = {"action": action, "form": form, "description": description}
    return render(request, "marac/action_complete.html", context)


# --- Coordinator: history import ---------------------------------------------------------


@upload_limit(forms.MAX_HISTORY_BYTES)
@partnership_permission("marac.coordinate")
@GET_POST
def history_import(request: HttpRequest) -> HttpResponse:
    """Check a spreadsheet of past referrals and meetings; import it whole, or its sound rows."""
    if request.method == "GET" and (fmt := request.GET.get("template")) in FORMATS:
        table = Table("marac-history-template", imports.HEADINGS, imports.template_rows())
        return template_response(table, fmt=fmt)
    if request.method == "POST" and "set_aside" in request.POST:
        return set_aside_response(request, name="marac-history", subject="marac.Referral")
    form = forms.HistoryImportForm(_post(request), request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.history_import(
            partnership=request.partnership, actor=request.user, today=_today(),
            request=request, **form.service_kwargs(),
        )  # fmt: skip
        if result.ok:
            messages.success(request, imports.done_message(result))
            return redirect(_url("case-list", request))
    context = {"form": form, "result": result, "columns": imports.COLUMNS}
    context.update(outcome_context(result))
    status = 400 if result is not None and not result.stored else 200
    return render(request, "marac/history_import.html", context, status=status)


# --- Coordinator: access review, settings, local criteria ----------------------------


@partnership_permission("marac.coordinate")
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    form = forms.AccessLogFilterForm(request.GET or None)
    reference = form.cleaned_data.get("reference", "") if form.is_valid() else ""
    events = selectors.access_log(request.partnership, reference=reference)
    if form.is_bound and not form.is_valid():
        events = events.none()
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    names = selectors.usernames(e.actor_id for e in page)
    rows = [(e, names.get(e.actor_id, "unknown user")) for e in page]
    return render(request, "marac/access_log.html", {"form": form, "page": page, "rows": rows})


@partnership_permission("marac.coordinate")
@GET_POST
def settings_edit(request: HttpRequest) -> HttpResponse:
    instance = services.settings_for(request.partnership)
    form = forms.SettingsForm(_post(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                partnership=request.partnership,
                actor=request.user,
                request=request,
                **form.values(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "MARAC settings saved.")
            return redirect(_url("settings", request))
    criteria = request.partnership.marac_local_criteria.all()
    return render(request, "marac/settings.html", {"form": form, "criteria": criteria})


@partnership_permission("marac.coordinate")
@GET_POST
def criterion_new(request: HttpRequest) -> HttpResponse:
    form = forms.CriterionForm(_post(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.local_criterion_add(
                partnership=request.partnership,
                code=d["code"],
                label=d["label"],
                automatic_referral=d["automatic_referral"] == "yes",
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Local criterion added.")
            return redirect(_url("settings", request))
    return render(request, "marac/criterion_form.html", {"form": form})


# --- Subject access (coordinator) ---------------------------------------------------------


@partnership_permission("marac.subject_access")
@GET_POST
@cache_control(no_store=True)
def subject_access_search(request: HttpRequest) -> HttpResponse:
    form = forms.SubjectSearchForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            subject = subject_access.subject_find(
                who=_who(request), actor=request.user, request=request, **form.values()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_url("subject-access-confirm", request, pk=subject.anchor.pk))
    return render(request, "marac/subject_access_search.html", {"form": form})


@partnership_permission("marac.subject_access")
@GET_POST
@cache_control(no_store=True)
def subject_access_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    who = _who(request)
    subject = subject_access.subject_load(who=who, pk=pk)
    form = forms.SubjectAccessConfirmForm(_post(request))
    if request.method == "POST" and form.is_valid():
        file = subject_access.subject_access_export(
            who=who, subject=subject, actor=request.user, today=_today(), request=request
        )
        return workbook_response(file.content, filename=file.filename)
    person = subject_access.subject_identity_read(
        subject=subject, actor=request.user, request=request
    )
    return render(
        request,
        "marac/subject_access_confirm.html",
        {
            "form": form,
            "subject": subject,
            "person": person,
            "redactions": subject_access.REDACTIONS,
            "review_statement": subject_access.REVIEW_STATEMENT,
        },
    )


# --- Statistics -------------------------------------------------------------------------


def _statistics_form(request: HttpRequest):
    today = _today()
    periods = periods_for(request.partnership, today)
    data = request.GET if "period" in request.GET else {"period": last_ended(periods, today).key}
    form = forms.PeriodForm(data, periods=periods)
    period = None
    if form.is_valid():
        period = next(p for p in periods if p.key == form.cleaned_data["period"])
    return form, period


def _statistics_audience(request: HttpRequest, period) -> disclosure.Audience:
    """Who is looking (exact for the analyst and the coordinator), with the view recorded."""
    return figures_viewed(
        request,
        subject=SUBJECT,
        filters={"period": period.key},
        exact_permissions=EXACT_PERMISSIONS,
    )


@partnership_permission("marac.statistics")
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form, period = _statistics_form(request)
    rows, counts, audience = None, None, None
    if period is not None:
        audience = _statistics_audience(request, period)
        counts, rows = statistics_for(request.partnership, period, audience=audience)
    return render(
        request,
        "marac/statistics.html",
        {
            "form": form,
            "rows": rows,
            "period": period,
            # Only the public population reaches the template, never the exact counts.
            "synthetic": bool(counts and counts.population_is_synthetic),
            "exact": audience is not None and audience.exact,
            "national": national_figures(),
            "population": f"{counts.women_16_plus:,}" if counts and counts.women_16_plus else "",
        },
    )


@partnership_permission("marac.statistics")
@require_GET
def statistics_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such format")
    form, period = _statistics_form(request)
    if period is None:
        # Back to the page, which explains what is wrong with the period.
        return redirect(_url("statistics", request) + "?" + request.GET.urlencode())
    table = statistics_export(
        partnership=request.partnership,
        period=period,
        audience=_statistics_audience(request, period),
    )
    return export_response(request, table, fmt=fmt)

"""Pages for partnership learning: thin views over selectors (reads) and services (writes)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.audit.services import figures_viewed
from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.permissions import roles_grant
from vawg.core.uploads import upload_limit
from vawg.exchange.exporting import FORMATS, Table, export_response, template_response
from vawg.exchange.importing import problems_export, set_aside_response, set_aside_token
from vawg.learning import exports, forms, imports, selectors, services
from vawg.learning.models import Recommendation

VIEW, MANAGE = "learning.view", "learning.manage"
PER_PAGE = 50


def _today():
    return timezone.localdate()


def _can_manage(request: HttpRequest) -> bool:
    return roles_grant(request.roles, MANAGE)


def _show_retired(request: HttpRequest) -> bool:
    return request.GET.get("show") == "retired"


def _retired_refusal(request: HttpRequest, parent, back: str) -> HttpResponse | None:
    """Nothing is added to a retired course, register or review: say so and go back."""
    if parent.is_retired:
        messages.error(request, f"“{parent}” has been retired. Restore it before adding to it.")
        return redirect(back)
    return None


def _form_page(
    request: HttpRequest,
    form_class: type[forms.LearningForm],
    save: Callable[[dict], object],
    *,
    done: Callable[[object], str],
    message: str,
    initial: dict | None = None,
    **page: str,
) -> HttpResponse:
    """The add and change pages: one form, one service call, back to the object's page.
    `page` is what the page shows around the form: its title, caption, button and back link."""
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(done(saved))
    return render(request, "learning/form.html", {"form": form, "caption": "", **page})


def _slug(request: HttpRequest) -> dict:
    return {"partnership": request.partnership.slug}


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"learning:{name}", kwargs={**_slug(request), **kwargs})


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404("No such export format")
    return fmt


# --- Overview ---------------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = _today()
    partnership = request.partnership
    context = {
        "courses": selectors.courses_for(partnership=partnership),
        "initiatives": selectors.initiatives_for(partnership=partnership, on=today),
        "overdue": selectors.recommendations_for(
            partnership=partnership, on=today, overdue_only=True
        ).count(),
        "improved": selectors.improved_confidence(partnership=partnership, start=None, end=None),
        "can_manage": _can_manage(request),
    }
    return render(request, "learning/home.html", context)


# --- Training ---------------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    retired = _show_retired(request)
    audience = figures_viewed(request, subject="learning.courses", filters={"retired": retired})
    rows = selectors.course_rows(
        partnership=request.partnership, audience=audience, retired=retired
    )
    return render(
        request,
        "learning/course_list.html",
        {
            "rows": rows,
            "retired": retired,
            "figures_exact": audience.exact,
            "can_manage": _can_manage(request),
        },
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def course_add(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        forms.CourseForm,
        lambda values: services.course_save(
            partnership=request.partnership, actor=request.user, request=request, **values
        ),
        title="Add a training course",
        button="Add course",
        back=_url("course-list", request),
        done=lambda course: _url("course-detail", request, pk=course.pk),
        message="Course added.",
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(partnership=request.partnership, pk=pk)
    return _form_page(
        request,
        forms.CourseForm,
        lambda values: services.course_save(
            partnership=request.partnership,
            actor=request.user,
            course=course,
            request=request,
            **values,
        ),
        title="Change the course",
        caption=course.title,
        button="Save changes",
        initial=forms.initial_for(course, forms.CourseForm),
        back=_url("course-detail", request, pk=course.pk),
        done=lambda course: _url("course-detail", request, pk=course.pk),
        message="Course changed.",
    )


@partnership_permission(VIEW)
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_for_detail(partnership=request.partnership, pk=pk)
    audience = figures_viewed(request, subject="learning.course", filters={"course": course.pk})
    found = selectors.course_figures(course=course, audience=audience)
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            "figures": found.figures,
            "sessions": found.sessions,
            "sessions_total": found.total,
            "figures_exact": audience.exact,
            "can_manage": _can_manage(request),
        },
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(partnership=request.partnership, pk=pk)
    back = _url("course-detail", request, pk=course.pk)
    if refused := _retired_refusal(request, course, back):
        return refused
    return _form_page(
        request,
        forms.SessionForm,
        lambda values: services.session_save(
            course=course, actor=request.user, request=request, **values
        ),
        title="Add a session",
        caption=course.title,
        button="Add session",
        back=_url("course-detail", request, pk=course.pk),
        done=lambda session: _url("session-detail", request, pk=session.pk),
        message="Session added.",
    )


@partnership_permission(VIEW)
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(partnership=request.partnership, pk=pk)
    can_manage = _can_manage(request)
    context = {"session": session, "can_manage": can_manage}
    audience = None
    if not can_manage:
        audience = figures_viewed(
            request, subject="learning.session", filters={"session": session.pk}
        )
    if can_manage or audience.exact:
        # Those who keep the records, and analysts, see each attendee.
        attendances = selectors.attendances_for(session=session)
        context["page"] = Paginator(attendances, PER_PAGE).get_page(request.GET.get("page"))
        if audience is not None:
            context["figures_exact"] = audience.exact
    else:
        # Everyone else sees counts by organisation, disclosure-controlled: one person's
        # confidence answers are not for the whole partnership to read.
        counted = selectors.session_attendance(session=session, audience=audience)
        context.update(
            by_organisation=counted.cells,
            total=counted.total,
            figures_exact=audience.exact,
        )
    return render(request, "learning/session_detail.html", context)


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(partnership=request.partnership, pk=pk)
    return _form_page(
        request,
        forms.AttendanceForm,
        lambda values: services.attendance_record(
            session=session, actor=request.user, request=request, **values
        ),
        title="Record attendance",
        caption=str(session),
        button="Save attendance",
        back=_url("session-detail", request, pk=session.pk),
        done=lambda _: _url("session-detail", request, pk=session.pk),
        message="Attendance saved.",
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET), then remove (POST): removing cannot be undone from the page."""
    attendance = selectors.attendance_get(partnership=request.partnership, pk=pk)
    back = _url("session-detail", request, pk=attendance.session_id)
    if request.method == "POST":
        services.attendance_remove(attendance=attendance, actor=request.user, request=request)
        messages.success(request, "Attendance removed.")
        return redirect(back)
    return render(
        request,
        "core/confirm.html",
        {
            "title": f"Remove attendee {attendance.attendee_reference} from this session?",
            "caption": str(attendance.session),
            "lines": [
                f"Organisation: {attendance.organisation.name}.",
                "Their attendance and confidence answers will be removed from the session and "
                "from the training figures. The audit trail records that it was removed.",
            ],
            "button": "Yes, remove this attendance",
            "warning": True,
            "back": back,
        },
    )


def _retire_confirmation(obj, what: str, consequence: str, back: str) -> dict:
    """The page that asks before a course, register or review is retired."""
    return {
        "title": f"Retire “{obj}”?",
        "caption": what.capitalize(),
        "lines": [
            consequence,
            "Nothing is deleted: its history stays, it can be found under “retired”, "
            "and it can be restored. The audit trail records who retired it.",
        ],
        "button": f"Yes, retire this {what}",
        "warning": True,
        "back": back,
    }


def _retire_view(kind: str, get, detail: str, list_name: str, what: str, consequence: str):
    """Confirm-then-retire (GET, POST) for a course, register or review."""

    @partnership_permission(MANAGE)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get(partnership=request.partnership, pk=pk)
        back = _url(detail, request, pk=obj.pk)
        if obj.is_retired:
            messages.info(request, f"This {what} is already retired.")
            return redirect(back)
        if request.method == "POST":
            services.retire(obj=obj, actor=request.user, on=_today(), request=request)
            messages.success(request, f"{what.capitalize()} retired. You can restore it.")
            return redirect(_url(list_name, request))
        context = _retire_confirmation(obj, what, consequence, back)
        return render(request, "core/confirm.html", context)

    view.__name__ = f"{kind}_retire"
    return view


def _restore_view(kind: str, get, detail: str, what: str):
    @partnership_permission(MANAGE)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get(partnership=request.partnership, pk=pk)
        services.restore(obj=obj, actor=request.user, request=request)
        messages.success(request, f"{what.capitalize()} restored.")
        return redirect(_url(detail, request, pk=obj.pk))

    view.__name__ = f"{kind}_restore"
    return view


course_retire = _retire_view(
    "course",
    selectors.course_get,
    "course-detail",
    "course-list",
    "course",
    "It leaves the list of courses and no new sessions can be added. Its sessions and "
    "attendance stay in the training figures, as the training happened.",
)
course_restore = _restore_view("course", selectors.course_get, "course-detail", "course")
register_retire = _retire_view(
    "register",
    selectors.initiative_get,
    "register-detail",
    "register-list",
    "register",
    "It leaves the list of registers, no participants can be added, no renewal reminders are "
    "sent, and from today it no longer counts towards coverage figures (earlier periods keep "
    "it).",
)
register_restore = _restore_view(
    "register", selectors.initiative_get, "register-detail", "register"
)
review_retire = _retire_view(
    "review",
    selectors.review_get,
    "review-detail",
    "review-list",
    "case review",
    "It leaves the list of reviews and of recommendations, no recommendations can be added, "
    "and from today its recommendations no longer count towards the embedded and overdue "
    "figures (earlier periods keep them).",
)
review_restore = _restore_view("review", selectors.review_get, "review-detail", "case review")


def _problems_download(request: HttpRequest, slug: str) -> HttpResponse:
    form = forms.ProblemsForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["problems"][0])
        return redirect(request.path)
    table = problems_export(
        form.cleaned_data["problems"], name=f"{slug}-problems", subject="learning.ImportProblems"
    )
    return export_response(request, table, fmt="csv")


def _import_context(form, result, **page) -> dict:
    """The import page: the upload form, and a file's problems and set-aside rows with
    their downloads."""
    failed = result is not None and not result.ok
    token = forms.ProblemsForm.token_for(result.problems) if failed else ""
    aside = set_aside_token(result) if failed and result.set_aside else ""
    return {
        "form": form,
        "result": result,
        "problems_token": token,
        "set_aside_token": aside,
        **page,
    }


def _import_page(request, *, run, columns, title: str, caption: str, back: str) -> HttpResponse:
    """Upload, check every row, and either save the whole file or show every problem."""
    slug = title.lower().replace(" ", "-")
    if request.method == "GET" and (fmt := request.GET.get("template")) in FORMATS:
        # A blank file with the headings, to fill in.
        headings = [c.heading for c in columns]
        return template_response(Table(f"{slug}-template", headings, []), fmt=fmt)
    if request.method == "POST" and "problems" in request.POST:
        return _problems_download(request, slug)
    if request.method == "POST" and "set_aside" in request.POST:
        return set_aside_response(request, name=slug, subject="learning.ImportSetAside")
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        filename, data = form.cleaned_data["file"]
        result = run(data=data, filename=filename, **form.import_options())
        if result.ok:
            added = f"{result.created} added, {result.updated} updated"
            messages.success(request, f"Imported {filename}: {added}.")
            return redirect(back)
    page = {"columns": columns, "title": title, "caption": caption, "back": back}
    return render(request, "learning/import.html", _import_context(form, result, **page))


@upload_limit(forms.MAX_UPLOAD_BYTES)
@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def attendance_import(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(partnership=request.partnership, pk=pk)
    return _import_page(
        request,
        run=lambda **file: imports.attendance_import(
            session=session, actor=request.user, request=request, **file
        ),
        columns=imports.ATTENDANCE_COLUMNS,
        title="Import attendance",
        caption=str(session),
        back=_url("session-detail", request, pk=session.pk),
    )


@partnership_permission(VIEW)
@require_GET
def training_figures(request: HttpRequest) -> HttpResponse:
    form = forms.PeriodForm(request.GET or None, partnership=request.partnership)
    period = form.chosen() if form.is_valid() else None
    audience = figures_viewed(
        request, subject="learning.training", filters={"period": period.pk if period else None}
    )
    span = {"start": period.start, "end": period.end} if period else {"start": None, "end": None}
    by = {
        name: selectors.confidence_table(
            partnership=request.partnership, by=name, audience=audience, **span
        )
        for name in ("organisation", "course")
    }
    context = {
        "form": form,
        "period": period,
        "by_organisation": by["organisation"],
        "by_course": by["course"],
        "improved": selectors.improved_confidence(partnership=request.partnership, **span),
        "figures_exact": audience.exact,
        "can_manage": _can_manage(request),
    }
    return render(request, "learning/training_figures.html", context)


@partnership_permission(MANAGE)
@require_GET
def attendance_export(request: HttpRequest, fmt: str) -> HttpResponse:
    table = exports.attendance_table(partnership=request.partnership)
    return export_response(request, table, fmt=_fmt(fmt))


# --- Registers ------------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    retired = _show_retired(request)
    registers = selectors.registers_with_coverage(
        partnership=request.partnership, on=_today(), retired=retired
    )
    return render(
        request,
        "learning/register_list.html",
        {"registers": registers, "retired": retired, "can_manage": _can_manage(request)},
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def register_add(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        forms.InitiativeForm,
        lambda values: services.initiative_save(
            partnership=request.partnership, actor=request.user, request=request, **values
        ),
        title="Add a register",
        button="Add register",
        back=_url("register-list", request),
        done=lambda initiative: _url("register-detail", request, pk=initiative.pk),
        message="Register added.",
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def register_edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(partnership=request.partnership, pk=pk)
    return _form_page(
        request,
        forms.InitiativeForm,
        lambda values: services.initiative_save(
            partnership=request.partnership,
            actor=request.user,
            initiative=initiative,
            request=request,
            **values,
        ),
        title="Change the register",
        caption=initiative.name,
        button="Save changes",
        initial=forms.initial_for(initiative, forms.InitiativeForm),
        back=_url("register-detail", request, pk=initiative.pk),
        done=lambda saved: _url("register-detail", request, pk=saved.pk),
        message="Register changed.",
    )


@partnership_permission(VIEW)
@require_GET
def register_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = _today()
    initiative = selectors.initiative_for_detail(partnership=request.partnership, pk=pk, on=today)
    return render(
        request,
        "learning/register_detail.html",
        {
            "initiative": initiative,
            "coverage": selectors.coverage_share(
                initiative.active_count, initiative.coverage_denominator
            ),
            "today": today,
            "can_manage": _can_manage(request),
        },
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(partnership=request.partnership, pk=pk)
    back = _url("register-detail", request, pk=initiative.pk)
    if refused := _retired_refusal(request, initiative, back):
        return refused
    return _form_page(
        request,
        forms.ParticipantForm,
        lambda values: services.participant_save(
            initiative=initiative, actor=request.user, request=request, **values
        ),
        title="Add a participant",
        caption=initiative.name,
        button="Add participant",
        back=_url("register-detail", request, pk=initiative.pk),
        done=lambda _: _url("register-detail", request, pk=initiative.pk),
        message="Participant added.",
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get(partnership=request.partnership, pk=pk)
    initiative = participant.initiative
    return _form_page(
        request,
        forms.ParticipantForm,
        lambda values: services.participant_save(
            initiative=initiative,
            actor=request.user,
            participant=participant,
            request=request,
            **values,
        ),
        title="Change a participant",
        caption=initiative.name,
        button="Save changes",
        initial=forms.initial_for(participant, forms.ParticipantForm),
        back=_url("register-detail", request, pk=initiative.pk),
        done=lambda _: _url("register-detail", request, pk=initiative.pk),
        message="Participant changed.",
    )


@upload_limit(forms.MAX_UPLOAD_BYTES)
@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def participant_import(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(partnership=request.partnership, pk=pk)
    back = _url("register-detail", request, pk=initiative.pk)
    if refused := _retired_refusal(request, initiative, back):
        return refused
    return _import_page(
        request,
        run=lambda **file: imports.participants_import(
            initiative=initiative, actor=request.user, request=request, **file
        ),
        columns=imports.PARTICIPANT_COLUMNS,
        title="Import participants",
        caption=initiative.name,
        back=_url("register-detail", request, pk=initiative.pk),
    )


@partnership_permission(VIEW)
@require_GET
def register_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    initiative = selectors.initiative_get(partnership=request.partnership, pk=pk)
    return export_response(
        request, exports.participants_table(initiative=initiative), fmt=_fmt(fmt)
    )


# --- Case reviews ----------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    retired = _show_retired(request)
    reviews = selectors.reviews_for(partnership=request.partnership, on=_today(), retired=retired)
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    counted = selectors.review_counts(partnership=request.partnership)
    return render(
        request,
        "learning/review_list.html",
        {
            "page": page,
            "retired": retired,
            "by_kind": counted.cells,
            "total": counted.total,
            "can_manage": _can_manage(request),
        },
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def review_add(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        forms.ReviewForm,
        lambda values: services.review_save(
            partnership=request.partnership, actor=request.user, request=request, **values
        ),
        title="Add a case review",
        button="Add review",
        back=_url("review-list", request),
        done=lambda review: _url("review-detail", request, pk=review.pk),
        message="Case review added.",
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(partnership=request.partnership, pk=pk)
    return _form_page(
        request,
        forms.ReviewForm,
        lambda values: services.review_save(
            partnership=request.partnership,
            actor=request.user,
            review=review,
            request=request,
            **values,
        ),
        title="Change the case review",
        caption=review.reference,
        button="Save changes",
        initial=forms.initial_for(review, forms.ReviewForm),
        back=_url("review-detail", request, pk=review.pk),
        done=lambda saved: _url("review-detail", request, pk=saved.pk),
        message="Case review changed.",
    )


@partnership_permission(VIEW)
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = _today()
    review = selectors.review_for_detail(partnership=request.partnership, pk=pk, on=today)
    return render(
        request,
        "learning/review_detail.html",
        {"review": review, "today": today, "can_manage": _can_manage(request)},
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(partnership=request.partnership, pk=pk)
    back = _url("review-detail", request, pk=review.pk)
    if refused := _retired_refusal(request, review, back):
        return refused
    return _form_page(
        request,
        forms.RecommendationForm,
        lambda values: services.recommendation_save(
            review=review, actor=request.user, request=request, **values
        ),
        title="Add a recommendation",
        caption=review.reference,
        button="Add recommendation",
        initial={"status": Recommendation.Status.OPEN},
        back=_url("review-detail", request, pk=review.pk),
        done=lambda _: _url("review-detail", request, pk=review.pk),
        message="Recommendation added.",
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_get(partnership=request.partnership, pk=pk)
    review = recommendation.review
    return _form_page(
        request,
        forms.RecommendationForm,
        lambda values: services.recommendation_save(
            review=review,
            actor=request.user,
            recommendation=recommendation,
            request=request,
            **values,
        ),
        title=f"Change recommendation {recommendation.number}",
        caption=review.reference,
        button="Save changes",
        initial=forms.initial_for(recommendation, forms.RecommendationForm),
        back=_url("review-detail", request, pk=review.pk),
        done=lambda _: _url("review-detail", request, pk=review.pk),
        message="Recommendation changed.",
    )


@upload_limit(forms.MAX_UPLOAD_BYTES)
@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def recommendation_import(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(partnership=request.partnership, pk=pk)
    back = _url("review-detail", request, pk=review.pk)
    if refused := _retired_refusal(request, review, back):
        return refused
    return _import_page(
        request,
        run=lambda **file: imports.recommendations_import(
            review=review, actor=request.user, request=request, **file
        ),
        columns=imports.RECOMMENDATION_COLUMNS,
        title="Import recommendations",
        caption=review.reference,
        back=_url("review-detail", request, pk=review.pk),
    )


@partnership_permission(VIEW)
@require_GET
def recommendation_list(request: HttpRequest) -> HttpResponse:
    today = _today()
    form = forms.RecommendationFilterForm(
        request.GET or None, initial={"show": "all"}, partnership=request.partnership
    )
    page = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        recommendations = selectors.recommendations_for(
            partnership=request.partnership,
            on=today,
            overdue_only=data.get("show") == "overdue",
            owner=data.get("owner"),
        )
        page = Paginator(recommendations, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/recommendation_list.html",
        {"form": form, "page": page, "today": today},
    )


@partnership_permission(VIEW)
@require_GET
def recommendation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    table = exports.recommendations_table(partnership=request.partnership, on=_today())
    return export_response(request, table, fmt=_fmt(fmt))


@partnership_permission(VIEW)
@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    found = selectors.themes_for(partnership=request.partnership, on=_today())
    return render(request, "learning/themes.html", {"themes": found})

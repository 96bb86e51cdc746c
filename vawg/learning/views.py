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

from vawg.core.access import partnership_permission
from vawg.core.permissions import roles_grant
from vawg.core.tabular import CONTENT_TYPES, write_table
from vawg.learning import exports, forms, imports, selectors, services
from vawg.learning.models import Recommendation

VIEW, MANAGE = "learning.view", "learning.manage"
PER_PAGE = 50


def _today():
    return timezone.localdate()


def _can_manage(request: HttpRequest) -> bool:
    return roles_grant(request.roles, MANAGE)


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's refusal in the form's error summary, against the right field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(
    request: HttpRequest,
    form_class: type[forms.LearningForm],
    save: Callable[[dict], object],
    *,
    title: str,
    button: str,
    back: str,
    caption: str = "",
    initial: dict | None = None,
    done: Callable[[object], str],
    message: str,
) -> HttpResponse:
    """The add and change pages: one form, one service call, back to the object's page."""
    data = request.POST if request.method == "POST" else None
    form = form_class(data, initial=initial, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(done(saved))
    context = {"form": form, "title": title, "button": button, "back": back, "caption": caption}
    return render(request, "learning/form.html", context)


def _slug(request: HttpRequest) -> dict:
    return {"partnership": request.partnership.slug}


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"learning:{name}", kwargs={**_slug(request), **kwargs})


def _download(file: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=CONTENT_TYPES[file.fmt])
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def _fmt(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
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
        "reviews": selectors.reviews_for(partnership=partnership, on=today)[:5],
        "overdue": selectors.recommendations_for(
            partnership=partnership, on=today, overdue_only=True
        ).count(),
        "improved": selectors.organisations_improved_confidence(
            partnership=partnership, start=None, end=None
        ),
        "can_manage": _can_manage(request),
    }
    return render(request, "learning/home.html", context)


# --- Training ---------------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    courses = selectors.courses_for(partnership=request.partnership)
    return render(
        request,
        "learning/course_list.html",
        {"courses": courses, "can_manage": _can_manage(request)},
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
    unsuppressed = roles_grant(request.roles, "figures.unsuppressed")
    rows = [
        row
        for row in selectors.confidence_by(
            partnership=request.partnership, by="course", unsuppressed=unsuppressed
        )
        if row.key == course.pk
    ]
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            "figures": rows[0] if rows else None,
            "can_manage": _can_manage(request),
        },
    )


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(partnership=request.partnership, pk=pk)
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
    attendances = selectors.attendances_for(session=session)
    page = Paginator(attendances, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/session_detail.html",
        {"session": session, "page": page, "can_manage": _can_manage(request)},
    )


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
@require_POST
def attendance_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_get(partnership=request.partnership, pk=pk)
    session_pk = attendance.session_id
    services.attendance_remove(attendance=attendance, actor=request.user, request=request)
    messages.success(request, "Attendance removed.")
    return redirect(_url("session-detail", request, pk=session_pk))


def _import_page(request, *, run, columns, title: str, caption: str, back: str) -> HttpResponse:
    """Upload, check every row, and either save the whole file or show every problem."""
    template = request.GET.get("template")
    if request.method == "GET" and template in CONTENT_TYPES:
        # A blank file with the headings, to fill in.
        headings = [c.heading for c in columns]
        slug = title.lower().replace(" ", "-")
        return _download(
            exports.ExportFile(
                template, f"{slug}-template.{template}", write_table(template, headings, [])
            )
        )
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        filename, data = form.cleaned_data["file"]
        result = run(data=data, filename=filename)
        if result.ok:
            messages.success(
                request,
                f"Imported {filename}: {result.created} added, {result.updated} updated.",
            )
            return redirect(back)
    context = {
        "form": form,
        "result": result,
        "columns": columns,
        "title": title,
        "caption": caption,
        "back": back,
    }
    return render(request, "learning/import.html", context)


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
    unsuppressed = roles_grant(request.roles, "figures.unsuppressed")
    span = {"start": period.start, "end": period.end} if period else {"start": None, "end": None}
    by = {
        name: selectors.confidence_by(
            partnership=request.partnership, by=name, unsuppressed=unsuppressed, **span
        )
        for name in ("organisation", "course")
    }
    context = {
        "form": form,
        "period": period,
        "by_organisation": by["organisation"],
        "by_course": by["course"],
        "improved": selectors.organisations_improved_confidence(
            partnership=request.partnership, **span
        ),
        "unsuppressed": unsuppressed,
        "can_manage": _can_manage(request),
    }
    return render(request, "learning/training_figures.html", context)


@partnership_permission(MANAGE)
@require_GET
def attendance_export(request: HttpRequest, fmt: str) -> HttpResponse:
    file = exports.attendance_export(
        partnership=request.partnership, fmt=_fmt(fmt), actor=request.user, request=request
    )
    return _download(file)


# --- Registers ------------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    registers = selectors.registers_with_coverage(partnership=request.partnership, on=_today())
    return render(
        request,
        "learning/register_list.html",
        {"registers": registers, "can_manage": _can_manage(request)},
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
            "coverage": selectors.coverage(
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


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def participant_import(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_get(partnership=request.partnership, pk=pk)
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
    file = exports.participants_export(
        initiative=initiative, fmt=_fmt(fmt), actor=request.user, request=request
    )
    return _download(file)


# --- Case reviews ----------------------------------------------------------------


@partnership_permission(VIEW)
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = selectors.reviews_for(partnership=request.partnership, on=_today())
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/review_list.html",
        {"page": page, "can_manage": _can_manage(request)},
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


@partnership_permission(MANAGE)
@require_http_methods(["GET", "POST"])
def recommendation_import(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(partnership=request.partnership, pk=pk)
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
    file = exports.recommendations_export(
        partnership=request.partnership,
        fmt=_fmt(fmt),
        on=_today(),
        actor=request.user,
        request=request,
    )
    return _download(file)


@partnership_permission(VIEW)
@require_GET
def themes(request: HttpRequest) -> HttpResponse:
    found = selectors.themes_for(partnership=request.partnership, on=_today())
    return render(request, "learning/themes.html", {"themes": found})

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from vawg.audit.services import figures_viewed
from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.models import Partnership
from vawg.core.periods import current_period
from vawg.core.safety import survivor_safe
from vawg.voice import ratelimit, selectors, services, submissions
from vawg.voice.forms import (
    FeedbackForm,
    SafeguardingRouteForm,
    SessionForm,
    SurveyForm,
    ThemeForm,
    TriageFilterForm,
    TriageForm,
)

FEEDBACK_PER_PAGE = 20


# --- Public pages a survivor uses ----------------------------------------------------
# survivor_safe: public, no cookies, no-referrer, no-store. Nothing typed goes in a URL,
# a title or a log; nothing about the sender is stored. They answer HEAD like GET (a
# browser or link checker may send it); only the forms take POST.

PUBLIC_METHODS = ["GET", "HEAD", "POST"]


def _public_partnership(slug: str) -> Partnership:
    partnership = Partnership.objects.filter(slug=slug).first()
    if partnership is None:
        raise Http404
    return partnership


def _too_many(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    response = render(
        request,
        "voice/public_too_many.html",
        {"partnership": partnership, "minutes": ratelimit.WINDOW_SECONDS // 60},
        status=429,
    )
    response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
    return response


def _received(
    request: HttpRequest, partnership: Partnership, outcome: submissions.Outcome, context: dict
) -> HttpResponse | None:
    """The page for what became of a submission; None to show the form again."""
    if outcome is submissions.Outcome.TOO_MANY:
        return _too_many(request, partnership)
    if outcome is submissions.Outcome.THANKED:
        return render(request, "voice/public_thanks.html", context)
    return None


@survivor_safe
@require_http_methods(PUBLIC_METHODS)
def feedback_form(request: HttpRequest, partnership: str) -> HttpResponse:
    partnership = _public_partnership(partnership)
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    context = {
        "partnership": partnership,
        "form": form,
        "surveys": selectors.open_surveys(partnership=partnership),
    }
    if request.method == "POST":
        outcome = submissions.receive(
            request,
            scope="feedback",
            form=form,
            keep=lambda: services.feedback_submit(
                partnership=partnership, text=form.cleaned_data["text"], today=timezone.localdate()
            ),
        )
        if (response := _received(request, partnership, outcome, context)) is not None:
            return response
    return render(request, "voice/public_feedback.html", context, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@survivor_safe
@require_http_methods(PUBLIC_METHODS)
def survey_form(request: HttpRequest, partnership: str, survey: str) -> HttpResponse:
    partnership = _public_partnership(partnership)
    found = selectors.open_survey(partnership=partnership, slug=survey)
    if found is None:
        raise Http404
    form = SurveyForm(request.POST if request.method == "POST" else None, survey=found)
    context = {"partnership": partnership, "survey": found, "form": form, "surveys": []}
    if request.method == "POST":
        outcome = submissions.receive(
            request,
            scope="survey",
            form=form,
            keep=lambda: services.survey_respond(
                survey=found, replies=form.replies(), today=timezone.localdate()
            ),
        )
        if (response := _received(request, partnership, outcome, context)) is not None:
            return response
    return render(request, "voice/public_survey.html", context, status=_status(form))


@survivor_safe
@require_safe
def you_said_we_did(request: HttpRequest, partnership: str) -> HttpResponse:
    partnership = _public_partnership(partnership)
    return render(
        request,
        "voice/public_you_said.html",
        {
            "partnership": partnership,
            "themes": selectors.published_themes(partnership=partnership),
        },
    )


# --- Staff ------------------------------------------------------------------------


@partnership_permission("voice.manage")
@require_GET
def triage_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("show", selectors.Show.NEW)
    form = TriageFilterForm(data)
    show = form.chosen() if form.is_valid() else selectors.Show.NEW
    feedback = selectors.feedback_for_triage(partnership=request.partnership, show=show)
    page = Paginator(feedback, FEEDBACK_PER_PAGE).get_page(request.GET.get("page"))
    services.feedback_list_read(
        partnership=request.partnership,
        ids=[item.pk for item in page],
        actor=request.user,
        request=request,
    )
    return render(
        request,
        "voice/triage_list.html",
        {
            "form": form,
            "page": page,
            "show": show,
            "counts": selectors.triage_counts(partnership=request.partnership),
            "route": selectors.safeguarding_route_for(partnership=request.partnership),
        },
    )


@partnership_permission("voice.manage")
@require_http_methods(["GET", "POST"])
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_for_detail(partnership=request.partnership, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = TriageForm(data, partnership=request.partnership, feedback=feedback)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_triage(
                feedback=feedback, actor=request.user, request=request, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Feedback {feedback.pk} saved.")
            return redirect(
                "voice:feedback-detail", partnership=request.partnership.slug, pk=feedback.pk
            )
    services.feedback_read(feedback=feedback, actor=request.user, request=request)
    route = selectors.safeguarding_route_for(partnership=request.partnership)
    context = {"feedback": feedback, "form": form, "route": route}
    return render(request, "voice/feedback_detail.html", context, status=_status(form))


@partnership_permission("voice.manage")
@require_GET
def theme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "voice/theme_list.html",
        {"themes": selectors.themes_for(partnership=request.partnership)},
    )


@partnership_permission("voice.manage")
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    theme = None
    if pk is not None:
        theme = selectors.theme_for_edit(partnership=request.partnership, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = ThemeForm(data, partnership=request.partnership, theme=theme)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.theme_save(
                partnership=request.partnership,
                actor=request.user,
                theme=theme,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Theme saved: {saved.name}.")
            return redirect("voice:theme-list", partnership=request.partnership.slug)
    context = {"form": form, "theme": theme}
    return render(request, "voice/theme_edit.html", context, status=_status(form))


@partnership_permission("voice.manage")
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "voice/session_list.html",
        {"sessions": selectors.sessions_for(partnership=request.partnership)},
    )


@partnership_permission("voice.manage")
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    session = None
    if pk is not None:
        session = selectors.session_for_edit(partnership=request.partnership, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, partnership=request.partnership, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_save(
                partnership=request.partnership,
                actor=request.user,
                session=session,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Session saved.")
            return redirect("voice:session-list", partnership=request.partnership.slug)
    context = {"form": form, "session": session}
    return render(request, "voice/session_edit.html", context, status=_status(form))


@partnership_permission("voice.manage")
@require_http_methods(["GET", "POST"])
def safeguarding_route(request: HttpRequest) -> HttpResponse:
    route = selectors.safeguarding_route_for(partnership=request.partnership)
    form = SafeguardingRouteForm(request.POST if request.method == "POST" else None, route=route)
    if request.method == "POST" and form.is_valid():
        try:
            services.safeguarding_route_set(
                partnership=request.partnership,
                actor=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Safeguarding route saved.")
            return redirect("voice:triage-list", partnership=request.partnership.slug)
    context = {"form": form, "route": route}
    return render(request, "voice/safeguarding_route.html", context, status=_status(form))


@partnership_permission("voice.manage")
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(selectors.surveys_for(partnership=request.partnership))
    audience = figures_viewed(request, subject="voice.Surveys")
    responses = selectors.survey_response_counts(surveys=surveys, audience=audience)
    return render(
        request,
        "voice/survey_list.html",
        {"surveys": [(survey, responses[survey.pk]) for survey in surveys]},
    )


@partnership_permission("voice.manage")
@require_POST
def survey_start(request: HttpRequest) -> HttpResponse:
    survey = services.survey_create_standard(
        partnership=request.partnership, actor=request.user, request=request
    )
    messages.success(request, f"Survey ready: {survey.title}.")
    return redirect("voice:survey-list", partnership=request.partnership.slug)


@partnership_permission("voice.manage")
@require_POST
def survey_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for_staff(partnership=request.partnership, pk=pk)
    services.survey_set_open(
        survey=survey, is_open=not survey.is_open, actor=request.user, request=request
    )
    messages.success(request, f"{survey.title} is now {'open' if survey.is_open else 'closed'}.")
    return redirect("voice:survey-list", partnership=request.partnership.slug)


@partnership_permission("voice.manage")
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_for_staff(partnership=request.partnership, pk=pk)
    period = current_period(request.partnership, timezone.localdate())
    filters = {"survey": survey.pk, "period": period.pk if period else None}
    audience = figures_viewed(request, subject="voice.SurveyResults", filters=filters)
    report = selectors.survey_report(
        partnership=request.partnership, survey=survey, period=period, audience=audience
    )
    services.survey_answers_read(
        survey=survey, count=len(report.texts), actor=request.user, request=request
    )
    return render(
        request,
        "voice/survey_results.html",
        {
            "survey": survey,
            "results": report.results,
            "exact": audience.exact,
            "texts": report.texts,
            "period": period,
            "measures": report.measures,
        },
    )

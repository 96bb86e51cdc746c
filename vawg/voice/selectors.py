"""Reading survivor voice: every query scoped to the partnership, a fixed number per page."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from vawg.core import disclosure, metrics
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Partnership, ReportingPeriod
from vawg.strategy.models import Action, Priority
from vawg.voice.models import (
    Answer,
    Feedback,
    Question,
    SafeguardingRoute,
    Session,
    Survey,
    SurveyResponse,
    Theme,
)


class Show:
    """What the triage list shows."""

    NEW = "new"
    SAFEGUARDING = "safeguarding"
    ALL = "all"
    CHOICES = [
        (NEW, "New"),
        (SAFEGUARDING, "Marked for the safeguarding route"),
        (ALL, "All feedback"),
    ]


def feedback_for_triage(*, partnership: Partnership, show: str = Show.NEW) -> QuerySet[Feedback]:
    queryset = scoped(Feedback.objects.for_triage(), partnership)
    if show == Show.NEW:
        queryset = queryset.filter(status=Feedback.Status.NEW)
    elif show == Show.SAFEGUARDING:
        queryset = queryset.filter(safeguarding=True)
    return queryset


def triage_counts(*, partnership: Partnership) -> dict[str, int]:
    """Staff see their own partnership's counts in full: these are workload, not statistics."""
    return scoped(Feedback.objects.all(), partnership).aggregate(
        new=Count("pk", filter=Q(status=Feedback.Status.NEW)),
        safeguarding=Count("pk", filter=Q(safeguarding=True)),
        all=Count("pk"),
    )


def feedback_for_detail(*, partnership: Partnership, pk: int) -> Feedback:
    return get_scoped_or_404(Feedback.objects.for_triage(), partnership, pk=pk)


def safeguarding_route_for(*, partnership: Partnership) -> SafeguardingRoute | None:
    return SafeguardingRoute.objects.filter(partnership=partnership).first()


def themes_for(*, partnership: Partnership) -> QuerySet[Theme]:
    return (
        scoped(Theme.objects.all(), partnership)
        .annotate(feedback_count=Count("feedback", distinct=True))
        .prefetch_related(_actions(), "priorities")
    )


def theme_for_edit(*, partnership: Partnership, pk: int) -> Theme:
    return get_scoped_or_404(
        Theme.objects.prefetch_related("actions", "priorities"), partnership, pk=pk
    )


def published_themes(*, partnership: Partnership) -> QuerySet[Theme]:
    """The public "you said, we did" page: published themes and the actions taken."""
    return (
        scoped(Theme.objects.filter(published=True), partnership)
        .order_by("-updated_at", "name")
        .prefetch_related(_actions(), "priorities")
    )


def _actions() -> Prefetch:
    return Prefetch("actions", queryset=Action.objects.select_related("priority").order_by("ref"))


def action_choices(*, partnership: Partnership) -> QuerySet[Action]:
    return (
        scoped(Action.objects.live(), partnership)
        .select_related("strategy", "priority")
        .order_by("strategy__start_year", "strategy_id", "priority__order", "priority_id", "order")
    )


def priority_choices(*, partnership: Partnership) -> QuerySet[Priority]:
    return (
        scoped(Priority.objects.filter(retired_at__isnull=True), partnership)
        .select_related("strategy")
        .order_by("strategy__start_year", "order")
    )


def sessions_for(*, partnership: Partnership) -> QuerySet[Session]:
    return scoped(Session.objects.prefetch_related("themes"), partnership)


def session_for_edit(*, partnership: Partnership, pk: int) -> Session:
    return get_scoped_or_404(Session.objects.prefetch_related("themes"), partnership, pk=pk)


def surveys_for(*, partnership: Partnership) -> QuerySet[Survey]:
    return scoped(Survey.objects.all(), partnership)


def survey_for_staff(*, partnership: Partnership, pk: int) -> Survey:
    return get_scoped_or_404(Survey.objects.prefetch_related("questions"), partnership, pk=pk)


def open_survey(*, partnership: Partnership, slug: str) -> Survey | None:
    return (
        scoped(Survey.objects.filter(is_open=True), partnership)
        .filter(slug=slug)
        .prefetch_related("questions")
        .first()
    )


def open_surveys(*, partnership: Partnership) -> QuerySet[Survey]:
    return scoped(Survey.objects.filter(is_open=True), partnership)


# --- Survey results ---------------------------------------------------------------
# Every count of people here is a disclosure.Tally (the exact number and its cell key,
# from the ids of the rows counted), shown through core.disclosure for its audience.

ANSWER = "voice.Answer"
FEEDBACK = "voice.Feedback"
RESPONSE = "voice.SurveyResponse"


def survey_response_counts(
    *, surveys, audience: disclosure.Audience
) -> dict[int, disclosure.Figure]:
    """How many responses each survey has had, as `audience` may see it (one query)."""
    pairs = SurveyResponse.objects.filter(survey__in=list(surveys)).values_list("survey_id", "pk")
    tallies = disclosure.tallies(RESPONSE, pairs)
    return {
        s.pk: disclosure.count(tallies.get(s.pk, disclosure.Tally(0)), audience) for s in surveys
    }


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    yes: disclosure.Figure
    no: disclosure.Figure
    not_sure: disclosure.Figure
    answered: disclosure.Figure
    percent_yes: disclosure.Figure


def _choice_tallies(answers: QuerySet[Answer]) -> dict[tuple[int, str], disclosure.Tally]:
    rows = answers.exclude(choice="").values_list("question_id", "choice", "pk")
    return disclosure.tallies(ANSWER, (((q, c), pk) for q, c, pk in rows))


def survey_results(
    *,
    survey: Survey,
    audience: disclosure.Audience,
    start: date | None = None,
    end: date | None = None,
) -> list[QuestionResult]:
    """Each yes/no question's answers as `audience` may see them, the share answering yes
    worked from the shown counts. One query, whatever the number of responses."""
    answers = Answer.objects.filter(response__survey=survey)
    if start:
        answers = answers.filter(response__received_on__gte=start)
    if end:
        answers = answers.filter(response__received_on__lte=end)
    tallies = _choice_tallies(answers)
    nobody = disclosure.Tally(0)
    results = []
    for question in survey.questions.all():
        if question.kind != Question.Kind.YES_NO:
            continue
        row = {c: tallies.get((question.pk, c), nobody) for c in Answer.Choice.values}
        # The total is the tally of all the question's answers, rounded by its own cell key
        # (not summed from the shown cells), so subtracting shown cells from it gives
        # noise, not a hidden cell.
        answered = sum(row.values(), nobody)
        cells = disclosure.counts(row, audience)
        shown_total = disclosure.count(answered, audience)
        results.append(
            QuestionResult(
                question=question,
                yes=cells[Answer.Choice.YES],
                no=cells[Answer.Choice.NO],
                not_sure=cells[Answer.Choice.NOT_SURE],
                answered=shown_total,
                percent_yes=disclosure.rate(cells[Answer.Choice.YES], shown_total),
            )
        )
    return results


def survey_text_answers(*, survey: Survey, limit: int = 50) -> list[Answer]:
    """The latest free-text answers (survivors' own words: a restricted read)."""
    return list(
        Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.TEXT)
        .select_related("response", "question")
        .order_by("-response__received_on", "-pk")[:limit]
    )


# --- The figures registered in core.metrics --------------------------------------


def topic_share(
    partnership: Partnership, period: ReportingPeriod, topic: str
) -> metrics.MetricValue:
    """Of those who answered the `topic` question in the period, the share answering yes.

    Its parts are Tallies of the answers counted (with their cell keys), so the figure
    reads the same on the scorecard as here; whoever shows it passes it through
    core.disclosure (`shown_share`).
    """
    rows = list(
        Answer.objects.filter(
            question__topic=topic,
            question__kind=Question.Kind.YES_NO,
            question__survey__partnership=partnership,
            response__received_on__gte=period.start,
            response__received_on__lte=period.end,
        )
        .exclude(choice="")
        .values_list("pk", "choice")
    )
    answered = [pk for pk, _ in rows]
    yes = [pk for pk, choice in rows if choice == Answer.Choice.YES]
    return metrics.percentage(disclosure.tally(ANSWER, yes), disclosure.tally(ANSWER, answered))


def feeling_safer(partnership: Partnership, period: ReportingPeriod) -> metrics.MetricValue:
    return topic_share(partnership, period, Question.Topic.SAFER)


def feeling_involved(partnership: Partnership, period: ReportingPeriod) -> metrics.MetricValue:
    return topic_share(partnership, period, Question.Topic.INVOLVED)


def shown_share(value: metrics.MetricValue, audience: disclosure.Audience) -> disclosure.Figure:
    """A registered share as `audience` may see it: worked from its shown parts ("not
    shown" when a part is hidden, "no data" when nobody answered)."""
    # Voice's calculators always give both parts as Tallies; none at all means no answers.
    nobody = disclosure.Tally(0)
    top = disclosure.count(value.numerator_tally or nobody, audience)
    bottom = disclosure.count(value.denominator_tally or nobody, audience)
    return disclosure.rate(top, bottom)


def feedback_received_count(
    *, partnership: Partnership, start: date, end: date, audience: disclosure.Audience
) -> disclosure.Figure:
    """How much feedback came in, as `audience` may see it (for a board or public page)."""
    ids = (
        scoped(Feedback.objects.all(), partnership)
        .filter(received_on__gte=start, received_on__lte=end)
        .values_list("pk", flat=True)
    )
    return disclosure.count(disclosure.tally(FEEDBACK, ids), audience)


def measures_of_success(
    *, partnership: Partnership, period: ReportingPeriod, audience: disclosure.Audience
) -> list[tuple[str, disclosure.Figure]]:
    """The two registered figures for `period`, as `audience` may see them: (label, figure)."""
    rows = []
    for key in ("voice.feeling_safer", "voice.feeling_involved"):
        metric = metrics.get(key)
        value = metric.compute(partnership, period)
        rows.append((metric.label, shown_share(value, audience)))
    return rows


@dataclass(frozen=True)
class SurveyReport:
    """What the staff page of a survey's results shows."""

    results: list[QuestionResult]
    # Survivors' own words: whoever shows them records the read (survey_answers_read).
    texts: list[Answer]
    # The measures of success for the current period; None when no period is current.
    measures: list[tuple[str, disclosure.Figure]] | None


def survey_report(
    *,
    partnership: Partnership,
    survey: Survey,
    period: ReportingPeriod | None,
    audience: disclosure.Audience,
) -> SurveyReport:
    """A survey's results as `audience` may see them, its latest written answers, and the
    partnership's measures of success in `period`."""
    return SurveyReport(
        results=survey_results(survey=survey, audience=audience),
        texts=survey_text_answers(survey=survey),
        measures=None
        if period is None
        else measures_of_success(partnership=partnership, period=period, audience=audience),
    )

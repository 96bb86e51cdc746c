"""Reading survivor voice: every query scoped to the partnership, a fixed number per page."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from vawg.core import metrics
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.disclosure import Figure, disclose_count, disclose_counts, disclose_rate
from vawg.core.models import Partnership, ReportingPeriod
from vawg.strategy.models import Action, Priority
from vawg.voice.models import Answer, Feedback, Question, SafeguardingRoute, Session, Survey, Theme


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
    return scoped(Survey.objects.annotate(response_count=Count("responses")), partnership)


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


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    yes: Figure
    no: Figure
    not_sure: Figure
    answered: Figure
    percent_yes: Figure


def _choice_counts(answers: QuerySet[Answer]) -> dict[tuple[int, str], int]:
    rows = answers.exclude(choice="").values("question_id", "choice").annotate(n=Count("pk"))
    return {(row["question_id"], row["choice"]): row["n"] for row in rows}


def survey_results(
    *,
    survey: Survey,
    unsuppressed: bool = False,
    start: date | None = None,
    end: date | None = None,
) -> list[QuestionResult]:
    """Each yes/no question's answers, suppressed below the disclosure threshold unless
    `unsuppressed` (the analyst role). One query, whatever the number of responses."""
    answers = Answer.objects.filter(response__survey=survey)
    if start:
        answers = answers.filter(response__received_on__gte=start)
    if end:
        answers = answers.filter(response__received_on__lte=end)
    counts = _choice_counts(answers)
    limit = 1 if unsuppressed else None
    results = []
    for question in survey.questions.all():
        if question.kind != Question.Kind.YES_NO:
            continue
        row = {c: counts.get((question.pk, c), 0) for c in Answer.Choice.values}
        # With the total shown, one hidden cell could be recovered by subtraction:
        # disclose_counts hides a second one too.
        cells, answered = disclose_counts(row, limit=limit)
        if cells[Answer.Choice.YES].suppressed:
            percent = Figure(None, cells[Answer.Choice.YES].text, suppressed=True)
        else:
            percent = disclose_rate(row[Answer.Choice.YES], sum(row.values()), limit=limit)
        results.append(
            QuestionResult(
                question=question,
                yes=cells[Answer.Choice.YES],
                no=cells[Answer.Choice.NO],
                not_sure=cells[Answer.Choice.NOT_SURE],
                answered=answered,
                percent_yes=percent,
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

    Raw counts: whoever shows the figure passes it through core.disclosure.
    """
    answers = Answer.objects.filter(
        question__topic=topic,
        question__kind=Question.Kind.YES_NO,
        question__survey__partnership=partnership,
        response__received_on__gte=period.start,
        response__received_on__lte=period.end,
    ).exclude(choice="")
    totals = answers.aggregate(yes=Count("pk", filter=Q(choice=Answer.Choice.YES)), all=Count("pk"))
    return metrics.percentage(totals["yes"], totals["all"])


def feeling_safer(partnership: Partnership, period: ReportingPeriod) -> metrics.MetricValue:
    return topic_share(partnership, period, Question.Topic.SAFER)


def feeling_involved(partnership: Partnership, period: ReportingPeriod) -> metrics.MetricValue:
    return topic_share(partnership, period, Question.Topic.INVOLVED)


def disclosed_share(value: metrics.MetricValue, *, unsuppressed: bool = False) -> Figure:
    """A registered share on its way out: suppressed when built from few answers."""
    if value.numerator is None or value.denominator is None:
        return Figure(None, "no data", suppressed=True)
    return disclose_rate(value.numerator, value.denominator, limit=1 if unsuppressed else None)


def feedback_received_count(*, partnership: Partnership, start: date, end: date) -> Figure:
    """How much feedback came in, for a public or board page (suppressed when small)."""
    n = (
        scoped(Feedback.objects.all(), partnership)
        .filter(received_on__gte=start, received_on__lte=end)
        .count()
    )
    return disclose_count(n)


def measures_of_success(
    *, partnership: Partnership, period: ReportingPeriod, unsuppressed: bool = False
) -> list[tuple[str, Figure]]:
    """The two registered figures for `period`, as they may be shown: (label, figure)."""
    rows = []
    for key in ("voice.feeling_safer", "voice.feeling_involved"):
        metric = metrics.get(key)
        value = metric.compute(partnership, period)
        rows.append((metric.label, disclosed_share(value, unsuppressed=unsuppressed)))
    return rows

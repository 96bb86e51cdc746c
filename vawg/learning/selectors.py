"""Reading partnership learning: every query scoped to the partnership, each figure from one place.

The pages, the exports and the registered figures (metrics.py) all read their
numbers from here, so a figure is worked out the same way wherever it appears.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When

from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.disclosure import threshold
from vawg.core.metrics import MetricValue, percentage
from vawg.core.models import Organisation, Partnership
from vawg.learning.models import (
    Attendance,
    CaseReview,
    Course,
    Initiative,
    LearningTheme,
    Participant,
    Recommendation,
    TrainingSession,
)

TWO_PLACES = Decimal("0.1")

# --- Training -------------------------------------------------------------------


def courses_for(*, partnership: Partnership) -> QuerySet[Course]:
    return (
        scoped(Course.objects.all(), partnership)
        .annotate(
            session_count=Count("sessions", distinct=True),
            attendance_count=Count("sessions__attendances", distinct=True),
        )
        .order_by("title", "pk")
    )


def course_for_detail(*, partnership: Partnership, pk: int) -> Course:
    sessions = TrainingSession.objects.annotate(attendance_count=Count("attendances"))
    queryset = Course.objects.prefetch_related(Prefetch("sessions", queryset=sessions), "actions")
    return get_scoped_or_404(queryset, partnership, pk=pk)


def course_get(*, partnership: Partnership, pk: int) -> Course:
    return get_scoped_or_404(Course.objects.all(), partnership, pk=pk)


def session_get(*, partnership: Partnership, pk: int) -> TrainingSession:
    return get_scoped_or_404(TrainingSession.objects.select_related("course"), partnership, pk=pk)


def attendances_for(*, session: TrainingSession) -> QuerySet[Attendance]:
    return session.attendances.select_related("organisation")


def attendance_get(*, partnership: Partnership, pk: int) -> Attendance:
    queryset = Attendance.objects.select_related("session__course", "organisation")
    return get_scoped_or_404(queryset, partnership, pk=pk)


def organisations_for(*, partnership: Partnership) -> QuerySet[Organisation]:
    return scoped(Organisation.objects.all(), partnership).order_by("name")


@dataclass(frozen=True)
class ConfidenceRow:
    """Attendance and before/after confidence for one organisation or course.

    The averages are over the attendees who answered both before and after
    ("paired"). They are shown only when enough people answered, so that one
    person's answers cannot be read off a small group (`shown`).
    """

    key: int
    label: str
    attendances: int
    paired: int
    mean_before: Decimal | None
    mean_after: Decimal | None
    shown: bool

    @property
    def improved(self) -> bool | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return self.mean_after > self.mean_before

    @property
    def change(self) -> Decimal | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return (self.mean_after - self.mean_before).quantize(TWO_PLACES)


GROUPS = {
    "organisation": ("organisation_id", "organisation__name"),
    "course": ("session__course_id", "session__course__title"),
}


def _attendances_between(partnership: Partnership, start: date | None, end: date | None):
    queryset = scoped(Attendance.objects.all(), partnership)
    if start:
        queryset = queryset.filter(session__held_on__gte=start)
    if end:
        queryset = queryset.filter(session__held_on__lte=end)
    return queryset


def confidence_by(
    *,
    partnership: Partnership,
    by: str,
    start: date | None = None,
    end: date | None = None,
    unsuppressed: bool = False,
) -> list[ConfidenceRow]:
    """Training figures per organisation or per course, for sessions held from start to end."""
    key, label = GROUPS[by]
    paired = Q(confidence_before__isnull=False, confidence_after__isnull=False)
    rows = (
        _attendances_between(partnership, start, end)
        .values(key, label)
        .annotate(
            attendances=Count("pk"),
            paired=Count("pk", filter=paired),
            mean_before=Avg("confidence_before", filter=paired),
            mean_after=Avg("confidence_after", filter=paired),
        )
        .order_by(label)
    )
    limit = threshold()
    result = []
    for row in rows:
        has_pairs = row["paired"] > 0
        result.append(
            ConfidenceRow(
                key=row[key],
                label=row[label],
                attendances=row["attendances"],
                paired=row["paired"],
                mean_before=_mean(row["mean_before"]) if has_pairs else None,
                mean_after=_mean(row["mean_after"]) if has_pairs else None,
                shown=unsuppressed or row["paired"] >= limit,
            )
        )
    return result


def _mean(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES)


def organisations_improved_confidence(
    *, partnership: Partnership, start: date | None, end: date | None
) -> MetricValue:
    """Of the organisations whose staff answered before and after, the share whose average
    confidence went up. Computed on unrounded sums, so rounding cannot tip an organisation."""
    paired = Q(confidence_before__isnull=False, confidence_after__isnull=False)
    rows = (
        _attendances_between(partnership, start, end)
        .filter(paired)
        .values("organisation_id")
        .annotate(
            before=Avg("confidence_before"),
            after=Avg("confidence_after"),
        )
    )
    answered = improved = 0
    for row in rows:
        answered += 1
        if row["after"] > row["before"]:
            improved += 1
    return percentage(improved, answered)


def attendance_count(*, partnership: Partnership, start: date | None, end: date | None) -> int:
    return _attendances_between(partnership, start, end).count()


def attendance_for_export(*, partnership: Partnership) -> QuerySet[Attendance]:
    return (
        scoped(Attendance.objects.all(), partnership)
        .select_related("session__course", "organisation")
        .order_by("-session__held_on", "session__course__title", "attendee_reference")
    )


# --- Registers ------------------------------------------------------------------


def _active_on(day: date, prefix: str = "") -> Q:
    p = prefix
    return (
        Q(**{f"{p}status": Participant.Status.ACTIVE})
        & (Q(**{f"{p}started_on__isnull": True}) | Q(**{f"{p}started_on__lte": day}))
        & (Q(**{f"{p}ended_on__isnull": True}) | Q(**{f"{p}ended_on__gt": day}))
        & (Q(**{f"{p}renewal_due__isnull": True}) | Q(**{f"{p}renewal_due__gte": day}))
    )


def initiatives_for(*, partnership: Partnership, on: date) -> QuerySet[Initiative]:
    """Each register with how many take part on `on` and how many are due for renewal."""
    return (
        scoped(Initiative.objects.all(), partnership)
        .annotate(
            active_count=Count("participants", filter=_active_on(on, "participants__")),
            participant_count=Count("participants"),
        )
        .order_by("name", "pk")
    )


def registers_with_coverage(
    *, partnership: Partnership, on: date
) -> list[tuple[Initiative, MetricValue]]:
    return [
        (initiative, coverage(initiative.active_count, initiative.coverage_denominator))
        for initiative in initiatives_for(partnership=partnership, on=on)
    ]


def initiative_for_detail(*, partnership: Partnership, pk: int, on: date) -> Initiative:
    queryset = initiatives_for(partnership=partnership, on=on).prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("organisation")),
        "actions",
    )
    return get_scoped_or_404(queryset, partnership, pk=pk)


def initiative_get(*, partnership: Partnership, pk: int) -> Initiative:
    return get_scoped_or_404(Initiative.objects.all(), partnership, pk=pk)


def participant_get(*, partnership: Partnership, pk: int) -> Participant:
    queryset = Participant.objects.select_related("initiative", "organisation")
    return get_scoped_or_404(queryset, partnership, pk=pk)


def coverage(active: int, denominator: int | None) -> MetricValue:
    """Share of those who could take part who do; no value without a denominator."""
    if not denominator:
        return MetricValue(None, active, None, "No denominator: say how many could take part")
    return percentage(active, denominator)


def coverage_for_kind(*, partnership: Partnership, kind: str, on: date) -> MetricValue:
    """Coverage across the partnership's registers of one kind (usually one register)."""
    registers = [
        i
        for i in initiatives_for(partnership=partnership, on=on).filter(kind=kind)
        if i.coverage_denominator
    ]
    if not registers:
        return MetricValue(None, None, None, "No register of this kind with a denominator")
    return percentage(
        sum(i.active_count for i in registers), sum(i.coverage_denominator for i in registers)
    )


def active_count_for_kind(*, partnership: Partnership, kind: str, on: date) -> int:
    participants = scoped(Participant.objects.all(), partnership)
    return participants.filter(initiative__kind=kind).filter(_active_on(on)).count()


def participants_due_for_renewal(*, on: date) -> QuerySet[Participant]:
    """In place, with renewal due within their register's reminder window and not yet reminded
    for that date. Across every partnership: the reminder command runs for all."""
    return (
        Participant.objects.filter(
            status=Participant.Status.ACTIVE,
            renewal_due__isnull=False,
            renewal_due__gte=on,
        )
        .exclude(reminded_for=F("renewal_due"))
        .select_related("initiative__partnership")
        .order_by("initiative__partnership_id", "renewal_due", "pk")
    )


# --- Case reviews ----------------------------------------------------------------


def _overdue(on: date, prefix: str = "") -> Q:
    """Due before `on` and not completed by then (the rule in Recommendation.is_overdue)."""
    p = prefix
    return Q(**{f"{p}due_on__lt": on}) & (
        Q(**{f"{p}completed_on__isnull": True}) | Q(**{f"{p}completed_on__gt": on})
    )


def _with_overdue(queryset: QuerySet[Recommendation], on: date) -> QuerySet[Recommendation]:
    flag = Case(
        When(_overdue(on), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return queryset.annotate(overdue=flag)


def reviews_for(*, partnership: Partnership, on: date) -> QuerySet[CaseReview]:
    return (
        scoped(CaseReview.objects.all(), partnership)
        .order_by("-commissioned_on", "reference", "pk")
        .annotate(
            recommendation_count=Count("recommendations"),
            overdue_count=Count("recommendations", filter=_overdue(on, "recommendations__")),
            embedded_count=Count(
                "recommendations",
                filter=Q(recommendations__status=Recommendation.Status.EMBEDDED),
            ),
        )
    )


def review_for_detail(*, partnership: Partnership, pk: int, on: date) -> CaseReview:
    recommendations = _with_overdue(
        Recommendation.objects.select_related("owner").prefetch_related("themes"), on
    )
    queryset = reviews_for(partnership=partnership, on=on).prefetch_related(
        Prefetch("recommendations", queryset=recommendations), "themes", "actions"
    )
    return get_scoped_or_404(queryset, partnership, pk=pk)


def review_get(*, partnership: Partnership, pk: int) -> CaseReview:
    return get_scoped_or_404(CaseReview.objects.all(), partnership, pk=pk)


def recommendation_get(*, partnership: Partnership, pk: int) -> Recommendation:
    queryset = Recommendation.objects.select_related("review", "owner")
    return get_scoped_or_404(queryset, partnership, pk=pk)


def recommendations_for(
    *, partnership: Partnership, on: date, overdue_only: bool = False, owner: int | None = None
) -> QuerySet[Recommendation]:
    queryset = (
        _with_overdue(scoped(Recommendation.objects.all(), partnership), on)
        .select_related("review", "owner")
        .prefetch_related("themes")
        .order_by("due_on", "review__reference", "number")
    )
    if overdue_only:
        queryset = queryset.filter(_overdue(on))
    if owner:
        queryset = queryset.filter(owner_id=owner)
    return queryset


def themes_for(*, partnership: Partnership, on: date) -> QuerySet[LearningTheme]:
    """Each theme with the reviews and recommendations that carry it, and their progress."""
    return (
        scoped(LearningTheme.objects.all(), partnership)
        .annotate(
            review_count=Count("reviews", distinct=True),
            recommendation_count=Count("recommendations", distinct=True),
            embedded_count=Count(
                "recommendations",
                filter=Q(recommendations__status=Recommendation.Status.EMBEDDED),
                distinct=True,
            ),
            overdue_count=Count(
                "recommendations", filter=_overdue(on, "recommendations__"), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch("reviews", queryset=CaseReview.objects.order_by("reference")),
        )
        .order_by("-recommendation_count", "name")
    )


def recommendations_embedded(*, partnership: Partnership, on: date) -> MetricValue:
    """Of the recommendations due by `on`, the share shown to be embedded by then."""
    due = scoped(Recommendation.objects.all(), partnership).filter(due_on__lte=on)
    return percentage(due.filter(embedded_on__lte=on).count(), due.count())


def recommendations_overdue(*, partnership: Partnership, on: date) -> MetricValue:
    """Of the recommendations due by `on`, the share past due and not completed on `on`."""
    due = scoped(Recommendation.objects.all(), partnership).filter(due_on__lte=on)
    return percentage(due.overdue_on(on).count(), due.count())

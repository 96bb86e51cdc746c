"""Reading partnership learning: every query scoped to the partnership, each figure from one place.

The pages, the exports and the registered figures (metrics.py) all read their
numbers from here, so a figure is worked out the same way wherever it appears.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.disclosure import Figure, disclose_count, disclose_counts, threshold
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

# "% improved" counts an organisation only when at least this many of its staff answered both
# before and after: one or two people's answers are too few to say an organisation improved.
MIN_STAFF_FOR_IMPROVED = 3


# --- Disclosure -------------------------------------------------------------------
# Counts of people (attendances, death reviews) pass through core.disclosure for everyone
# without figures.unsuppressed; analysts see the exact numbers (docs/disclosure-control.md).


def _exact(count: int) -> Figure:
    return Figure(count, f"{count:,}")


def shown_count(count: int, *, unsuppressed: bool) -> Figure:
    return _exact(count) if unsuppressed else disclose_count(count)


def shown_counts(counts: dict, *, unsuppressed: bool, with_total: bool = True):
    """Cells (and their total) as Figures: suppressed, with secondary suppression, unless
    the viewer may see exact figures."""
    if unsuppressed:
        total = _exact(sum(counts.values())) if with_total else None
        return {key: _exact(n) for key, n in counts.items()}, total
    return disclose_counts(counts, with_total=with_total)


def _current(on: date | None = None, prefix: str = "") -> Q:
    """Not retired (by `on`, when given: a register retired later still counted on `on`)."""
    if on is None:
        return Q(**{f"{prefix}retired_on__isnull": True})
    return Q(**{f"{prefix}retired_on__isnull": True}) | Q(**{f"{prefix}retired_on__gt": on})


# --- Training -------------------------------------------------------------------


def courses_for(*, partnership: Partnership, retired: bool = False) -> QuerySet[Course]:
    """The current courses, or the retired ones."""
    return (
        scoped(Course.objects.filter(retired_on__isnull=not retired), partnership)
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
    # The two counts as they may be shown to this viewer (core.disclosure).
    attendances_shown: Figure | None = None
    paired_shown: Figure | None = None

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


@dataclass(frozen=True)
class ConfidenceTable:
    rows: list[ConfidenceRow]
    total: Figure


def confidence_table(
    *,
    partnership: Partnership,
    by: str,
    start: date | None = None,
    end: date | None = None,
    unsuppressed: bool = False,
) -> ConfidenceTable:
    """Training figures per organisation or per course, for sessions held from start to end.

    The attendance cells and their total are disclosed together, so that one small
    organisation cannot be worked out as the total less the others.
    """
    key, label = GROUPS[by]
    paired = Q(confidence_before__isnull=False, confidence_after__isnull=False)
    rows = list(
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
    cells, total = shown_counts(
        {row[key]: row["attendances"] for row in rows}, unsuppressed=unsuppressed
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
                attendances_shown=cells[row[key]],
                paired_shown=shown_count(row["paired"], unsuppressed=unsuppressed),
            )
        )
    return ConfidenceTable(result, total)


def confidence_by(**kwargs) -> list[ConfidenceRow]:
    return confidence_table(**kwargs).rows


def _mean(value) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES)


@dataclass(frozen=True)
class ImprovedConfidence:
    """The "% improved" figure and its basis, to show beside it."""

    figure: MetricValue
    counted: int  # organisations with at least `minimum` staff answering both
    left_out: int  # organisations with some, but fewer, staff answering both
    minimum: int = MIN_STAFF_FOR_IMPROVED


def improved_confidence(
    *, partnership: Partnership, start: date | None, end: date | None
) -> ImprovedConfidence:
    """Of the organisations where at least MIN_STAFF_FOR_IMPROVED staff answered before and
    after, the share whose average confidence went up. Computed on unrounded averages, so
    rounding cannot tip an organisation; an unchanged average has not improved."""
    paired = Q(confidence_before__isnull=False, confidence_after__isnull=False)
    rows = (
        _attendances_between(partnership, start, end)
        .filter(paired)
        .values("organisation_id")
        .annotate(
            # People, not attendances: someone at two sessions is one member of staff.
            staff=Count(Lower("attendee_reference"), distinct=True),
            before=Avg("confidence_before"),
            after=Avg("confidence_after"),
        )
    )
    counted = improved = left_out = 0
    for row in rows:
        if row["staff"] < MIN_STAFF_FOR_IMPROVED:
            left_out += 1
            continue
        counted += 1
        if row["after"] > row["before"]:
            improved += 1
    return ImprovedConfidence(percentage(improved, counted), counted, left_out)


def organisations_improved_confidence(
    *, partnership: Partnership, start: date | None, end: date | None
) -> MetricValue:
    return improved_confidence(partnership=partnership, start=start, end=end).figure


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


def initiatives_for(
    *, partnership: Partnership, on: date, retired: bool | None = False
) -> QuerySet[Initiative]:
    """Each register with how many take part on `on`: the current ones, the retired ones, or
    (retired=None) all."""
    queryset = Initiative.objects.all()
    if retired is not None:
        queryset = queryset.filter(retired_on__isnull=not retired)
    return (
        scoped(queryset, partnership)
        .annotate(
            active_count=Count("participants", filter=_active_on(on, "participants__")),
            participant_count=Count("participants"),
        )
        .order_by("name", "pk")
    )


def registers_with_coverage(
    *, partnership: Partnership, on: date, retired: bool = False
) -> list[tuple[Initiative, MetricValue]]:
    return [
        (initiative, coverage(initiative.active_count, initiative.coverage_denominator))
        for initiative in initiatives_for(partnership=partnership, on=on, retired=retired)
    ]


def initiative_for_detail(*, partnership: Partnership, pk: int, on: date) -> Initiative:
    queryset = initiatives_for(partnership=partnership, on=on, retired=None).prefetch_related(
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
        for i in initiatives_for(partnership=partnership, on=on, retired=None).filter(
            _current(on), kind=kind
        )
        if i.coverage_denominator
    ]
    if not registers:
        return MetricValue(None, None, None, "No register of this kind with a denominator")
    return percentage(
        sum(i.active_count for i in registers), sum(i.coverage_denominator for i in registers)
    )


def active_count_for_kind(*, partnership: Partnership, kind: str, on: date) -> int:
    participants = scoped(Participant.objects.all(), partnership)
    participants = participants.filter(_current(on, "initiative__"), initiative__kind=kind)
    return participants.filter(_active_on(on)).count()


def participants_due_for_renewal(*, on: date) -> QuerySet[Participant]:
    """In place, with renewal due within their register's reminder window and not yet reminded
    for that date. Across every partnership: the reminder command runs for all."""
    return (
        Participant.objects.filter(
            initiative__retired_on__isnull=True,
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


def reviews_for(
    *, partnership: Partnership, on: date, retired: bool | None = False
) -> QuerySet[CaseReview]:
    """The current reviews, the retired ones, or (retired=None) all."""
    queryset = CaseReview.objects.all()
    if retired is not None:
        queryset = queryset.filter(retired_on__isnull=not retired)
    return (
        scoped(queryset, partnership)
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
    queryset = reviews_for(partnership=partnership, on=on, retired=None).prefetch_related(
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
        .filter(review__retired_on__isnull=True)
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
    due = _due_by(partnership, on)
    return percentage(due.filter(embedded_on__lte=on).count(), due.count())


def recommendations_overdue(*, partnership: Partnership, on: date) -> MetricValue:
    """Of the recommendations due by `on`, the share past due and not completed on `on`."""
    due = _due_by(partnership, on)
    return percentage(due.overdue_on(on).count(), due.count())


def _due_by(partnership: Partnership, on: date) -> QuerySet[Recommendation]:
    """Recommendations due by `on`, of reviews not retired by then."""
    recommendations = scoped(Recommendation.objects.all(), partnership)
    return recommendations.filter(_current(on, "review__"), due_on__lte=on)


def review_counts(*, partnership: Partnership, unsuppressed: bool):
    """The current reviews by type, DHRs and DARDRs together as death reviews, with a total.

    A death review is a death: through core.disclosure unless the viewer is an analyst."""
    kinds = CaseReview.Kind
    groups = {
        "Domestic homicide and domestic abuse related death reviews": (kinds.DHR, kinds.DARDR),
        "Safeguarding Adult Reviews": (kinds.SAR,),
        "Child Safeguarding Practice Reviews": (kinds.CSPR,),
    }
    reviews = scoped(CaseReview.objects.filter(retired_on__isnull=True), partnership)
    found = dict(reviews.values_list("kind").annotate(n=Count("pk")).order_by())
    counts = {label: sum(found.get(k, 0) for k in members) for label, members in groups.items()}
    return shown_counts(counts, unsuppressed=unsuppressed)


# --- Strategy actions -----------------------------------------------------------------


@dataclass(frozen=True)
class ActionLearning:
    courses: list[Course]
    registers: list[Initiative]
    reviews: list[CaseReview]

    def __bool__(self) -> bool:
        return bool(self.courses or self.registers or self.reviews)


def learning_for_action(action) -> ActionLearning:
    """The current courses, registers and case reviews linked to one strategy action.

    Three small queries. The action is already scoped to the viewer's partnership by the
    strategy page; the filter on partnership is belt and braces.
    """
    partnership_id = action.strategy.partnership_id
    return ActionLearning(
        courses=list(
            action.learning_courses.filter(
                partnership_id=partnership_id, retired_on__isnull=True
            ).order_by("title")
        ),
        registers=list(
            action.learning_initiatives.filter(
                partnership_id=partnership_id, retired_on__isnull=True
            ).order_by("name")
        ),
        reviews=list(
            action.case_reviews.filter(
                partnership_id=partnership_id, retired_on__isnull=True
            ).order_by("-commissioned_on", "reference")
        ),
    )


def session_counts_by_organisation(*, session: TrainingSession) -> dict[str, int]:
    rows = (
        session.attendances.values_list("organisation__name")
        .annotate(n=Count("pk"))
        .order_by("organisation__name")
    )
    return dict(rows)

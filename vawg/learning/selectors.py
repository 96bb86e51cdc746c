"""Reading partnership learning: every query scoped to the partnership, each figure from one place.

The pages, the exports and the registered figures (metrics.py) all read their
numbers from here, so a figure is worked out the same way wherever it appears.

Counts of people (training attendances, staff answering the confidence questions,
case reviews, each about someone who died or was seriously harmed) are Tallies of
the records counted, shown only through core.disclosure for the viewer's audience
(docs/disclosure-control.md). Counts that are about no one (courses, sessions,
registers, recommendations, organisations) are shown as they are.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Avg, BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from vawg.core import disclosure
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.disclosure import Audience, Figure, Tally
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
    RecommendationQuerySet,
    TrainingSession,
)

if TYPE_CHECKING:
    # Typing only: at run time it takes the model alone.
    from django_stubs_ext import WithAnnotations

ONE_PLACE = Decimal("0.1")

# "% improved" counts an organisation only when at least this many of its staff answered both
# before and after: one or two people's answers are too few to say an organisation improved.
MIN_STAFF_FOR_IMPROVED = 3

# The records counted, for their cell keys (core.disclosure.tally).
ATTENDANCE = "learning.Attendance"


# --- Figures --------------------------------------------------------------------------


def _sum(tallies: Iterable[Tally]) -> Tally:
    """The tally of the union of disjoint groups (the same as tallying their records)."""
    return sum(tallies, Tally(0))


@dataclass(frozen=True)
class Counts:
    """Cells of a table of counts of people, and their total, as the viewer may see them.

    Each cell is decided on its own (core.disclosure rounds every cell by its cell key), so
    no cell can be worked out as the total less the others."""

    cells: dict
    total: Figure


def _counts(tallies: dict, audience: Audience) -> Counts:
    return Counts(
        disclosure.counts(tallies, audience), disclosure.count(_sum(tallies.values()), audience)
    )


@dataclass(frozen=True)
class Share:
    """A percentage as it is shown, with the two figures it is worked out from, and why
    there is none (`note`) when there is nothing to work it out from."""

    percent: Figure
    part: Figure
    whole: Figure
    note: str = ""


def _share(part: Figure, whole: Figure, why_none: str) -> Share:
    percent = disclosure.rate(part, whole)
    return Share(percent, part, whole, why_none if percent.text == disclosure.NO_DATA else "")


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
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("title", "pk")
    )


def course_rows(
    *, partnership: Partnership, audience: Audience, retired: bool = False
) -> list[tuple[Course, Figure]]:
    """The courses (current or retired), each with its attendances as the viewer may see them."""
    courses = list(courses_for(partnership=partnership, retired=retired))
    attendances = scoped(Attendance.objects.all(), partnership).filter(
        session__course__retired_on__isnull=not retired
    )
    tallies = disclosure.tallies(
        ATTENDANCE,
        attendances.values_list("session__course_id", "pk"),
        groups=[course.pk for course in courses],
    )
    cells = disclosure.counts(tallies, audience)
    return [(course, cells[course.pk]) for course in courses]


def course_for_detail(*, partnership: Partnership, pk: int) -> Course:
    queryset = Course.objects.prefetch_related("sessions", "actions")
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
    """Attendances and before/after confidence for one organisation or course, as the viewer
    may see them.

    The averages are over the attendees who answered both before and after (`paired`). They
    are given only when the number of those people is shown: an average over a group the
    viewer sees as "fewer than 5" could give one person's answers away, so it is not shown.
    """

    key: int
    label: str
    attendances: Figure
    paired: Figure
    mean_before: int | Decimal | None = None
    mean_after: int | Decimal | None = None

    @property
    def answered(self) -> bool:
        """Someone answered both (a count shown as "fewer than 5" is more than none)."""
        return self.paired.value != 0

    @property
    def shown(self) -> bool:
        return self.mean_before is not None and self.mean_after is not None

    @property
    def improved(self) -> bool | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return self.mean_after > self.mean_before

    @property
    def change(self) -> Decimal | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return Decimal(self.mean_after - self.mean_before).quantize(ONE_PLACE)


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


@dataclass
class _Group:
    label: str
    ids: list
    paired: list
    before: int = 0
    after: int = 0


def _confidence(attendances: QuerySet[Attendance], by: str, audience: Audience) -> ConfidenceTable:
    """Attendances and confidence per organisation or course, from the rows themselves: each
    count is the tally of the attendances in it, so it reads the same on every page."""
    key, label = GROUPS[by]
    groups: dict[int, _Group] = {}
    rows = attendances.values_list(key, label, "pk", "confidence_before", "confidence_after")
    for group, name, pk, before, after in rows.order_by(label, key, "pk"):
        found = groups.setdefault(group, _Group(name, [], []))
        found.ids.append(pk)
        if before is not None and after is not None:
            found.paired.append(pk)
            found.before += before
            found.after += after
    result, everyone = [], []
    for group, found in groups.items():
        everyone.extend(found.ids)
        paired = disclosure.count(disclosure.tally(ATTENDANCE, found.paired), audience)
        n = len(found.paired)
        # Averages over those who answered both, shown only when how many did is shown.
        means = {
            name: disclosure.mean(score, n, paired).value
            for name, score in (("mean_before", found.before), ("mean_after", found.after))
        }
        attendances_shown = disclosure.count(disclosure.tally(ATTENDANCE, found.ids), audience)
        result.append(ConfidenceRow(group, found.label, attendances_shown, paired, **means))
    total = disclosure.count(disclosure.tally(ATTENDANCE, everyone), audience)
    return ConfidenceTable(result, total)


def confidence_table(
    *,
    partnership: Partnership,
    by: str,
    audience: Audience,
    start: date | None = None,
    end: date | None = None,
) -> ConfidenceTable:
    """Training figures per organisation or per course, for sessions held from start to end."""
    return _confidence(_attendances_between(partnership, start, end), by, audience)


def confidence_by(**kwargs) -> list[ConfidenceRow]:
    return confidence_table(**kwargs).rows


@dataclass(frozen=True)
class CourseFigures:
    """A course's attendance and confidence, and its sessions with their attendances."""

    figures: ConfidenceRow | None
    sessions: list[tuple[TrainingSession, Figure]]
    total: Figure


def course_figures(*, course: Course, audience: Audience) -> CourseFigures:
    attendances = Attendance.objects.filter(session__course=course)
    rows = _confidence(attendances, "course", audience).rows
    sessions = list(course.sessions.all())
    counted = _counts(
        disclosure.tallies(
            ATTENDANCE,
            attendances.values_list("session_id", "pk"),
            groups=[session.pk for session in sessions],
        ),
        audience,
    )
    return CourseFigures(
        rows[0] if rows else None,
        [(session, counted.cells[session.pk]) for session in sessions],
        counted.total,
    )


def session_attendance(*, session: TrainingSession, audience: Audience) -> Counts:
    """A session's attendances by organisation, with the total, as the viewer may see them."""
    rows = session.attendances.values_list("organisation__name", "pk")
    return _counts(
        disclosure.tallies(ATTENDANCE, rows.order_by("organisation__name", "pk")), audience
    )


@dataclass(frozen=True)
class ImprovedConfidence:
    """The "% improved" figure and its basis, to show beside it."""

    figure: MetricValue  # for the scorecard
    share: Share  # for the page
    counted: int  # organisations with at least `minimum` staff answering both
    left_out: int  # organisations with some, but fewer, staff answering both
    minimum: int = MIN_STAFF_FOR_IMPROVED


def improved_confidence(
    *, partnership: Partnership, start: date | None, end: date | None
) -> ImprovedConfidence:
    """Of the organisations where at least MIN_STAFF_FOR_IMPROVED staff answered before and
    after, the share whose average confidence went up. Computed on unrounded averages, so
    rounding cannot tip an organisation; an unchanged average has not improved.

    A count of organisations, not of people: shown as it is. The minimum of staff is what
    keeps one or two people's answers from deciding an organisation's result."""
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
    share = _share(
        disclosure.as_is(improved),
        disclosure.as_is(counted),
        f"No organisation had {MIN_STAFF_FOR_IMPROVED} or more staff answer both",
    )
    return ImprovedConfidence(percentage(improved, counted), share, counted, left_out)


def organisations_improved_confidence(
    *, partnership: Partnership, start: date | None, end: date | None
) -> MetricValue:
    return improved_confidence(partnership=partnership, start=start, end=end).figure


def attendance_tally(*, partnership: Partnership, start: date | None, end: date | None) -> Tally:
    """The attendances at sessions held from start to end (people: a Tally)."""
    ids = _attendances_between(partnership, start, end).values_list("pk", flat=True)
    return disclosure.tally(ATTENDANCE, ids)


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


class InitiativeCounts(TypedDict):
    active_count: int
    participant_count: int


def initiatives_for(
    *, partnership: Partnership, on: date, retired: bool | None = False
) -> "QuerySet[WithAnnotations[Initiative, InitiativeCounts]]":
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
) -> list[tuple[Initiative, Share]]:
    return [
        (initiative, coverage_share(initiative.active_count, initiative.coverage_denominator))
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


NO_DENOMINATOR = "No denominator: say how many could take part"


def coverage(active: int, denominator: int | None) -> MetricValue:
    """Share of those who could take part who do; no value without a denominator."""
    if not denominator:
        return MetricValue(None, active, None, NO_DENOMINATOR)
    return percentage(active, denominator)


def coverage_share(active: int, denominator: int | None) -> Share:
    """The coverage as a page shows it (participants are organisations, schools and venues,
    not people: shown as they are)."""
    return _share(disclosure.as_is(active), disclosure.as_is(denominator or 0), NO_DENOMINATOR)


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
        sum(i.active_count for i in registers),
        sum(i.coverage_denominator or 0 for i in registers),
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


def _reviews(partnership: Partnership, retired: bool | None) -> QuerySet[CaseReview]:
    queryset = CaseReview.objects.all()
    if retired is not None:
        queryset = queryset.filter(retired_on__isnull=not retired)
    return scoped(queryset, partnership)


def reviews_for(
    *, partnership: Partnership, on: date, retired: bool | None = False
) -> QuerySet[CaseReview]:
    """The current reviews, the retired ones, or (retired=None) all."""
    return (
        _reviews(partnership, retired)
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


def _due_by(partnership: Partnership, on: date) -> RecommendationQuerySet:
    """Recommendations due by `on`, of reviews not retired by then."""
    recommendations = scoped(Recommendation.objects.all(), partnership)
    return recommendations.filter(_current(on, "review__"), due_on__lte=on)


# A case review is a published review, listed one by one (by its reference) to every
# member of the partnership: a count of reviews says nothing the list does not, so it is
# shown as it is, like the plan's actions (docs/disclosure-control.md). DHRs and DARDRs
# (one kind under its old and new name) are counted together as death reviews.
REVIEW_KINDS = {
    "Domestic homicide and domestic abuse related death reviews": (
        CaseReview.Kind.DHR,
        CaseReview.Kind.DARDR,
    ),
    "Safeguarding Adult Reviews": (CaseReview.Kind.SAR,),
    "Child Safeguarding Practice Reviews": (CaseReview.Kind.CSPR,),
}
_KIND_GROUP: dict[str, str] = {
    kind: label for label, kinds in REVIEW_KINDS.items() for kind in kinds
}


def review_counts(*, partnership: Partnership) -> Counts:
    """The current reviews by kind (death reviews together), with the total."""
    found = dict.fromkeys(REVIEW_KINDS, 0)
    kinds = _reviews(partnership, retired=False).values_list("kind", flat=True).order_by()
    for kind in kinds:
        found[_KIND_GROUP[kind]] += 1
    cells = {label: disclosure.as_is(n) for label, n in found.items()}
    return Counts(cells, disclosure.as_is(sum(found.values())))


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


def overdue_recommendation_count(*, partnership: Partnership, on: date) -> int:
    """The recommendations of current reviews overdue on `on`: the list's own count."""
    return recommendations_for(partnership=partnership, on=on, overdue_only=True).count()


# --- For reports ------------------------------------------------------------------------


def recommendations_due(*, partnership: Partnership, on: date, until: date) -> list[Recommendation]:
    """Case-review recommendations of current reviews still open on `on` and due by `until`
    (the overdue ones first): what the board is asked to watch. Each carries `overdue`."""
    open_on = Q(completed_on__isnull=True) | Q(completed_on__gt=on)
    return list(
        recommendations_for(partnership=partnership, on=on)
        .filter(open_on, due_on__lte=until)
        .order_by("due_on", "review__reference", "number")
    )

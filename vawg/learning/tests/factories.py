"""Small factories for learning tests: just the objects a test needs, all synthetic."""

import itertools
from datetime import date

from vawg.core.models import Organisation, Partnership
from vawg.core.testing import make_organisation
from vawg.learning.models import (
    Attendance,
    CaseReview,
    Course,
    Initiative,
    Participant,
    Recommendation,
    TrainingSession,
)

_seq = itertools.count(1)


def _organisation(partnership: Partnership) -> Organisation:
    return partnership.organisations.order_by("pk").first() or make_organisation(partnership)


def make_course(partnership: Partnership, title: str | None = None, **extra) -> Course:
    return Course.objects.create(
        partnership=partnership, title=title or f"VAWG awareness {next(_seq)}", **extra
    )


def make_session(
    partnership: Partnership | None = None, *, course: Course | None = None, **extra
) -> TrainingSession:
    course = course or make_course(partnership)
    extra.setdefault("held_on", date(2025, 6, 12))
    extra.setdefault("trainer", "Community Safety training team")
    extra.setdefault("format", TrainingSession.Format.IN_PERSON)
    return TrainingSession.objects.create(course=course, **extra)


def make_attendance(
    session: TrainingSession,
    reference: str | None = None,
    *,
    organisation: Organisation | None = None,
    before: int | None = None,
    after: int | None = None,
) -> Attendance:
    return Attendance.objects.create(
        session=session,
        attendee_reference=reference or f"REF-{next(_seq):04}",
        organisation=organisation or _organisation(session.course.partnership),
        confidence_before=before,
        confidence_after=after,
    )


def make_initiative(partnership: Partnership, name: str | None = None, **extra) -> Initiative:
    extra.setdefault("kind", Initiative.Kind.WHITE_RIBBON)
    return Initiative.objects.create(
        partnership=partnership, name=name or f"Register {next(_seq)}", **extra
    )


def make_participant(initiative: Initiative, name: str | None = None, **extra) -> Participant:
    extra.setdefault("status", Participant.Status.ACTIVE)
    return Participant.objects.create(
        initiative=initiative, name=name or f"Participant {next(_seq)}", **extra
    )


def make_review(partnership: Partnership, reference: str | None = None, **extra) -> CaseReview:
    extra.setdefault("kind", CaseReview.Kind.DARDR)
    extra.setdefault("status", CaseReview.Status.IN_PROGRESS)
    extra.setdefault("commissioned_on", date(2024, 5, 1))
    return CaseReview.objects.create(
        partnership=partnership, reference=reference or f"DARDR 2024/{next(_seq):02}", **extra
    )


def make_recommendation(review: CaseReview, number: str | None = None, **extra) -> Recommendation:
    extra.setdefault("text", "Embed routine enquiry in health visiting.")
    extra.setdefault("due_on", date(2025, 3, 31))
    extra.setdefault("owner", _organisation(review.partnership))
    return Recommendation.objects.create(review=review, number=number or str(next(_seq)), **extra)

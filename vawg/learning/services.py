"""Writes to partnership learning. Every write validates, runs in a transaction and is audited.

Audit entries name the object by id and list which fields changed, never their
values: an attendee reference or a recommendation's text stays out of the trail.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse

from vawg.accounts.models import Membership
from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.models import Organisation, Partnership
from vawg.core.permissions import PERMISSIONS
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
from vawg.learning.selectors import participants_due_for_renewal


def _check_actions(actions, partnership: Partnership) -> None:
    if any(a.strategy.partnership_id != partnership.pk for a in actions):
        raise ValidationError({"actions": "Choose actions from this partnership's strategies."})


# The models retired rather than deleted, each with its own partnership.
R = TypeVar("R", Course, Initiative, CaseReview)
M = TypeVar("M", bound=Model)


@transaction.atomic
def _write(
    obj: M,
    *,
    fields: dict,
    actor,
    partnership: Partnership,
    summary: str,
    request: HttpRequest | None = None,
    m2m: dict | None = None,
) -> M:
    """Set `fields` (and many-to-many `m2m`) on `obj`, validate, save and audit."""
    created = obj.pk is None
    # getattr with a default: an unset foreign key raises (an AttributeError) rather than answer.
    changed = sorted(n for n, value in fields.items() if getattr(obj, n, None) != value)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        if values is None:
            continue
        if name == "actions":
            _check_actions(values, partnership)
        if created or set(getattr(obj, name).all()) != set(values):
            changed.append(name)
        getattr(obj, name).set(values)
    record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=obj,
        summary=summary,
        detail={"fields": changed},
        request=request,
    )
    return obj


def _refuse_if_retired(parent, what: str) -> None:
    if parent.is_retired:
        raise ValidationError(f"This {what} has been retired: restore it before adding to it.")


@transaction.atomic
def retire(*, obj: R, actor, on: date, request: HttpRequest | None = None) -> R:
    """Retire a course, register or case review: kept with its history, no longer current."""
    # Lock and re-read, so two admins retiring at once record one retirement.
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    obj.retired_on = locked.retired_on
    if obj.is_retired:
        return obj
    obj.retired_on = on
    obj.save(update_fields=["retired_on"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=obj.partnership_id,
        obj=obj,
        summary=f"Retired a {obj._meta.verbose_name}",
        detail={"fields": ["retired_on"], "retired_on": on.isoformat()},
        request=request,
    )
    return obj


@transaction.atomic
def restore(*, obj: R, actor, request: HttpRequest | None = None) -> R:
    """Undo a retirement; the audit trail keeps both."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    obj.retired_on = retired_on = locked.retired_on
    if retired_on is None:
        return obj
    obj.retired_on = None
    obj.save(update_fields=["retired_on"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=obj.partnership_id,
        obj=obj,
        summary=f"Restored a retired {obj._meta.verbose_name}",
        detail={"fields": ["retired_on"], "was_retired_on": retired_on.isoformat()},
        request=request,
    )
    return obj


# --- Training -------------------------------------------------------------------


def course_save(
    *,
    partnership: Partnership,
    actor,
    course: Course | None = None,
    title: str,
    description: str = "",
    co_produced: bool = False,
    actions=None,
    request: HttpRequest | None = None,
) -> Course:
    course = course or Course(partnership=partnership)
    fields = {"title": title.strip(), "description": description, "co_produced": co_produced}
    summary = "Added a training course" if course.pk is None else "Changed a training course"
    return _write(
        course,
        fields=fields,
        actor=actor,
        partnership=partnership,
        summary=summary,
        request=request,
        m2m={"actions": actions},
    )


def session_save(
    *,
    course: Course,
    actor,
    session: TrainingSession | None = None,
    held_on: date,
    trainer: str,
    format: str,
    request: HttpRequest | None = None,
) -> TrainingSession:
    if session is None:
        _refuse_if_retired(course, "course")
    session = session or TrainingSession(course=course)
    summary = "Added a training session" if session.pk is None else "Changed a training session"
    return _write(
        session,
        fields={"held_on": held_on, "trainer": trainer.strip(), "format": format},
        actor=actor,
        partnership=course.partnership,
        summary=summary,
        request=request,
    )


def attendance_record(
    *,
    session: TrainingSession,
    actor,
    attendee_reference: str,
    organisation: Organisation,
    confidence_before: int | None = None,
    confidence_after: int | None = None,
    request: HttpRequest | None = None,
) -> Attendance:
    """Record one attendee; the same reference again updates their row, never adds a second."""
    reference = attendee_reference.strip()
    attendance = session.attendances.filter(attendee_reference__iexact=reference).first()
    attendance = attendance or Attendance(session=session)
    summary = "Recorded training attendance" if attendance.pk is None else "Changed attendance"
    return _write(
        attendance,
        fields={
            "attendee_reference": reference,
            "organisation": organisation,
            "confidence_before": confidence_before,
            "confidence_after": confidence_after,
        },
        actor=actor,
        partnership=session.course.partnership,
        summary=summary,
        request=request,
    )


@transaction.atomic
def attendance_remove(*, attendance: Attendance, actor, request: HttpRequest | None = None) -> None:
    partnership_id = attendance.session.course.partnership_id
    record(
        action=AuditAction.DELETE,
        actor=actor,
        partnership=partnership_id,
        obj=attendance,
        summary="Removed training attendance",
        detail={"session_id": attendance.session_id},
        request=request,
    )
    attendance.delete()


# --- Registers ------------------------------------------------------------------


def initiative_save(
    *,
    partnership: Partnership,
    actor,
    initiative: Initiative | None = None,
    name: str,
    kind: str,
    description: str = "",
    coverage_denominator: int | None = None,
    coverage_of: str = "",
    reminder_days: int = 60,
    actions=None,
    request: HttpRequest | None = None,
) -> Initiative:
    initiative = initiative or Initiative(partnership=partnership)
    summary = "Added a register" if initiative.pk is None else "Changed a register"
    return _write(
        initiative,
        fields={
            "name": name.strip(),
            "kind": kind,
            "description": description,
            "coverage_denominator": coverage_denominator,
            "coverage_of": coverage_of.strip(),
            "reminder_days": reminder_days,
        },
        actor=actor,
        partnership=partnership,
        summary=summary,
        request=request,
        m2m={"actions": actions},
    )


def participant_save(
    *,
    initiative: Initiative,
    actor,
    participant: Participant | None = None,
    name: str,
    organisation: Organisation | None = None,
    status: str,
    started_on: date | None = None,
    renewal_due: date | None = None,
    ended_on: date | None = None,
    request: HttpRequest | None = None,
) -> Participant:
    if participant is None:
        _refuse_if_retired(initiative, "register")
    participant = participant or Participant(initiative=initiative)
    summary = "Added a register participant" if participant.pk is None else "Changed a participant"
    return _write(
        participant,
        fields={
            "name": name.strip(),
            "organisation": organisation,
            "status": status,
            "started_on": started_on,
            "renewal_due": renewal_due,
            "ended_on": ended_on,
        },
        actor=actor,
        partnership=initiative.partnership,
        summary=summary,
        request=request,
    )


@dataclass(frozen=True)
class RemindersSent:
    emails: int
    participants: int


@transaction.atomic
def renewal_reminders_send(*, on: date) -> RemindersSent:
    """Email each partnership's admins how many register entries fall due for renewal.

    Idempotent: each participant is reminded once per renewal date, so running the
    command again (or twice a day from cron) sends nothing new. The email holds a
    count and a link, no names of organisations or people.
    """
    horizon = on + timedelta(days=365)
    due = participants_due_for_renewal(on=on).filter(renewal_due__lte=horizon)
    by_partnership: dict[int, list[Participant]] = {}
    partnerships: dict[int, Partnership] = {}
    for participant in due.select_for_update(of=("self",)):
        due_on = participant.renewal_due
        if due_on is None or due_on > on + timedelta(days=participant.initiative.reminder_days):
            continue
        partnership = participant.initiative.partnership
        partnerships[partnership.pk] = partnership
        by_partnership.setdefault(partnership.pk, []).append(participant)
    managers = PERMISSIONS["learning.manage"]
    emails = 0
    for partnership_id, participants in by_partnership.items():
        partnership = partnerships[partnership_id]
        recipients = sorted(
            set(
                Membership.objects.active()
                .filter(partnership_id=partnership_id, role__in=managers)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        link = settings.SITE_URL.rstrip("/") + reverse(
            "learning:register-list", kwargs={"partnership": partnership.slug}
        )
        count = len(participants)
        subject = "Register entries due for renewal"
        body = (
            f"{count} register {'entry is' if count == 1 else 'entries are'} due for renewal "
            f"soon.\n\nSign in to see which: {link}\n"
        )
        if recipients:
            transaction.on_commit(partial(send_mail, subject, body, None, recipients))
            emails += 1
        for participant in participants:
            participant.reminded_for = participant.renewal_due
        Participant.objects.bulk_update(participants, ["reminded_for"])
        record(
            action=AuditAction.UPDATE,
            partnership=partnership_id,
            object_type="learning.Participant",
            summary="Sent renewal reminders",
            detail={"participants": [p.pk for p in participants], "recipients": len(recipients)},
        )
    return RemindersSent(emails, sum(len(p) for p in by_partnership.values()))


# --- Case reviews ----------------------------------------------------------------


def themes_from_names(*, partnership: Partnership, names: list[str]) -> list[LearningTheme]:
    """The partnership's themes with these names, adding any that are new."""
    themes = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        theme = scoped_theme(partnership, name)
        if theme is None:
            theme = LearningTheme(partnership=partnership, name=name[:100])
            theme.full_clean()
            theme.save()
        themes.append(theme)
    return themes


def scoped_theme(partnership: Partnership, name: str) -> LearningTheme | None:
    return LearningTheme.objects.filter(partnership=partnership, name__iexact=name).first()


def review_save(
    *,
    partnership: Partnership,
    actor,
    review: CaseReview | None = None,
    reference: str,
    kind: str,
    status: str,
    commissioned_on: date,
    completed_on: date | None = None,
    published_on: date | None = None,
    report_url: str = "",
    themes: list[str] | None = None,
    actions=None,
    request: HttpRequest | None = None,
) -> CaseReview:
    review = review or CaseReview(partnership=partnership)
    summary = "Added a case review" if review.pk is None else "Changed a case review"
    with transaction.atomic():
        theme_objects = (
            None if themes is None else themes_from_names(partnership=partnership, names=themes)
        )
        return _write(
            review,
            fields={
                "reference": reference.strip(),
                "kind": kind,
                "status": status,
                "commissioned_on": commissioned_on,
                "completed_on": completed_on,
                "published_on": published_on,
                "report_url": report_url.strip(),
            },
            actor=actor,
            partnership=partnership,
            summary=summary,
            request=request,
            m2m={"themes": theme_objects, "actions": actions},
        )


def recommendation_save(
    *,
    review: CaseReview,
    actor,
    recommendation: Recommendation | None = None,
    number: str,
    text: str,
    owner: Organisation,
    due_on: date,
    status: str = Recommendation.Status.OPEN,
    completed_on: date | None = None,
    embedded_on: date | None = None,
    evidence: str = "",
    themes: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Recommendation:
    if recommendation is None:
        _refuse_if_retired(review, "case review")
    recommendation = recommendation or Recommendation(review=review)
    created = recommendation.pk is None
    summary = "Added a review recommendation" if created else "Changed a review recommendation"
    with transaction.atomic():
        theme_objects = (
            None
            if themes is None
            else themes_from_names(partnership=review.partnership, names=themes)
        )
        return _write(
            recommendation,
            fields={
                "number": number.strip(),
                "text": text.strip(),
                "owner": owner,
                "due_on": due_on,
                "status": status,
                "completed_on": completed_on,
                "embedded_on": embedded_on,
                "evidence": evidence.strip(),
            },
            actor=actor,
            partnership=review.partnership,
            summary=summary,
            request=request,
            m2m={"themes": theme_objects},
        )


def choices_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice's value and label, folded, to the value: imports accept either."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        lookup[label.casefold()] = value
    return lookup

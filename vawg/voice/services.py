"""Writes to survivor voice: every rule lives here, every staff write is audited.

Anonymous public submissions are not written to the audit trail: the trail
would add the exact moment of a submission, which the feedback itself keeps
only to the day, and there is no actor to hold to account.
"""

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.models import Partnership
from vawg.strategy.models import Action, Priority
from vawg.voice.models import (
    ANSWER_MAX,
    FEEDBACK_MAX,
    Answer,
    Feedback,
    Question,
    SafeguardingRoute,
    Session,
    Survey,
    SurveyResponse,
    Theme,
)
from vawg.voice.validation import clean_public_text

# --- The public side -----------------------------------------------------------


def feedback_submit(*, partnership: Partnership, text: str, today: date) -> Feedback:
    """Keep one anonymous message. Nothing about the sender is stored."""
    text = clean_public_text(text, max_length=FEEDBACK_MAX, what="feedback", required=True)
    return Feedback.objects.create(partnership=partnership, received_on=today, text=text)


@dataclass(frozen=True)
class Reply:
    """One answer as the survey form gives it: a choice, free text, or neither (skipped)."""

    choice: str = ""
    text: str = ""


@transaction.atomic
def survey_respond(*, survey: Survey, replies: Mapping[int, Reply], today: date) -> SurveyResponse:
    """Keep one anonymous response. `replies` maps question pk to Reply; every question
    may be skipped, but a response with no answer at all is refused."""
    if not survey.is_open:
        raise ValidationError("This survey has closed.")
    questions = {q.pk: q for q in survey.questions.all()}
    unknown = set(replies) - set(questions)
    if unknown:
        raise ValidationError("The answers do not match this survey's questions.")
    answers = []
    for pk, reply in replies.items():
        question = questions[pk]
        if question.kind == Question.Kind.YES_NO:
            if reply.choice and reply.choice not in Answer.Choice.values:
                raise ValidationError(f"Choose yes, no or not sure for “{question.text}”.")
            if reply.choice:
                answers.append(Answer(question=question, choice=reply.choice))
        else:
            text = clean_public_text(
                reply.text, max_length=ANSWER_MAX, what="answer", required=False
            )
            if text:
                answers.append(Answer(question=question, text=text))
    if not answers:
        raise ValidationError("Answer at least one question before you send the survey.")
    response = SurveyResponse.objects.create(survey=survey, received_on=today)
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    return response


# --- Staff: triage -------------------------------------------------------------


def _own(partnership: Partnership, items: Iterable, path: str, what: str) -> list:
    """Refuse anything belonging to another partnership (forms scope choices; this is the rule)."""
    items = list(items)
    for item in items:
        owner = item
        for part in path.split("__"):
            owner = getattr(owner, part)
        if owner.pk != partnership.pk:
            raise ValidationError(f"Choose {what} of this partnership.")
    return items


def _check_links(
    partnership: Partnership, *, themes=(), actions=(), priorities=()
) -> tuple[list, list, list]:
    return (
        _own(partnership, themes, "partnership", "themes"),
        _own(partnership, actions, "strategy__partnership", "actions"),
        _own(partnership, priorities, "strategy__partnership", "priorities"),
    )


@transaction.atomic
def feedback_triage(
    *,
    feedback: Feedback,
    actor,
    status: str,
    safeguarding: bool,
    themes: Iterable[Theme] = (),
    actions: Iterable[Action] = (),
    priorities: Iterable[Priority] = (),
    note: str = "",
    request: HttpRequest | None = None,
) -> Feedback:
    """Record the triage: status, safeguarding mark, themes and the actions and priorities
    it bears on. Marking for the safeguarding route is recorded with who and when."""
    feedback = Feedback.objects.select_for_update(of=("self",)).get(pk=feedback.pk)
    if status not in Feedback.Status.values:
        raise ValidationError({"status": "Choose new, triaged or closed."})
    partnership = feedback.partnership
    themes, actions, priorities = _check_links(
        partnership, themes=themes, actions=actions, priorities=priorities
    )
    newly_marked = safeguarding and not feedback.safeguarding
    if newly_marked:
        feedback.safeguarding_marked_at = timezone.now()
        feedback.safeguarding_marked_by = actor
    elif not safeguarding:
        feedback.safeguarding_marked_at = None
        feedback.safeguarding_marked_by = None
        feedback.safeguarding_notified_at = None
    unmarked = feedback.safeguarding and not safeguarding
    feedback.safeguarding = safeguarding
    feedback.status = status
    feedback.triage_note = (note or "").strip()
    feedback.full_clean(exclude=["text"])
    feedback.save()
    feedback.themes.set(themes)
    feedback.actions.set(actions)
    feedback.priorities.set(priorities)
    summary = "Triaged survivor feedback"
    if newly_marked:
        summary = "Marked survivor feedback for the safeguarding route"
    elif unmarked:
        summary = "Removed survivor feedback from the safeguarding route"
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=feedback,
        summary=summary,
        detail={
            "status": status,
            "safeguarding": safeguarding,
            "theme_ids": sorted(t.pk for t in themes),
            "action_ids": sorted(a.pk for a in actions),
            "priority_ids": sorted(p.pk for p in priorities),
        },
        request=request,
    )
    if newly_marked:
        # After commit, so the worker sees the mark; the email goes from the task worker,
        # so a slow or failing mail server never holds up (or undoes) the triage.
        from vawg.voice.tasks import notify_safeguarding_contact

        feedback_id, actor_id = feedback.pk, getattr(actor, "pk", None)
        transaction.on_commit(lambda: notify_safeguarding_contact.enqueue(feedback_id, actor_id))
    return feedback


SAFEGUARDING_SUBJECT = "Survivor feedback needs attention"


def safeguarding_email_body(*, partnership: Partnership, link: str) -> str:
    """Only that an item needs attention, and where: no feedback text, nothing personal."""
    return (
        f"An item of anonymous survivor feedback for {partnership.name} has been marked "
        "for the safeguarding route and needs attention.\n\n"
        f"Sign in to read it and follow the route: {link}\n\n"
        "This email does not include what was written.\n"
    )


@transaction.atomic
def safeguarding_notify(*, feedback_id: int, actor_id: int | None = None) -> bool:
    """Email the route's mailbox that feedback marked for the route needs attention.
    Sends at most once per mark (a task delivered twice sends once), nothing if the mark
    was removed meanwhile or the route has no mailbox. True if an email was sent."""
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or not feedback.safeguarding or feedback.safeguarding_notified_at:
        return False
    partnership = feedback.partnership
    route = SafeguardingRoute.objects.filter(partnership=partnership).first()
    if route is None or not route.notify_email:
        return False
    link = settings.SITE_URL.rstrip("/") + reverse(
        "voice:feedback-detail", kwargs={"partnership": partnership.slug, "pk": feedback.pk}
    )
    # Inside the transaction: if sending fails, the mark stays unsent and the task can retry.
    send_mail(
        SAFEGUARDING_SUBJECT,
        safeguarding_email_body(partnership=partnership, link=link),
        None,
        [route.notify_email],
    )
    feedback.safeguarding_notified_at = timezone.now()
    feedback.save(update_fields=["safeguarding_notified_at"])
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=feedback,
        summary="Emailed the safeguarding route's mailbox that feedback needs attention",
        detail={"recipients": 1},
    )
    return True


def feedback_read(*, feedback: Feedback, actor, request: HttpRequest | None = None) -> None:
    """What a survivor wrote is a restricted record: every reading is on the trail."""
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=feedback.partnership_id,
        obj=feedback,
        summary="Read survivor feedback",
        request=request,
    )


def feedback_list_read(
    *, partnership: Partnership, ids: list[int], actor, request: HttpRequest | None = None
) -> None:
    """The triage list shows the start of each message: one event for the page read."""
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=partnership,
        object_type=Feedback._meta.label,
        summary=f"Read the survivor feedback triage list ({len(ids)} items)",
        detail={"feedback_ids": ids},
        request=request,
    )


# --- Staff: themes, sessions, the safeguarding route ----------------------------


@transaction.atomic
def theme_save(
    *,
    partnership: Partnership,
    actor,
    name: str,
    you_said: str = "",
    we_did: str = "",
    published: bool = False,
    actions: Iterable[Action] = (),
    priorities: Iterable[Priority] = (),
    theme: Theme | None = None,
    request: HttpRequest | None = None,
) -> Theme:
    """Create or change a theme and its "you said, we did" response."""
    _, actions, priorities = _check_links(partnership, actions=actions, priorities=priorities)
    created = theme is None
    if theme is None:
        theme = Theme(partnership=partnership)
    elif theme.partnership_id != partnership.pk:
        raise ValidationError("This theme belongs to another partnership.")
    theme.name = (name or "").strip()
    theme.you_said = (you_said or "").strip()
    theme.we_did = (we_did or "").strip()
    theme.published = published
    errors = {}
    if published and not theme.you_said:
        errors["you_said"] = "Enter what survivors said before you publish this theme."
    if published and not theme.we_did:
        errors["we_did"] = "Enter what the partnership did before you publish this theme."
    if (
        Theme.objects.filter(partnership=partnership, name__iexact=theme.name)
        .exclude(pk=theme.pk)
        .exists()
    ):
        errors["name"] = f"There is already a theme called “{theme.name}”."
    if errors:
        raise ValidationError(errors)
    theme.full_clean(validate_constraints=False)
    theme.save()
    theme.actions.set(actions)
    theme.priorities.set(priorities)
    record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=theme,
        summary=f"{'Added' if created else 'Changed'} a survivor voice theme",
        detail={
            "published": published,
            "action_ids": sorted(a.pk for a in actions),
            "priority_ids": sorted(p.pk for p in priorities),
        },
        request=request,
    )
    return theme


@transaction.atomic
def session_save(
    *,
    partnership: Partnership,
    actor,
    kind: str,
    held_on: date,
    title: str,
    summary: str,
    attendance: int | None = None,
    themes: Iterable[Theme] = (),
    session: Session | None = None,
    request: HttpRequest | None = None,
) -> Session:
    """Record a forum, panel or consultation session: what was discussed, by theme."""
    themes = _own(partnership, themes, "partnership", "themes")
    created = session is None
    if session is None:
        session = Session(partnership=partnership)
    elif session.partnership_id != partnership.pk:
        raise ValidationError("This session belongs to another partnership.")
    session.kind = kind
    session.held_on = held_on
    session.title = (title or "").strip()
    session.summary = (summary or "").strip()
    session.attendance = attendance
    session.full_clean()
    session.save()
    session.themes.set(themes)
    record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=session,
        summary=f"{'Recorded' if created else 'Changed'} a session: {session.get_kind_display()}",
        detail={"kind": kind, "theme_ids": sorted(t.pk for t in themes)},
        request=request,
    )
    return session


@transaction.atomic
def safeguarding_route_set(
    *,
    partnership: Partnership,
    actor,
    text: str,
    contact: str,
    notify_email: str = "",
    request: HttpRequest | None = None,
) -> SafeguardingRoute:
    route = SafeguardingRoute.objects.filter(partnership=partnership).first()
    created = route is None
    route = route or SafeguardingRoute(partnership=partnership)
    route.text = (text or "").strip()
    route.contact = (contact or "").strip()
    route.notify_email = (notify_email or "").strip()
    route.full_clean()
    route.save()
    record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        partnership=partnership,
        obj=route,
        summary="Set the safeguarding route for survivor feedback",
        detail={"notify": bool(route.notify_email)},
        request=request,
    )
    return route


# --- Surveys ---------------------------------------------------------------------

Q = Question
STANDARD_QUESTIONS: list[tuple[str, str, str, str]] = [
    (Q.Kind.YES_NO, Q.Topic.SAFER, "Do you feel safer than before you got support?", ""),
    (Q.Kind.YES_NO, Q.Topic.BELIEVED, "Did you feel believed?", ""),
    (Q.Kind.YES_NO, Q.Topic.SUPPORTED, "Did you feel supported?", ""),
    (
        Q.Kind.YES_NO,
        Q.Topic.INVOLVED,
        "Do you feel involved in decisions about services?",
        "For example, asked for your views on how services are run.",
    ),
    (
        Q.Kind.TEXT,
        Q.Topic.WHAT_WOULD_HELP,
        "What would help?",
        "Do not include your name, or anything that could identify you or someone else.",
    ),
]
STANDARD_SLUG = "how-did-we-do"


@transaction.atomic
def survey_create_standard(
    *, partnership: Partnership, actor=None, request: HttpRequest | None = None
) -> Survey:
    """The partnership's short survey with the fixed questions (idempotent)."""
    survey, created = Survey.objects.get_or_create(
        partnership=partnership,
        slug=STANDARD_SLUG,
        defaults={
            "title": "How did we do?",
            "intro": "Five short questions about the support you had. Every one is optional.",
        },
    )
    if created:
        Question.objects.bulk_create(
            Question(survey=survey, order=n, kind=kind, topic=topic, text=text, hint=hint)
            for n, (kind, topic, text, hint) in enumerate(STANDARD_QUESTIONS, start=1)
        )
        record(
            action=AuditAction.CREATE,
            actor=actor,
            partnership=partnership,
            obj=survey,
            summary="Started the survivor survey",
            request=request,
        )
    return survey


def survey_set_open(
    *, survey: Survey, is_open: bool, actor, request: HttpRequest | None = None
) -> Survey:
    survey.is_open = is_open
    survey.save(update_fields=["is_open"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=survey.partnership_id,
        obj=survey,
        summary="Opened the survivor survey" if is_open else "Closed the survivor survey",
        request=request,
    )
    return survey


def survey_answers_read(
    *, survey: Survey, count: int, actor, request: HttpRequest | None = None
) -> None:
    """Free-text answers are survivors' own words: reading them is on the trail."""
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=survey.partnership_id,
        obj=survey,
        summary=f"Read the survivor survey's free-text answers ({count})",
        request=request,
    )


# --- Retention and key rotation ---------------------------------------------------


@dataclass(frozen=True)
class RetentionResult:
    cutoff: date
    feedback: int
    answers: int


def _months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def retention_apply(*, months: int, today: date) -> RetentionResult:
    """Delete closed feedback, and blank written answers, received before the cutoff.
    One audit event per partnership records how many (never what they said)."""
    cutoff = _months_before(today, months)
    old_feedback = Feedback.objects.filter(
        received_on__lt=cutoff, status=Feedback.Status.CLOSED, safeguarding=False
    )
    by_partnership: dict[int, int] = {}
    for partnership_id in old_feedback.values_list("partnership_id", flat=True):
        by_partnership[partnership_id] = by_partnership.get(partnership_id, 0) + 1
    deleted = old_feedback.count()
    old_feedback.delete()
    old_answers = Answer.objects.filter(
        response__received_on__lt=cutoff, question__kind=Question.Kind.TEXT
    )
    blanked = 0
    for answer in old_answers.only("pk", "text"):
        if answer.text:
            answer.text = ""
            answer.save(update_fields=["text"])
            blanked += 1
    for partnership_id, count in by_partnership.items():
        record(
            action=AuditAction.DELETE,
            partnership=partnership_id,
            object_type=Feedback._meta.label,
            summary=f"Retention: deleted {count} closed feedback received before {cutoff}",
            detail={"count": count, "cutoff": cutoff.isoformat()},
        )
    return RetentionResult(cutoff=cutoff, feedback=deleted, answers=blanked)

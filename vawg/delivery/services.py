"""Writes for action plan delivery: posting, reviewing and evidencing progress updates.

Who may act on an action is decided here, once: an action lead only for actions
their organisation leads, a workstream chair only for their workstream's
priorities, a partnership admin for all. Every write is audited and keeps a version.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from vawg.accounts.models import Membership
from vawg.audit.services import Action as AuditAction
from vawg.audit.services import record
from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.permissions import Role
from vawg.delivery import uploads
from vawg.delivery.models import (
    Evidence,
    MeasureAchievement,
    ProgressUpdate,
    Status,
    UpdateState,
    UpdateVersion,
)
from vawg.strategy.models import Action, ActionLead, PlanChange, Quirk

COMMENTARY_MAX = 5000
IMPORTED_APPROVAL = "Imported as approved from the partnership's spreadsheet."
# Reminders go out, and show on "My actions", this many days before a deadline.
REMINDER_DAYS = 14
STALE_MESSAGE = (
    "Someone else changed this update while you were editing it (it is now at version "
    "{current}; you started from version {given}). Your changes have not been saved. "
    "Open the update again to see the latest version, then make your changes."
)


class StaleUpdate(ValidationError):
    """The update moved on since the person opened it: their save is refused, not applied."""


# --- Who may do what ----------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What one user may do on actions of one partnership, read once per request."""

    admin: bool = False
    lead_organisations: frozenset[int] = field(default_factory=frozenset)
    workstreams: frozenset[int] = field(default_factory=frozenset)

    def may_update(self, action: Action) -> bool:
        if action.retired_at is not None:
            return False
        if self.admin:
            return True
        return any(lead.organisation_id in self.lead_organisations for lead in action.leads.all())

    def may_review(self, action: Action) -> bool:
        if self.admin:
            return True
        return action.priority.workstream_id in self.workstreams

    def may_see_evidence(self, action: Action) -> bool:
        return self.admin or self.may_update(action) or self.may_review(action)


def standing_for(user, partnership: Partnership) -> Standing:
    rows = Membership.objects.active().filter(user=user, partnership=partnership)
    admin = False
    organisations, workstreams = set(), set()
    for role, organisation_id, workstream_id in rows.values_list(
        "role", "organisation_id", "workstream_id"
    ):
        if role == Role.PARTNERSHIP_ADMIN:
            admin = True
        elif role == Role.ACTION_LEAD and organisation_id:
            organisations.add(organisation_id)
        elif role == Role.WORKSTREAM_CHAIR and workstream_id:
            workstreams.add(workstream_id)
    return Standing(admin, frozenset(organisations), frozenset(workstreams))


# --- Periods ------------------------------------------------------------------


def periods_open(partnership: Partnership, today: date) -> list[ReportingPeriod]:
    """Periods taking updates today: started, and their deadline not yet passed."""
    return list(
        partnership.reporting_periods.filter(start__lte=today, update_deadline__gte=today).order_by(
            "update_deadline"
        )
    )


def period_due(partnership: Partnership, today: date) -> ReportingPeriod | None:
    """The period whose updates are due next: the open one with the earliest deadline,
    else the latest one started."""
    open_periods = periods_open(partnership, today)
    if open_periods:
        return open_periods[0]
    return partnership.reporting_periods.filter(start__lte=today).order_by("-start").first()


def period_reported(partnership: Partnership, today: date) -> ReportingPeriod | None:
    """The latest period whose deadline has passed: the round a board reviews. Before any
    deadline has passed, the period due."""
    closed = (
        partnership.reporting_periods.filter(update_deadline__lt=today).order_by("-start").first()
    )
    return closed or period_due(partnership, today)


# A deadline later than this after its quarter ends would leave a round open into the next.
LATEST_DEADLINE_DAYS = 90


@transaction.atomic
def period_deadline_set(
    *, period: ReportingPeriod, deadline: date, actor, request: HttpRequest | None = None
) -> ReportingPeriod:
    """Move the date a quarter's updates are due by (for example, two weeks before the
    board meets), audited. On or after the quarter's last day, and no more than
    LATEST_DEADLINE_DAYS after it."""
    if deadline < period.end:
        raise ValidationError(
            {
                "update_deadline": "The deadline must be on or after the quarter's last day, "
                f"{period.end:%-d %B %Y}."
            }
        )
    latest = period.end + timedelta(days=LATEST_DEADLINE_DAYS)
    if deadline > latest:
        raise ValidationError(
            {
                "update_deadline": f"The deadline must be within {LATEST_DEADLINE_DAYS} days of "
                f"the quarter's end, by {latest:%-d %B %Y}."
            }
        )
    before = period.update_deadline
    if deadline == before:
        return period
    period.update_deadline = deadline
    period.save(update_fields=["update_deadline"])
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=period.partnership,
        obj=period,
        summary=f"Moved the update deadline for {period.label} to {deadline:%-d %B %Y}",
        detail={"from": before.isoformat(), "to": deadline.isoformat()},
        request=request,
    )
    return period


def _check_period(action: Action, period: ReportingPeriod, today: date) -> None:
    if period.partnership_id != action.strategy.partnership_id:
        raise ValidationError({"period": "Choose a reporting period of this partnership."})
    if period.start > today:
        raise ValidationError(
            {"period": f"{period.label} has not started yet: report on it once it has."}
        )


# --- Posting an update ---------------------------------------------------------


@dataclass
class UpdateInput:
    status: str
    commentary: str = ""
    commentary_public: bool = False
    next_milestone: str = ""
    next_milestone_date: date | None = None
    # measure id -> what was achieved against it
    achievements: dict[int, str] = field(default_factory=dict)


def _snapshot(update: ProgressUpdate) -> dict:
    return {
        "status": update.status,
        "state": update.state,
        "commentary": update.commentary,
        "commentary_public": update.commentary_public,
        "next_milestone": update.next_milestone,
        "next_milestone_date": (
            update.next_milestone_date.isoformat() if update.next_milestone_date else None
        ),
        "achievements": {str(a.measure_id): a.text for a in update.achievements.all()},
        "review_comment": update.review_comment,
    }


def _keep_version(update: ProgressUpdate, event: str, actor) -> UpdateVersion:
    return UpdateVersion.objects.create(
        update=update,
        number=update.version,
        event=event,
        state=update.state,
        status=update.status,
        snapshot=_snapshot(update),
        actor=actor,
    )


def _locked(update_id: int) -> ProgressUpdate:
    return ProgressUpdate.objects.select_for_update(of=("self",)).get(pk=update_id)


def _check_version(update: ProgressUpdate, given: int) -> None:
    if update.version != given:
        raise StaleUpdate(STALE_MESSAGE.format(current=update.version, given=given))


def update_input_problems(data: UpdateInput) -> dict[str, str]:
    """What is wrong with an update as written, whichever action it is for, keyed by field:
    the rules the progress-update form and the spreadsheet import both answer to."""
    errors = {}
    if data.status not in Status.values:
        errors["status"] = (
            "Choose the action's status: complete, on track, at risk, off track or not started."
        )
    if len(data.commentary) > COMMENTARY_MAX:
        errors["commentary"] = f"Commentary must be {COMMENTARY_MAX} characters or fewer."
    if data.status in (Status.AT_RISK, Status.OFF_TRACK) and not data.commentary.strip():
        errors["commentary"] = "Say why the action is at risk or off track, and what is being done."
    if data.commentary_public and not data.commentary.strip():
        errors["commentary_public"] = "There is no commentary to publish: write some first."
    return errors


def _validate_input(action: Action, data: UpdateInput) -> None:
    errors = update_input_problems(data)
    measure_ids = {m.pk for m in action.measures.all()}
    unknown = set(data.achievements) - measure_ids
    if unknown:
        errors["__all__"] = "An achievement names a measure that is not this action's."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_save(
    *,
    action: Action,
    period: ReportingPeriod,
    actor,
    standing: Standing,
    data: UpdateInput,
    version: int,
    submit: bool,
    approve: bool = False,
    kept_as: str = "",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ProgressUpdate:
    """Save the action's update for `period` as a draft, or submit it for review.

    `version` is the version the person started from (0 for a new update); if the
    update has moved on since, nothing is saved and ValidationError says so.
    `approve` (with `submit`) approves it as it is saved: for an admin importing updates
    the workstream has already agreed. `kept_as` names the version kept ("imported").
    """
    if action.retired_at is not None:
        raise PermissionDenied("This action has been retired: it takes no more updates.")
    if not standing.may_update(action):
        raise PermissionDenied("You may only update actions your organisation leads.")
    today = today or timezone.localdate()
    _check_period(action, period, today)
    _validate_input(action, data)

    existing = ProgressUpdate.objects.filter(action=action, period=period).first()
    if existing is None:
        if version != 0:
            raise StaleUpdate(STALE_MESSAGE.format(current=0, given=version))
        update = ProgressUpdate(action=action, period=period, version=1)
        event = "created"
        try:
            with transaction.atomic():
                _apply(update, data, actor)
                update.save()
        except IntegrityError:
            # Someone else created this period's update a moment ago.
            raise StaleUpdate(STALE_MESSAGE.format(current=1, given=0)) from None
    else:
        update = _locked(existing.pk)
        _check_version(update, version)
        if not update.editable:
            raise ValidationError(
                f"This update is {update.get_state_display().lower()} and can no longer be changed."
            )
        update.version += 1
        event = "edited"
        _apply(update, data, actor)
        update.save()

    created = event == "created"
    _save_achievements(update, data.achievements)
    if submit:
        update.state = UpdateState.SUBMITTED
        update.submitted_at = timezone.now()
        update.save(update_fields=["state", "submitted_at"])
        event = "submitted"
    if approve:
        if not (submit and standing.may_review(action)):
            raise PermissionDenied("You may only approve updates for your workstream's priorities.")
        update.state = UpdateState.APPROVED
        update.reviewed_by, update.reviewed_at = actor, timezone.now()
        update.review_comment = IMPORTED_APPROVAL
        update.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
    event = kept_as or event
    _keep_version(update, event, actor)
    record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        partnership=action.strategy.partnership_id,
        obj=update,
        summary=f"Progress update {event} for action {action.ref}, {period.label}",
        detail={"version": update.version, "state": update.state, "status": update.status},
        request=request,
    )
    return update


def _apply(update: ProgressUpdate, data: UpdateInput, actor) -> None:
    update.status = data.status
    update.commentary = data.commentary.strip()
    update.commentary_public = data.commentary_public
    update.next_milestone = data.next_milestone.strip()
    update.next_milestone_date = data.next_milestone_date
    update.author = actor
    if update.state == UpdateState.RETURNED:
        update.state = UpdateState.DRAFT
    update.full_clean(exclude=["action", "period", "author", "reviewed_by"])


def _save_achievements(update: ProgressUpdate, achievements: dict[int, str]) -> None:
    kept = {a.measure_id: a for a in update.achievements.all()}
    for measure_id, text in achievements.items():
        text = (text or "").strip()
        found = kept.get(measure_id)
        if not text:
            if found:
                found.delete()
        elif found is None:
            MeasureAchievement.objects.create(update=update, measure_id=measure_id, text=text)
        elif found.text != text:
            found.text = text
            found.save(update_fields=["text"])


# --- Reviewing -----------------------------------------------------------------


class Decision:
    APPROVE = "approve"
    RETURN = "return"


@transaction.atomic
def update_review(
    *,
    update: ProgressUpdate,
    actor,
    standing: Standing,
    decision: str,
    comment: str,
    version: int,
    publish_commentary: bool | None = None,
    request: HttpRequest | None = None,
) -> ProgressUpdate:
    """A chair approves or returns a submitted update. Returning needs a comment."""
    if not standing.may_review(update.action):
        raise PermissionDenied("You may only review updates for your workstream's priorities.")
    locked = _locked(update.pk)
    _check_version(locked, version)
    if locked.state != UpdateState.SUBMITTED:
        raise ValidationError(
            f"This update is {locked.get_state_display().lower()}: only an update awaiting "
            "review can be approved or returned."
        )
    if locked.author_id == actor.pk:
        raise ValidationError("You wrote this update, so someone else must review it.")
    comment = (comment or "").strip()
    if decision == Decision.RETURN and not comment:
        raise ValidationError({"comment": "Say what needs to change before this is approved."})
    if decision not in (Decision.APPROVE, Decision.RETURN):
        raise ValidationError({"decision": "Choose to approve the update or return it."})
    locked.state = UpdateState.APPROVED if decision == Decision.APPROVE else UpdateState.RETURNED
    locked.review_comment = comment
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    if publish_commentary is not None and locked.commentary.strip():
        locked.commentary_public = publish_commentary
    locked.version += 1
    locked.save()
    _keep_version(locked, "approved" if decision == Decision.APPROVE else "returned", actor)
    record(
        action=AuditAction.UPDATE,
        actor=actor,
        partnership=update.action.strategy.partnership_id,
        obj=locked,
        summary=f"Progress update {locked.get_state_display().lower()}: action "
        f"{update.action.ref}, {update.period.label}",
        detail={"version": locked.version, "state": locked.state},
        request=request,
    )
    return locked


# --- Evidence ------------------------------------------------------------------


def _check_evidence_allowed(update: ProgressUpdate, standing: Standing) -> None:
    if not standing.may_update(update.action):
        raise PermissionDenied("You may only add evidence to actions your organisation leads.")
    if not update.editable:
        raise ValidationError(
            f"This update is {update.get_state_display().lower()}: evidence can no longer be "
            "added or removed."
        )


@transaction.atomic
def evidence_add(
    *,
    update: ProgressUpdate,
    actor,
    standing: Standing,
    title: str,
    url: str = "",
    upload=None,
    request: HttpRequest | None = None,
) -> Evidence:
    """Add a link or a file. A file is checked by its content (type, size, structure)
    before anything is stored; a refused file leaves nothing behind."""
    _check_evidence_allowed(update, standing)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter a title for the evidence."})
    if bool(url) == bool(upload):
        raise ValidationError({"__all__": "Give either a link or a file, not both or neither."})
    evidence = Evidence(update=update, title=title[:200], added_by=actor)
    if url:
        evidence.kind = Evidence.Kind.LINK
        evidence.url = url
        evidence.full_clean(exclude=["update", "added_by", "file"])
        evidence.save()
    else:
        checked = uploads.check_upload(upload)
        evidence.kind = Evidence.Kind.FILE
        evidence.original_name = checked.name
        evidence.content_type = checked.content_type
        evidence.size = checked.size
        upload.seek(0)
        evidence.file.save(checked.name, upload, save=False)
        try:
            evidence.save()
        except Exception:
            # Nothing stored for a refused or failed save.
            evidence.file.delete(save=False)
            raise
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=update.action.strategy.partnership_id,
        obj=evidence,
        summary=f"Evidence ({evidence.kind}) added to the update for {update.action.ref}",
        detail={"update_id": update.pk, "size": evidence.size},
        request=request,
    )
    return evidence


@transaction.atomic
def evidence_remove(
    *, evidence: Evidence, actor, standing: Standing, request: HttpRequest | None = None
) -> None:
    _check_evidence_allowed(evidence.update, standing)
    name = evidence.file.name if evidence.file else ""
    pk = evidence.pk
    evidence.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
    record(
        action=AuditAction.DELETE,
        actor=actor,
        partnership=evidence.update.action.strategy.partnership_id,
        object_type=Evidence._meta.label,
        object_id=pk,
        summary=f"Evidence removed from the update for {evidence.update.action.ref}",
        request=request,
    )


def evidence_read(
    *, evidence: Evidence, actor, standing: Standing, request: HttpRequest | None = None
):
    """Open an evidence file for download: a restricted read, so it is audited."""
    if not standing.may_see_evidence(evidence.update.action):
        raise PermissionDenied("Evidence is for the action's leads and reviewers.")
    record(
        action=AuditAction.READ_RESTRICTED,
        actor=actor,
        partnership=evidence.update.action.strategy.partnership_id,
        obj=evidence,
        summary=f"Evidence file downloaded for {evidence.update.action.ref}",
        request=request,
    )
    return evidence.file.open("rb")


# --- Assigning a lead -----------------------------------------------------------


@transaction.atomic
def action_lead_assign(
    *, action: Action, organisation, actor, request: HttpRequest | None = None
) -> ActionLead:
    """Name an organisation as the action's lead (kept when the source file is reloaded)."""
    if organisation.partnership_id != action.strategy.partnership_id:
        raise ValidationError({"organisation": "Choose an organisation of this partnership."})
    existing = action.leads.filter(organisation=organisation).first()
    if existing:
        return existing
    order = (action.leads.aggregate(m=Max("order"))["m"] or 0) + 1
    lead = ActionLead.objects.create(
        action=action,
        order=order,
        name_as_written=organisation.name,
        organisation=organisation,
        from_source=False,
    )
    # The source's silence is now answered: resolve, not delete, its quirk, so that
    # reloading the strategy file keeps both the lead and the record of the gap.
    action.quirks.filter(code=Quirk.Code.NO_LEAD, resolved_at__isnull=True).update(
        resolved_at=timezone.now(),
        resolved_by_id=actor.pk,
        resolution_note=f"Lead organisation assigned in the app: {organisation.name}.",
    )
    PlanChange.objects.create(
        strategy=action.strategy,
        kind=PlanChange.Kind.LEAD_ASSIGNED,
        object_type="action",
        object_id=action.pk,
        after={"lead_organisation": organisation.name},
        actor_id=actor.pk,
    )
    record(
        action=AuditAction.CREATE,
        actor=actor,
        partnership=action.strategy.partnership_id,
        obj=lead,
        summary=f"Lead organisation assigned to action {action.ref}",
        detail={"action_id": action.pk, "organisation_id": organisation.pk},
        request=request,
    )
    return lead

"""Quarterly progress on the action plan: updates, their versions, evidence and reminders.

An action lead posts one progress update per action and reporting period. It is
saved as a draft, submitted, and approved or returned by a workstream chair.
Every save writes an UpdateVersion, so the history of an update is never lost,
and `version` is the optimistic-concurrency token a form carries.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

from vawg.core.models import ReportingPeriod
from vawg.strategy.models import Action, ActionMeasure


class Status(models.TextChoices):
    """The colour-coded scale, in the order the board reads it (worst first after complete)."""

    COMPLETE = "complete", "Complete"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NOT_STARTED = "not_started", "Not started"


# GOV.UK tag modifiers: status is always shown as colour *and* its words.
STATUS_COLOURS: dict[str, str] = {
    Status.COMPLETE: "blue",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "orange",
    Status.OFF_TRACK: "red",
    Status.NOT_STARTED: "grey",
}
STATUS_COLOUR_NAMES = {
    Status.COMPLETE: "blue",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "amber",
    Status.OFF_TRACK: "red",
    Status.NOT_STARTED: "grey",
}
WORRYING = frozenset({Status.AT_RISK, Status.OFF_TRACK})


class UpdateState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting review"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for changes"


class ProgressUpdateQuerySet(models.QuerySet):
    def approved(self) -> "ProgressUpdateQuerySet":
        return self.filter(state=UpdateState.APPROVED)

    def posted(self) -> "ProgressUpdateQuerySet":
        """Submitted for review or approved: the lead has reported for the period."""
        return self.filter(state__in=[UpdateState.SUBMITTED, UpdateState.APPROVED])


class ProgressUpdate(models.Model):
    partnership_path = "action__strategy__partnership"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    state = models.CharField(max_length=20, choices=UpdateState.choices, default=UpdateState.DRAFT)
    commentary = models.TextField(blank=True)
    commentary_public = models.BooleanField(
        default=False, help_text="The commentary may appear on the published plan once approved."
    )
    next_milestone = models.TextField(blank=True)
    next_milestone_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["period__start"]
        constraints = [
            models.UniqueConstraint(fields=["action", "period"], name="update_one_per_period")
        ]
        indexes = [
            models.Index(fields=["state", "reviewed_at"], name="update_state_reviewed"),
        ]

    def __str__(self) -> str:
        return f"{self.action.ref} {self.period}: {self.get_status_display()}"

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def editable(self) -> bool:
        return self.state in (UpdateState.DRAFT, UpdateState.RETURNED)


class MeasureAchievement(models.Model):
    """What was achieved this period against one of the action's "how will we know" measures."""

    partnership_path = "update__action__strategy__partnership"

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="achievements"
    )
    measure = models.ForeignKey(ActionMeasure, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["measure__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "measure"], name="achievement_one_per_measure"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class UpdateVersion(models.Model):
    """A snapshot of an update as it stood after one save, submission or review."""

    partnership_path = "update__action__strategy__partnership"

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    event = models.CharField(max_length=20)
    state = models.CharField(max_length=20, choices=UpdateState.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    snapshot = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["update", "number"]
        constraints = [
            models.UniqueConstraint(fields=["update", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} ({self.event})"


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: the uploader's file name is kept in the row, never in the path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"delivery/evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A link or an uploaded file supporting an update. Files are served only through
    a permission-checked view, never from MEDIA_URL."""

    partnership_path = "update__action__strategy__partnership"

    class Kind(models.TextChoices):
        LINK = "link", "Link"
        FILE = "file", "File"

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True, max_length=500)
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """A reminder sent to one person for one period: the record that makes the
    reminder command idempotent."""

    partnership_path = "period__partnership"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    actions_due = models.PositiveIntegerField()

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="reminder_once_per_period")
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.period} on {self.sent_on}"


class ImportFile(models.Model):
    """An uploaded spreadsheet held between the upload and the column-mapping step.
    Deleted once imported; it holds plan text and progress, never personal data."""

    partnership_path = "strategy__partnership"

    class Kind(models.TextChoices):
        UPDATES = "updates", "Quarterly updates"
        PLAN = "plan", "Action plan"

    strategy = models.ForeignKey("strategy.Strategy", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename

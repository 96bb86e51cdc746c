"""Tenants and the shared reference data every domain app hangs from."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hex digits.")


class Region(models.Model):
    """A group of partnerships reported on together (London, for the GLA/MOPAC)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A local VAWG partnership: the tenant. Every domain row belongs to one."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="partnerships")
    colour = models.CharField(
        max_length=7, default="#1d70b8", validators=[hex_colour], help_text="Brand colour"
    )
    reporting_year_start_month = models.PositiveSmallIntegerField(
        default=4, help_text="Month the reporting year starts (4 = April)."
    )
    update_deadline_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after a period ends by which updates are due."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not 1 <= self.reporting_year_start_month <= 12:
            raise ValidationError({"reporting_year_start_month": "Enter a month from 1 to 12."})


class Ward(models.Model):
    """An electoral ward, with the dates its boundary was in force."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="wards")
    name = models.CharField(max_length=150)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name", "valid_from"], name="ward_unique_per_period"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An agency taking part in the partnership (police, a council department, a charity...)."""

    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        COUNCIL = "council", "Council department"
        HEALTH = "health", "Health"
        PROBATION = "probation", "Probation"
        EDUCATION = "education", "Schools and colleges"
        CHARITY = "charity", "Specialist charity"
        HOUSING = "housing", "Housing provider"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names the plans use for this organisation."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="organisation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PartnershipBody(models.Model):
    """A governance body: board, workstream, forum, panel or delivery group."""

    class Kind(models.TextChoices):
        BOARD = "board", "Board"
        DELIVERY_GROUP = "delivery_group", "Delivery group"
        WORKSTREAM = "workstream", "Workstream"
        FORUM = "forum", "Forum"
        PANEL = "panel", "Panel"
        PARTNERSHIP = "partnership", "Partnership or safeguarding board"
        EXTERNAL = "external", "External body"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="bodies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reporting_bodies"
    )
    aliases = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "partnership bodies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="body_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class BodyMeetingQuerySet(models.QuerySet):
    def held_before(self, day: date) -> "BodyMeetingQuerySet":
        """Meetings on or before `day`, latest first: those already held on that day."""
        return self.filter(held_on__lte=day).order_by("-held_on")

    def planned_after(self, day: date) -> "BodyMeetingQuerySet":
        """Meetings after `day`, soonest first."""
        return self.filter(held_on__gt=day).order_by("held_on")


class BodyMeeting(models.Model):
    """A dated meeting of a governance body, held or planned: whether it is past is a
    matter of the date, so a planned meeting becomes a held one without anyone editing it.
    "What changed since the last board" and the board pack start from the last one held."""

    body = models.ForeignKey(PartnershipBody, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("Date")
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    partnership_path = "body__partnership"
    objects = BodyMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["held_on"]
        constraints = [
            models.UniqueConstraint(fields=["body", "held_on"], name="body_meeting_unique_date")
        ]

    def __str__(self) -> str:
        return self.title or f"{self.body} meeting, {self.held_on:%-d %B %Y}"


class ReportingPeriodQuerySet(models.QuerySet):
    def containing(self, day: date) -> "ReportingPeriodQuerySet":
        return self.filter(start__lte=day, end__gte=day)


class ReportingPeriod(models.Model):
    """A reporting period (a financial-year quarter by default) with its update deadline."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="reporting_periods"
    )
    label = models.CharField(max_length=50)
    start = models.DateField()
    end = models.DateField()
    update_deadline = models.DateField()

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "start"], name="period_unique_start"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end must not be before the start."})
        if self.end and self.update_deadline and self.update_deadline < self.end:
            raise ValidationError({"update_deadline": "The deadline must not be before the end."})

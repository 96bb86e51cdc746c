"""A partnership's VAWG strategy, as its source document states it.

Text is kept in the source's words. Where the source is incomplete or odd
(a reference used twice, a lost arrow, no lead), the item is kept and a
Quirk records what is wrong so an admin can see it and complete it.
"""

from datetime import date, timedelta
from textwrap import shorten

from django.db import models
from django.utils import timezone

from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.core.periods import add_months


class Strategy(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="strategies"
    )
    slug = models.SlugField()
    title = models.CharField(max_length=300)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    vision = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    source_title = models.CharField(max_length=300, blank=True)
    source_file = models.CharField(max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    data_file = models.CharField(max_length=200, blank=True)
    data_version = models.CharField(max_length=40, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)
    # When the plan came onto the platform: a round whose deadline had passed by then was
    # never asked for here, so it is not overdue.
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    # Lambeth writes a new action plan each year: the plan this one was rolled over from.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_plans"
    )

    class Meta:
        ordering = ["partnership__name", "-start_year"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="strategy_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_label(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    @property
    def starts_on(self) -> date:
        """The first day of the strategy's first reporting year."""
        return date(self.start_year, self.partnership.reporting_year_start_month, 1)

    @property
    def ends_on(self) -> date:
        """The last day of the strategy's final reporting year. The years name reporting years
        by the year they start in (a plan for 2026/27 runs from 2026 to 2026), so a strategy
        ending in 2025 runs to 31 March 2026 where the year starts in April."""
        first = date(self.end_year, self.partnership.reporting_year_start_month, 1)
        return add_months(first, 12) - timedelta(days=1)

    def lapsed_on(self, day: date) -> bool:
        """Whether the strategy had ended by `day`: the one rule for a lapsed strategy."""
        return day > self.ends_on

    @property
    def lapsed(self) -> bool:
        return self.lapsed_on(timezone.localdate())


class Principle(models.Model):
    partnership_path = "strategy__partnership"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="principles")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.title


class Priority(models.Model):
    partnership_path = "strategy__partnership"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    order = models.PositiveIntegerField()
    code = models.CharField(max_length=10, help_text="Short code, e.g. AB; the source's or ours.")
    number = models.CharField(max_length=10, blank=True, help_text="Number as the source gives it.")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    aims = models.JSONField(default=list, blank=True, help_text="The source's bullet points.")
    in_plan_only = models.BooleanField(
        default=False,
        help_text="Appears in the action plan but not among the strategy's priorities.",
    )
    workstream = models.ForeignKey(
        PartnershipBody, null=True, blank=True, on_delete=models.SET_NULL, related_name="priorities"
    )
    # Retired items leave the live plan but keep their history.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="priority_unique_code")
        ]

    def __str__(self) -> str:
        return self.title


class Objective(models.Model):
    """An objective (Wandsworth's plan headings) or a goal / long-term outcome (Lambeth)."""

    partnership_path = "priority__strategy__partnership"

    class Kind(models.TextChoices):
        OBJECTIVE = "objective", "Objective"
        GOAL = "goal", "Goal"

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="objectives")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    order = models.PositiveIntegerField()
    number = models.CharField(max_length=10, blank=True)
    text = models.TextField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionQuerySet(models.QuerySet):
    def for_browsing(self) -> "ActionQuerySet":
        return self.select_related("priority").prefetch_related(
            "measures", "leads__organisation", "leads__body", "quirks"
        )

    def live(self) -> "ActionQuerySet":
        return self.filter(retired_at__isnull=True)


class Action(models.Model):
    partnership_path = "strategy__partnership"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveIntegerField(help_text="Position in the source's plan.")
    ref = models.CharField(max_length=20, help_text="Reference, as the source gives it.")
    ref_assigned = models.BooleanField(
        default=False, help_text="The source gives no reference; the platform assigned this one."
    )
    activity = models.TextField()
    sub_activities = models.JSONField(default=list, blank=True)
    # The sub-activities' words, for search: matching the JSON itself would also match
    # its key names ("label", "text"). Derived on every save.
    sub_activities_text = models.TextField(blank=True, editable=False)
    measures_intro = models.CharField(
        max_length=300, blank=True, help_text="Words before the measures, e.g. 'Young adults:'."
    )
    leads_as_written = models.TextField(blank=True)
    deliver_by = models.DateField(null=True, blank=True)
    deliver_by_as_written = models.CharField(max_length=100, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    # At rollover, the action in last year's plan that this one carries forward.
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["priority__order", "order"]
        # The source may repeat a reference, so refs are not unique; position is.
        constraints = [
            models.UniqueConstraint(fields=["strategy", "order"], name="action_unique_position")
        ]

    def __str__(self) -> str:
        # Cut at a word, with an ellipsis: a sentence cut mid-word reads as a typo.
        return f"{self.ref} {shorten(self.activity, 60, placeholder='…')}"

    def save(self, *args, **kwargs):
        self.sub_activities_text = sub_activities_as_text(self.sub_activities)
        if kwargs.get("update_fields") is not None and "sub_activities" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sub_activities_text"}
        super().save(*args, **kwargs)


def sub_activities_as_text(sub_activities: list) -> str:
    return "\n".join(
        f"{item.get('label', '')} {item.get('text', '')}".strip()
        if isinstance(item, dict)
        else str(item)
        for item in sub_activities or []
    )


class ActionMeasure(models.Model):
    """One "how will we know we are making a difference?" measure of an action."""

    partnership_path = "action__strategy__partnership"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveIntegerField()
    label = models.CharField(
        max_length=10, blank=True, help_text="As the source labels it: (a), 1."
    )
    text = models.TextField()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.label} {self.text}".strip()


class ActionLead(models.Model):
    """A lead named for an action, resolved to an organisation or a body where possible."""

    partnership_path = "action__strategy__partnership"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="leads")
    order = models.PositiveIntegerField()
    name_as_written = models.CharField(max_length=300)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="led_actions"
    )
    body = models.ForeignKey(
        PartnershipBody, null=True, blank=True, on_delete=models.PROTECT, related_name="led_actions"
    )
    # False for a lead an admin named in the app: reloading the source file keeps it.
    from_source = models.BooleanField(default=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return str(self.organisation or self.body or self.name_as_written)

    @property
    def resolved(self) -> bool:
        return bool(self.organisation_id or self.body_id)


class MeasureOfSuccess(models.Model):
    """A strategy-level measure of success (Lambeth's increase/decrease indicators)."""

    partnership_path = "strategy__partnership"

    class Direction(models.TextChoices):
        INCREASE = "increase", "Increase"
        DECREASE = "decrease", "Decrease"

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="measures_of_success"
    )
    order = models.PositiveIntegerField()
    number = models.CharField(max_length=10, blank=True)
    text = models.TextField()
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    direction_basis = models.CharField(
        max_length=100, blank=True, help_text="What in the source states the direction."
    )

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "measures of success"

    def __str__(self) -> str:
        return self.text[:80]


class GovernanceRole(models.Model):
    """A governance body as this strategy describes it (its role in delivering the strategy)."""

    partnership_path = "strategy__partnership"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="governance")
    body = models.ForeignKey(PartnershipBody, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField()
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return str(self.body)


class Quirk(models.Model):
    """Something in the source that is missing or odd, kept visible until an admin completes it."""

    partnership_path = "strategy__partnership"

    class Code(models.TextChoices):
        DUPLICATE_REF = "duplicate_ref", "Reference used more than once"
        NUMBERING_GAP = "numbering_gap", "Gap in the numbering"
        NO_DELIVER_BY = "no_deliver_by", "No deliver-by date"
        NO_REF = "no_ref", "No reference in the source"
        NO_LEAD = "no_lead", "No lead named"
        UNRESOLVED_LEAD = "unresolved_lead", "Lead not recognised"
        DIRECTION_LOST = "direction_lost", "Increase/decrease not stated"
        HEADING_LOST = "heading_lost", "Heading lost in the source"
        TEXT_GARBLED = "text_garbled", "Text garbled in the source"
        OTHER = "other", "Other"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="quirks")
    code = models.CharField(max_length=20, choices=Code.choices)
    detail = models.TextField()
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="quirks"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="quirks"
    )
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="quirks"
    )
    measure_of_success = models.ForeignKey(
        MeasureOfSuccess, null=True, blank=True, on_delete=models.CASCADE, related_name="quirks"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by_id = models.BigIntegerField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.detail[:60]}"

    @property
    def open(self) -> bool:
        return self.resolved_at is None


class PlanChange(models.Model):
    """One edit of the plan made in the app, with the fields before and after: the plan's
    version history. Plan text is the partnership's published wording, never personal data."""

    partnership_path = "strategy__partnership"

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        EDITED = "edited", "Edited"
        MOVED = "moved", "Moved"
        RETIRED = "retired", "Retired"
        RESTORED = "restored", "Restored"
        ROLLED_OVER = "rolled_over", "Rolled over"
        LEAD_ASSIGNED = "lead_assigned", "Lead assigned"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_type = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="planchange_object")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_type} {self.object_id}"

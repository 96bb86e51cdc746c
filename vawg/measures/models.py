"""Indicators with baselines, targets, values, status and trend.

An indicator belongs to one partnership. Its values are kept per reporting
period and never overwritten: a correction is a new version of the value and
the old one stays, marked superseded, so the board can see what was reported
when.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from vawg.core.metrics import Unit
from vawg.core.models import Organisation, Partnership, ReportingPeriod
from vawg.measures.rules import sees_restricted
from vawg.strategy.models import Action, ActionMeasure, MeasureOfSuccess, Objective, Priority


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase is good"
    DECREASE = "decrease", "Decrease is good"
    RANGE = "range", "Stay within a range"


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Disclosure(models.TextChoices):
    PUBLIC = "public", "Public (on the published plan)"
    PARTNERSHIP = "partnership", "Partnership (all partnership staff)"
    RESTRICTED = "restricted", "Restricted (admins and analysts only)"


RATE_UNITS = frozenset({Unit.RATE_PER_1000, Unit.RATE_PER_10000})
# Units that are a share of something, so they need a numerator and a denominator.
RATIO_UNITS = RATE_UNITS | {Unit.PERCENTAGE}
# What a ratio unit's numerator is multiplied by over its denominator.
PER: dict[str, int] = {Unit.PERCENTAGE: 100, Unit.RATE_PER_1000: 1000, Unit.RATE_PER_10000: 10000}


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, roles) -> "IndicatorQuerySet":
        """Restricted indicators are for admins and analysts only."""
        if sees_restricted(roles):
            return self
        return self.exclude(disclosure=Disclosure.RESTRICTED)


class Indicator(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(max_length=300)
    definition = models.TextField(help_text="What is counted, in plain English.")
    numerator = models.CharField(
        max_length=300, blank=True, help_text="For a rate or percentage: what is counted."
    )
    denominator = models.CharField(
        max_length=300, blank=True, help_text="For a rate or percentage: out of what."
    )
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    # Blank means the direction is not known (lost from the source): flagged, never guessed.
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    direction_basis = models.CharField(
        max_length=200, blank=True, help_text="Where the direction comes from."
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    data_source = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text="The organisation that reports its values.",
    )
    disclosure = models.CharField(
        max_length=12, choices=Disclosure.choices, default=Disclosure.PARTNERSHIP
    )
    metric_key = models.CharField(
        max_length=100, blank=True, help_text="A figure the platform computes (core.metrics)."
    )
    baseline_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    baseline_period = models.ForeignKey(
        ReportingPeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tolerance = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="How far from the trajectory still counts as close, in the indicator's unit.",
    )
    source_measure = models.ForeignKey(
        MeasureOfSuccess,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        help_text="The strategy's measure of success this indicator was created from.",
    )
    priorities = models.ManyToManyField(Priority, blank=True, related_name="indicators")
    goals = models.ManyToManyField(Objective, blank=True, related_name="indicators")
    actions = models.ManyToManyField(Action, blank=True, related_name="indicators")
    action_measures = models.ManyToManyField(ActionMeasure, blank=True, related_name="indicators")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "source_measure"],
                condition=Q(source_measure__isnull=False),
                name="indicator_one_per_measure",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def direction_unset(self) -> bool:
        return not self.direction

    @property
    def is_ratio(self) -> bool:
        return self.unit in RATIO_UNITS


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", "An absolute value"
    CHANGE = "change", "A % change from the baseline"


class Target(models.Model):
    """Where the indicator should be by the end of one reporting year."""

    partnership_path = "indicator__partnership"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(
        help_text="The calendar year the reporting year starts in (2025 for 2025/26)."
    )
    kind = models.CharField(max_length=10, choices=TargetKind.choices, default=TargetKind.ABSOLUTE)
    amount = models.DecimalField(
        max_digits=14, decimal_places=3, help_text="The value, the % change, or a range's lowest."
    )
    upper = models.DecimalField(
        max_digits=14, decimal_places=3, null=True, blank=True, help_text="A range's highest."
    )

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class ValueSource(models.TextChoices):
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported from a spreadsheet"
    COMPUTED = "computed", "Computed by the platform"


class IndicatorValueQuerySet(models.QuerySet):
    def current(self) -> "IndicatorValueQuerySet":
        return self.filter(superseded_at__isnull=True)


class IndicatorValue(models.Model):
    """One version of an indicator's value for a period. Corrections add a version."""

    partnership_path = "indicator__partnership"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    value = models.DecimalField(max_digits=14, decimal_places=3)
    numerator = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    # A computed value's parts that count people keep their cell keys (core.disclosure), so
    # the snapshot reads the same as the figure on its own module's pages. Empty for a
    # part that counts no one, and for values typed in (keyed by what the cell is).
    numerator_key = models.PositiveSmallIntegerField(null=True, blank=True)
    denominator_key = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=ValueSource.choices)
    # Where the figure comes from: the data source, the file name, or the metric key.
    provenance = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["period__start", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "version"], name="value_unique_version"
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(superseded_at__isnull=True),
                name="value_one_current_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}"

    @property
    def current(self) -> bool:
        return self.superseded_at is None

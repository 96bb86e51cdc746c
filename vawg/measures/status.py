"""Status and trend: pure functions of numbers and dates, so every page, export,
report and chart says the same thing and the rules can be tested at their edges.

Status compares a value with where the target trajectory says it should be on
the period's last day. The trajectory runs in straight lines from the baseline
to each year's target. The tolerance band, in the indicator's own unit, decides
"close": a value past the trajectory (or inside the range) is on track; one no
further than the tolerance on the wrong side is close; anything further is off
track. A value exactly on an edge takes the kinder answer.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

from vawg.measures.formatting import format_change
from vawg.measures.formatting import number as _n

PLACES = Decimal("0.001")


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    CLOSE = "close", "Close to target"
    OFF_TRACK = "off_track", "Off track"
    NO_STATUS = "no_status", "No status"


# Shown beside the words, never instead of them; colour only reinforces.
STATUS_SYMBOLS = {
    Status.ON_TRACK: "✔",
    Status.CLOSE: "●",
    Status.OFF_TRACK: "✘",
    Status.NO_STATUS: "–",
}
STATUS_TAGS = {
    Status.ON_TRACK: "govuk-tag--green",
    Status.CLOSE: "govuk-tag--yellow",
    Status.OFF_TRACK: "govuk-tag--red",
    Status.NO_STATUS: "govuk-tag--grey",
}


@dataclass(frozen=True)
class Assessment:
    status: Status
    reason: str = ""
    expected: Decimal | None = None

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def symbol(self) -> str:
        return STATUS_SYMBOLS[self.status]

    @property
    def tag_class(self) -> str:
        return STATUS_TAGS[self.status]


def status_against(
    *,
    direction: str,
    value: Decimal,
    expected: Decimal,
    tolerance: Decimal,
    upper: Decimal | None = None,
) -> Status:
    """On track, close or off track. For a range, `expected` is its lowest and `upper` its
    highest value."""
    if tolerance < 0:
        raise ValueError("The tolerance cannot be negative.")
    if direction == "increase":
        shortfall = expected - value
    elif direction == "decrease":
        shortfall = value - expected
    elif direction == "range":
        if upper is None or upper < expected:
            raise ValueError("A range needs a highest value no lower than its lowest.")
        shortfall = max(expected - value, value - upper)
    else:
        raise ValueError(f"Unknown direction {direction!r}.")
    if shortfall <= 0:
        return Status.ON_TRACK
    if shortfall <= tolerance:
        return Status.CLOSE
    return Status.OFF_TRACK


def trajectory(anchors: Sequence[tuple[date, Decimal]], on: date) -> Decimal | None:
    """Where the line through `anchors` (date, value), sorted by date, stands on `on`.

    Before the first anchor it is the first value; after the last, the last.
    """
    if not anchors:
        return None
    first_day, first_value = anchors[0]
    if on <= first_day:
        return first_value
    for (start, low), (end, high) in zip(anchors, anchors[1:], strict=False):
        if on <= end:
            if end == start:
                return high
            share = Decimal((on - start).days) / Decimal((end - start).days)
            return (low + (high - low) * share).quantize(PLACES)
    return anchors[-1][1]


def target_value(*, kind: str, amount: Decimal, baseline: Decimal | None) -> Decimal | None:
    """An absolute target, or the baseline changed by `amount` per cent."""
    if kind == "absolute":
        return amount
    if baseline is None:
        return None
    return (baseline * (1 + amount / 100)).quantize(PLACES)


def wrong_direction(
    *, direction: str, baseline: Decimal | None, target: Decimal | None, upper=None
) -> str:
    """Why a target does not suit the indicator's direction, or "" when it does."""
    if direction == "range":
        if upper is None:
            return "A range target needs a highest value."
        if target is not None and upper < target:
            return "The highest value of the range must not be lower than the lowest."
        return ""
    if baseline is None or target is None:
        return ""
    if direction == "increase" and target < baseline:
        return (
            f"This indicator should increase, but the target ({_n(target)}) is below the "
            f"baseline ({_n(baseline)})."
        )
    if direction == "decrease" and target > baseline:
        return (
            f"This indicator should decrease, but the target ({_n(target)}) is above the "
            f"baseline ({_n(baseline)})."
        )
    return ""


# --- Trend ---------------------------------------------------------------------


class Movement(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"
    SAME = "same", "No change"
    NONE = "none", "No earlier value"
    # One of the two figures is hidden from this audience: which way it moved would hint
    # at it (core.disclosure).
    NOT_SHOWN = "not_shown", "Not shown"


MOVEMENT_SYMBOLS = {
    Movement.UP: "↑",
    Movement.DOWN: "↓",
    Movement.SAME: "→",
    Movement.NONE: "",
    Movement.NOT_SHOWN: "",
}


class Verdict(models.TextChoices):
    BETTER = "better", "improving"
    WORSE = "worse", "getting worse"
    SAME = "same", "no change"
    UNKNOWN = "unknown", "direction not set"


@dataclass(frozen=True)
class Trend:
    movement: Movement
    verdict: Verdict | None = None
    earlier: Decimal | None = None
    value: Decimal | None = None
    unit: str = ""

    @property
    def symbol(self) -> str:
        return MOVEMENT_SYMBOLS[self.movement]

    @property
    def text(self) -> str:
        """ "Down 0.7 percentage points from 28.1% (getting worse)": the change in the
        measure's own unit, with its sign, then whether that is good."""
        if self.movement in (Movement.NONE, Movement.NOT_SHOWN):
            return self.movement.label
        value = self.earlier if self.movement == Movement.SAME else self.value
        words = format_change(value, self.earlier, self.unit)
        words = words[:1].upper() + words[1:]
        if self.verdict and self.verdict not in (Verdict.SAME,):
            words += f" ({self.verdict.label})"
        return words


def trend(
    *,
    direction: str,
    value: Decimal | None,
    earlier: Decimal | None,
    low: Decimal | None = None,
    high: Decimal | None = None,
    unit: str = "",
) -> Trend:
    """How `value` moved from `earlier`, and whether that is better given the direction.

    For a range indicator, better means nearer the range (`low` to `high`). `unit` is
    the measure's, so the trend's words say the change in it.
    """
    if value is None or earlier is None:
        return Trend(Movement.NONE)
    if value > earlier:
        movement = Movement.UP
    elif value < earlier:
        movement = Movement.DOWN
    else:
        return Trend(Movement.SAME, Verdict.SAME, earlier, value, unit)
    if direction == "increase":
        verdict = Verdict.BETTER if movement == Movement.UP else Verdict.WORSE
    elif direction == "decrease":
        verdict = Verdict.BETTER if movement == Movement.DOWN else Verdict.WORSE
    elif direction == "range" and low is not None and high is not None:
        before, now = _distance(earlier, low, high), _distance(value, low, high)
        verdict = (
            Verdict.BETTER if now < before else Verdict.WORSE if now > before else Verdict.SAME
        )
    else:
        verdict = Verdict.UNKNOWN
    return Trend(movement, verdict, earlier, value, unit)


def _distance(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low - value, value - high, Decimal(0))


number = _n

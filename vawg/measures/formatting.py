"""A measure's value and its change, written in the measure's own unit.

One place for the words, so the scorecard, the indicator page, the exports and the
published plan read the same: "27.4%", "1,235", "8.2 per 1,000", and a change as
"down 0.7 percentage points from 28.1%" or "up 12 from 105".

These functions only write numbers down: figures about people reach them already
through core.disclosure (as shown to their audience), and nothing here decides what
may be shown.
"""

from decimal import Decimal

from vawg.core.metrics import Unit

# Enough places for any value the database keeps (three decimal places).
PLACES = Decimal("0.001")

UNIT_SUFFIX: dict[str, str] = {
    Unit.COUNT: "",
    Unit.PERCENTAGE: "%",
    Unit.RATE_PER_1000: " per 1,000",
    Unit.RATE_PER_10000: " per 10,000",
}

# How a difference between two values is named: a change in a percentage is in
# percentage points (28.1% to 27.4% is 0.7 points, not 0.7%).
CHANGE_UNIT: dict[str, str] = {
    Unit.COUNT: "",
    Unit.PERCENTAGE: " percentage points",
    Unit.RATE_PER_1000: " per 1,000",
    Unit.RATE_PER_10000: " per 10,000",
}

NO_VALUE = "No value"


def number(value: Decimal | None) -> str:
    """A number as people write it: no trailing zeros, thousands separated."""
    if value is None:
        return ""
    normal = Decimal(value).quantize(PLACES).normalize()
    if normal == normal.to_integral():
        return f"{int(normal):,}"
    return f"{normal:,f}"


def _step(unit: str) -> Decimal:
    """The precision a unit is shown to: counts whole, everything else to one place."""
    return Decimal(1) if unit == Unit.COUNT else Decimal("0.1")


def shown_number(value: Decimal, unit: str) -> Decimal:
    """`value` at the precision its unit is shown to."""
    return Decimal(value).quantize(_step(unit))


def format_value(value: Decimal | None, unit: str) -> str:
    """A value in its unit: "1,235", "27.4%", "8.2 per 1,000"; "No value" for none."""
    if value is None:
        return NO_VALUE
    return f"{number(shown_number(value, unit))}{UNIT_SUFFIX.get(unit, '')}"


def format_change(value: Decimal | None, earlier: Decimal | None, unit: str) -> str:
    """How `value` moved from `earlier`, with its sign and in the unit's own terms:
    "up 12 from 105", "down 0.7 percentage points from 28.1%", "no change from 28.1%".

    The change is worked from the two values as they are written, so the words add up
    on the page ("27.4%, down 0.7 percentage points from 28.1%"). '' when either is
    missing."""
    if value is None or earlier is None:
        return ""
    now, before = shown_number(value, unit), shown_number(earlier, unit)
    was = format_value(earlier, unit)
    if value == earlier:
        return f"no change from {was}"
    direction = "up" if value > earlier else "down"
    difference = abs(now - before)
    if difference == 0:
        # Moved, but by less than the precision it is written to.
        return f"{direction} slightly from {was}"
    return f"{direction} {format_difference(difference, unit)} from {was}"


def format_difference(amount: Decimal, unit: str) -> str:
    """A distance between two values of a unit (a change, a tolerance): "0.7 percentage
    points", "12", "1.5 per 1,000"."""
    words = CHANGE_UNIT.get(unit, "")
    if unit == Unit.PERCENTAGE and amount == 1:
        words = " percentage point"
    return f"{number(amount)}{words}"


def format_percent_change(amount: Decimal) -> str:
    """A target set as a change from the baseline, with its sign: "+10%", "-8%"."""
    sign = "+" if amount > 0 else ""
    return f"{sign}{number(amount)}%"


def format_target_basis(amount: Decimal, baseline: Decimal | None, unit: str) -> str:
    """What a target set as a % change means, in words: "30% above the baseline of 310".
    '' without a baseline (the target then has no value either)."""
    if baseline is None:
        return ""
    was = format_value(baseline, unit)
    if amount == 0:
        return f"the same as the baseline of {was}"
    side = "above" if amount > 0 else "below"
    return f"{number(abs(amount))}% {side} the baseline of {was}"

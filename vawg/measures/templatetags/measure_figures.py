"""Template filters that write a measure's figures in its unit (vawg.measures.formatting),
so a template never formats a number its own way."""

from decimal import Decimal

from django import template

from vawg.measures.formatting import format_difference, format_percent_change, format_value

register = template.Library()


@register.filter
def in_unit(value: Decimal | None, unit: str) -> str:
    """{{ indicator.baseline_value|in_unit:indicator.unit }} -> "22.1%"."""
    return format_value(value, unit)


@register.filter
def percent_change(amount: Decimal | None) -> str:
    """{{ target.amount|percent_change }} -> "+10%"."""
    return "" if amount is None else format_percent_change(amount)


@register.filter
def difference_in_unit(amount: Decimal | None, unit: str) -> str:
    """{{ indicator.tolerance|difference_in_unit:indicator.unit }} -> "1.5 percentage points"."""
    return "" if amount is None else format_difference(amount, unit)

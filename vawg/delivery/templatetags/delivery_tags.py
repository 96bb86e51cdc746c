"""Status shown as colour *and* words."""

from django import template
from django.utils.html import format_html

from vawg.delivery import selectors
from vawg.delivery.models import STATUS_COLOUR_NAMES, STATUS_COLOURS, Status

register = template.Library()


@register.simple_tag
def status_tag(status: str):
    """A GOV.UK tag for a status; "no approved update" as plain words, not a colour."""
    if status not in Status.values:
        return format_html('<span class="app-status-none">{}</span>', selectors.NO_UPDATE_LABEL)
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}" title="{}">{}</strong>',
        STATUS_COLOURS[status],
        f"{Status(status).label} ({STATUS_COLOUR_NAMES[status]})",
        Status(status).label,
    )

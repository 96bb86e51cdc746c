"""Status shown as colour *and* words, and the action timeline for the strategy's action page."""

from django import template
from django.utils.html import format_html

from vawg.delivery import selectors, services
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


@register.inclusion_tag("delivery/_timeline.html", takes_context=True)
def action_timeline(context, action):
    """The action's updates across periods, with every version, for its page."""
    request = context["request"]
    standing = services.standing_for(request.user, request.partnership)
    return {
        "request": request,
        "action": action,
        "updates": selectors.action_history(action=action),
        "can_see_evidence": standing.may_see_evidence(action),
        "can_update": standing.may_update(action),
    }

"""Rendering a panel another app contributed to a page (vawg.core.registry)."""

from django import template

from vawg.core.registry import PanelContent

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context, content: PanelContent):
    """The panel's template with the page's context and the panel's own on top, as
    `{% include template with ... %}` would give it: the page does not need to know
    the names the panel's template uses."""
    found = context.template.engine.get_template(content.template)
    with context.push(content.context):
        return found.render(context)

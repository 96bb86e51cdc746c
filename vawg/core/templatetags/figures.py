"""How a page's figures about people are shown, said the same way on every page."""

from django import template

from vawg.core import disclosure

register = template.Library()


@register.inclusion_tag("core/_figures_note.html")
def figures_note(
    exact: bool, people: str = "the people counted", who: str = "analysts", averages=False
) -> dict:
    """The OFFICIAL-SENSITIVE marking for an exact audience (`who` sees exact figures), or
    the rule in plain words for everyone else (core.disclosure)."""
    return {
        "exact": exact,
        "people": people,
        "who": who,
        "averages": averages,
        "small": disclosure.small_text(),
        "threshold": disclosure.threshold(),
        "base": disclosure.rounding_base(),
    }

"""Text someone typed, shown as GOV.UK paragraphs (escaped, never marked safe as given)."""

import re

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def paragraphs(value: str, css: str = "govuk-body") -> SafeString:
    """Blank lines separate paragraphs; single line breaks stay as <br>."""
    parts = [p for p in re.split(r"\n\s*\n", str(value or "").replace("\r\n", "\n")) if p.strip()]
    return format_html_join(
        "\n",
        '<p class="{}">{}</p>',
        (
            (
                css,
                SafeString("<br>".join(conditional_escape(line) for line in p.strip().split("\n"))),
            )
            for p in parts
        ),
    )

"""Checks on what a member of the public types: one place, used by the forms and the services.

The messages speak to a real person; spam gets nothing it can learn from.
"""

import re

from django.core.exceptions import ValidationError

MAX_LINKS = 2
LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
# Control characters other than tab and newlines: never typed by a person, and
# PostgreSQL refuses NUL in text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_public_text(value: str, *, max_length: int, what: str, required: bool) -> str:
    """`value` tidied, or a ValidationError naming what is wrong and how to put it right."""
    text = CONTROL.sub("", value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise ValidationError(f"Enter your {what}.", code="required")
        return ""
    if len(text) > max_length:
        raise ValidationError(
            f"Your {what} must be {max_length:,} characters or fewer. "
            f"It is {len(text):,} characters now: shorten it by {len(text) - max_length:,}.",
            code="max_length",
        )
    links = len(LINK.findall(text))
    if links > MAX_LINKS:
        raise ValidationError(
            f"Your {what} has {links} web links. Include no more than {MAX_LINKS}, "
            "or describe the page instead.",
            code="links",
        )
    return text

"""How a public page receives an anonymous submission: within the sender's rate limit,
with spam dropped quietly and a refused submission never counted.

The one place the order of these steps is decided, for every public form of survivor
voice; the pages only say what each outcome looks like.
"""

import enum
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from vawg.core.forms import add_service_errors
from vawg.voice import ratelimit
from vawg.voice.forms import FeedbackForm, SurveyForm


class Outcome(enum.Enum):
    # The address has sent its limit in the window: nothing is kept.
    TOO_MANY = "too-many"
    # Kept, or caught as spam and dropped: either way the sender is thanked.
    THANKED = "thanked"
    # The form, or the service, refused it: its messages are on the form.
    REFUSED = "refused"


def receive(
    request: HttpRequest, *, scope: str, form: FeedbackForm | SurveyForm, keep: Callable[[], object]
) -> Outcome:
    """Check, count and keep one submission sent to a public form.

    `keep` stores it (a service call), and is called only for a valid submission that
    the limit lets through. Spam is counted and thanked, so a robot learns nothing, and
    nothing of it is kept. A valid submission is counted before it is kept, in one step
    with the check, so that app servers taking at the same moment never keep more than
    the limit; if the service then refuses it, it is uncounted (a mistake does not count).
    """
    if ratelimit.blocked(request, scope=scope):
        return Outcome.TOO_MANY
    if form.is_spam():
        return Outcome.THANKED if ratelimit.take(request, scope=scope) else Outcome.TOO_MANY
    if not form.is_valid():
        return Outcome.REFUSED
    if not ratelimit.take(request, scope=scope):
        return Outcome.TOO_MANY
    try:
        keep()
    except ValidationError as error:
        ratelimit.give_back(request, scope=scope)
        add_service_errors(form, error)
        return Outcome.REFUSED
    return Outcome.THANKED

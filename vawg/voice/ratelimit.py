"""A short-lived counter of submissions per address, in the shared cache only
(vawg.core.ratelimit, the one fixed-window counter).

The address is the client's (vawg.core.client, behind our proxies) and the key is
a keyed hash of it (vawg.core.crypto), so even the cache holds no address; the
count expires with its window and is then deleted. Only submissions that are kept
(or caught as spam) count: a person correcting a mistake is never locked out by
their own error messages.
"""

from django.http import HttpRequest

from vawg.core import ratelimit
from vawg.core.client import client_ip
from vawg.core.crypto import pseudonymise

LIMIT = 5
WINDOW_SECONDS = 10 * 60


def _key(request: HttpRequest, scope: str) -> str:
    address = client_ip(request) or "unknown"
    return f"voice:rate:{scope}:{pseudonymise(address, purpose='rate-limit').digest}"


def blocked(request: HttpRequest, *, scope: str, limit: int = LIMIT) -> bool:
    """Whether this address has already sent `limit` submissions in the window.

    A quick look before the form is checked; take() is what decides.
    """
    return ratelimit.count(_key(request, scope)) >= limit


def take(
    request: HttpRequest, *, scope: str, limit: int = LIMIT, window: int = WINDOW_SECONDS
) -> bool:
    """Count one submission if the address is under its limit; False if it is not.
    Call it just before keeping the submission."""
    return ratelimit.take(_key(request, scope), limit=limit, window=window)


def give_back(request: HttpRequest, *, scope: str) -> None:
    """Uncount a submission take() counted that was not kept after all."""
    ratelimit.give_back(_key(request, scope))

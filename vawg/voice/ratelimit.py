"""A short-lived counter of submissions per address, held in the shared cache only.

The cache is the one every app server shares (settings.CACHES: a table in the
database by default, Redis when set), so the limit holds however many processes
serve the form. Checking and counting are one atomic step (take()): add() starts a
window and incr() counts in it, both atomic in Redis and in vawg.core.cache, so
processes taking at the same moment never let more than the limit through.

The address is the client's (vawg.core.client, behind our proxies) and the key is
a keyed hash of it (vawg.core.crypto), so even the cache holds no address; the
count expires with its window and is then deleted. Only submissions that are kept
(or caught as spam) count: a person correcting a mistake is never locked out by
their own error messages.
"""

from django.core.cache import cache
from django.http import HttpRequest

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
    return (cache.get(_key(request, scope)) or 0) >= limit


def take(
    request: HttpRequest, *, scope: str, limit: int = LIMIT, window: int = WINDOW_SECONDS
) -> bool:
    """Count one submission if the address is under its limit; False if it is not.

    Call it just before keeping the submission. The window starts at the first (a
    fixed window); a refused submission changes nothing that matters (the count is
    already at the limit, and the window's end does not move).
    """
    key = _key(request, scope)
    for _ in range(3):
        if cache.add(key, 1, timeout=window):
            return True
        try:
            count = cache.incr(key)
        except ValueError:
            continue  # the window ended between add and incr: start a new one
        if count == 1:
            # Redis's incr re-creates an entry that expired a moment before, with no
            # expiry: give it one (for a live entry this only lengthens the window).
            cache.touch(key, window)
        return count <= limit
    return False


def give_back(request: HttpRequest, *, scope: str) -> None:
    """Uncount a submission take() counted that was not kept after all."""
    key = _key(request, scope)
    try:
        if cache.decr(key) < 0:
            cache.delete(key)  # re-created by Redis just after it expired
    except ValueError:
        pass  # the window has ended anyway

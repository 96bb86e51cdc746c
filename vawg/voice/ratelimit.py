"""A short-lived counter of submissions per address, held in the cache only.

The key is a keyed hash of the address (vawg.core.crypto), so even the cache
holds no address; the count expires with its window and is never written to
the database. Only submissions that are kept (or caught as spam) count: a
person correcting a mistake is never locked out by their own error messages.
"""

from django.core.cache import cache
from django.http import HttpRequest

from vawg.core.crypto import pseudonymise

LIMIT = 5
WINDOW_SECONDS = 10 * 60


def _key(request: HttpRequest, scope: str) -> str:
    address = request.META.get("REMOTE_ADDR") or "unknown"
    return f"voice:rate:{scope}:{pseudonymise(address, purpose='rate-limit').digest}"


def blocked(request: HttpRequest, *, scope: str, limit: int = LIMIT) -> bool:
    """Whether this address has already sent `limit` submissions in the window."""
    return (cache.get(_key(request, scope)) or 0) >= limit


def note(request: HttpRequest, *, scope: str, window: int = WINDOW_SECONDS) -> None:
    """Count one submission. The window starts at the first (a fixed window)."""
    key = _key(request, scope)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: this starts a new window.
        cache.add(key, 1, timeout=window)

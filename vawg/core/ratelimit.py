"""A fixed-window counter in the shared cache: the one rate limit every app server keeps.

The cache is the one every app server shares (settings.CACHES: a table in the database
by default, Redis when set), so a limit holds however many processes serve the calls.
Checking and counting are one atomic step (take()): add() starts a window and incr()
counts in it, both atomic in Redis and in vawg.core.cache, so processes taking at the
same moment never let more than the limit through. Keys must hold no personal data:
callers pass a keyed hash of an address, or a token's id.
"""

from django.core.cache import cache


def count(key: str) -> int:
    """What the window has counted so far (0 when no window is open)."""
    return cache.get(key) or 0


def take(key: str, *, limit: int, window: int) -> bool:
    """Count one if the key is under its limit; False if it is not.

    The window starts at the first count; a refused call changes nothing that matters
    (the count is already at the limit, and the window's end does not move).
    """
    for _ in range(3):
        if cache.add(key, 1, timeout=window):
            return True
        try:
            counted = cache.incr(key)
        except ValueError:
            continue  # the window ended between add and incr: start a new one
        if counted == 1:
            # Redis's incr re-creates an entry that expired a moment before, with no
            # expiry: give it one (for a live entry this only lengthens the window).
            cache.touch(key, window)
        return counted <= limit
    return False


def give_back(key: str) -> None:
    """Uncount one that take() counted and that did not happen after all."""
    try:
        if cache.decr(key) < 0:
            cache.delete(key)  # re-created by Redis just after it expired
    except ValueError:
        pass  # the window has ended anyway

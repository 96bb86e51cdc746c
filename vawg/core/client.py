"""The address a request came from: one rule for the audit trail, rate limits and lockouts.

Behind a reverse proxy every request reaches the app from the proxy, so REMOTE_ADDR
is the proxy's address, the same for everybody. Each proxy appends the address it
received the request from to X-Forwarded-For. Only the entries our own proxies
appended can be trusted: anything to their left arrived from the client, who can
write whatever they like there. So with `TRUSTED_PROXY_COUNT` proxies in front
(settings; 0 when the app faces the internet directly), the client is the
`TRUSTED_PROXY_COUNT`-th entry from the right, and never the left-most one.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as our own proxies saw it, or None if there is none.

    Without proxies, REMOTE_ADDR. With `n` trusted proxies, the n-th address from
    the right of X-Forwarded-For. A request that did not pass through them all (the
    header is missing or too short) or whose entry there is not an address counts
    as coming from REMOTE_ADDR, the one address the client cannot choose.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return _address(forwarded[-proxies]) or remote


def _address(text: str) -> str | None:
    """`text` as a normalised IP address, or None if it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None

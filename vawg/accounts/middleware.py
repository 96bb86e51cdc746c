"""Session expiry and two-factor enforcement.

Both act in process_view, which runs after every middleware has set up the
request (the message store included) and once the view is known, so public
views can be told apart from staff ones.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from vawg.accounts.selectors import confirmed_device
from vawg.accounts.services import REFRESHED_AT, SIGNED_IN_AT, two_factor_required_for
from vawg.accounts.signals import SIGN_OUT_REASON
from vawg.core.access import declared_access

# Reachable half-way through signing in: before the second factor is given.
TWO_FACTOR_EXEMPT = {
    "accounts:sign-out",
    "accounts:two-factor-setup",
    "accounts:two-factor-verify",
}


class _ViewMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class SessionExpiryMiddleware(_ViewMiddleware):
    """Ends a session a fixed time after sign-in, however busy it has been.

    Idle expiry is the stored session's own age (SESSION_COOKIE_AGE), refreshed by
    saving the session: at most once every SESSION_REFRESH_SECONDS rather than on
    every request, which spared each page a write to the session table.
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = time.time()
            if now - float(session.get(REFRESHED_AT, 0)) >= settings.SESSION_REFRESH_SECONDS:
                # Marks the session changed: SessionMiddleware saves it, with a new expiry.
                session[REFRESHED_AT] = now
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        signed_in_at = request.session.get(SIGNED_IN_AT)
        # A session without a sign-in time was not made by our sign-in: end it too.
        if signed_in_at is not None and (
            time.time() - float(signed_in_at) < settings.SESSION_ABSOLUTE_SECONDS
        ):
            return None
        setattr(request, SIGN_OUT_REASON, "expired")
        logout(request)
        if _is_public(view_func):
            # "Exit this page" and the public pages carry on without the session.
            return None
        messages.info(request, "Your session has ended. Sign in again.")
        return redirect_to_login(request.get_full_path())


class TwoFactorEnforcementMiddleware(_ViewMiddleware):
    """Asks for the second factor before anything else, and sends people whose
    role needs one, but who have none yet, to set it up."""

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT:
            return None
        if _is_public(view_func):
            return None
        if confirmed_device(user=user) is not None:
            return redirect(_with_next("accounts:two-factor-verify", request))
        if two_factor_required_for(user):
            return redirect(_with_next("accounts:two-factor-setup", request))
        return None


def _is_public(view_func: Any) -> bool:
    access = declared_access(view_func)
    return access is not None and access[0] == "public"


def _with_next(url_name: str, request: HttpRequest) -> str:
    url = reverse(url_name)
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url

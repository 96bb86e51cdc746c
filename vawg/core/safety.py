"""Pages a survivor may use: the public support directory, the anonymous feedback form.

`survivor_safe` declares a view public and makes its responses leave no trace
that could be read later: no cookies of any kind (so no CSRF cookie; a form on
such a page is CSRF-exempt, which is safe because no session, and so no
authority, rides on it), `Referrer-Policy: no-referrer`, and `no-store` so the
browser keeps no copy in its cache or back-forward history. What a visitor
types must travel in a POST body, never in the URL.

A "Page not found" raised inside such a view is answered here, with the same
neutral title and the same headers, rather than by the site's own error page.
Cookies are removed by `SurvivorSafeMiddleware`, which sits outside the session
middleware: the session of a signed-in member of staff is saved after the view
has returned, and would otherwise be sent again (or a stale one deleted, which
is also a Set-Cookie) on a page a survivor may be using.
"""

from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from vawg.core.access import View, public

MARK = "vawg_survivor_safe"


def _protect(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response.cookies.clear()
    setattr(response, MARK, True)
    return response


def survivor_safe(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "errors/404_survivor.html", status=404)
        return _protect(response)

    return public(csrf_exempt(wrapper))


class SurvivorSafeMiddleware:
    """Strips any cookie that middleware inside it set on a survivor-safe response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, MARK, False):
            _protect(response)
        return response

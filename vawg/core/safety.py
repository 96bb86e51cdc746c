"""Pages a survivor may use: the public support directory, the anonymous feedback form.

`survivor_safe` declares a view public and makes its responses leave no trace
that could be read later: no cookies of any kind (so no CSRF cookie; a form on
such a page is CSRF-exempt, which is safe because no session, and so no
authority, rides on it), `Referrer-Policy: no-referrer`, and `no-store` so the
browser keeps no copy in its cache or back-forward history. What a visitor
types must travel in a POST body, never in the URL.
"""

from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt

from vawg.core.access import View, public


def survivor_safe(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response.cookies.clear()
        return response

    return public(csrf_exempt(wrapper))

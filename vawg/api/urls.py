"""The partner API's URLs under /api/v1/. Each of the API's views is declared public to the
access middleware: the token, checked by the API itself on every operation, is the key;
the schema is served without one and the browsable docs only to signed-in staff."""

from functools import wraps

from django.urls import URLPattern, path

from vawg.api.api import api
from vawg.core.access import public, signed_in

DOCS = "openapi-view"  # ninja's name for the browsable docs


def _declared(name: str, view):
    if name == DOCS:
        return signed_in(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapper.csrf_exempt = True  # a bearer token, not a cookie, carries the authority
    return public(wrapper)


def _patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    return [path(str(p.pattern), _declared(p.name, p.callback), name=p.name) for p in patterns]


app_name = "api"
urlpatterns = _patterns()

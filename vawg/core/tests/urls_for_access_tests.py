"""A URL configuration with views that do and do not declare their access."""

from django.http import HttpResponse
from django.urls import include, path

from vawg.core.access import partnership_permission, public


def undeclared(request):
    return HttpResponse("should never be seen")


@public
def declared_public(request):
    return HttpResponse("public page")


@partnership_permission("members.manage")
def admin_only(request):
    return HttpResponse(f"admin page for {request.partnership.slug}")


urlpatterns = [
    path("undeclared/", undeclared),
    path("declared/", declared_public),
    path("p/<slug:partnership>/admin-only/", admin_only),
    path("", include("config.urls")),
]

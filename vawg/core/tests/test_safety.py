from django.http import HttpResponse
from django.test import RequestFactory

from vawg.core.access import declared_access
from vawg.core.safety import survivor_safe


@survivor_safe
def a_form(request):
    response = HttpResponse("ok")
    response.set_cookie("csrftoken", "x")
    return response


def test_survivor_safe_pages_are_public_leave_no_cookie_and_send_no_referrer():
    response = a_form(RequestFactory().post("/", {"what": "something private"}))
    assert declared_access(a_form)[0] == "public"
    assert getattr(a_form, "csrf_exempt", False)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies

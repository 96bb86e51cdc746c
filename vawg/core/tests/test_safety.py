from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from vawg.core.access import declared_access
from vawg.core.safety import survivor_safe


@survivor_safe
def a_form(request):
    response = HttpResponse("ok")
    response.set_cookie("csrftoken", "x")
    return response


@survivor_safe
def a_missing_page(request):
    raise Http404


def test_survivor_safe_pages_are_public_leave_no_cookie_and_send_no_referrer():
    response = a_form(RequestFactory().post("/", {"what": "something private"}))
    assert declared_access(a_form)[0] == "public"
    assert getattr(a_form, "csrf_exempt", False)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_a_page_not_found_there_is_as_neutral_and_traceless(db):
    response = a_missing_page(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found – Partnership Platform</title>" in html
    assert "VAWG" not in html.split("</header>")[0]
    assert response["Cache-Control"] == "no-store"


def test_a_signed_in_member_of_staff_gets_no_cookie_on_a_survivors_page(client_for, personas):
    client = client_for(personas["partnership_admin"])
    client.get(reverse("core:home"))  # a staff page: the session cookie is refreshed here

    response = client.get(reverse("directory:finder"))

    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers

"""Filter forms sent by GET carry no CSRF token: it would land in the address bar,
the browser's history and the server's logs, for nothing (a GET changes nothing)."""

from crispy_forms.utils import render_crispy_form
from django.middleware.csrf import get_token
from django.test import RequestFactory

from vawg.delivery.forms import DashboardFilterForm, SinceForm
from vawg.insight.forms import DashboardForm
from vawg.marac.forms import AccessLogFilterForm, PeriodForm


class _Period:
    pk = key = "2026"
    label = "2026"


def test_no_get_form_renders_a_csrf_token():
    request = RequestFactory().get("/")
    token = get_token(request)
    forms = [
        DashboardForm(periods=[("12", "Latest 12 months")]),
        AccessLogFilterForm(),
        PeriodForm(periods=[_Period()]),
        DashboardFilterForm(
            periods=[_Period()], options={"priorities": [], "workstreams": [], "organisations": []}
        ),
        SinceForm(),
    ]
    for form in forms:
        html = render_crispy_form(form, context={"request": request, "csrf_token": token})
        assert "csrfmiddlewaretoken" not in html, type(form).__name__
        assert "<select" in html or "<input" in html, type(form).__name__

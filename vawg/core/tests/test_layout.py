"""The page layout: our own header (never GOV.UK's crown or font), navigation by
role, the partnership switcher, banners, footer, and the designed error pages."""

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.core import views
from vawg.core.access import access_for
from vawg.core.navigation import navigation_for
from vawg.core.permissions import Role

CSS = settings.BASE_DIR / "static" / "css" / "app.css"


def _html(response) -> str:
    return response.content.decode()


def _nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Menu".*?</nav>', html, re.S)
    assert nav, "no service navigation"
    link = r'class="govuk-service-navigation__link"[^>]*>(.*?)</a>'
    labels = re.findall(link, nav.group(0), re.S)
    return [re.sub(r"<[^>]+>", "", label).strip() for label in labels]


# --- Header: our name, not GOV.UK's ------------------------------------------


def test_the_header_names_the_service_without_the_crown(client, db):
    html = _html(client.get(reverse("core:home")))

    header = re.search(r'<header class="govuk-template__header">.*?</header>', html, re.S)
    assert header
    # Signed out, the name is the neutral one the survivor pages use.
    assert "Partnership Platform" in header.group(0) and "VAWG" not in header.group(0)
    assert "<svg" not in header.group(0)
    assert 'aria-label="GOV.UK"' not in html
    assert "govuk-header__logotype" not in html
    assert "govuk-footer__crown" not in html
    assert "govuk-footer__copyright-logo" not in html


def test_the_built_css_is_gov_uk_frontend_without_gds_transport():
    if not CSS.exists():
        pytest.fail("static/css/app.css is missing: run `npm run build` (make assets)")
    css = CSS.read_text()

    # A failed build used to leave a tiny error stylesheet behind; a real one is large.
    assert ".govuk-service-navigation" in css
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,sans-serif" in css.replace(" ", "").lower()


def test_the_skip_link_comes_first_and_leads_to_main(client, db):
    html = _html(client.get(reverse("core:accessibility")))

    body = html.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link
    assert 'class="govuk-skip-link"' in first_link.group(0)
    assert 'href="#main-content"' in first_link.group(0)
    assert '<main class="govuk-main-wrapper" id="main-content">' in html


def test_the_page_shows_the_partnership_name_and_brand_colour(client_for, personas, partnership):
    html = _html(
        client_for(personas["partnership_admin"]).get(
            reverse("core:partnership-home", kwargs={"partnership": partnership.slug})
        )
    )

    assert 'class="govuk-service-navigation__service-name"' in html
    assert ">Wandsworth</a>" in html
    theme = reverse("core:partnership-theme", kwargs={"partnership": partnership.slug})
    assert f'<link rel="stylesheet" href="{theme}">' in html
    assert "– Wandsworth – VAWG Partnership Platform</title>" in html


def test_the_theme_sets_the_partnership_colour(client, partnership):
    response = client.get(
        reverse("core:partnership-theme", kwargs={"partnership": partnership.slug})
    )

    assert response["Content-Type"].startswith("text/css")
    assert f"--app-brand-colour: {partnership.colour};" in _html(response)


def test_the_footer_links_the_statements_and_gives_the_emergency_numbers(client, db):
    html = _html(client.get(reverse("core:home")))

    footer = re.search(r"<footer.*?</footer>", html, re.S)
    assert footer
    assert f'href="{reverse("core:accessibility")}">Accessibility statement</a>' in footer.group(0)
    assert f'href="{reverse("core:privacy")}">Privacy notice</a>' in footer.group(0)
    assert "call 999" in footer.group(0)
    assert "press 55" in footer.group(0)


# --- Navigation by role ------------------------------------------------------


def test_anonymous_visitors_see_no_navigation(client, db):
    html = _html(client.get(reverse("core:home")))

    assert "govuk-service-navigation" not in html
    assert "Sign out" not in html


def test_an_admin_sees_the_admin_items(client_for, personas, partnership):
    html = _html(
        client_for(personas["partnership_admin"]).get(
            reverse("core:partnership-home", kwargs={"partnership": partnership.slug})
        )
    )

    labels = _nav_labels(html)
    # Members and the audit trail are the Admin group's pages (see test_navigation).
    assert "Admin" in labels


@pytest.mark.parametrize("role", [Role.ACTION_LEAD, Role.BOARD_MEMBER, Role.PRACTITIONER])
def test_other_roles_do_not_see_the_admin_items(client_for, personas, partnership, role):
    html = _html(
        client_for(personas[role.value]).get(
            reverse("core:partnership-home", kwargs={"partnership": partnership.slug})
        )
    )

    labels = _nav_labels(html)
    assert "Home" in labels
    assert "Admin" not in labels
    assert "Members" not in labels
    assert "Audit trail" not in labels


def test_the_current_page_is_marked_in_the_navigation(client_for, personas, partnership):
    url = reverse("core:partnership-home", kwargs={"partnership": partnership.slug})
    html = _html(client_for(personas["partnership_admin"]).get(url))

    assert (
        f'<a class="govuk-service-navigation__link" href="{url}" aria-current="page">'
        '<strong class="govuk-service-navigation__active-fallback">Home</strong></a>'
    ) in html


def test_the_header_offers_the_account_and_sign_out_as_a_post_form(client_for, personas):
    html = _html(client_for(personas["action_lead"]).get(reverse("accounts:account")))

    account_nav = re.search(r'<nav aria-label="Your account".*?</nav>', html, re.S)
    assert account_nav
    assert f'href="{reverse("accounts:account")}">Your account</a>' in account_nav.group(0)
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', account_nav.group(0), re.S
    )
    assert form
    assert form.group(1) == reverse("accounts:sign-out")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert '<button type="submit" class="app-header__link app-link-button">Sign out</button>' in (
        form.group(2)
    )


def test_pages_outside_a_partnership_have_no_partnership_navigation(client_for, personas):
    html = _html(client_for(personas["action_lead"]).get(reverse("accounts:account")))

    assert "govuk-service-navigation" not in html
    assert "Sign out" in html


def test_signing_out_shows_a_success_banner(client_for, personas):
    client = client_for(personas["action_lead"])

    response = client.post(reverse("accounts:sign-out"), follow=True)

    html = _html(response)
    assert 'class="govuk-notification-banner govuk-notification-banner--success"' in html
    assert 'role="alert"' in html
    assert "You have signed out." in html


# --- The partnership switcher ------------------------------------------------


def test_a_member_of_two_partnerships_can_change_partnership(
    client_for, personas, other_partnership
):
    admin = personas["partnership_admin"]
    make_member(Role.BOARD_MEMBER, other_partnership, user=admin)

    html = _html(client_for(admin).get(reverse("accounts:account")))

    assert f'href="{reverse("core:partnership-list")}">Change partnership</a>' in html


def test_a_member_of_one_partnership_is_not_offered_a_change(client_for, personas):
    html = _html(client_for(personas["partnership_admin"]).get(reverse("accounts:account")))

    assert "Change partnership" not in html


# --- Designed error pages ----------------------------------------------------


def test_an_unknown_address_shows_the_designed_404_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in _html(response)
    assert "<title>Page not found" in _html(response)


def test_a_page_the_role_may_not_see_shows_the_designed_403_page(client_for, personas, partnership):
    response = client_for(personas["action_lead"]).get(
        reverse("accounts:member-list", kwargs={"partnership": partnership.slug})
    )

    assert response.status_code == 403
    assert "You do not have permission to see this page</h1>" in _html(response)


def test_another_partnerships_page_shows_the_designed_404_page(client_for, personas, partnership):
    response = client_for(personas["outsider"]).get(
        reverse("core:partnership-home", kwargs={"partnership": partnership.slug})
    )

    assert response.status_code == 404
    assert "Page not found</h1>" in _html(response)


def test_a_bad_host_shows_the_designed_400_page(client, db):
    response = client.get(reverse("core:home"), HTTP_HOST="not-ours.example")

    assert response.status_code == 400
    assert "Sorry, there is a problem with the request</h1>" in _html(response)


def test_a_form_without_its_csrf_token_shows_the_designed_page(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:sign-in"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "Sorry, your form could not be sent</h1>" in _html(response)


def test_the_500_page_renders_without_the_database():
    # No `db` fixture: pytest-django fails any query this makes.
    request = RequestFactory().get("/")

    response = views.server_error(request)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service</h1>" in _html(response)
    assert 'href="/accessibility/"' in _html(response)


@pytest.mark.parametrize("name", ["400", "403", "404", "500", "csrf"])
def test_every_error_template_renders_without_the_database(name):
    html = render_to_string(f"errors/{name}.html")

    assert '<h1 class="govuk-heading-l">' in html
    assert 'href="#main-content"' in html


def test_a_page_inside_a_section_marks_only_that_section(client_for, personas, partnership):
    class Req:
        path = f"/p/{partnership.slug}/delivery/vawg-2022-25/dashboard/"

    access = access_for(personas["partnership_admin"])

    def active():
        groups = navigation_for(Req(), partnership, access)
        pages = [p["label"] for g in groups for p in g["items"] if p["active"]]
        return [g["label"] for g in groups if g["active"]], pages

    assert active() == (["Plan and progress"], ["Delivery"])
    Req.path = reverse("delivery:my-actions", kwargs={"partnership": partnership.slug})
    assert active() == (["Plan and progress"], ["My actions"])
    Req.path = "/p/elsewhere/"
    assert not any(i["active"] for i in navigation_for(Req(), partnership, access))

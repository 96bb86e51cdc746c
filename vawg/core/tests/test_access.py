import pytest

from vawg.accounts.models import Membership
from vawg.accounts.testing import make_member
from vawg.core.access import access_for, get_scoped_or_404, scoped
from vawg.core.models import Organisation
from vawg.core.permissions import PERMISSIONS, Role, roles_grant
from vawg.core.testing import make_organisation

pytestmark = pytest.mark.urls("vawg.core.tests.urls_for_access_tests")


def test_it_refuses_a_view_that_declares_no_access(client, personas, client_for):
    assert client.get("/undeclared/").status_code == 403
    signed_in = client_for(personas[Role.PARTNERSHIP_ADMIN])
    response = signed_in.get("/undeclared/")
    assert response.status_code == 403
    assert b"should never be seen" not in response.content


def test_it_serves_a_declared_public_view(client):
    assert client.get("/declared/").content == b"public page"


def test_it_sends_anonymous_visitors_to_sign_in(client, partnership):
    response = client.get("/p/wandsworth/admin-only/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_it_allows_a_role_that_holds_the_permission(personas, client_for):
    response = client_for(personas[Role.PARTNERSHIP_ADMIN]).get("/p/wandsworth/admin-only/")
    assert response.content == b"admin page for wandsworth"


def test_it_forbids_a_member_without_the_permission(personas, client_for):
    response = client_for(personas[Role.BOARD_MEMBER]).get("/p/wandsworth/admin-only/")
    assert response.status_code == 403


def test_it_hides_a_partnership_the_user_is_not_a_member_of(personas, client_for):
    # Lambeth's admin gets a 404, so Wandsworth's existence is not confirmed by a 403.
    response = client_for(personas["outsider"]).get("/p/wandsworth/admin-only/")
    assert response.status_code == 404


def test_it_ignores_ended_memberships(personas, client_for):
    admin = personas[Role.PARTNERSHIP_ADMIN]
    Membership.objects.filter(user=admin).update(ended_at="2026-01-01T00:00Z")
    assert client_for(admin).get("/p/wandsworth/admin-only/").status_code == 404


def test_it_ignores_disabled_accounts(personas, client_for):
    admin = personas[Role.PARTNERSHIP_ADMIN]
    client = client_for(admin)
    admin.is_active = False
    admin.save()
    # Signed out at once: Django's backend refuses inactive users on every request.
    response = client.get("/p/wandsworth/admin-only/")
    assert response.status_code == 302


def test_it_grants_the_union_of_a_users_roles(partnership, other_partnership):
    user = make_member(Role.BOARD_MEMBER, partnership)
    make_member(Role.ANALYST, partnership, user=user)
    make_member(Role.PARTNERSHIP_ADMIN, other_partnership, user=user)
    access = access_for(user)
    assert access.can(partnership, "figures.unsuppressed")
    assert access.can(partnership, "strategy.view")
    assert not access.can(partnership, "members.manage")
    assert access.can(other_partnership, "members.manage")
    assert not access.can(other_partnership, "figures.unsuppressed")


def test_only_the_analyst_role_sees_unsuppressed_figures():
    holders = {role for role in Role if roles_grant({role}, "figures.unsuppressed")}
    assert holders == {Role.ANALYST}


def test_an_undeclared_permission_is_held_by_nobody():
    assert "made.up" not in PERMISSIONS
    assert not roles_grant(set(Role), "made.up")


def test_a_regional_officer_reaches_no_partnership_rows(partnership):
    officer = make_member(Role.REGIONAL_OFFICER, region=partnership.region)
    access = access_for(officer)
    assert access.by_partnership == {}
    assert access.can_in_region(partnership.region, "region.view")
    assert not access.can(partnership, "strategy.view")


def test_scoped_keeps_only_the_partnerships_rows(partnership, other_partnership):
    ours = make_organisation(partnership, "Ours")
    theirs = make_organisation(other_partnership, "Theirs")
    names = set(scoped(Organisation.objects.all(), partnership).values_list("name", flat=True))
    assert "Ours" in names
    assert "Theirs" not in names
    assert get_scoped_or_404(Organisation.objects.all(), partnership, pk=ours.pk) == ours
    from django.http import Http404

    with pytest.raises(Http404):
        get_scoped_or_404(Organisation.objects.all(), partnership, pk=theirs.pk)

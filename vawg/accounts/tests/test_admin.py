"""The operators' admin: disabling accounts ends their sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from vawg.accounts.models import User
from vawg.core.permissions import Role
from vawg.core.testing import make_member, make_user


@pytest.fixture
def operator_client(db):
    operator = make_user("operator-sample", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return browser


def test_the_disable_action_ends_the_accounts_sessions(operator_client, client_for, partnership):
    member = make_member(Role.ACTION_LEAD, partnership)
    member_client = client_for(member)
    key = member_client.session.session_key
    response = operator_client.post(
        "/operators/accounts/user/",
        {"action": "disable_accounts", "_selected_action": [member.pk]},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active is False
    assert not Session.objects.filter(session_key=key).exists()
    assert member_client.get(reverse("accounts:account")).status_code == 302


def test_partnership_staff_cannot_use_the_admin(client_for, partnership):
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    response = client_for(admin).get("/operators/accounts/user/")
    assert response.status_code == 302
    assert User.objects.filter(pk=admin.pk, is_staff=False).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/operators/core/partnership/",
        "/operators/core/organisation/",
        "/operators/core/partnershipbody/",
        "/operators/core/region/",
        "/operators/core/ward/",
        "/operators/core/reportingperiod/",
        "/operators/accounts/membership/",
        "/operators/accounts/user/",
        "/operators/accounts/usersession/",
        "/operators/audit/auditevent/",
    ],
)
def test_operators_can_open_every_admin_list(operator_client, partnership, path):
    assert operator_client.get(path).status_code == 200

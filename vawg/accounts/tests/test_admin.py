"""The operators' admin: disabling accounts ends their sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from vawg.accounts.models import User
from vawg.accounts.testing import make_member, make_user
from vawg.core.permissions import Role


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


def test_a_membership_an_operator_adds_is_in_force_given_by_them_and_audited(
    operator_client, partnership
):
    from vawg.accounts.models import Membership
    from vawg.audit.models import AuditEvent

    member = make_user("new-coordinator")
    response = operator_client.post(
        "/operators/accounts/membership/add/",
        {
            "user": member.pk,
            "role": Role.MARAC_COORDINATOR.value,
            "partnership": partnership.pk,
            "organisation": partnership.organisations.first().pk,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.active().get(user=member)
    operator = User.objects.get(username="operator-sample")
    assert membership.granted_by == operator and membership.approved_by == operator
    event = AuditEvent.objects.get(object_type="accounts.Membership", object_id=str(membership.pk))
    assert event.actor_id == operator.pk and event.detail["operator"] is True


def test_enabling_an_account_again_restarts_its_unused_clock(operator_client, partnership):
    from vawg.audit.models import AuditEvent

    member = make_member(Role.ACTION_LEAD, partnership)
    User.objects.filter(pk=member.pk).update(is_active=False)
    data = {
        "username": member.username,
        "email": member.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = operator_client.post(f"/operators/accounts/user/{member.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.is_active is True and member.enabled_at is not None
    assert AuditEvent.objects.filter(summary="Account enabled again", object_id=str(member.pk))

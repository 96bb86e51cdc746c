"""The access review: every role in force, its last sign-in, who gave and approved it."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import Membership, User
from vawg.accounts.services import member_change, membership_approve
from vawg.accounts.testing import make_member, make_user
from vawg.core.permissions import Role

REVIEW = reverse("accounts:access-review", kwargs={"partnership": "wandsworth"})


@pytest.fixture
def admin(personas):
    admin = personas[Role.PARTNERSHIP_ADMIN]
    admin.first_name, admin.last_name = "Alex", "Admin"
    admin.save()
    return admin


def test_it_shows_role_last_sign_in_two_factor_and_who_gave_and_approved_it(
    client_for, partnership, personas, admin
):
    board = personas[Role.BOARD_MEMBER]
    board.first_name, board.last_name = "Bea", "Board"
    board.save()
    second = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    second.first_name, second.last_name = "Sam", "Second"
    second.save()
    change = member_change(
        membership=Membership.objects.get(user=board),
        actor=admin,
        role=Role.ANALYST,
        organisation=partnership.organisations.first(),
    )
    membership_approve(membership=change.membership, actor=second)
    User.objects.filter(pk=board.pk).update(
        last_login=datetime(2026, 3, 2, 10, tzinfo=timezone.get_current_timezone())
    )
    TOTPDevice.objects.create(user=board, name="App", confirmed=True)
    response = client_for(admin).get(REVIEW)
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.membership.user_id == board.pk)
    assert row.membership.role == Role.ANALYST
    assert (row.granted_by, row.approved_by) == ("Alex Admin", "Sam Second")
    assert row.two_factor is True
    content = response.content.decode()
    assert "Bea Board" in content and "2 Mar 2026" in content
    assert "by Alex Admin" in content and "by Sam Second" in content


def test_it_names_the_operators_not_the_operator(client_for, partnership, admin):
    operator = make_user("operator-sample", first_name="Olly", is_staff=True)
    member = make_member(Role.MARAC_COORDINATOR, partnership)
    Membership.objects.filter(user=member).update(granted_by=operator, approved_by=operator)
    content = client_for(admin).get(REVIEW).content.decode()
    assert "by Platform operators" in content
    assert "Olly" not in content


def test_it_leaves_out_roles_not_in_force(client_for, partnership, admin):
    waiting = make_user("waiting-person")
    Membership.objects.create(
        user=waiting,
        role=Role.ANALYST,
        partnership=partnership,
        organisation=partnership.organisations.first(),
        approved_at=None,
    )
    disabled = make_member(Role.ACTION_LEAD, partnership, user=make_user("gone", is_active=False))
    content = client_for(admin).get(REVIEW).content.decode()
    assert "waiting-person" not in content
    assert disabled.username not in content


def test_it_shows_no_other_partnerships_members(client_for, personas, admin):
    content = client_for(admin).get(REVIEW).content.decode()
    assert personas["outsider"].username not in content


def test_it_is_for_admins_only(client, client_for, personas):
    assert client.get(REVIEW)["Location"].startswith(reverse("accounts:sign-in"))
    assert client_for(personas[Role.MARAC_COORDINATOR]).get(REVIEW).status_code == 403
    assert client_for(personas["outsider"]).get(REVIEW).status_code == 404
    assert client_for(personas[Role.PARTNERSHIP_ADMIN]).post(REVIEW).status_code == 405

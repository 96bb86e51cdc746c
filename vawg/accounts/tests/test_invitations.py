"""Accepting an invitation: a new account from the link, or an existing account signed
in; single use; never by the person who sent it; withdrawing one."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vawg.accounts.models import Invitation, Membership, User
from vawg.accounts.services import member_invite
from vawg.accounts.testing import TEST_PASSWORD, make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role

NEW_PASSWORD = "a-long-and-unusual-passphrase-7"  # noqa: S105 - a test password


@pytest.fixture
def admin(partnership):
    return make_member(Role.PARTNERSHIP_ADMIN, partnership)


@pytest.fixture
def send(partnership, admin, mailoutbox, django_capture_on_commit_callbacks):
    """send(email, role) invites `email` and returns the link from the email."""

    def invite(email="sasha@example.invalid", role=Role.ACTION_LEAD, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            member_invite(
                partnership=partnership,
                actor=actor or admin,
                email=email,
                organisation=partnership.organisations.first(),
                role=role,
            )
        return re.search(r"(/account/invitation/[\w-]+/)", mailoutbox[-1].body).group(1)

    return invite


def accept_path(link: str) -> str:
    return link + "accept/"


# --- A new account --------------------------------------------------------------------


def test_it_shows_the_role_and_asks_a_new_person_for_name_and_password(client, send):
    response = client.get(send())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Accept your invitation" in content
    assert "Action lead" in content and "Wandsworth" in content
    assert "Your username is <strong>sasha@example.invalid</strong>" in content
    assert 'name="new_password1"' in content


def test_a_new_person_makes_an_account_takes_the_role_and_signs_in(client, send, partnership):
    link = send()
    response = client.post(
        link,
        {"full_name": "Sasha Sample", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:sign-in")
    user = User.objects.get(username="sasha@example.invalid")
    assert user.get_full_name() == "Sasha Sample" and user.check_password(NEW_PASSWORD)
    membership = Membership.objects.active().get(user=user)
    assert membership.role == Role.ACTION_LEAD and membership.partnership == partnership
    signed_in = client.post(
        reverse("accounts:sign-in"), {"username": user.username, "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("accounts:account")).status_code == 200
    assert AuditEvent.objects.filter(
        object_type="accounts.User", object_id=str(user.pk), actor_id=user.pk
    ).exists()


def test_the_link_works_once(client, send):
    link = send()
    data = {"full_name": "Sasha", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    client.post(link, data)
    again = Client().get(link)
    assert b"This invitation link has expired" in again.content
    assert Client().post(link, data).status_code == 200
    assert User.objects.filter(email="sasha@example.invalid").count() == 1


def test_it_checks_the_password_like_everywhere_else(client, send):
    response = client.post(
        send(), {"full_name": "Sasha", "new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert not User.objects.filter(email="sasha@example.invalid").exists()


def test_an_expired_link_opens_nothing(client, send):
    link = send()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert b"This invitation link has expired" in client.get(link).content


def test_an_unknown_link_says_it_has_expired(client, db):
    response = client.get(reverse("accounts:invitation", kwargs={"token": "made-up"}))
    assert response.status_code == 200
    assert b"This invitation link has expired" in response.content


# --- An existing account ---------------------------------------------------------------


def test_someone_with_an_account_is_asked_to_sign_in_not_to_make_another(
    client, send, other_partnership
):
    existing = make_member(Role.BOARD_MEMBER, other_partnership)
    response = client.get(send(email=existing.email))
    assert b"Sign in to accept" in response.content
    assert b'name="new_password1"' not in response.content


def test_an_existing_account_accepts_once_signed_in(client, send, partnership, other_partnership):
    existing = make_member(Role.BOARD_MEMBER, other_partnership)
    link = send(email=existing.email)
    client.post(
        reverse("accounts:sign-in"), {"username": existing.username, "password": TEST_PASSWORD}
    )
    assert b"Accept the role" in client.get(link).content
    response = client.post(accept_path(link))
    assert response["Location"] == reverse("accounts:account")
    assert Membership.objects.active().filter(user=existing, partnership=partnership).exists()
    assert existing.check_password(TEST_PASSWORD)
    assert b"This invitation link has expired" in client.get(link).content


def test_another_account_cannot_take_the_invitation(client_for, send, partnership, personas):
    link = send(email="sasha@example.invalid")
    stranger = personas["outsider"]
    response = client_for(stranger).post(accept_path(link), follow=True)
    assert b"sent to another email address" in response.content
    assert not Membership.objects.filter(user=stranger, partnership=partnership).exists()
    assert Invitation.objects.get().accepted_at is None


def test_the_admin_who_sent_it_cannot_accept_it(client_for, send, admin, partnership):
    """An admin who invites an address that is (or becomes) their own account's, such
    as an alias, still gets no role from it."""
    link = send(email="alias@example.invalid")
    admin.email = "alias@example.invalid"
    admin.save()
    response = client_for(admin).post(accept_path(link), follow=True)
    assert b"You cannot accept an invitation you sent" in response.content
    assert Membership.objects.filter(user=admin).count() == 1


def test_accepting_a_role_already_held_adds_nothing(client_for, send, partnership):
    holder = make_member(Role.ACTION_LEAD, partnership)
    link = send(email=holder.email)
    client_for(holder).post(accept_path(link))
    assert Membership.objects.filter(user=holder).count() == 1
    assert Invitation.objects.get().accepted_at is not None


def test_accepting_needs_a_post(client_for, send, partnership):
    holder = make_member(Role.BOARD_MEMBER, partnership)
    link = send(email=holder.email)
    assert client_for(holder).get(accept_path(link)).status_code == 405
    assert Invitation.objects.get().accepted_at is None


def test_accepting_sends_anonymous_visitors_to_sign_in(client, send):
    response = client.post(accept_path(send()))
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert Invitation.objects.get().accepted_at is None


# --- A sensitive role -------------------------------------------------------------------


def test_an_accepted_sensitive_role_waits_for_approval_and_grants_nothing(
    client, send, partnership
):
    link = send(role=Role.ANALYST)
    page = client.get(link)
    assert b"starts only when a second person" in page.content
    client.post(
        link, {"full_name": "Sasha", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    membership = Membership.objects.get(user__email="sasha@example.invalid")
    assert membership.is_awaiting_approval
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(object_type="accounts.Membership", object_id=str(membership.pk))
    assert event.detail["awaiting_approval"] is True


# --- Withdrawing -----------------------------------------------------------------------


def url(name: str, **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def test_an_admin_sees_the_waiting_invitation_by_address_and_withdraws_it(client_for, send, admin):
    link = send()
    invitation = Invitation.objects.get()
    client = client_for(admin)
    listing = client.get(url("member-list")).content.decode()
    assert "Invitations not yet accepted" in listing and "sasha@example.invalid" in listing
    confirm = client.get(url("invitation-withdraw", pk=invitation.pk))
    assert confirm.status_code == 200
    assert b"Withdraw the invitation to sasha@example.invalid?" in confirm.content
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None
    response = client.post(url("invitation-withdraw", pk=invitation.pk))
    assert response["Location"] == url("member-list")
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    client.logout()
    assert b"This invitation link has expired" in client.get(link).content
    assert AuditEvent.objects.filter(summary="Invitation withdrawn", actor_id=admin.pk).exists()


def test_another_partnerships_admin_cannot_withdraw_it(client_for, send, personas):
    send()
    invitation = Invitation.objects.get()
    response = client_for(personas["outsider"]).post(url("invitation-withdraw", pk=invitation.pk))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_a_non_admin_cannot_withdraw_it(client_for, send, personas):
    send()
    invitation = Invitation.objects.get()
    response = client_for(personas[Role.ANALYST]).post(url("invitation-withdraw", pk=invitation.pk))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_it_says_which_invited_roles_wait_for_approval(partnership, admin):
    from vawg.accounts.selectors import invitation_needs_approval

    def offered(role, email):
        return member_invite(
            partnership=partnership,
            actor=admin,
            email=email,
            organisation=partnership.organisations.first(),
            role=role,
        )

    assert invitation_needs_approval(offered(Role.ANALYST, "a@example.invalid"))
    assert not invitation_needs_approval(offered(Role.ACTION_LEAD, "b@example.invalid"))

"""Member management pages: admins of this partnership only."""

import pytest
from django.urls import reverse

from vawg.accounts.models import Invitation, Membership, User
from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_body

ADMIN = Role.PARTNERSHIP_ADMIN


def url(name: str, partnership: str = "wandsworth", **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"partnership": partnership, **kwargs})


@pytest.fixture
def admin_client(client_for, personas):
    return client_for(personas[ADMIN])


@pytest.fixture
def board_membership(personas, partnership):
    return Membership.objects.get(user=personas[Role.BOARD_MEMBER], partnership=partnership)


# --- The list -------------------------------------------------------------------


def test_it_lists_members_with_role_organisation_workstream_and_status(
    admin_client, personas, partnership, other_partnership
):
    chair = Membership.objects.get(user=personas[Role.WORKSTREAM_CHAIR])
    response = admin_client.get(url("member-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert personas[Role.ANALYST].username in content
    assert chair.workstream.name in content
    assert "Wandsworth Council – Community Safety" in content
    assert "Active" in content
    # Lambeth's members are not Wandsworth's business.
    assert personas["outsider"].username not in content


def test_it_shows_an_ended_membership_as_ended(admin_client, board_membership):
    from django.utils import timezone

    Membership.objects.filter(pk=board_membership.pk).update(ended_at=timezone.now())
    response = admin_client.get(url("member-list"))
    assert b"Ended" in response.content


@pytest.mark.parametrize("name", ["member-list", "member-add"])
def test_it_sends_anonymous_visitors_to_sign_in(client, partnership, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("role", [r for r in Role if r not in (ADMIN, Role.REGIONAL_OFFICER)])
def test_it_refuses_members_without_the_admin_role(client_for, personas, role):
    assert client_for(personas[role]).get(url("member-list")).status_code == 403


def test_it_hides_the_partnership_from_another_partnerships_admin(client_for, personas):
    assert client_for(personas["outsider"]).get(url("member-list")).status_code == 404


def test_it_refuses_other_methods_on_the_list(admin_client):
    assert admin_client.post(url("member-list")).status_code == 405


# --- Inviting ---------------------------------------------------------------------------


def invite_data(partnership, **overrides):
    data = {
        "email": "sasha@example.invalid",
        "role": Role.ACTION_LEAD.value,
        "organisation": partnership.organisations.first().pk,
        "workstream": "",
    }
    data.update(overrides)
    return data


def test_it_invites_a_member_by_email_and_lists_the_invitation(
    admin_client, partnership, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("member-add"), invite_data(partnership))
    assert response.status_code == 302
    assert response["Location"] == url("member-list")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("sasha@example.invalid", Role.ACTION_LEAD)
    assert not User.objects.filter(email="sasha@example.invalid").exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["sasha@example.invalid"]
    assert "/account/invitation/" in mailoutbox[0].body
    listing = admin_client.get(url("member-list")).content.decode()
    assert "Invitation sent to sasha@example.invalid" in listing


def test_it_shows_the_invitation_form_without_a_username(admin_client):
    response = admin_client.get(url("member-add"))
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'name="username"' not in response.content
    assert b'name="full_name"' not in response.content
    # An admin cannot grant the regional officer role: it is not offered.
    assert Role.REGIONAL_OFFICER.value.encode() not in response.content


def test_it_refuses_the_regional_officer_role(admin_client, partnership):
    response = admin_client.post(
        url("member-add"), invite_data(partnership, role=Role.REGIONAL_OFFICER.value)
    )
    assert response.status_code == 200
    assert b"Choose one of the roles listed." in response.content
    assert not Invitation.objects.exists()


def test_it_refuses_another_partnerships_organisation(admin_client, partnership, other_partnership):
    lambeth_org = other_partnership.organisations.first().pk
    response = admin_client.post(
        url("member-add"), invite_data(partnership, organisation=lambeth_org)
    )
    assert b"Choose one of this partnership&#x27;s organisations." in response.content
    assert not Invitation.objects.exists()


def test_it_asks_for_the_workstream_of_a_chair(admin_client, partnership):
    response = admin_client.post(
        url("member-add"), invite_data(partnership, role=Role.WORKSTREAM_CHAIR.value)
    )
    assert response.status_code == 200
    assert b"Choose the workstream this person chairs." in response.content
    assert not Invitation.objects.exists()


def test_it_asks_for_a_valid_email_address(admin_client, partnership):
    response = admin_client.post(url("member-add"), invite_data(partnership, email="sasha"))
    assert b"Enter an email address like name@example.org." in response.content
    response = admin_client.post(url("member-add"), invite_data(partnership, email=""))
    assert b"Enter the email address to send the invitation to." in response.content
    assert not Invitation.objects.exists()


def test_it_refuses_an_admin_inviting_their_own_address(admin_client, partnership, personas):
    own = personas[ADMIN].email
    response = admin_client.post(
        url("member-add"), invite_data(partnership, email=own, role=Role.MARAC_COORDINATOR.value)
    )
    assert response.status_code == 200
    assert b"You cannot invite yourself" in response.content
    assert not Invitation.objects.exists()


def test_it_refuses_other_methods_on_add(admin_client):
    assert admin_client.put(url("member-add")).status_code == 405


def test_it_refuses_inviting_for_a_non_admin(client_for, personas, partnership):
    client = client_for(personas[Role.ANALYST])
    assert client.post(url("member-add"), invite_data(partnership)).status_code == 403
    assert not Invitation.objects.exists()


def test_it_hides_inviting_from_another_partnerships_admin(client_for, personas, partnership):
    client = client_for(personas["outsider"])
    assert client.post(url("member-add"), invite_data(partnership)).status_code == 404
    assert not Invitation.objects.exists()


# --- Changing -----------------------------------------------------------------------


def test_it_changes_a_role_and_workstream(admin_client, partnership, board_membership):
    body = make_body(partnership, "Perpetrators workstream")
    response = admin_client.post(
        url("member-edit", pk=board_membership.pk),
        {
            "role": Role.WORKSTREAM_CHAIR.value,
            "organisation": board_membership.organisation_id,
            "workstream": body.pk,
        },
    )
    assert response.status_code == 302
    board_membership.refresh_from_db()
    assert board_membership.role == Role.WORKSTREAM_CHAIR
    assert board_membership.workstream == body


def test_it_shows_the_change_form_with_the_current_role(admin_client, board_membership):
    response = admin_client.get(url("member-edit", pk=board_membership.pk))
    assert response.status_code == 200
    assert b'value="board_member"\n' in response.content or b"checked" in response.content
    assert b"End membership" in response.content


def test_it_does_not_find_another_partnerships_membership(admin_client, personas):
    lambeth = Membership.objects.get(user=personas["outsider"])
    assert admin_client.get(url("member-edit", pk=lambeth.pk)).status_code == 404
    assert admin_client.post(url("member-end", pk=lambeth.pk)).status_code == 404
    lambeth.refresh_from_db()
    assert lambeth.ended_at is None


def test_it_refuses_editing_for_a_non_admin(client_for, personas, board_membership):
    client = client_for(personas[Role.BOARD_MEMBER])
    assert client.get(url("member-edit", pk=board_membership.pk)).status_code == 403


def test_it_hides_editing_from_another_partnerships_admin(client_for, personas, board_membership):
    client = client_for(personas["outsider"])
    assert client.get(url("member-edit", pk=board_membership.pk)).status_code == 404


def test_it_refuses_other_methods_on_edit(admin_client, board_membership):
    assert admin_client.delete(url("member-edit", pk=board_membership.pk)).status_code == 405


def test_it_will_not_let_admins_change_their_own_role(admin_client, personas, partnership):
    own = Membership.objects.get(user=personas[ADMIN], partnership=partnership)
    page = admin_client.get(url("member-edit", pk=own.pk))
    assert b"You cannot change your own role" in page.content
    assert b'name="role"' not in page.content
    response = admin_client.post(
        url("member-edit", pk=own.pk),
        {"role": Role.MARAC_COORDINATOR.value, "organisation": own.organisation_id},
    )
    assert response.status_code == 200
    assert b"You cannot change your own role: ask another partnership admin" in response.content
    own.refresh_from_db()
    assert own.role == ADMIN
    assert Membership.objects.filter(user=personas[ADMIN]).count() == 1


def test_a_change_to_a_sensitive_role_is_asked_for_not_made(
    admin_client, partnership, board_membership
):
    response = admin_client.post(
        url("member-edit", pk=board_membership.pk),
        {
            "role": Role.MARAC_REPRESENTATIVE.value,
            "organisation": board_membership.organisation_id,
            "workstream": "",
        },
        follow=True,
    )
    assert b"Change asked for" in response.content
    assert b"Waiting for approval" in response.content
    board_membership.refresh_from_db()
    assert board_membership.role == Role.BOARD_MEMBER and board_membership.ended_at is None
    waiting = Membership.objects.awaiting_approval().get(user=board_membership.user)
    page = admin_client.get(url("member-edit", pk=waiting.pk))
    assert b"Role waiting for approval" in page.content
    assert b'name="role"' not in page.content


# --- Ending -------------------------------------------------------------------------


def test_it_ends_a_membership_and_access_stops_at_once(
    admin_client, client_for, personas, board_membership
):
    board = personas[Role.BOARD_MEMBER]
    home = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})
    response = admin_client.post(url("member-end", pk=board_membership.pk))
    assert response["Location"] == url("member-list")
    board_membership.refresh_from_db()
    assert board_membership.ended_at is not None
    assert client_for(board).get(home).status_code == 404


def test_it_will_not_let_admins_end_their_own_last_admin_role(admin_client, personas, partnership):
    own = Membership.objects.get(user=personas[ADMIN], partnership=partnership)
    response = admin_client.post(url("member-end", pk=own.pk), follow=True)
    assert b"You cannot end your own partnership admin role" in response.content
    own.refresh_from_db()
    assert own.ended_at is None


def test_it_does_not_end_on_get(admin_client, board_membership):
    assert admin_client.get(url("member-end", pk=board_membership.pk)).status_code == 405
    board_membership.refresh_from_db()
    assert board_membership.ended_at is None


def test_it_refuses_ending_for_a_non_admin(client_for, personas, board_membership):
    client = client_for(personas[Role.ANALYST])
    assert client.post(url("member-end", pk=board_membership.pk)).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in_when_ending(client, board_membership):
    response = client.post(url("member-end", pk=board_membership.pk))
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_an_admin_of_two_partnerships_manages_each_separately(client_for, personas, partnership):
    """Membership of Lambeth too does not let Lambeth's admin touch Wandsworth's members."""
    outsider = personas["outsider"]
    make_member(Role.BOARD_MEMBER, partnership, user=outsider)
    assert client_for(outsider).get(url("member-list")).status_code == 403

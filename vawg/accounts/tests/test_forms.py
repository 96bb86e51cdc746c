"""The membership and new-account forms: what they start from, what they give the
services, and what they will not read."""

import pytest

from vawg.accounts.forms import InvitationAccountForm, MemberChangeForm
from vawg.accounts.models import Membership
from vawg.accounts.services import member_invite
from vawg.accounts.testing import make_member
from vawg.core.permissions import Role

NEW_PASSWORD = "a-long-and-unusual-passphrase-7"  # noqa: S105 - a test password


@pytest.fixture
def board_member(partnership):
    return Membership.objects.get(user=make_member(Role.BOARD_MEMBER, partnership))


def _change(membership: Membership) -> dict:
    return {"role": Role.ACTION_LEAD.value, "organisation": membership.organisation_id}


def test_the_change_form_starts_from_the_membership(partnership, board_member):
    form = MemberChangeForm(partnership=partnership, membership=board_member)
    assert form.initial == {
        "role": Role.BOARD_MEMBER,
        "organisation": board_member.organisation_id,
        "workstream": None,
    }
    sent = MemberChangeForm(_change(board_member), partnership=partnership, membership=board_member)
    assert sent.is_valid(), sent.errors
    assert sent.cleaned_data["role"] == Role.ACTION_LEAD


def test_the_change_form_reads_nothing_sent_for_an_ended_membership(partnership, board_member):
    board_member.ended_at = board_member.requested_at
    board_member.save(update_fields=["ended_at"])
    form = MemberChangeForm(_change(board_member), partnership=partnership, membership=board_member)
    assert not form.is_bound
    assert not form.is_valid() and not form.errors


def test_the_new_account_form_names_the_account_for_the_invited_address(partnership):
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    invitation = member_invite(
        partnership=partnership,
        actor=admin,
        email=" Sasha.O'Neill@Example.invalid ",
        organisation=partnership.organisations.first(),
        role=Role.ACTION_LEAD,
    )
    form = InvitationAccountForm.for_invitation(invitation)
    assert not form.is_bound
    assert form.user.username == "sasha.oneill@example.invalid"
    assert form.user.pk is None  # nothing is made until the service makes it
    sent = InvitationAccountForm.for_invitation(
        invitation,
        {
            "full_name": "Sasha O'Neill",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert sent.is_valid(), sent.errors
    assert sent.service_kwargs() == {"full_name": "Sasha O'Neill", "password": NEW_PASSWORD}

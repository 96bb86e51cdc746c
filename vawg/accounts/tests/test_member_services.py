"""member_invite, member_change and member_end: the rules, the email and the audit trail."""

import re

import pytest
from django.core.exceptions import ValidationError

from vawg.accounts.models import Invitation, Membership, User
from vawg.accounts.services import member_change, member_end, member_invite, membership_approve
from vawg.accounts.testing import make_member, make_user
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_body


@pytest.fixture
def admin(partnership):
    return make_member(Role.PARTNERSHIP_ADMIN, partnership)


@pytest.fixture
def second_admin(partnership):
    return make_member(Role.PARTNERSHIP_ADMIN, partnership)


def invite(partnership, admin, **overrides):
    args = {
        "partnership": partnership,
        "actor": admin,
        "email": "sasha@example.invalid",
        "organisation": partnership.organisations.first(),
        "role": Role.ACTION_LEAD,
    }
    args.update(overrides)
    return member_invite(**args)


# --- Inviting ---------------------------------------------------------------------------


def test_it_invites_an_address_without_making_or_touching_an_account(partnership, admin):
    users_before = set(User.objects.values_list("pk", flat=True))
    invitation = invite(partnership, admin)
    assert set(User.objects.values_list("pk", flat=True)) == users_before
    assert not Membership.objects.filter(partnership=partnership, role=Role.ACTION_LEAD).exclude(
        user=admin
    )
    assert invitation.email == "sasha@example.invalid"
    assert invitation.invited_by == admin
    assert invitation.accepted_at is None
    # Only a hash of the link's token is kept.
    assert len(invitation.token_hash) == 64


def test_it_emails_only_the_service_name_and_a_link(
    partnership, admin, mailoutbox, django_capture_on_commit_callbacks
):
    body = make_body(partnership, "Prevention workstream")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(partnership, admin, role=Role.WORKSTREAM_CHAIR, workstream=body)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sasha@example.invalid"]
    text = f"{message.subject}\n{message.body}"
    assert "VAWG Partnership Platform" in text
    for detail in ("Wandsworth", "Workstream chair", "Prevention", admin.username):
        assert detail not in text, detail
    token = re.search(r"/account/invitation/([\w-]+)/", message.body).group(1)
    assert token not in invitation.token_hash


def test_it_sends_the_same_email_whether_or_not_the_address_has_an_account(
    partnership, admin, other_partnership, mailoutbox, django_capture_on_commit_callbacks
):
    existing = make_member(Role.PARTNERSHIP_ADMIN, other_partnership)
    with django_capture_on_commit_callbacks(execute=True):
        invite(partnership, admin, email=existing.email)
        invite(partnership, admin, email="nobody-yet@example.invalid")
    with_account, without = mailoutbox
    assert with_account.subject == without.subject
    link = re.compile(r"/account/invitation/[\w-]+/")
    assert link.sub("LINK", with_account.body) == link.sub("LINK", without.body)


def test_it_refuses_to_let_an_admin_invite_themselves(partnership, admin):
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, email=admin.email.upper(), role=Role.MARAC_COORDINATOR)
    assert "You cannot invite yourself" in error.value.message_dict["email"][0]
    assert not Invitation.objects.exists()


def test_it_refuses_a_second_waiting_invitation_for_the_same_address_and_role(partnership, admin):
    invite(partnership, admin)
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, email="SASHA@example.invalid")
    assert "waiting to be accepted" in error.value.message_dict["email"][0]
    # Another role for the same address is a separate invitation.
    invite(partnership, admin, role=Role.BOARD_MEMBER)
    assert Invitation.objects.count() == 2


def test_it_sends_no_email_if_the_invitation_fails(
    partnership, admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        invite(partnership, admin, role=Role.WORKSTREAM_CHAIR)
    assert mailoutbox == []
    assert not Invitation.objects.exists()


def test_it_refuses_the_regional_officer_role(partnership, admin):
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, role=Role.REGIONAL_OFFICER)
    assert "region" in error.value.message_dict["role"][0]
    assert not Invitation.objects.exists()


def test_it_refuses_an_organisation_of_another_partnership(partnership, other_partnership, admin):
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, organisation=other_partnership.organisations.first())
    assert error.value.message_dict["organisation"] == [
        "The organisation must belong to the same partnership."
    ]


def test_it_audits_the_invitation_by_reference_without_the_address(partnership, admin):
    invitation = invite(partnership, admin, role=Role.ANALYST)
    event = AuditEvent.objects.get(object_type="accounts.Invitation", action="create")
    assert event.actor_id == admin.pk
    assert event.partnership_id == partnership.pk
    assert event.object_id == str(invitation.pk)
    assert event.detail["role"] == Role.ANALYST
    assert event.detail["needs_approval"] is True
    assert "sasha" not in f"{event.summary} {event.detail}".lower()


def test_it_clears_the_workstream_of_a_role_that_has_none(partnership, admin):
    invitation = invite(partnership, admin, workstream=make_body(partnership))
    assert invitation.workstream is None


# --- Changing ---------------------------------------------------------------------------


@pytest.fixture
def board_member(partnership):
    user = make_member(Role.BOARD_MEMBER, partnership)
    return Membership.objects.get(user=user)


def test_it_changes_a_role_that_needs_no_approval_at_once_and_audits_it(
    partnership, admin, board_member
):
    change = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ACTION_LEAD,
        organisation=board_member.organisation,
    )
    assert change.awaiting_approval is False
    board_member.refresh_from_db()
    assert board_member.role == Role.ACTION_LEAD
    assert board_member.granted_by == admin
    assert Membership.objects.active().filter(pk=board_member.pk).exists()
    assert AuditEvent.objects.filter(action="update", object_id=str(board_member.pk)).exists()


def test_it_refuses_to_let_an_admin_change_their_own_membership(partnership, admin):
    own = Membership.objects.get(user=admin)
    with pytest.raises(ValidationError, match="You cannot change your own role"):
        member_change(
            membership=own,
            actor=admin,
            role=Role.MARAC_COORDINATOR,
            organisation=own.organisation,
        )
    own.refresh_from_db()
    assert own.role == Role.PARTNERSHIP_ADMIN
    assert Membership.objects.filter(user=admin).count() == 1


def test_a_change_to_a_sensitive_role_waits_and_keeps_the_old_role_meanwhile(
    partnership, admin, board_member
):
    change = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ANALYST,
        organisation=board_member.organisation,
    )
    assert change.awaiting_approval is True
    waiting = change.membership
    assert waiting.pk != board_member.pk
    assert waiting.replaces == board_member and waiting.granted_by == admin
    assert waiting.approved_at is None
    roles = set(
        Membership.objects.active().filter(user=board_member.user).values_list("role", flat=True)
    )
    assert roles == {Role.BOARD_MEMBER}
    event = AuditEvent.objects.get(object_id=str(waiting.pk), action="create")
    assert event.detail["awaiting_approval"] is True and event.detail["replaces"] == board_member.pk


def test_an_approved_change_replaces_the_old_role(partnership, admin, second_admin, board_member):
    waiting = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ANALYST,
        organisation=board_member.organisation,
    ).membership
    membership_approve(membership=waiting, actor=second_admin)
    board_member.refresh_from_db()
    assert board_member.ended_at is not None
    roles = set(
        Membership.objects.active().filter(user=board_member.user).values_list("role", flat=True)
    )
    assert roles == {Role.ANALYST}


def test_it_will_not_ask_for_a_second_change_while_one_waits(partnership, admin, board_member):
    args = {"membership": board_member, "actor": admin, "organisation": board_member.organisation}
    member_change(role=Role.ANALYST, **args)
    with pytest.raises(ValidationError, match="already waiting"):
        member_change(role=Role.MARAC_REPRESENTATIVE, **args)


def test_moving_a_sensitive_role_to_another_organisation_waits_too(partnership, admin):
    from vawg.core.testing import make_organisation

    rep = Membership.objects.get(user=make_member(Role.MARAC_REPRESENTATIVE, partnership))
    police = make_organisation(partnership, "Metropolitan Police")
    change = member_change(membership=rep, actor=admin, role=rep.role, organisation=police)
    assert change.awaiting_approval is True
    rep.refresh_from_db()
    assert rep.organisation != police


def test_it_will_not_change_an_ended_membership(partnership, admin, board_member):
    member_end(membership=board_member, actor=admin)
    with pytest.raises(ValidationError, match="has ended"):
        member_change(
            membership=board_member,
            actor=admin,
            role=Role.ACTION_LEAD,
            organisation=board_member.organisation,
        )


def test_it_will_not_change_a_role_waiting_for_approval(partnership, admin, board_member):
    waiting = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ANALYST,
        organisation=board_member.organisation,
    ).membership
    with pytest.raises(ValidationError, match="waiting for approval"):
        member_change(
            membership=waiting,
            actor=admin,
            role=Role.MARAC_COORDINATOR,
            organisation=board_member.organisation,
        )


# --- Ending -----------------------------------------------------------------------------


def test_it_ends_a_membership_once(partnership, admin, board_member):
    member_end(membership=board_member, actor=admin)
    assert board_member.ended_at is not None
    assert not Membership.objects.active().filter(pk=board_member.pk).exists()
    with pytest.raises(ValidationError, match="already ended"):
        member_end(membership=board_member, actor=admin)


def test_ending_a_membership_ends_a_change_of_it_waiting_for_approval(
    partnership, admin, board_member
):
    waiting = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ANALYST,
        organisation=board_member.organisation,
    ).membership
    member_end(membership=board_member, actor=admin)
    waiting.refresh_from_db()
    assert waiting.ended_at is not None
    assert not Membership.objects.awaiting_approval().exists()


def test_an_admin_with_a_second_admin_membership_may_end_one(partnership, admin):
    own = Membership.objects.get(user=admin)
    second = Membership.objects.create(
        user=admin,
        role=Role.PARTNERSHIP_ADMIN,
        partnership=partnership,
        organisation=own.organisation,
    )
    member_end(membership=second, actor=admin)
    with pytest.raises(ValidationError, match="own partnership admin role"):
        member_end(membership=own, actor=admin)


def test_a_disabled_account_holds_no_role(partnership):
    user = make_user(is_active=False)
    make_member(Role.ACTION_LEAD, partnership, user=user)
    assert not Membership.objects.active().filter(user=user).exists()


def test_it_says_a_change_made_is_made_and_one_asked_for_waits_for_whom(
    partnership, admin, board_member
):
    made = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ACTION_LEAD,
        organisation=board_member.organisation,
    )
    assert made.message == "Membership changed."
    asked = member_change(
        membership=board_member,
        actor=admin,
        role=Role.ANALYST,
        organisation=board_member.organisation,
    )
    assert asked.message == (
        "Change asked for. It takes effect when another partnership admin (or the platform "
        "operators) approves it; until then the current role stays as it is."
    )

"""member_invite, member_change and member_end: the rules, the email and the audit trail."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vawg.accounts.models import Membership, User
from vawg.accounts.services import member_change, member_end, member_invite
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import TEST_PASSWORD, make_body, make_member, make_user


@pytest.fixture
def admin(partnership):
    return make_member(Role.PARTNERSHIP_ADMIN, partnership)


def invite(partnership, admin, **overrides):
    args = {
        "partnership": partnership,
        "actor": admin,
        "username": "sasha-sample",
        "full_name": "Sasha Sample",
        "email": "sasha@example.invalid",
        "organisation": partnership.organisations.first(),
        "role": Role.ANALYST,
    }
    args.update(overrides)
    return member_invite(**args)


def test_it_creates_an_account_without_a_usable_password(partnership, admin):
    membership = invite(partnership, admin)
    user = membership.user
    assert user.get_full_name() == "Sasha Sample"
    assert user.has_usable_password() is False
    assert membership.partnership == partnership and membership.role == Role.ANALYST


def test_it_emails_only_the_service_name_and_the_link(
    partnership, admin, mailoutbox, django_capture_on_commit_callbacks
):
    chair_body = make_body(partnership, "Prevention workstream")
    with django_capture_on_commit_callbacks(execute=True):
        invite(partnership, admin, role=Role.WORKSTREAM_CHAIR, workstream=chair_body)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sasha@example.invalid"]
    text = f"{message.subject}\n{message.body}"
    assert "VAWG Partnership Platform" in text
    for detail in (
        "Sasha",
        "Sample",
        "sasha-sample",
        "Wandsworth",
        "Workstream chair",
        "Prevention",
        admin.username,
    ):
        assert detail not in text, detail
    assert re.search(r"/account/set-password/[\w-]+/[\w-]+/", message.body)


def test_it_sends_no_email_if_the_invitation_fails(
    partnership, admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        invite(partnership, admin, role=Role.WORKSTREAM_CHAIR)
    assert mailoutbox == []
    assert not User.objects.filter(username="sasha-sample").exists()


def test_the_link_lets_the_new_member_set_a_password_and_sign_in(
    client, partnership, admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(partnership, admin)
    path = re.search(r"(/account/set-password/\S+)", mailoutbox[0].body).group(1)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert b"Set your password" in response.content
    new = "a-long-and-unusual-passphrase-7"
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("accounts:sign-in")
    user = User.objects.get(username="sasha-sample")
    assert user.check_password(new)
    # The link works once.
    assert b"This link has expired" in client.get(path, follow=True).content


def test_it_adds_a_membership_to_an_existing_account(
    partnership, other_partnership, admin, mailoutbox, django_capture_on_commit_callbacks
):
    existing = make_member(Role.BOARD_MEMBER, other_partnership)
    with django_capture_on_commit_callbacks(execute=True):
        membership = invite(partnership, admin, username=existing.username, full_name="", email="")
    assert membership.user == existing
    assert existing.check_password(TEST_PASSWORD)
    assert "set-password" not in mailoutbox[0].body


def test_it_refuses_a_role_already_held(partnership, admin):
    invite(partnership, admin)
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin)
    assert error.value.message_dict == {"role": ["This person already holds that role here."]}


def test_it_refuses_a_disabled_account(partnership, admin):
    make_user("dormant-user", is_active=False)
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, username="dormant-user")
    assert "disabled" in error.value.message_dict["username"][0]


def test_it_refuses_the_regional_officer_role(partnership, admin):
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, role=Role.REGIONAL_OFFICER)
    assert "region" in error.value.message_dict["role"][0]
    assert not User.objects.filter(username="sasha-sample").exists()


def test_it_refuses_an_organisation_of_another_partnership(partnership, other_partnership, admin):
    with pytest.raises(ValidationError) as error:
        invite(partnership, admin, organisation=other_partnership.organisations.first())
    assert error.value.message_dict["organisation"] == [
        "The organisation must belong to the same partnership."
    ]


def test_it_audits_references_not_names(partnership, admin):
    membership = invite(partnership, admin)
    events = AuditEvent.objects.filter(partnership_id=partnership.pk, action="create")
    assert {e.object_type for e in events} == {"accounts.User", "accounts.Membership"}
    assert all(e.actor_id == admin.pk for e in events)
    for event in events:
        stored = f"{event.summary} {event.detail}"
        assert "Sasha" not in stored and "sasha" not in stored
    assert events.filter(object_id=str(membership.pk)).exists()


def test_it_clears_the_workstream_of_a_role_that_has_none(partnership, admin):
    body = make_body(partnership)
    membership = invite(partnership, admin, role=Role.ACTION_LEAD, workstream=body)
    assert membership.workstream is None


def test_it_changes_a_membership_and_audits_it(partnership, admin):
    membership = invite(partnership, admin)
    member_change(
        membership=membership,
        actor=admin,
        role=Role.BOARD_MEMBER,
        organisation=membership.organisation,
    )
    membership.refresh_from_db()
    assert membership.role == Role.BOARD_MEMBER
    assert AuditEvent.objects.filter(action="update", object_id=str(membership.pk)).exists()


def test_it_will_not_change_an_ended_membership(partnership, admin):
    membership = invite(partnership, admin)
    member_end(membership=membership, actor=admin)
    with pytest.raises(ValidationError):
        member_change(
            membership=membership,
            actor=admin,
            role=Role.BOARD_MEMBER,
            organisation=membership.organisation,
        )


def test_it_ends_a_membership_once(partnership, admin):
    membership = invite(partnership, admin)
    member_end(membership=membership, actor=admin)
    assert membership.ended_at is not None
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    with pytest.raises(ValidationError, match="already ended"):
        member_end(membership=membership, actor=admin)


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

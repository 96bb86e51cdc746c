"""Second-person approval: who may decide on which waiting role, the pages that do it,
the emails that say a role waits, and the audit trail of both request and decision."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from vawg.accounts.models import Membership
from vawg.accounts.services import approval_refusal, membership_approve, membership_refuse
from vawg.accounts.testing import make_member, make_user
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role


def url(name: str, **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def waiting(partnership, role, *, asked_by, user=None) -> Membership:
    """A role asked for by `asked_by` (as an accepted invitation leaves it)."""
    return Membership.objects.create(
        user=user or make_user(),
        role=role,
        partnership=partnership,
        organisation=partnership.organisations.first(),
        granted_by=asked_by,
        approved_at=None,
    )


@pytest.fixture
def admin(personas):
    return personas[Role.PARTNERSHIP_ADMIN]


@pytest.fixture
def other_admin(partnership):
    return make_member(Role.PARTNERSHIP_ADMIN, partnership)


@pytest.fixture
def operator(db):
    return make_user("operator-sample", is_staff=True, is_superuser=True)


# --- Who may decide ----------------------------------------------------------------------


def test_the_person_who_asked_cannot_approve(partnership, admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    assert "You asked for this role" in approval_refusal(membership=analyst, approver=admin)
    with pytest.raises(ValidationError):
        membership_approve(membership=analyst, actor=admin)
    analyst.refresh_from_db()
    assert analyst.approved_at is None


def test_the_member_cannot_approve_their_own_role(partnership, admin, other_admin):
    """An admin given a second admin membership cannot approve it themselves."""
    own = waiting(partnership, Role.ANALYST, asked_by=admin, user=other_admin)
    assert "your own role" in approval_refusal(membership=own, approver=other_admin)


def test_another_admin_approves_an_analyst(partnership, admin, other_admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    membership_approve(membership=analyst, actor=other_admin)
    analyst.refresh_from_db()
    assert analyst.approved_by == other_admin and analyst.approved_at is not None
    assert Membership.objects.active().filter(pk=analyst.pk).exists()


def test_the_marac_coordinator_approves_a_representative_but_not_an_analyst(
    partnership, admin, personas
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    rep = waiting(partnership, Role.MARAC_REPRESENTATIVE, asked_by=admin)
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    assert approval_refusal(membership=rep, approver=coordinator) is None
    assert "another partnership admin" in approval_refusal(membership=analyst, approver=coordinator)


def test_other_roles_cannot_approve(partnership, admin, personas):
    rep = waiting(partnership, Role.MARAC_REPRESENTATIVE, asked_by=admin)
    for role in (Role.ANALYST, Role.BOARD_MEMBER, Role.MARAC_REPRESENTATIVE):
        assert approval_refusal(membership=rep, approver=personas[role]) is not None


def test_another_partnerships_admin_cannot_approve(partnership, admin, personas):
    rep = waiting(partnership, Role.ANALYST, asked_by=admin)
    assert approval_refusal(membership=rep, approver=personas["outsider"]) is not None


def test_the_first_marac_coordinator_is_approved_by_the_operators_only(
    partnership, admin, other_admin, operator
):
    Membership.objects.filter(role=Role.MARAC_COORDINATOR).delete()
    first = waiting(partnership, Role.MARAC_COORDINATOR, asked_by=admin)
    assert "platform operators" in approval_refusal(membership=first, approver=other_admin)
    assert approval_refusal(membership=first, approver=operator) is None
    membership_approve(membership=first, actor=operator)
    # With a coordinator in post, another admin may approve a second one.
    second = waiting(partnership, Role.MARAC_COORDINATOR, asked_by=admin)
    assert approval_refusal(membership=second, approver=other_admin) is None


def test_a_decided_role_cannot_be_decided_again(partnership, admin, other_admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    membership_refuse(membership=analyst, actor=other_admin)
    analyst.refresh_from_db()
    assert analyst.refused_by == other_admin and analyst.ended_at is not None
    with pytest.raises(ValidationError, match="not waiting"):
        membership_approve(membership=analyst, actor=other_admin)
    assert not Membership.objects.active().filter(pk=analyst.pk).exists()


def test_the_database_refuses_a_role_approved_by_its_member(partnership, admin):
    from django.db import IntegrityError, transaction

    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=analyst.pk).update(approved_by=analyst.user)


def test_request_and_decision_are_both_audited(partnership, admin, other_admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    membership_approve(membership=analyst, actor=other_admin)
    event = AuditEvent.objects.get(object_id=str(analyst.pk), summary__startswith="Membership appr")
    assert event.actor_id == other_admin.pk and event.partnership_id == partnership.pk
    assert event.detail == {"role": Role.ANALYST, "granted_by": admin.pk, "approved": True}
    rep = waiting(partnership, Role.MARAC_REPRESENTATIVE, asked_by=admin)
    membership_refuse(membership=rep, actor=other_admin)
    refused = AuditEvent.objects.get(object_id=str(rep.pk), summary__startswith="Membership ref")
    assert refused.actor_id == other_admin.pk and refused.detail["refused"] is True


# --- The pages ---------------------------------------------------------------------------


def test_the_members_page_offers_approve_and_refuse_to_whoever_may_decide(
    client_for, partnership, admin, other_admin
):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    approve = url("member-approve", pk=analyst.pk)
    asker = client_for(admin).get(url("member-list")).content.decode()
    assert "Roles waiting for approval" in asker
    assert approve not in asker
    assert "Waiting for another partnership admin" in asker
    second = Client()
    second.force_login(other_admin, backend="django.contrib.auth.backends.ModelBackend")
    content = second.get(url("member-list")).content.decode()
    assert approve in content and url("member-refuse", pk=analyst.pk) in content


def test_approving_asks_to_confirm_then_approves_on_post(
    client_for, partnership, admin, other_admin
):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    client = client_for(other_admin)
    confirm = client.get(url("member-approve", pk=analyst.pk))
    assert confirm.status_code == 200
    assert b"Approve the Analyst role of" in confirm.content
    assert b"csrfmiddlewaretoken" in confirm.content
    analyst.refresh_from_db()
    assert analyst.approved_at is None
    response = client.post(url("member-approve", pk=analyst.pk))
    assert response["Location"] == url("approval-list")
    analyst.refresh_from_db()
    assert analyst.approved_by == other_admin


def test_refusing_asks_to_confirm_then_refuses_on_post(client_for, partnership, admin, other_admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    client = client_for(other_admin)
    assert b"Refuse the Analyst role of" in client.get(url("member-refuse", pk=analyst.pk)).content
    client.post(url("member-refuse", pk=analyst.pk))
    analyst.refresh_from_db()
    assert analyst.refused_by == other_admin
    assert b"Refused" in client.get(url("member-list")).content


def test_the_asker_posting_an_approval_is_refused_with_the_reason(client_for, partnership, admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    response = client_for(admin).post(url("member-approve", pk=analyst.pk), follow=True)
    assert b"You asked for this role" in response.content
    analyst.refresh_from_db()
    assert analyst.approved_at is None


def test_an_approval_without_the_csrf_token_is_refused(partnership, admin, other_admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(other_admin, backend="django.contrib.auth.backends.ModelBackend")
    assert browser.post(url("member-approve", pk=analyst.pk)).status_code == 403
    analyst.refresh_from_db()
    assert analyst.approved_at is None


def test_the_marac_coordinator_finds_and_approves_a_representative(
    client_for, partnership, admin, personas
):
    rep = waiting(partnership, Role.MARAC_REPRESENTATIVE, asked_by=admin)
    client = client_for(personas[Role.MARAC_COORDINATOR])
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Wandsworth: 1 role waiting for approval" in account
    assert url("member-approve", pk=rep.pk) in client.get(url("approval-list")).content.decode()
    client.post(url("member-approve", pk=rep.pk))
    rep.refresh_from_db()
    assert rep.approved_by == personas[Role.MARAC_COORDINATOR]
    # The coordinator still cannot manage members.
    assert client.get(url("member-list")).status_code == 403


def test_other_roles_cannot_open_the_approval_pages(client_for, partnership, admin, personas):
    rep = waiting(partnership, Role.MARAC_REPRESENTATIVE, asked_by=admin)
    client = client_for(personas[Role.ANALYST])
    assert client.get(url("approval-list")).status_code == 403
    assert client.post(url("member-approve", pk=rep.pk)).status_code == 403
    assert (
        client_for(personas["outsider"]).post(url("member-approve", pk=rep.pk)).status_code == 404
    )
    rep.refresh_from_db()
    assert rep.approved_at is None


def test_the_person_waiting_sees_it_on_their_account(client_for, partnership, admin):
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    content = client_for(analyst.user).get(reverse("accounts:account")).content.decode()
    assert "Waiting for approval" in content and "Analyst, Wandsworth" in content


# --- Telling the approvers ------------------------------------------------------------------


def test_the_other_admins_are_emailed_a_link_when_a_role_waits(
    client_for, partnership, admin, other_admin, mailoutbox, django_capture_on_commit_callbacks
):
    board = Membership.objects.get(role=Role.BOARD_MEMBER, partnership=partnership)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(
            url("member-edit", pk=board.pk),
            {"role": Role.ANALYST.value, "organisation": board.organisation_id, "workstream": ""},
        )
    recipients = sorted(address for m in mailoutbox for address in m.to)
    assert recipients == [other_admin.email]
    assert url("approval-list") in mailoutbox[0].body
    assert board.user.username not in mailoutbox[0].body


def test_the_operators_are_emailed_for_a_first_marac_coordinator(
    client_for, partnership, operator, mailoutbox, django_capture_on_commit_callbacks
):
    Membership.objects.filter(role=Role.MARAC_COORDINATOR).delete()
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    board = Membership.objects.create(
        user=make_user(),
        role=Role.BOARD_MEMBER,
        partnership=partnership,
        organisation=partnership.organisations.first(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin).post(
            url("member-edit", pk=board.pk),
            {
                "role": Role.MARAC_COORDINATOR.value,
                "organisation": board.organisation_id,
                "workstream": "",
            },
        )
    assert [m.to for m in mailoutbox] == [[operator.email]]
    assert "/operators/accounts/membership/?waiting=yes" in mailoutbox[0].body


# --- The operators' admin -------------------------------------------------------------------


def test_an_operator_approves_the_first_coordinator_in_the_django_admin(
    partnership, admin, operator
):
    Membership.objects.filter(role=Role.MARAC_COORDINATOR).delete()
    first = waiting(partnership, Role.MARAC_COORDINATOR, asked_by=admin)
    browser = Client()
    browser.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    listing = browser.get("/operators/accounts/membership/?waiting=yes")
    assert listing.status_code == 200 and first.user.username in listing.content.decode()
    response = browser.post(
        "/operators/accounts/membership/", {"action": "approve", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.approved_by == operator
    assert AuditEvent.objects.filter(
        object_id=str(first.pk), actor_id=operator.pk, summary__startswith="Membership appr"
    ).exists()


def test_refusing_is_refused_for_the_asker_too(partnership, admin):
    # The pages leave the rule to the services: an asker's refusal is refused as their
    # approval is, with the same reason.
    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    reason = approval_refusal(membership=analyst, approver=admin)
    with pytest.raises(ValidationError) as refused:
        membership_refuse(membership=analyst, actor=admin)
    assert refused.value.messages == [reason]
    analyst.refresh_from_db()
    assert analyst.refused_at is None and analyst.ended_at is None


def test_it_names_who_a_waiting_role_waits_for_and_nobody_once_decided(
    partnership, admin, other_admin
):
    from vawg.accounts.selectors import approvers_awaited

    analyst = waiting(partnership, Role.ANALYST, asked_by=admin)
    assert approvers_awaited(analyst) == "another partnership admin (or the platform operators)"
    rep = waiting(partnership, Role.MARAC_REPRESENTATIVE, asked_by=admin)
    assert "the MARAC coordinator" in approvers_awaited(rep)
    membership_approve(membership=analyst, actor=other_admin)
    analyst.refresh_from_db()
    assert approvers_awaited(analyst) == ""

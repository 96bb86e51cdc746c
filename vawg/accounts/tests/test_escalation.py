"""The attacks of issue 23, each tried and each failing.

Alice is Wandsworth's partnership admin. She must not reach MARAC cases or exact
figures by giving herself a role, by having a role given without a second person,
or learn anything about accounts outside her partnership from the invitation form.
The operators' admin needs a second factor in production, and accounts nobody uses
are disabled.
"""

import re
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import Invitation, Membership, User
from vawg.accounts.services import member_change, member_invite
from vawg.accounts.testing import TEST_PASSWORD, make_member, make_user
from vawg.core.permissions import Role

CASES = reverse("marac:case-list", kwargs={"partnership": "wandsworth"})
IMPORTS = reverse("insight:import-list", kwargs={"partnership": "wandsworth"})
NEW_PASSWORD = "a-long-and-unusual-passphrase-7"  # noqa: S105 - a test password


def url(name: str, **kwargs) -> str:
    return reverse(f"accounts:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return browser


@pytest.fixture
def alice(personas):
    return personas[Role.PARTNERSHIP_ADMIN]


@pytest.fixture
def invite(partnership, mailoutbox, django_capture_on_commit_callbacks):
    def send(actor, email, role):
        with django_capture_on_commit_callbacks(execute=True):
            member_invite(
                partnership=partnership,
                actor=actor,
                email=email,
                organisation=partnership.organisations.first(),
                role=role,
            )
        return re.search(r"(/account/invitation/[\w-]+/)", mailoutbox[-1].body).group(1)

    return send


# --- 1. Nobody grants themselves a role -------------------------------------------------


def test_an_admin_cannot_make_herself_marac_coordinator(alice, partnership, invite):
    browser = signed_in(alice)
    assert browser.get(CASES).status_code == 403
    # By inviting her own address...
    response = browser.post(
        url("member-add"),
        {
            "email": alice.email,
            "role": Role.MARAC_COORDINATOR.value,
            "organisation": partnership.organisations.first().pk,
        },
    )
    assert b"You cannot invite yourself" in response.content
    assert not Invitation.objects.exists()
    # ...by changing her own membership...
    own = Membership.objects.get(user=alice)
    response = browser.post(
        url("member-edit", pk=own.pk),
        {"role": Role.MARAC_COORDINATOR.value, "organisation": own.organisation_id},
    )
    assert b"You cannot change your own role" in response.content
    # ...or by inviting an alias and taking the invitation with her own account.
    link = invite(alice, "alice.alias@example.invalid", Role.MARAC_COORDINATOR)
    User.objects.filter(pk=alice.pk).update(email="alice.alias@example.invalid")
    response = browser.post(link + "accept/", follow=True)
    assert b"You cannot accept an invitation you sent" in response.content
    assert list(Membership.objects.filter(user=alice).values_list("role", flat=True)) == [
        Role.PARTNERSHIP_ADMIN
    ]
    assert browser.get(CASES).status_code == 403


# --- 2. A second person approves --------------------------------------------------------


def test_an_admins_marac_grant_opens_no_case_until_someone_else_approves(
    alice, partnership, personas, invite
):
    link = invite(alice, "rep@example.invalid", Role.MARAC_REPRESENTATIVE)
    newcomer = Client()
    newcomer.post(
        link, {"full_name": "Rep", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    rep = User.objects.get(email="rep@example.invalid")
    newcomer.post(reverse("accounts:sign-in"), {"username": rep.username, "password": NEW_PASSWORD})
    assert newcomer.get(CASES).status_code == 404  # not yet a member at all
    waiting = Membership.objects.get(user=rep)
    # Alice asked for it: her approval is refused, and the role still grants nothing.
    signed_in(alice).post(url("member-approve", pk=waiting.pk))
    assert newcomer.get(CASES).status_code == 404
    # The MARAC coordinator is a second person: now the cases open.
    signed_in(personas[Role.MARAC_COORDINATOR]).post(url("member-approve", pk=waiting.pk))
    assert newcomer.get(CASES).status_code == 200


def test_an_analyst_grant_gives_no_exact_figures_until_another_admin_approves(
    alice, partnership, personas, invite
):
    board = personas[Role.BOARD_MEMBER]
    browser = signed_in(board)
    assert browser.get(IMPORTS).status_code == 403
    change = member_change(
        membership=Membership.objects.get(user=board),
        actor=alice,
        role=Role.ANALYST,
        organisation=partnership.organisations.first(),
    )
    assert browser.get(IMPORTS).status_code == 403
    signed_in(alice).post(url("member-approve", pk=change.membership.pk))
    assert browser.get(IMPORTS).status_code == 403
    second_admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    signed_in(second_admin).post(url("member-approve", pk=change.membership.pk))
    assert browser.get(IMPORTS).status_code == 200


def test_the_first_marac_coordinator_needs_the_operators(alice, partnership, personas, invite):
    Membership.objects.filter(role=Role.MARAC_COORDINATOR).delete()
    second_admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    coordinator = make_member(Role.BOARD_MEMBER, partnership)
    change = member_change(
        membership=Membership.objects.get(user=coordinator),
        actor=alice,
        role=Role.MARAC_COORDINATOR,
        organisation=partnership.organisations.first(),
    )
    signed_in(second_admin).post(url("member-approve", pk=change.membership.pk))
    assert signed_in(coordinator).get(CASES).status_code == 403
    operator = make_user(is_staff=True, is_superuser=True)
    signed_in(operator).post(
        "/operators/accounts/membership/",
        {"action": "approve", "_selected_action": [change.membership.pk]},
    )
    assert signed_in(coordinator).get(CASES).status_code == 200


# --- 3. Invitations reveal nothing about other accounts ----------------------------------


def test_the_invitation_form_never_reveals_whether_an_address_has_an_account(
    alice, partnership, other_partnership, personas
):
    operator = make_user("operator", first_name="Olly", last_name="Operator", is_staff=True)
    outsider = personas["outsider"]
    outsider.first_name, outsider.last_name = "Lee", "Lambeth"
    outsider.save()
    browser = signed_in(alice)
    addresses = (operator.email, outsider.email, "nobody-yet@example.invalid")
    answers = []
    for email in addresses:
        response = browser.post(
            url("member-add"),
            {
                "email": email,
                "role": Role.ANALYST.value,
                "organisation": partnership.organisations.first().pk,
                # A username sent anyway is ignored: there is no lookup by username.
                "username": operator.username,
            },
        )
        page = browser.get(url("member-list")).content.decode()
        # What she typed is shown back to her; nothing else about the address.
        for typed in addresses:
            page = page.replace(typed, "ADDRESS")
        answers.append((response.status_code, response["Location"], page))
    assert answers[0][:2] == answers[1][:2] == answers[2][:2] == (302, url("member-list"))
    assert "Invitation sent to ADDRESS." in answers[0][2]
    for _, _, page in answers:
        for name in ("Olly", "Operator", "Lee", "Lambeth", operator.username, outsider.username):
            assert name not in page, name
    assert not Membership.objects.filter(user__in=[operator, outsider], partnership=partnership)


def test_inviting_looks_up_no_account(alice, partnership):
    make_user("operator", is_staff=True)
    with CaptureQueriesContext(connection) as queries:
        member_invite(
            partnership=partnership,
            actor=alice,
            email="operator@example.invalid",
            organisation=partnership.organisations.first(),
            role=Role.ANALYST,
        )
    # The one read of an account is of Alice's own row (checking the inviter exists).
    touched = [q["sql"] for q in queries if "accounts_user" in q["sql"]]
    assert all(f'"accounts_user"."id" = {alice.pk}' in sql for sql in touched), touched
    assert not [sql for sql in touched if "email" in sql or "username" in sql]


# --- 4. Two-factor for the operators in production ---------------------------------------


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_an_operator_without_two_factor_cannot_reach_the_django_admin_in_production(db, settings):
    settings.PRODUCTION = True
    operator = make_user("operator-sample", is_staff=True, is_superuser=True)
    browser = Client()
    response = browser.post(
        "/operators/login/?next=/operators/",
        {"username": operator.username, "password": TEST_PASSWORD, "next": "/operators/"},
    )
    assert response.status_code == 302  # the password alone was right...
    for path in ("/operators/", "/operators/accounts/user/", "/operators/accounts/membership/"):
        response = browser.get(path)
        assert response.status_code == 302, path  # ...but opens nothing
        assert response["Location"].startswith(reverse("accounts:two-factor-setup"))
    # With an authenticator set up, the code is asked for, and then the admin opens.
    device = TOTPDevice.objects.create(user=operator, name="App", confirmed=True)
    assert browser.get("/operators/")["Location"].startswith(reverse("accounts:two-factor-verify"))
    browser.post(reverse("accounts:two-factor-verify"), {"code": code_for(device)})
    assert browser.get("/operators/").status_code == 200


def test_outside_production_the_operator_signs_in_with_a_password_as_before(db, settings):
    settings.PRODUCTION = False
    operator = make_user("operator-sample", is_staff=True, is_superuser=True)
    browser = Client()
    browser.post("/operators/login/", {"username": operator.username, "password": TEST_PASSWORD})
    assert browser.get("/operators/").status_code == 200


# --- 5. Unused accounts are disabled ------------------------------------------------------


def test_an_unused_account_is_disabled_by_the_command(partnership, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 90
    tz = timezone.get_current_timezone()
    dormant = make_member(Role.ANALYST, partnership)
    browser = signed_in(dormant)
    # Last signed in on 2 January; 90 days before 15 April is 15 January.
    User.objects.filter(pk=dormant.pk).update(
        last_login=datetime(2026, 1, 2, 9, tzinfo=tz), date_joined=datetime(2025, 6, 1, tzinfo=tz)
    )
    call_command("accounts_disable_inactive", "--today", "2026-04-15", stdout=None)
    dormant.refresh_from_db()
    assert dormant.is_active is False
    assert browser.get(reverse("accounts:account")).status_code == 302

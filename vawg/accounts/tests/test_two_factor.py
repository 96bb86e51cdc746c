"""Two-factor: set-up with a real code, the code after sign-in, enforcement per role, removal."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.testing import make_member, make_user
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role

SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")
REMOVE = reverse("accounts:two-factor-remove")
ACCOUNT = reverse("accounts:account")


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def analyst(partnership):
    return make_member(Role.ANALYST, partnership)


@pytest.fixture
def device(analyst):
    return TOTPDevice.objects.create(user=analyst, name="Authenticator app", confirmed=True)


def test_it_shows_a_qr_code_and_the_key_for_setting_up(client_for, analyst):
    response = client_for(analyst).get(SETUP)
    assert response.status_code == 200
    assert b'src="data:image/svg+xml' in response.content
    device = TOTPDevice.objects.get(user=analyst)
    assert device.confirmed is False
    first_group = response.context["secret_groups"][0].encode()
    assert first_group in response.content


def test_it_keeps_the_same_unconfirmed_device_between_visits(client_for, analyst):
    client = client_for(analyst)
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=analyst).count() == 1


def test_it_confirms_the_device_with_a_real_code(client_for, analyst):
    client = client_for(analyst)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=analyst)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT
    device.refresh_from_db()
    assert device.confirmed is True
    # The session that set it up counts as verified: the account page opens at once.
    assert client.get(ACCOUNT).status_code == 200
    assert AuditEvent.objects.filter(object_type="otp_totp.TOTPDevice", action="create").exists()


def test_it_refuses_a_wrong_code_with_a_clear_message(client_for, analyst):
    client = client_for(analyst)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=analyst)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    device.refresh_from_db()
    assert device.confirmed is False


def test_it_explains_a_code_that_is_not_six_digits(client_for, analyst):
    client = client_for(analyst)
    response = client.post(SETUP, {"code": "12ab"})
    assert b"Enter the code as 6 digits" in response.content


def test_it_asks_for_the_code_after_password_sign_in(client, analyst, device, password):
    client.post(reverse("accounts:sign-in"), {"username": analyst.username, "password": password})
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    partnership_page = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})
    assert client.get(partnership_page)["Location"].startswith(VERIFY)


def test_it_lets_the_user_in_after_a_correct_code(client_for, analyst, device):
    client = client_for(analyst)
    response = client.post(VERIFY, {"code": code_for(device), "next": ACCOUNT})
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT
    assert client.get(ACCOUNT).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor", actor_id=analyst.pk).exists()


def test_it_refuses_a_wrong_code_at_verification(client_for, analyst, device):
    client = client_for(analyst)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert b"That code is not right" in response.content
    assert client.get(ACCOUNT).status_code == 302


def test_it_refuses_other_methods_on_verification(client_for, analyst, device):
    assert client_for(analyst).put(VERIFY).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    for url in (SETUP, VERIFY):
        response = client.get(url)
        assert response["Location"].startswith(reverse("accounts:sign-in"))


@override_settings(TWO_FACTOR_REQUIRED_ROLES=[Role.ANALYST.value])
def test_it_sends_a_role_that_needs_two_factor_to_set_it_up(client_for, analyst):
    client = client_for(analyst)
    response = client.get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    # Public pages stay open, so "Exit this page" and the start page always work.
    assert client.get(reverse("core:healthz")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_ROLES=[Role.ANALYST.value])
def test_it_leaves_roles_that_do_not_need_it_alone(client_for, partnership):
    board_member = make_member(Role.BOARD_MEMBER, partnership)
    assert client_for(board_member).get(ACCOUNT).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_ROLES=[])
def test_it_does_not_enforce_two_factor_when_no_role_needs_it(client_for, analyst):
    assert client_for(analyst).get(ACCOUNT).status_code == 200


def test_it_removes_the_device_on_post(client_for, analyst, device):
    client = client_for(analyst)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(REMOVE)
    assert response["Location"] == ACCOUNT
    assert not TOTPDevice.objects.filter(user=analyst).exists()


def test_it_does_not_remove_on_get(client_for, analyst, device):
    client = client_for(analyst)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(REMOVE).status_code == 405
    assert TOTPDevice.objects.filter(user=analyst).exists()


@override_settings(TWO_FACTOR_REQUIRED_ROLES=[Role.ANALYST.value])
def test_it_keeps_the_device_of_a_role_that_needs_it(client_for, analyst, device):
    client = client_for(analyst)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(REMOVE, follow=True)
    assert b"cannot be removed" in response.content
    assert TOTPDevice.objects.filter(user=analyst).exists()


# --- In production -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.PARTNERSHIP_ADMIN,
        Role.ANALYST,
        Role.MARAC_COORDINATOR,
        Role.MARAC_REPRESENTATIVE,
    ],
)
@override_settings(PRODUCTION=True, TWO_FACTOR_REQUIRED_ROLES=[])
def test_production_requires_it_of_admins_analysts_and_marac_roles_whatever_the_list(
    client_for, partnership, role
):
    user = make_member(role, partnership)
    response = client_for(user).get(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


@override_settings(PRODUCTION=True, TWO_FACTOR_REQUIRED_ROLES=[])
def test_production_leaves_other_roles_free_to_choose(client_for, partnership):
    for role in (Role.ACTION_LEAD, Role.BOARD_MEMBER, Role.PRACTITIONER):
        assert client_for(make_member(role, partnership)).get(ACCOUNT).status_code == 200


@override_settings(PRODUCTION=True, TWO_FACTOR_REQUIRED_ROLES=[])
def test_production_requires_it_of_platform_operators(client_for, db):
    operator = make_user(is_staff=True)
    client = client_for(operator)
    assert client.get(ACCOUNT)["Location"].startswith(SETUP)
    assert client.get("/operators/")["Location"].startswith(SETUP)


@override_settings(PRODUCTION=True)
def test_production_does_not_let_an_admin_remove_it(client_for, partnership):
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    device = TOTPDevice.objects.create(user=admin, name="App", confirmed=True)
    client = client_for(admin)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(REMOVE, follow=True)
    assert b"cannot be removed" in response.content
    assert TOTPDevice.objects.filter(user=admin).exists()


@override_settings(PRODUCTION=True)
def test_a_role_waiting_for_approval_does_not_yet_require_it(client_for, partnership):
    from vawg.accounts.models import Membership

    user = make_member(Role.BOARD_MEMBER, partnership)
    Membership.objects.create(
        user=user,
        role=Role.ANALYST,
        partnership=partnership,
        organisation=partnership.organisations.first(),
        approved_at=None,
    )
    assert client_for(user).get(ACCOUNT).status_code == 200


def test_outside_production_an_admin_signs_in_without_it(client_for, partnership):
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership)
    assert client_for(admin).get(ACCOUNT).status_code == 200

"""Your account page and changing your password."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import UserSession
from vawg.accounts.services import user_disable
from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.models import Region
from vawg.core.permissions import Role
from vawg.core.testing import make_body

ACCOUNT = reverse("accounts:account")
PASSWORD = reverse("accounts:password-change")


@pytest.fixture
def chair(partnership, other_partnership):
    body = make_body(partnership, "Prevention workstream")
    user = make_member(Role.WORKSTREAM_CHAIR, partnership, workstream=body)
    user.first_name, user.last_name = "Jordan", "Sample"
    user.save()
    make_member(Role.BOARD_MEMBER, other_partnership, user=user)
    return user


def test_it_shows_your_name_roles_and_two_factor_status(client_for, chair):
    response = client_for(chair).get(ACCOUNT)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Jordan Sample" in content
    assert "Workstream chair" in content and "Prevention workstream" in content
    assert "Wandsworth" in content and "Lambeth" in content and "Board member" in content
    assert "Set up two-factor authentication" in content


def test_it_shows_a_regional_officers_region(client_for, db):
    officer = make_member(
        Role.REGIONAL_OFFICER, region=Region.objects.create(name="London", slug="london")
    )
    response = client_for(officer).get(ACCOUNT)
    assert b"London (region)" in response.content


def test_it_offers_removal_when_two_factor_is_on(client_for, chair):
    TOTPDevice.objects.create(user=chair, name="App", confirmed=True)
    client = client_for(chair)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=chair).persistent_id
    session.save()
    response = client.get(ACCOUNT)
    assert b"Remove two-factor authentication" in response.content


def test_it_does_not_list_ended_roles(client_for, chair, other_partnership):
    from django.utils import timezone

    chair.memberships.filter(partnership=other_partnership).update(ended_at=timezone.now())
    response = client_for(chair).get(ACCOUNT)
    assert b"Lambeth" not in response.content


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    for url in (ACCOUNT, PASSWORD):
        assert client.get(url)["Location"].startswith(reverse("accounts:sign-in"))


def test_it_refuses_post_on_the_account_page(client_for, chair):
    assert client_for(chair).post(ACCOUNT).status_code == 405


def test_it_changes_the_password_and_keeps_following_the_session(client_for, chair, password):
    client = client_for(chair)
    new = "a-much-longer-passphrase-2026"
    response = client.post(
        PASSWORD, {"old_password": password, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == ACCOUNT
    chair.refresh_from_db()
    assert chair.check_password(new)
    assert chair.password.startswith("argon2$")
    # The key was cycled; disabling the account must still end this session.
    assert UserSession.objects.filter(user=chair, session_key=client.session.session_key).exists()
    assert AuditEvent.objects.filter(summary="Password changed", actor_id=chair.pk).exists()
    user_disable(user=chair, actor=None)
    assert client.get(ACCOUNT).status_code == 302


def test_it_explains_a_wrong_current_password(client_for, chair):
    response = client_for(chair).post(
        PASSWORD,
        {"old_password": "wrong", "new_password1": "x" * 14, "new_password2": "x" * 14},
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content


def test_it_refuses_other_methods_on_password_change(client_for, chair):
    assert client_for(chair).put(PASSWORD).status_code == 405

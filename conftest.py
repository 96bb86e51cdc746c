"""Shared personas. Each role has a member in "Wandsworth" (the home partnership);
"Lambeth" is another partnership whose admin must see nothing of Wandsworth's."""

import pytest

from vawg.accounts.testing import TEST_PASSWORD, make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation, make_partnership


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["vawg.core.testing.FastArgon2PasswordHasher"]


@pytest.fixture
def partnership(db):
    p = make_partnership("wandsworth", "Wandsworth")
    make_organisation(p, "Wandsworth Council – Community Safety")
    return p


@pytest.fixture
def other_partnership(db):
    p = make_partnership("lambeth", "Lambeth")
    make_organisation(p, "Lambeth Council – Community Safety")
    return p


@pytest.fixture
def personas(partnership, other_partnership):
    """One user per role in `partnership`, plus `outsider`: Lambeth's admin."""
    people = {role.value: make_member(role, partnership) for role in Role}
    people["outsider"] = make_member(Role.PARTNERSHIP_ADMIN, other_partnership)
    return people


@pytest.fixture
def client_for(client):
    """client_for(user) signs `user` in on the test client and returns it."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture
def password():
    return TEST_PASSWORD

"""The accounts demo step: one account per role, idempotent, never in production."""

import random
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.test import override_settings

from vawg.accounts import demo
from vawg.accounts.models import Membership, User
from vawg.core.models import Organisation, PartnershipBody
from vawg.core.permissions import ROLES_NEEDING_APPROVAL, Role
from vawg.core.testing import make_body, make_organisation, make_partnership

EXPECTED_SUFFIXES = [
    "admin",
    "action-lead",
    "workstream-chair",
    "board-member",
    "analyst",
    "practitioner",
    "marac-coordinator",
    "marac-rep",
]


@pytest.fixture
def seed_partnerships(db):
    for slug in ("wandsworth", "lambeth"):
        partnership = make_partnership(slug)
        make_organisation(partnership, f"{slug} Council – Community Safety")
        make_organisation(partnership, f"{slug} Police", kind=Organisation.Kind.POLICE)
        make_organisation(partnership, f"{slug} Health", kind=Organisation.Kind.HEALTH)
        make_body(partnership, "VAWG Board", kind=PartnershipBody.Kind.BOARD, order=0)
        make_body(partnership, "Prevention workstream", order=1)


def run() -> str:
    out = StringIO()
    demo.load(today=date(2026, 11, 23), rng=random.Random(1), stdout=out)  # noqa: S311 - synthetic data, not a secret
    return out.getvalue()


def test_it_creates_one_account_per_role_in_each_partnership(seed_partnerships):
    output = run()
    for slug in ("wandsworth", "lambeth"):
        for suffix in EXPECTED_SUFFIXES:
            username = f"{slug}-{suffix}"
            user = User.objects.get(username=username)
            assert user.check_password(settings.DEMO_PASSWORD)
            assert user.memberships.active().get().partnership.slug == slug
            assert username in output
    assert settings.DEMO_PASSWORD in output
    assert output.count(settings.DEMO_PASSWORD) == 1


def test_every_demo_role_is_in_force_and_the_sensitive_ones_approved(seed_partnerships):
    run()
    operator = User.objects.get(username="operator")
    for membership in Membership.objects.filter(user__username__startswith="wandsworth-"):
        assert Membership.objects.active().filter(pk=membership.pk).exists(), membership
        assert membership.granted_by == operator
        if membership.role in ROLES_NEEDING_APPROVAL:
            assert membership.approved_by == operator
    # A second run keeps them so, even if a role had been left waiting.
    Membership.objects.filter(user__username="wandsworth-analyst").update(approved_at=None)
    run()
    assert Membership.objects.active().filter(user__username="wandsworth-analyst").exists()


def test_it_picks_sensible_organisations_and_the_first_workstream(seed_partnerships):
    run()
    rep = Membership.objects.get(user__username="wandsworth-marac-rep")
    assert rep.organisation.kind == Organisation.Kind.POLICE
    admin = Membership.objects.get(user__username="wandsworth-admin")
    assert "Community Safety" in admin.organisation.name
    chair = Membership.objects.get(user__username="wandsworth-workstream-chair")
    assert chair.workstream.name == "Prevention workstream"


def test_it_creates_the_regional_officer_and_the_operator(seed_partnerships):
    run()
    officer = Membership.objects.get(user__username="london-regional-officer")
    assert officer.role == Role.REGIONAL_OFFICER and officer.region.slug == "london"
    operator = User.objects.get(username="operator")
    assert operator.is_staff and operator.is_superuser
    assert not operator.memberships.exists()


def test_it_duplicates_nothing_when_run_twice(seed_partnerships):
    run()
    counts = (User.objects.count(), Membership.objects.count())
    run()
    assert (User.objects.count(), Membership.objects.count()) == counts


def test_it_skips_a_missing_partnership_with_a_message(db):
    partnership = make_partnership("wandsworth")
    make_organisation(partnership)
    make_body(partnership)
    output = run()
    assert "No partnership 'lambeth' yet" in output
    assert User.objects.filter(username="wandsworth-admin").exists()
    assert not User.objects.filter(username__startswith="lambeth-").exists()


@override_settings(PRODUCTION=True)
def test_it_never_runs_under_production_settings(seed_partnerships):
    with pytest.raises(RuntimeError):
        run()
    assert not User.objects.filter(username="operator").exists()

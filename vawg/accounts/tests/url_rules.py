"""Who may see the accounts URLs added for invitations, approvals and the access review
(the older accounts URLs are in vawg/core/tests/test_url_sweep.py)."""

from vawg.core.tests.sweep import ADMIN, PUBLIC, SIGNED_IN, Rule, holders

APPROVE = holders("members.approve")

RULES: dict = {
    # The link in an invitation email: anyone holding it (an unknown token says "expired").
    "accounts:invitation": Rule(PUBLIC),
    "accounts:invitation-accept": Rule(SIGNED_IN, post_only=True),
    "accounts:access-review": Rule(ADMIN),
    "accounts:invitation-withdraw": Rule(ADMIN),
    "accounts:approval-list": Rule(APPROVE),
    # A MARAC representative's role waits: an admin or the MARAC coordinator decides.
    "accounts:member-approve": Rule(APPROVE),
    "accounts:member-refuse": Rule(APPROVE),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """An invitation waiting to be accepted, and a MARAC representative's role waiting
    for approval, asked for by nobody among the personas."""
    from datetime import timedelta

    from django.utils import timezone

    from vawg.accounts.models import Invitation, Membership
    from vawg.accounts.testing import make_user
    from vawg.core.permissions import Role

    now = timezone.now()
    invitation = Invitation.objects.create(
        partnership=partnership,
        email="sweep-invitee@example.invalid",
        role=Role.ACTION_LEAD,
        organisation=partnership.organisations.first(),
        expires_at=now + timedelta(days=1),
        token_hash="0" * 64,
    )
    waiting = Membership.objects.create(
        user=make_user(),
        role=Role.MARAC_REPRESENTATIVE,
        partnership=partnership,
        organisation=partnership.organisations.first(),
        approved_at=None,
    )
    return {
        "accounts:invitation": {"token": "not-a-real-token"},
        "accounts:invitation-accept": {"token": "not-a-real-token"},
        "accounts:invitation-withdraw": {"pk": invitation.pk},
        "accounts:member-approve": {"pk": waiting.pk},
        "accounts:member-refuse": {"pk": waiting.pk},
    }

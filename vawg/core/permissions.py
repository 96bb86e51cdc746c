"""Roles and what each may do: the one place permissions are declared.

A permission not listed here is held by nobody (default deny). What a user
may do in a partnership is the union of their roles there; unsuppressed
figures only ever come through the analyst role.
"""

from django.db import models


class Role(models.TextChoices):
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership admin"
    ACTION_LEAD = "action_lead", "Action lead"
    WORKSTREAM_CHAIR = "workstream_chair", "Workstream chair"
    BOARD_MEMBER = "board_member", "Board member"
    ANALYST = "analyst", "Analyst"
    PRACTITIONER = "practitioner", "Practitioner"
    MARAC_COORDINATOR = "marac_coordinator", "MARAC coordinator"
    MARAC_REPRESENTATIVE = "marac_representative", "MARAC representative"
    REGIONAL_OFFICER = "regional_officer", "Regional officer"


R = Role
# Everyone whose membership is to a partnership (a regional officer's is to a region).
PARTNERSHIP_STAFF = frozenset(r for r in Role if r is not R.REGIONAL_OFFICER)
MARAC_ROLES = frozenset({R.MARAC_COORDINATOR, R.MARAC_REPRESENTATIVE})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # The strategy as published: every member of the partnership may read it.
    "strategy.view": PARTNERSHIP_STAFF,
    "strategy.export": PARTNERSHIP_STAFF,
    # Completing what the source documents left out (quirks), editing the plan.
    "strategy.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    "members.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    # Partner API tokens: making them (each shown once) and revoking them.
    "api.tokens.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    # Deciding on a role that needs a second person (ROLES_NEEDING_APPROVAL below): who
    # may decide which one is a rule in vawg.accounts.services.approval_refusal.
    "members.approve": frozenset({R.PARTNERSHIP_ADMIN, R.MARAC_COORDINATOR}),
    "audit.view": frozenset({R.PARTNERSHIP_ADMIN}),
    # Exact figures about people (core.disclosure); everyone else sees them controlled.
    # Each use is recorded in the audit trail as a restricted read.
    "figures.unsuppressed": frozenset({R.ANALYST}),
    "marac.statistics.exact": frozenset({R.MARAC_COORDINATOR}),
    # Action plan delivery: an action lead updates their organisation's actions,
    # a workstream chair reviews their workstream's updates.
    "delivery.update": frozenset({R.ACTION_LEAD, R.PARTNERSHIP_ADMIN}),
    "delivery.review": frozenset({R.WORKSTREAM_CHAIR, R.PARTNERSHIP_ADMIN}),
    # Measures of success: reading the scorecard, defining indicators, entering values.
    "measures.view": PARTNERSHIP_STAFF,
    "measures.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    "measures.enter": frozenset({R.PARTNERSHIP_ADMIN, R.ANALYST, R.ACTION_LEAD}),
    # Local insight: the dashboard (suppressed unless figures.unsuppressed), and imports.
    "insight.view": frozenset({R.PARTNERSHIP_ADMIN, R.ANALYST, R.BOARD_MEMBER, R.WORKSTREAM_CHAIR}),
    "insight.import": frozenset({R.ANALYST}),
    # MARAC: practitioners screen and refer (and see only their own referrals);
    # case detail is for MARAC roles; the coordinator runs meetings and reviews access.
    "marac.refer": frozenset({R.PRACTITIONER, R.MARAC_COORDINATOR, R.MARAC_REPRESENTATIVE}),
    "marac.view": MARAC_ROLES,
    "marac.coordinate": frozenset({R.MARAC_COORDINATOR}),
    # Answering a victim's subject access request: everything MARAC holds about one person,
    # third parties redacted (docs/information-governance.md). Every search and export audited.
    "marac.subject_access": frozenset({R.MARAC_COORDINATOR}),
    "marac.statistics": frozenset(
        {R.MARAC_COORDINATOR, R.PARTNERSHIP_ADMIN, R.BOARD_MEMBER, R.ANALYST}
    ),
    # The public support directory's listings, kept by the partnership admin.
    "directory.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    # Survivor voice: triaging feedback, recording sessions, "you said, we did".
    "voice.manage": frozenset({R.PARTNERSHIP_ADMIN, R.WORKSTREAM_CHAIR}),
    # Partnership learning: training, registers and case reviews.
    "learning.view": PARTNERSHIP_STAFF,
    "learning.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    # Reports (board pack, annual report, regional return): reading the ones made, making
    # them, and keeping the governance bodies' meeting dates they start from.
    "reports.view": frozenset({R.PARTNERSHIP_ADMIN, R.BOARD_MEMBER, R.WORKSTREAM_CHAIR, R.ANALYST}),
    "reports.make": frozenset({R.PARTNERSHIP_ADMIN, R.ANALYST}),
    "meetings.manage": frozenset({R.PARTNERSHIP_ADMIN}),
    # A regional officer's permissions apply to a region, never to one partnership's rows.
    "region.view": frozenset({R.REGIONAL_OFFICER}),
}

# Roles whose membership needs a scope other than the partnership itself.
ROLES_NEEDING_WORKSTREAM = frozenset({R.WORKSTREAM_CHAIR})
ROLES_NEEDING_REGION = frozenset({R.REGIONAL_OFFICER})

# Roles that reach restricted data or hand out roles. Each takes effect only once a
# second person approves it (nobody grants one alone; an admin role is among them so
# that an admin cannot make a second admin account to approve their own requests),
# and in production each must sign in with two-factor authentication.
ROLES_NEEDING_APPROVAL = frozenset(
    {R.PARTNERSHIP_ADMIN, R.ANALYST, R.MARAC_COORDINATOR, R.MARAC_REPRESENTATIVE}
)
ROLES_NEEDING_TWO_FACTOR = ROLES_NEEDING_APPROVAL


def roles_grant(roles: set[str] | frozenset[str], permission: str) -> bool:
    """Whether any of `roles` holds `permission`."""
    allowed = PERMISSIONS.get(permission)
    if allowed is None:
        return False
    return any(role in allowed for role in roles)

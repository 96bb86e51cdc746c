"""Who may see and enter what, beyond the permissions in core.permissions.

`measures.view` lets all staff read the scorecard; restricted indicators are
for admins and analysts only (who sees figures exactly is core.disclosure's to say,
through audit.services.figures_viewed). `measures.enter` lets an action lead or analyst
enter values only for the indicators their own organisation owns; an admin
may enter any.
"""

from vawg.core.permissions import Role

RESTRICTED_READERS = frozenset({Role.PARTNERSHIP_ADMIN, Role.ANALYST})


def sees_restricted(roles) -> bool:
    return any(role in RESTRICTED_READERS for role in roles)


def may_enter_for(*, roles, organisation_ids, indicator) -> bool:
    """Whether someone holding `roles` in `organisation_ids` may enter values for `indicator`."""
    if Role.PARTNERSHIP_ADMIN in roles:
        return True
    if not any(role in (Role.ANALYST, Role.ACTION_LEAD) for role in roles):
        return False
    return indicator.owner_id is not None and indicator.owner_id in organisation_ids

"""Demo step: one account per role in each seed partnership, a regional officer and an operator.

Runs after the strategies are loaded (which create the partnerships, their
organisations and workstreams). Idempotent: running it again resets the
demo accounts to the one demo password and their roles to these.
"""

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vawg.accounts.models import Membership, User
from vawg.core.models import Organisation, Partnership, PartnershipBody, Region
from vawg.core.permissions import ROLES_NEEDING_APPROVAL, ROLES_NEEDING_WORKSTREAM, Role

DEMO_PARTNERSHIPS = ["wandsworth", "lambeth"]
DEMO_REGION = "london"

# Role -> (username suffix, synthetic first name, organisation kinds to prefer).
K = Organisation.Kind
DEMO_ROLES: dict[Role, tuple[str, str, list[str]]] = {
    Role.PARTNERSHIP_ADMIN: ("admin", "Alex", [K.COUNCIL]),
    Role.ACTION_LEAD: ("action-lead", "Sam", [K.CHARITY, K.COUNCIL]),
    Role.WORKSTREAM_CHAIR: ("workstream-chair", "Jordan", [K.COUNCIL]),
    Role.BOARD_MEMBER: ("board-member", "Morgan", [K.POLICE, K.COUNCIL]),
    Role.ANALYST: ("analyst", "Riley", [K.COUNCIL]),
    Role.PRACTITIONER: ("practitioner", "Casey", [K.HEALTH, K.HOUSING, K.CHARITY]),
    Role.MARAC_COORDINATOR: ("marac-coordinator", "Taylor", [K.COUNCIL, K.CHARITY]),
    Role.MARAC_REPRESENTATIVE: ("marac-rep", "Jamie", [K.POLICE]),
}


def _organisation_for(partnership: Partnership, kinds: list[str]) -> Organisation | None:
    organisations = list(partnership.organisations.order_by("name"))
    for kind in kinds:
        matches = [o for o in organisations if o.kind == kind]
        # The admin and analyst sit in community safety when the council has such a team.
        safety = [o for o in matches if "community safety" in o.name.lower()]
        if safety or matches:
            return (safety or matches)[0]
    return organisations[0] if organisations else None


def _first_workstream(partnership: Partnership) -> PartnershipBody | None:
    bodies = partnership.bodies.order_by("order", "name")
    return (
        bodies.filter(kind=PartnershipBody.Kind.WORKSTREAM).first()
        or bodies.filter(kind=PartnershipBody.Kind.DELIVERY_GROUP).first()
        or bodies.first()
    )


def _demo_user(username: str, first_name: str, **flags) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = first_name
    user.last_name = "Demo"
    user.email = f"{username}@example.invalid"
    user.is_active = True
    # In use from now: accounts_disable_inactive counts a demo account's days afresh.
    user.enabled_at = timezone.now()
    for name, value in flags.items():
        setattr(user, name, value)
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    return user


def _in_force(membership: Membership, operator: User) -> None:
    """Demo roles are in force, given by the operator and, where a role needs a second
    person, approved by them too, as the access review page shows."""
    membership.granted_by = operator
    membership.approved_at = membership.approved_at or timezone.now()
    membership.approved_by = operator if membership.role in ROLES_NEEDING_APPROVAL else None
    membership.refused_at = None
    membership.full_clean()
    membership.save()


def _hold_only(user: User, operator: User, **membership) -> None:
    """Give the user exactly this one active membership."""
    kept = Membership.objects.filter(user=user, ended_at__isnull=True, **membership).first()
    Membership.objects.filter(user=user).exclude(pk=getattr(kept, "pk", None)).delete()
    if kept is None:
        kept = Membership(user=user, **membership)
    _in_force(kept, operator)


@transaction.atomic
def load(*, today: date, rng, stdout) -> None:
    if settings.PRODUCTION:
        raise RuntimeError("Demo accounts are never created under production settings.")
    rows: list[tuple[str, str, str]] = []
    # The operator first: they gave and approved the demo roles.
    operator = _demo_user("operator", "Olly", is_staff=True, is_superuser=True)
    for slug in DEMO_PARTNERSHIPS:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            stdout.write(f"  No partnership '{slug}' yet: its demo accounts are skipped.\n")
            continue
        for role, (suffix, first_name, kinds) in DEMO_ROLES.items():
            organisation = _organisation_for(partnership, kinds)
            if organisation is None:
                stdout.write(f"  {partnership.name} has no organisations: skipped {suffix}.\n")
                continue
            workstream = None
            if role in ROLES_NEEDING_WORKSTREAM:
                workstream = _first_workstream(partnership)
                if workstream is None:
                    stdout.write(f"  {partnership.name} has no workstreams: skipped {suffix}.\n")
                    continue
            user = _demo_user(f"{slug}-{suffix}", first_name)
            _hold_only(
                user,
                operator,
                role=role,
                partnership=partnership,
                organisation=organisation,
                workstream=workstream,
            )
            rows.append((user.username, partnership.name, role.label))

    # One person on both boards, to show the partnership switcher and a union of roles.
    boards = [
        p
        for p in Partnership.objects.filter(slug__in=DEMO_PARTNERSHIPS)
        if p.organisations.exists()
    ]
    if len(boards) > 1:
        user = _demo_user("shared-board-member", "Avery")
        Membership.objects.filter(user=user).exclude(partnership__in=boards).delete()
        for partnership in boards:
            organisation = _organisation_for(partnership, [K.POLICE, K.COUNCIL])
            membership = Membership.objects.filter(
                user=user, partnership=partnership, role=Role.BOARD_MEMBER, ended_at__isnull=True
            ).first() or Membership(
                user=user,
                partnership=partnership,
                role=Role.BOARD_MEMBER,
                organisation=organisation,
            )
            _in_force(membership, operator)
        names = " and ".join(p.name for p in boards)
        rows.append((user.username, names, Role.BOARD_MEMBER.label))

    region = Region.objects.filter(slug=DEMO_REGION).first()
    if region is None:
        stdout.write(f"  No region '{DEMO_REGION}' yet: the regional officer is skipped.\n")
    else:
        user = _demo_user(f"{DEMO_REGION}-regional-officer", "Robin")
        _hold_only(user, operator, role=Role.REGIONAL_OFFICER, region=region)
        rows.append((user.username, f"{region.name} (region)", Role.REGIONAL_OFFICER.label))

    rows.append(("operator", "–", "Platform operator (Django admin at /operators/)"))

    width = max(len(r[0]) for r in rows)
    where_width = max(len(r[1]) for r in rows)
    stdout.write("\n  Demo accounts\n")
    stdout.write(f"  {'Username':<{width}}  {'Partnership':<{where_width}}  Role\n")
    for username, where, role in rows:
        stdout.write(f"  {username:<{width}}  {where:<{where_width}}  {role}\n")
    stdout.write(f"\n  Every demo account's password: {settings.DEMO_PASSWORD}\n\n")

"""Reads about people, their memberships and invitations."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import Invitation, Membership, User
from vawg.accounts.services import approval_refusal, hash_token, who_approves
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.core.permissions import ROLES_NEEDING_APPROVAL


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """The user's active memberships, for their own account page."""
    return (
        user.memberships.active()
        .select_related("partnership", "region", "organisation", "workstream")
        .order_by("partnership__name", "region__name", "role")
    )


def memberships_awaiting_approval_of_user(*, user: User) -> QuerySet[Membership]:
    """The user's own roles that wait for a second person's approval."""
    return (
        user.memberships.awaiting_approval()
        .select_related("partnership", "organisation")
        .order_by("partnership__name", "role")
    )


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def members_of_partnership(*, partnership: Partnership) -> QuerySet[Membership]:
    """Every membership of the partnership, current ones first."""
    return (
        scoped(Membership.objects.all(), partnership)
        .select_related("user", "organisation", "workstream")
        .order_by(F("ended_at").asc(nulls_first=True), "user__first_name", "user__username")
    )


def membership_of_partnership(*, partnership: Partnership, pk: int) -> Membership:
    return get_scoped_or_404(
        Membership.objects.select_related("user", "organisation", "workstream", "granted_by"),
        partnership,
        pk=pk,
    )


def organisations_of(partnership: Partnership) -> QuerySet[Organisation]:
    return scoped(Organisation.objects.all(), partnership).order_by("name")


def workstreams_of(partnership: Partnership) -> QuerySet[PartnershipBody]:
    """Bodies a workstream chair can chair."""
    kinds = [PartnershipBody.Kind.WORKSTREAM, PartnershipBody.Kind.DELIVERY_GROUP]
    return scoped(PartnershipBody.objects.filter(kind__in=kinds), partnership)


# --- Invitations ---------------------------------------------------------------------


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation an emailed link names, whatever its state (the page says which)."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("partnership", "organisation", "workstream")
        .filter(token_hash=hash_token(token))
        .first()
    )


def invitation_is_open(invitation: Invitation | None) -> bool:
    return invitation is not None and Invitation.objects.open().filter(pk=invitation.pk).exists()


def invitation_needs_approval(invitation: Invitation) -> bool:
    """Whether the role offered starts only once a second person approves it."""
    return invitation.role in ROLES_NEEDING_APPROVAL


def account_holds_address(*, email: str) -> bool:
    """Whether an account uses this address. Only ever asked for the person who opened
    an invitation sent to it, never for the one who sent it."""
    return User.objects.filter(email__iexact=email).exists()


def open_invitations(*, partnership: Partnership) -> QuerySet[Invitation]:
    return (
        scoped(Invitation.objects.open(), partnership)
        .select_related("organisation", "workstream", "invited_by")
        .order_by("-created_at")
    )


def open_invitation_of_partnership(*, partnership: Partnership, pk: int) -> Invitation:
    return get_scoped_or_404(
        Invitation.objects.open().select_related("organisation"), partnership, pk=pk
    )


# --- Approvals -------------------------------------------------------------------------


@dataclass(frozen=True)
class AwaitingApproval:
    membership: Membership
    # Why the viewer may not decide on it (None: they may), and who may, in words.
    refusal: str | None
    approvers: str


def approvals_for(*, partnership: Partnership, user: User) -> list[AwaitingApproval]:
    """The partnership's roles waiting for approval, each with whether `user` may decide."""
    waiting = (
        scoped(Membership.objects.awaiting_approval(), partnership)
        .select_related("user", "organisation", "workstream", "granted_by", "replaces")
        .order_by("requested_at", "pk")
    )
    return [
        AwaitingApproval(
            membership=m,
            refusal=approval_refusal(membership=m, approver=user),
            approvers=who_approves(m),
        )
        for m in waiting
    ]


def approvers_awaited(membership: Membership) -> str:
    """Who must approve `membership` before it grants anything, in words; empty when it
    waits for nobody."""
    return who_approves(membership) if membership.is_awaiting_approval else ""


def approvals_waiting_for(*, user: User) -> list[tuple[Partnership, int]]:
    """Per partnership where `user` could approve a role, how many wait for them."""
    counts: dict[int, list] = {}
    waiting = (
        Membership.objects.awaiting_approval()
        .filter(partnership_id__in=user.memberships.active().values("partnership_id"))
        .select_related("partnership")
    )
    for membership in waiting:
        if approval_refusal(membership=membership, approver=user) is None:
            entry = counts.setdefault(membership.partnership_id, [membership.partnership, 0])
            entry[1] += 1
    return [(p, n) for p, n in sorted(counts.values(), key=lambda e: e[0].name)]


# --- The access review -----------------------------------------------------------------


@dataclass(frozen=True)
class AccessReviewRow:
    membership: Membership
    last_sign_in: datetime | None
    two_factor: bool
    granted_by: str
    approved_by: str
    needs_approval: bool


def _who(user: User | None, member_ids: set[int]) -> str:
    """A granter or approver as the partnership may know them: its own people by name,
    anyone else as the platform operators they must be."""
    if user is None:
        return ""
    if user.pk in member_ids:
        return user.get_full_name() or user.username
    return "Platform operators"


def access_review(*, partnership: Partnership) -> list[AccessReviewRow]:
    """Who holds which role in force, since when, given and approved by whom, and when
    they last signed in."""
    device = TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)
    memberships = (
        scoped(Membership.objects.active(), partnership)
        .select_related("user", "organisation", "workstream", "granted_by", "approved_by")
        .annotate(two_factor=Exists(device))
        .order_by("user__first_name", "user__username", "role")
    )
    member_ids = set(
        scoped(Membership.objects.all(), partnership).values_list("user_id", flat=True)
    )
    return [
        AccessReviewRow(
            membership=m,
            last_sign_in=m.user.last_login,
            two_factor=m.two_factor,
            granted_by=_who(m.granted_by, member_ids),
            approved_by=_who(m.approved_by, member_ids),
            needs_approval=m.role in ROLES_NEEDING_APPROVAL,
        )
        for m in memberships
    ]

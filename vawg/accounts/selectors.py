"""Reads about people and their memberships."""

from django.db.models import F, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import Membership, User
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Organisation, Partnership, PartnershipBody


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """The user's active memberships, for their own account page."""
    return (
        user.memberships.active()
        .select_related("partnership", "region", "organisation", "workstream")
        .order_by("partnership__name", "region__name", "role")
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
        Membership.objects.select_related("user", "organisation", "workstream"),
        partnership,
        pk=pk,
    )


def organisations_of(partnership: Partnership) -> QuerySet[Organisation]:
    return scoped(Organisation.objects.all(), partnership).order_by("name")


def workstreams_of(partnership: Partnership) -> QuerySet[PartnershipBody]:
    """Bodies a workstream chair can chair."""
    kinds = [PartnershipBody.Kind.WORKSTREAM, PartnershipBody.Kind.DELIVERY_GROUP]
    return scoped(PartnershipBody.objects.filter(kind__in=kinds), partnership)

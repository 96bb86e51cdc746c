"""People and what they may do in each partnership."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from vawg.core.models import Organisation, Partnership, PartnershipBody, Region
from vawg.core.permissions import ROLES_NEEDING_REGION, ROLES_NEEDING_WORKSTREAM, Role


class User(AbstractUser):
    """A member of staff. Residents and survivors never have an account."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(ended_at__isnull=True, user__is_active=True)


class Membership(models.Model):
    """Ties a user to a partnership (or, for a regional officer, a region), an
    organisation and a role, with a workstream where the role needs one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    workstream = models.ForeignKey(
        PartnershipBody, null=True, blank=True, on_delete=models.PROTECT, related_name="chairs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partnership__name", "role"]
        constraints = [
            # Exactly one of partnership or region.
            models.CheckConstraint(
                condition=(Q(partnership__isnull=False) & Q(region__isnull=True))
                | (Q(partnership__isnull=True) & Q(region__isnull=False)),
                name="membership_partnership_xor_region",
            ),
        ]

    def __str__(self) -> str:
        where = self.partnership or self.region
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.role in ROLES_NEEDING_REGION:
            if not self.region_id:
                errors["region"] = "A regional officer's membership is to a region."
            if self.partnership_id:
                errors["partnership"] = "A regional officer is not a member of one partnership."
        else:
            if not self.partnership_id:
                errors["partnership"] = "Choose the partnership."
            if self.region_id:
                errors["region"] = "Only a regional officer's membership is to a region."
            if not self.organisation_id:
                errors["organisation"] = "Choose the organisation this person works for."
        if self.role in ROLES_NEEDING_WORKSTREAM and not self.workstream_id:
            errors["workstream"] = "Choose the workstream this person chairs."
        if (
            self.organisation_id
            and self.partnership_id
            and self.organisation.partnership_id != self.partnership_id
        ):
            errors["organisation"] = "The organisation must belong to the same partnership."
        if (
            self.workstream_id
            and self.partnership_id
            and self.workstream.partnership_id != self.partnership_id
        ):
            errors["workstream"] = "The workstream must belong to the same partnership."
        if errors:
            raise ValidationError(errors)


class UserSession(models.Model):
    """A session a user signed in with, so that disabling the account can end
    exactly those sessions without decoding every row in the session store."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Session of user {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"

"""People and what they may do in each partnership."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from vawg.core.models import Organisation, Partnership, PartnershipBody, Region
from vawg.core.permissions import ROLES_NEEDING_REGION, ROLES_NEEDING_WORKSTREAM, Role


class User(AbstractUser):
    """A member of staff. Residents and survivors never have an account."""

    # When an operator last enabled the account again: the clock of
    # `accounts_disable_inactive` starts afresh from it, as from a sign-in.
    enabled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        """Memberships in force: not ended, approved, of an account not disabled."""
        return self.filter(ended_at__isnull=True, approved_at__isnull=False, user__is_active=True)

    def awaiting_approval(self) -> "MembershipQuerySet":
        """Asked for, not yet approved or refused: they grant nothing."""
        return self.filter(ended_at__isnull=True, approved_at__isnull=True, user__is_active=True)


def scope_errors(
    *, role: str, partnership_id, region_id, organisation, workstream
) -> dict[str, str]:
    """What is wrong with where a role is held (for a membership or an invitation)."""
    errors: dict[str, str] = {}
    if role in ROLES_NEEDING_REGION:
        if not region_id:
            errors["region"] = "A regional officer's membership is to a region."
        if partnership_id:
            errors["partnership"] = "A regional officer is not a member of one partnership."
    else:
        if not partnership_id:
            errors["partnership"] = "Choose the partnership."
        if region_id:
            errors["region"] = "Only a regional officer's membership is to a region."
        if organisation is None:
            errors["organisation"] = "Choose the organisation this person works for."
    if role in ROLES_NEEDING_WORKSTREAM and workstream is None:
        errors["workstream"] = "Choose the workstream this person chairs."
    if (
        organisation is not None
        and partnership_id
        and organisation.partnership_id != partnership_id
    ):
        errors["organisation"] = "The organisation must belong to the same partnership."
    if workstream is not None and partnership_id and workstream.partnership_id != partnership_id:
        errors["workstream"] = "The workstream must belong to the same partnership."
    return errors


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
    # Who asked for this role, and when (an invitation's sender, or the admin who changed
    # the role): for the access review, and so that they cannot also approve it.
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # When the role took effect. Empty while it waits for a second person's approval
    # (ROLES_NEEDING_APPROVAL): until then it grants nothing. Rows made outside the
    # services (operators, tests, demo data) are in force from the start.
    approved_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refused_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A change of role waiting for approval is a new membership: the one it replaces
    # stays in force until the change is approved, and ends then.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replacements"
    )

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
            # Nobody approves their own role.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("user")),
                name="membership_not_approved_by_its_member",
            ),
        ]

    def __str__(self) -> str:
        where = self.partnership or self.region
        return f"{self.user} – {self.get_role_display()} – {where}"

    @property
    def is_awaiting_approval(self) -> bool:
        return self.ended_at is None and self.approved_at is None

    @property
    def is_refused(self) -> bool:
        return self.refused_at is not None

    def clean(self) -> None:
        errors = scope_errors(
            role=self.role,
            partnership_id=self.partnership_id,
            region_id=self.region_id,
            organisation=self.organisation if self.organisation_id else None,
            workstream=self.workstream if self.workstream_id else None,
        )
        if errors:
            raise ValidationError(errors)


class InvitationQuerySet(models.QuerySet):
    def open(self, *, now=None) -> "InvitationQuerySet":
        """Sent, not yet accepted, withdrawn or expired."""
        return self.filter(
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class Invitation(models.Model):
    """A role offered to an email address. No account is looked up or made when it is
    sent: whoever holds the address accepts it through the emailed single-use link,
    with their own account or a new one, and only then becomes a member."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    workstream = models.ForeignKey(
        PartnershipBody, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Only a hash of the link's token is kept: a copy of the database opens nothing.
    token_hash = models.CharField(max_length=64, unique=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation {self.pk} – {self.get_role_display()} – {self.partnership}"

    def clean(self) -> None:
        errors = scope_errors(
            role=self.role,
            partnership_id=self.partnership_id,
            region_id=None,
            organisation=self.organisation if self.organisation_id else None,
            workstream=self.workstream if self.workstream_id else None,
        )
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

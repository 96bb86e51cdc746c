"""Every write about people: sessions, two-factor devices, accounts, invitations and
memberships, with the rules of who may give which role.

Audit events hold references (ids, roles), never names or email addresses.
"""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from importlib import import_module
from typing import cast

import django_otp
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import Invitation, Membership, User, UserSession
from vawg.audit.services import Action, record
from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.core.permissions import (
    ROLES_NEEDING_APPROVAL,
    ROLES_NEEDING_REGION,
    ROLES_NEEDING_TWO_FACTOR,
    ROLES_NEEDING_WORKSTREAM,
    Role,
)

SIGNED_IN_AT = "vawg_signed_in_at"
# When the session's idle expiry was last pushed back (accounts.middleware).
REFRESHED_AT = "vawg_refreshed_at"
SERVICE_NAME = "VAWG Partnership Platform"


# --- Sessions ----------------------------------------------------------------


def user_session_start(*, user: User, request: HttpRequest) -> None:
    """Note when and with which session the user signed in (for absolute expiry
    and for ending every session when the account is disabled)."""
    # Signing in saves the session, so its idle expiry starts now too.
    request.session[SIGNED_IN_AT] = request.session[REFRESHED_AT] = time.time()
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )


def user_session_rekey(*, user: User, old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key was cycled (a password change cycles it)."""
    if not new_key or old_key == new_key:
        return
    UserSession.objects.filter(session_key=old_key).delete()
    UserSession.objects.update_or_create(session_key=new_key, defaults={"user": user})


def user_password_changed(
    *, user: User, request: HttpRequest, old_session_key: str | None, by_link: bool = False
) -> None:
    """After Django has changed the password: keep following the session, and audit it."""
    user_session_rekey(user=user, old_key=old_session_key, new_key=request.session.session_key)
    record(
        action=Action.UPDATE,
        actor=user,
        obj=user,
        summary="Password set from an emailed link" if by_link else "Password changed",
        request=request,
    )


def two_factor_verified(*, request: HttpRequest, device: TOTPDevice) -> None:
    """Mark this session as having passed the second factor, and audit it."""
    django_otp.login(request, device)
    # Only a signed-in user reaches the second factor.
    user = cast(User, request.user)
    record(action=Action.TWO_FACTOR, actor=user, obj=user, request=request)


def user_session_end(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_end_all(*, user: User) -> int:
    """Delete every session the user signed in with, whatever the session store."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(user=user).delete()
    return len(keys)


@transaction.atomic
def user_disable(
    *,
    user: User,
    actor: User | None,
    request: HttpRequest | None = None,
    summary: str = "Account disabled and its sessions ended",
    detail: dict | None = None,
) -> User:
    """Disable the account and end all its sessions at once."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = user_sessions_end_all(user=user)
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=user,
        summary=summary,
        request=request,
        detail={"sessions_ended": ended, **(detail or {})},
    )
    return user


@transaction.atomic
def user_enable(*, user: User, actor: User | None, request: HttpRequest | None = None) -> User:
    """Enable a disabled account again. Its unused-account clock starts afresh, so that
    the next run of accounts_disable_inactive does not disable it straight back."""
    user.is_active = True
    user.enabled_at = timezone.now()
    user.save(update_fields=["is_active", "enabled_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=user,
        summary="Account enabled again",
        request=request,
        detail={"enabled": True},
    )
    return user


def users_disable_inactive(*, today: date, days: int) -> list[int]:
    """Disable every account not used for `days` days before `today`: idempotent for cron.

    An account is used when someone signs in to it; one never signed in to counts from
    when it was made, and one an operator enabled again from then. Returns the ids.
    """
    if days <= 0:
        return []
    cutoff = datetime.combine(
        today - timedelta(days=days), clock.min, tzinfo=timezone.get_current_timezone()
    )
    last_used = Greatest(
        Coalesce("last_login", "date_joined"), Coalesce("enabled_at", "date_joined")
    )
    dormant = (
        User.objects.filter(is_active=True)
        .alias(last_used=last_used)
        .filter(last_used__lt=cutoff)
        .order_by("pk")
    )
    disabled = []
    for user in dormant:
        user_disable(
            user=user,
            actor=None,
            summary=f"Account disabled after {days} days unused; its sessions ended",
            detail={"reason": "inactive", "days": days},
        )
        disabled.append(user.pk)
    return disabled


# --- Two-factor ----------------------------------------------------------------


def two_factor_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first visit and reused
    afterwards so the code shown stays the same until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_device_confirm(
    *, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one authenticator per person: a second would be a way round a lost phone report.
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    record(
        action=Action.CREATE,
        actor=device.user,
        object_type="otp_totp.TOTPDevice",
        object_id=device.pk,
        summary="Two-factor authentication set up",
        request=request,
    )
    return True


def two_factor_required_for(user: User) -> bool:
    """Whether the user must use two-factor authentication.

    In production, platform operators (staff, who reach the Django admin) and every
    role in ROLES_NEEDING_TWO_FACTOR must, whatever the settings say;
    TWO_FACTOR_REQUIRED_ROLES adds roles, in any environment.
    """
    if not user.is_authenticated:
        return False
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if settings.PRODUCTION:
        if user.is_staff or user.is_superuser:
            return True
        required |= ROLES_NEEDING_TWO_FACTOR
    if not required:
        return False
    return user.memberships.active().filter(role__in=required).exists()


@transaction.atomic
def two_factor_device_remove(*, user: User, request: HttpRequest | None = None) -> None:
    if two_factor_required_for(user):
        raise ValidationError(
            "Your role needs two-factor authentication, so it cannot be removed. "
            "If you have a new phone, ask the platform operators to reset it."
        )
    removed = list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True))
    TOTPDevice.objects.filter(pk__in=removed).delete()
    for pk in removed:
        record(
            action=Action.DELETE,
            actor=user,
            object_type="otp_totp.TOTPDevice",
            object_id=pk,
            summary="Two-factor authentication removed",
            request=request,
        )


# --- Emails ----------------------------------------------------------------------
# No names, partnership or role in any message: only the service and a link.


def _absolute(path: str, request: HttpRequest | None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _send_each(subject: str, body: str, recipients: list[str]) -> None:
    """One message per person, sent once the transaction commits, so that nobody
    sees another's address and a refused write sends nothing."""
    messages = [(subject, body, None, [to]) for to in recipients if to]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages))


def _send_invitation(*, email: str, token: str, request: HttpRequest | None) -> None:
    # The same message whether or not the address has an account: the inviter never
    # learns which, and neither does anyone who reads the email on its way.
    link = _absolute(reverse("accounts:invitation", kwargs={"token": token}), request)
    days = settings.ACCOUNT_INVITATION_DAYS
    _send_each(
        f"You are invited to the {SERVICE_NAME}",
        f"You have been invited to the {SERVICE_NAME}.\n\n"
        f"Open this link to accept (it works once, for {days} days): {link}\n\n"
        "If you were not expecting this, you can ignore this email.\n",
        [email],
    )


def _notify_approvers(*, membership: Membership, request: HttpRequest | None) -> None:
    """Tell the people who may approve a waiting role that it is there (a link only)."""
    exclude = [pk for pk in (membership.user_id, membership.granted_by_id) if pk]
    emails: list[str] = []
    link = ""
    # A membership the platform operators approve may have no partnership.
    partnership = None if _needs_operator(membership) else membership.partnership
    if partnership is not None:
        roles = {Role.PARTNERSHIP_ADMIN}
        if membership.role == Role.MARAC_REPRESENTATIVE:
            roles.add(Role.MARAC_COORDINATOR)
        approvers = (
            Membership.objects.active()
            .filter(partnership_id=membership.partnership_id, role__in=roles)
            .exclude(user_id__in=exclude)
            .values("user_id")
        )
        emails = list(
            User.objects.filter(pk__in=approvers).distinct().values_list("email", flat=True)
        )
        link = reverse("accounts:approval-list", kwargs={"partnership": partnership.slug})
    if not emails:
        # Nobody in the partnership may approve it: the platform operators can.
        emails = list(
            User.objects.filter(is_active=True, is_staff=True)
            .exclude(pk__in=exclude)
            .values_list("email", flat=True)
        )
        link = reverse("admin:accounts_membership_changelist") + "?waiting=yes"
    _send_each(
        f"A role is waiting for your approval on the {SERVICE_NAME}",
        f"A role on the {SERVICE_NAME} takes effect only when a second person approves "
        f"it, and one is waiting.\n\nSign in to approve or refuse it: {_absolute(link, request)}\n",
        emails,
    )


# --- Invitations -------------------------------------------------------------------


def _refuse_regional_officer(role: str) -> None:
    if role in ROLES_NEEDING_REGION:
        raise ValidationError(
            {
                "role": "A regional officer's membership is to a region, not a partnership: "
                "ask the platform operators to add it."
            }
        )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def member_invite(
    *,
    partnership: Partnership,
    actor: User,
    email: str,
    organisation: Organisation,
    role: str,
    workstream: PartnershipBody | None = None,
    request: HttpRequest | None = None,
) -> Invitation:
    """Offer a role in the partnership to an email address.

    No account is looked up: whether the address has one is learnt only by whoever
    opens the emailed link, and the inviter sees nothing of it until it is accepted.
    """
    _refuse_regional_officer(role)
    email = email.strip()
    if actor.email and email.lower() == actor.email.strip().lower():
        raise ValidationError(
            {"email": "You cannot invite yourself: ask another partnership admin to do it."}
        )
    now = timezone.now()
    waiting = Invitation.objects.open(now=now).filter(
        partnership=partnership, email__iexact=email, role=role
    )
    if waiting.exists():
        raise ValidationError(
            {
                "email": "An invitation to this address for this role is waiting to be "
                "accepted. Withdraw it first to send a new one."
            }
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        partnership=partnership,
        email=email,
        role=role,
        organisation=organisation,
        workstream=workstream if role in ROLES_NEEDING_WORKSTREAM else None,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.ACCOUNT_INVITATION_DAYS),
        token_hash=hash_token(token),
    )
    invitation.full_clean()
    invitation.save()
    record(
        action=Action.CREATE,
        actor=actor,
        partnership=partnership,
        obj=invitation,
        summary=f"Invitation sent: {invitation.get_role_display()}",
        request=request,
        detail={
            "role": role,
            "organisation": organisation.pk,
            "needs_approval": role in ROLES_NEEDING_APPROVAL,
        },
    )
    _send_invitation(email=email, token=token, request=request)
    return invitation


def _lock_open(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at or locked.withdrawn_at or locked.expires_at <= timezone.now():
        raise ValidationError(
            "This invitation has been used, withdrawn or has expired: ask your partnership's "
            "lead for a new one."
        )
    return locked


def _accept(*, invitation: Invitation, user: User, request: HttpRequest | None) -> Membership:
    if user.pk == invitation.invited_by_id:
        raise ValidationError(
            "You cannot accept an invitation you sent: ask another partnership admin to invite you."
        )
    if (user.email or "").strip().lower() != invitation.email.lower():
        raise ValidationError(
            "This invitation was sent to another email address than your account's. Sign "
            "out, then open the link again."
        )
    now = timezone.now()
    membership = Membership.objects.filter(
        user=user, partnership=invitation.partnership, role=invitation.role, ended_at__isnull=True
    ).first()
    created = membership is None
    if membership is None:
        waits = invitation.role in ROLES_NEEDING_APPROVAL
        membership = Membership(
            user=user,
            role=invitation.role,
            partnership=invitation.partnership,
            organisation=invitation.organisation,
            workstream=invitation.workstream,
            granted_by_id=invitation.invited_by_id,
            requested_at=invitation.created_at,
            approved_at=None if waits else now,
        )
        membership.full_clean()
        membership.save()
    invitation.accepted_at = now
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "membership"])
    record(
        action=Action.UPDATE,
        actor=user,
        partnership=invitation.partnership,
        obj=invitation,
        summary="Invitation accepted",
        request=request,
        detail={"membership": membership.pk, "new_membership": created},
    )
    if created:
        record(
            action=Action.CREATE,
            actor=user,
            partnership=invitation.partnership,
            obj=membership,
            summary=f"Membership added: {membership.get_role_display()}"
            + (" (waiting for approval)" if membership.is_awaiting_approval else ""),
            request=request,
            detail={
                "role": membership.role,
                "invitation": invitation.pk,
                "granted_by": invitation.invited_by_id,
                "awaiting_approval": membership.is_awaiting_approval,
            },
        )
        if membership.is_awaiting_approval:
            _notify_approvers(membership=membership, request=request)
    return membership


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, request: HttpRequest | None = None
) -> Membership:
    """The signed-in holder of the invited address takes the role with their account."""
    return _accept(invitation=_lock_open(invitation), user=user, request=request)


def username_for(email: str) -> str:
    """A new account's username: its email address, less what a username cannot hold."""
    return re.sub(r"[^\w.@+-]", "", email.strip().lower())[:150]


@transaction.atomic
def invitation_accept_new_account(
    *,
    invitation: Invitation,
    full_name: str,
    password: str,
    request: HttpRequest | None = None,
) -> Membership:
    """Whoever opened the link, having no account, makes one (its username is the
    invited address) and takes the role."""
    invitation = _lock_open(invitation)
    email = invitation.email
    username = username_for(email)
    taken = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=username))
    if taken.exists():
        raise ValidationError(
            "An account already uses this email address: sign in to it to accept the invitation."
        )
    if not full_name.strip():
        raise ValidationError({"full_name": "Enter your full name."})
    # GOV.UK patterns ask for one full-name field; it is kept whole in first_name.
    user = User(username=username, first_name=full_name.strip(), email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"new_password2": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    record(
        action=Action.CREATE,
        actor=user,
        partnership=invitation.partnership,
        obj=user,
        summary="Account created from an invitation",
        request=request,
        detail={"invitation": invitation.pk},
    )
    return _accept(invitation=invitation, user=user, request=request)


@transaction.atomic
def invitation_withdraw(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> Invitation:
    """Cancel an invitation not yet accepted: its link stops working at once."""
    invitation = _lock_open(invitation)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        partnership=invitation.partnership,
        obj=invitation,
        summary="Invitation withdrawn",
        request=request,
        detail={"role": invitation.role, "withdrawn": True},
    )
    return invitation


# --- Approvals ---------------------------------------------------------------------


def is_platform_operator(user: User) -> bool:
    """An operator of the whole platform (the Django admin), not of one partnership."""
    return bool(user.is_active and user.is_staff)


def _needs_operator(membership: Membership) -> bool:
    """A partnership's first MARAC coordinator is approved by the platform operators."""
    if membership.partnership_id is None:
        return True
    if membership.role != Role.MARAC_COORDINATOR:
        return False
    return not (
        Membership.objects.active()
        .filter(partnership_id=membership.partnership_id, role=Role.MARAC_COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


def who_approves(membership: Membership) -> str:
    """Who may approve a waiting role, in words."""
    if _needs_operator(membership):
        return "the platform operators"
    if membership.role == Role.MARAC_REPRESENTATIVE:
        return "another partnership admin or the MARAC coordinator (or the platform operators)"
    return "another partnership admin (or the platform operators)"


def approval_refusal(*, membership: Membership, approver: User) -> str | None:
    """Why `approver` may not approve or refuse `membership`, or None if they may.

    The second person is never the member nor who asked for the role: another
    partnership admin; for a MARAC representative also the MARAC coordinator; for the
    partnership's first MARAC coordinator only the platform operators, who may
    decide on any role.
    """
    if not membership.is_awaiting_approval:
        return "This role is not waiting for approval."
    if approver.pk == membership.user_id:
        return "You cannot decide on your own role: another person must."
    if approver.pk == membership.granted_by_id:
        return "You asked for this role, so another person must decide on it."
    if is_platform_operator(approver):
        return None
    if not _needs_operator(membership):
        roles = set(
            Membership.objects.active()
            .filter(user=approver, partnership_id=membership.partnership_id)
            .values_list("role", flat=True)
        )
        if Role.PARTNERSHIP_ADMIN in roles:
            return None
        if membership.role == Role.MARAC_REPRESENTATIVE and Role.MARAC_COORDINATOR in roles:
            return None
    return f"Only {who_approves(membership)} can decide on this role."


def _lock_for_decision(membership: Membership, approver: User) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    reason = approval_refusal(membership=locked, approver=approver)
    if reason:
        raise ValidationError(reason)
    return locked


@transaction.atomic
def membership_approve(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> Membership:
    """The second person's approval: the role takes effect now (and a membership it
    changes ends)."""
    membership = _lock_for_decision(membership, actor)
    now = timezone.now()
    membership.approved_at = now
    membership.approved_by = actor
    membership.full_clean()
    membership.save(update_fields=["approved_at", "approved_by"])
    record(
        action=Action.UPDATE,
        actor=actor,
        partnership=membership.partnership_id,
        obj=membership,
        summary=f"Membership approved: {membership.get_role_display()}",
        request=request,
        detail={
            "role": membership.role,
            "granted_by": membership.granted_by_id,
            "approved": True,
        },
    )
    replaced = membership.replaces
    if replaced is not None and replaced.ended_at is None:
        replaced.ended_at = now
        replaced.save(update_fields=["ended_at"])
        record(
            action=Action.UPDATE,
            actor=actor,
            partnership=membership.partnership_id,
            obj=replaced,
            summary="Membership ended: its approved change replaces it",
            request=request,
            detail={"role": replaced.role, "ended": True, "replaced_by": membership.pk},
        )
    return membership


@transaction.atomic
def membership_refuse(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> Membership:
    """The second person's refusal: the role never takes effect (a membership the
    change was to replace carries on as it was)."""
    membership = _lock_for_decision(membership, actor)
    now = timezone.now()
    membership.refused_at = now
    membership.refused_by = actor
    membership.ended_at = now
    membership.save(update_fields=["refused_at", "refused_by", "ended_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        partnership=membership.partnership_id,
        obj=membership,
        summary=f"Membership refused: {membership.get_role_display()}",
        request=request,
        detail={
            "role": membership.role,
            "granted_by": membership.granted_by_id,
            "refused": True,
        },
    )
    return membership


# --- Changing and ending -----------------------------------------------------------


def _is_own_last_admin_membership(membership: Membership, actor: User) -> bool:
    if membership.user_id != actor.pk or membership.role != Role.PARTNERSHIP_ADMIN:
        return False
    others = Membership.objects.active().filter(
        user=actor, partnership_id=membership.partnership_id, role=Role.PARTNERSHIP_ADMIN
    )
    return not others.exclude(pk=membership.pk).exists()


@dataclass(frozen=True)
class MemberChange:
    membership: Membership
    # True when the change is a new membership waiting for a second person's approval.
    awaiting_approval: bool

    @property
    def message(self) -> str:
        """What the person who made the change is told: made, or asked for and of whom."""
        if not self.awaiting_approval:
            return "Membership changed."
        return (
            f"Change asked for. It takes effect when {who_approves(self.membership)} approves "
            "it; until then the current role stays as it is."
        )


@transaction.atomic
def member_change(
    *,
    membership: Membership,
    actor: User,
    role: str,
    organisation: Organisation,
    workstream: PartnershipBody | None = None,
    request: HttpRequest | None = None,
) -> MemberChange:
    """Change a membership's role, organisation or workstream.

    A change to a role needing approval (or, for such a role, to another organisation)
    is asked for, not made: a new membership waits for a second person, and the one
    it would replace stays in force until then.
    """
    if membership.ended_at is not None:
        raise ValidationError("This membership has ended: add the person again to give a role.")
    if membership.user_id == actor.pk:
        raise ValidationError(
            "You cannot change your own role: ask another partnership admin to do it."
        )
    if membership.is_awaiting_approval:
        raise ValidationError(
            "This role is waiting for approval: it can be approved, refused or ended, not changed."
        )
    _refuse_regional_officer(role)
    workstream = workstream if role in ROLES_NEEDING_WORKSTREAM else None
    now = timezone.now()
    if role in ROLES_NEEDING_APPROVAL and (
        role != membership.role or organisation.pk != membership.organisation_id
    ):
        if membership.replacements.filter(ended_at__isnull=True, approved_at__isnull=True).exists():
            raise ValidationError(
                "A change to this membership is already waiting for approval: it must be "
                "approved or refused first."
            )
        change = Membership(
            user=membership.user,
            role=role,
            partnership=membership.partnership,
            organisation=organisation,
            workstream=workstream,
            granted_by=actor,
            requested_at=now,
            approved_at=None,
            replaces=membership,
        )
        change.full_clean()
        change.save()
        record(
            action=Action.CREATE,
            actor=actor,
            partnership=membership.partnership,
            obj=change,
            summary=f"Change of role asked for: {change.get_role_display()} (waiting for approval)",
            request=request,
            detail={
                "role": role,
                "organisation": organisation.pk,
                "replaces": membership.pk,
                "awaiting_approval": True,
            },
        )
        _notify_approvers(membership=change, request=request)
        return MemberChange(change, awaiting_approval=True)

    before = {"role": membership.role, "organisation": membership.organisation_id}
    if role != membership.role:
        membership.granted_by = actor
        membership.requested_at = now
        membership.approved_at = now
        membership.approved_by = None
    membership.role = role
    membership.organisation = organisation
    membership.workstream = workstream
    membership.full_clean()
    membership.save()
    record(
        action=Action.UPDATE,
        actor=actor,
        partnership=membership.partnership,
        obj=membership,
        summary=f"Membership changed: {membership.get_role_display()}",
        request=request,
        detail={"before": before, "role": role, "organisation": organisation.pk},
    )
    return MemberChange(membership, awaiting_approval=False)


@transaction.atomic
def member_end(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> Membership:
    """End the membership, and any change of it still waiting for approval. Access is
    worked out per request, so it stops at once."""
    if membership.ended_at is not None:
        raise ValidationError("This membership has already ended.")
    if _is_own_last_admin_membership(membership, actor):
        raise ValidationError(
            "You cannot end your own partnership admin role: ask another admin to do it."
        )
    now = timezone.now()
    waiting = list(membership.replacements.filter(ended_at__isnull=True, approved_at__isnull=True))
    for ending in [membership, *waiting]:
        ending.ended_at = now
        ending.save(update_fields=["ended_at"])
        record(
            action=Action.UPDATE,
            actor=actor,
            partnership=ending.partnership,
            obj=ending,
            summary="Membership ended",
            request=request,
            detail={"role": ending.role, "ended": True},
        )
    return membership

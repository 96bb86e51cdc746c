"""Every write about people: sessions, two-factor devices, accounts and memberships.

Audit events hold references (ids, roles), never names or email addresses.
"""

import time
from importlib import import_module

import django_otp
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts.models import Membership, User, UserSession
from vawg.audit.services import Action, record
from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.core.permissions import ROLES_NEEDING_REGION, ROLES_NEEDING_WORKSTREAM, Role

SIGNED_IN_AT = "vawg_signed_in_at"
SERVICE_NAME = "VAWG Partnership Platform"


# --- Sessions ----------------------------------------------------------------


def user_session_start(*, user: User, request: HttpRequest) -> None:
    """Note when and with which session the user signed in (for absolute expiry
    and for ending every session when the account is disabled)."""
    request.session[SIGNED_IN_AT] = time.time()
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
    record(action=Action.TWO_FACTOR, actor=request.user, obj=request.user, request=request)


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
def user_disable(*, user: User, actor: User | None, request: HttpRequest | None = None) -> User:
    """Disable the account and end all its sessions at once."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = user_sessions_end_all(user=user)
    record(
        action=Action.UPDATE,
        actor=actor,
        obj=user,
        summary="Account disabled and its sessions ended",
        request=request,
        detail={"sessions_ended": ended},
    )
    return user


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
    """Whether any of the user's active roles must use two-factor authentication."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
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


# --- Members -------------------------------------------------------------------


def _set_password_link(user: User, request: HttpRequest | None) -> str:
    path = reverse(
        "accounts:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _sign_in_link(request: HttpRequest | None) -> str:
    path = reverse("accounts:sign-in")
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _send_invitation(*, user: User, request: HttpRequest | None) -> None:
    # No names, partnership or role in the message: only the service and the link.
    if user.has_usable_password():
        subject = f"You have a new role on the {SERVICE_NAME}"
        body = (
            f"You have been given a new role on the {SERVICE_NAME}.\n\n"
            f"Sign in to see it: {_sign_in_link(request)}\n"
        )
    else:
        subject = f"Set your password for the {SERVICE_NAME}"
        body = (
            f"You have been invited to the {SERVICE_NAME}.\n\n"
            f"Set your password here (the link works once): {_set_password_link(user, request)}\n\n"
            "If you were not expecting this, you can ignore this email.\n"
        )
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


def _refuse_regional_officer(role: str) -> None:
    if role in ROLES_NEEDING_REGION:
        raise ValidationError(
            {
                "role": "A regional officer's membership is to a region, not a partnership: "
                "ask the platform operators to add it."
            }
        )


def _is_own_last_admin_membership(membership: Membership, actor: User) -> bool:
    if membership.user_id != actor.pk or membership.role != Role.PARTNERSHIP_ADMIN:
        return False
    others = Membership.objects.active().filter(
        user=actor, partnership_id=membership.partnership_id, role=Role.PARTNERSHIP_ADMIN
    )
    return not others.exclude(pk=membership.pk).exists()


@transaction.atomic
def member_invite(
    *,
    partnership: Partnership,
    actor: User,
    username: str,
    full_name: str,
    email: str,
    organisation: Organisation,
    role: str,
    workstream: PartnershipBody | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Give someone a role in the partnership, creating their account if it is new.

    A new account has no usable password: the email carries a one-time link to set one.
    """
    _refuse_regional_officer(role)
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        missing = {}
        if not full_name.strip():
            missing["full_name"] = "Enter the full name of the new member."
        if not email.strip():
            missing["email"] = "Enter the email address the set-password link goes to."
        if missing:
            raise ValidationError(missing)
        # GOV.UK patterns ask for one full-name field; it is kept whole in first_name.
        user = User(username=username, first_name=full_name.strip(), email=email.strip())
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    elif not user.is_active:
        raise ValidationError(
            {"username": "That account has been disabled: ask the platform operators."}
        )
    elif Membership.objects.active().filter(user=user, partnership=partnership, role=role).exists():
        raise ValidationError({"role": "This person already holds that role here."})

    membership = Membership(
        user=user,
        role=role,
        partnership=partnership,
        organisation=organisation,
        workstream=workstream if role in ROLES_NEEDING_WORKSTREAM else None,
    )
    membership.full_clean()
    membership.save()
    if created:
        record(
            action=Action.CREATE,
            actor=actor,
            partnership=partnership,
            obj=user,
            summary="Account created by invitation",
            request=request,
        )
    record(
        action=Action.CREATE,
        actor=actor,
        partnership=partnership,
        obj=membership,
        summary=f"Membership added: {membership.get_role_display()}",
        request=request,
        detail={"role": role, "new_account": created},
    )
    _send_invitation(user=user, request=request)
    return membership


@transaction.atomic
def member_change(
    *,
    membership: Membership,
    actor: User,
    role: str,
    organisation: Organisation,
    workstream: PartnershipBody | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    if membership.ended_at is not None:
        raise ValidationError("This membership has ended: add the person again to give a role.")
    _refuse_regional_officer(role)
    if role != membership.role and _is_own_last_admin_membership(membership, actor):
        raise ValidationError(
            {"role": "You cannot take away your own partnership admin role: ask another admin."}
        )
    before = {"role": membership.role, "organisation": membership.organisation_id}
    membership.role = role
    membership.organisation = organisation
    membership.workstream = workstream if role in ROLES_NEEDING_WORKSTREAM else None
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
    return membership


@transaction.atomic
def member_end(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> Membership:
    """End the membership. Access is worked out per request, so it stops at once."""
    if membership.ended_at is not None:
        raise ValidationError("This membership has already ended.")
    if _is_own_last_admin_membership(membership, actor):
        raise ValidationError(
            "You cannot end your own partnership admin role: ask another admin to do it."
        )
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    record(
        action=Action.UPDATE,
        actor=actor,
        partnership=membership.partnership,
        obj=membership,
        summary="Membership ended",
        request=request,
        detail={"role": membership.role, "ended": True},
    )
    return membership

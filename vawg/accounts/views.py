from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from vawg.accounts import selectors, services
from vawg.accounts.forms import (
    GovukPasswordChangeForm,
    GovukSetPasswordForm,
    InvitationAccountForm,
    MemberChangeForm,
    MemberInviteForm,
    SignInForm,
    TwoFactorCodeForm,
)
from vawg.accounts.models import Invitation, Membership
from vawg.core.access import partnership_permission, public, signed_in
from vawg.core.forms import add_service_errors

# Model field names that the forms show under another name.
FORM_FIELD_FOR = {"first_name": "full_name"}


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- Signing in and out ------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    http_method_names = ["get", "post"]


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, "You have signed out.")
        return response


sign_in = public(SignInView.as_view())
sign_out = signed_in(SignOutView.as_view())


# --- Your account ------------------------------------------------------------------


@signed_in
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": selectors.memberships_of_user(user=request.user),
            "awaiting": selectors.memberships_awaiting_approval_of_user(user=request.user),
            "approvals": selectors.approvals_waiting_for(user=request.user),
            "device": selectors.confirmed_device(user=request.user),
            "two_factor_required": services.two_factor_required_for(request.user),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = GovukPasswordChangeForm
    success_url = reverse_lazy("accounts:account")
    http_method_names = ["get", "post"]

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)
        # Changing the password cycles the session key; the service keeps following it.
        services.user_password_changed(
            user=self.request.user, request=self.request, old_session_key=old_key
        )
        messages.success(self.request, "Your password has been changed.")
        return response


password_change = signed_in(PasswordChangeView.as_view())


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Where an invitation's link lands: the new member chooses a password."""

    template_name = "accounts/set_password.html"
    form_class = GovukSetPasswordForm
    success_url = reverse_lazy("accounts:sign-in")
    http_method_names = ["get", "post"]

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(
            user=form.user, request=self.request, old_session_key=None, by_link=True
        )
        messages.success(self.request, "Your password is set. Sign in to continue.")
        return response


set_password = public(SetPasswordView.as_view())


# --- Two-factor --------------------------------------------------------------------


def _authenticator(device: TOTPDevice) -> dict[str, object]:
    """The QR code, and the key in groups of four, for adding `device` to an app."""
    secret = b32encode(device.bin_key).decode()
    return {
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if selectors.confirmed_device(user=request.user) is not None:
        messages.info(request, "Two-factor authentication is already set up.")
        return redirect("accounts:account")
    device = services.two_factor_device_start(user=request.user)
    form = TwoFactorCodeForm(request.POST or None, submit="Confirm")
    if request.method == "POST" and form.is_valid():
        if services.two_factor_device_confirm(
            device=device, token=form.cleaned_data["code"], request=request
        ):
            django_otp.login(request, device)
            messages.success(request, "Two-factor authentication is set up.")
            return redirect(_safe_next(request, reverse("accounts:account")))
        form.add_error(
            "code",
            "That code is not right: check the time on your phone is correct and "
            "enter the newest code.",
        )
    context = {"form": form, **_authenticator(device), "next": _safe_next(request, "")}
    return render(request, "accounts/two_factor_setup.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    done = _safe_next(request, reverse("core:home"))
    if request.user.is_verified():
        return redirect(done)
    device = selectors.confirmed_device(user=request.user)
    if device is None:
        return redirect("accounts:account")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = django_otp.verify_token(
            request.user, device.persistent_id, form.cleaned_data["code"]
        )
        if verified is not None:
            services.two_factor_verified(request=request, device=verified)
            return redirect(done)
        form.add_error(
            "code",
            "That code is not right, or has been used: enter the newest code from your app.",
        )
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, "")},
    )


@signed_in
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    try:
        services.two_factor_device_remove(user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Two-factor authentication has been removed.")
    return redirect("accounts:account")


# --- Invitations, from the invited person's side --------------------------------------


def _invitation_page(
    request: HttpRequest, invitation: Invitation, token: str, **extra: object
) -> HttpResponse:
    """The invitation's page: what is offered, then what whoever opened it can do."""
    context = {
        "invitation": invitation,
        "token": token,
        "needs_approval": selectors.invitation_needs_approval(invitation),
        **extra,
    }
    return render(request, "accounts/invitation.html", context)


@public
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation's link lands. Whoever holds the link holds the address it was
    sent to, so only here is it said whether an account uses that address."""
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None or not selectors.invitation_is_open(invitation):
        return render(request, "accounts/invitation_expired.html")
    if request.user.is_authenticated:
        return _invitation_page(request, invitation, token)
    if selectors.account_holds_address(email=invitation.email):
        return _invitation_page(request, invitation, token, has_account=True)
    form = InvitationAccountForm.for_invitation(invitation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept_new_account(
                invitation=invitation, request=request, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=FORM_FIELD_FOR)
        else:
            messages.success(
                request, f"Your account is ready. Sign in with the username {form.user.username}."
            )
            return redirect("accounts:sign-in")
    return _invitation_page(request, invitation, token, form=form, username=form.user.username)


@signed_in
@require_POST
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The signed-in (and, where needed, two-factor verified) holder accepts."""
    invitation = selectors.invitation_by_token(token=token)
    if not selectors.invitation_is_open(invitation):
        return render(request, "accounts/invitation_expired.html")
    try:
        membership = services.invitation_accept(
            invitation=invitation, user=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:invitation", token=token)
    if membership.is_awaiting_approval:
        messages.success(request, "Invitation accepted. The role starts once it is approved.")
    else:
        messages.success(request, "Invitation accepted. Your new role is on this page.")
    return redirect("accounts:account")


# --- Members of the partnership ------------------------------------------------------


def _members(request: HttpRequest) -> HttpResponse:
    return redirect("accounts:member-list", partnership=request.partnership.slug)


@partnership_permission("members.manage")
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/member_list.html",
        {
            "memberships": selectors.members_of_partnership(partnership=request.partnership),
            "approvals": selectors.approvals_for(
                partnership=request.partnership, user=request.user
            ),
            "invitations": selectors.open_invitations(partnership=request.partnership),
        },
    )


@partnership_permission("members.manage")
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest) -> HttpResponse:
    form = MemberInviteForm(request.POST or None, partnership=request.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.member_invite(
                partnership=request.partnership,
                actor=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=FORM_FIELD_FOR)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. They are listed as a member once "
                "they accept it.",
            )
            return _members(request)
    return render(request, "accounts/member_add.html", {"form": form})


@partnership_permission("members.manage")
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_of_partnership(partnership=request.partnership, pk=pk)
    form = MemberChangeForm(
        request.POST or None, partnership=request.partnership, membership=membership
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.member_change(
                membership=membership, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=FORM_FIELD_FOR)
        else:
            messages.success(request, change.message)
            return _members(request)
    context = {
        "form": form,
        "membership": membership,
        "own": membership.user_id == request.user.pk,
        "approvers": selectors.approvers_awaited(membership),
    }
    return render(request, "accounts/member_edit.html", context)


@partnership_permission("members.manage")
@require_POST
def member_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = selectors.membership_of_partnership(partnership=request.partnership, pk=pk)
    try:
        services.member_end(membership=membership, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:member-edit", partnership=request.partnership.slug, pk=pk)
    messages.success(request, "Membership ended. They can no longer use this partnership.")
    return _members(request)


@partnership_permission("members.manage")
@require_http_methods(["GET", "POST"])
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then withdraw an invitation not yet accepted."""
    invitation = selectors.open_invitation_of_partnership(partnership=request.partnership, pk=pk)
    if request.method == "POST":
        try:
            services.invitation_withdraw(invitation=invitation, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Invitation withdrawn. Its link no longer works.")
        return _members(request)
    return render(
        request,
        "core/confirm.html",
        {
            "title": f"Withdraw the invitation to {invitation.email}?",
            "caption": f"{invitation.get_role_display()}, {invitation.organisation.name}",
            "lines": ["The link we emailed stops working at once. You can invite them again."],
            "button": "Withdraw invitation",
            "warning": True,
            "back": reverse(
                "accounts:member-list", kwargs={"partnership": request.partnership.slug}
            ),
        },
    )


@partnership_permission("members.manage")
@require_GET
def access_review(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/access_review.html",
        {"rows": selectors.access_review(partnership=request.partnership)},
    )


# --- Approvals: the second person ------------------------------------------------------


@partnership_permission("members.approve")
@require_GET
def approval_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/approval_list.html",
        {"approvals": selectors.approvals_for(partnership=request.partnership, user=request.user)},
    )


def _decision_page(
    membership: Membership, *, verb: str, lines: list[str], warning: bool, back: str
) -> dict[str, object]:
    """The confirmation page's wording for deciding on `membership`."""
    person = membership.user.get_full_name() or membership.user.username
    return {
        "title": f"{verb} the {membership.get_role_display()} role of {person}?",
        "caption": membership.organisation.name if membership.organisation else "",
        "lines": lines,
        "button": f"{verb} role",
        "warning": warning,
        "back": back,
    }


def _decision_view(decide, *, verb: str, done: str, lines: list[str], warning: bool):
    """Confirm (GET), then approve or refuse (POST) a role waiting for approval. The
    service decides who may; the page is not offered to anyone it would refuse."""

    @partnership_permission("members.approve")
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        membership = selectors.membership_of_partnership(partnership=request.partnership, pk=pk)
        back = reverse("accounts:approval-list", kwargs={"partnership": request.partnership.slug})
        if request.method == "POST":
            try:
                decide(membership=membership, actor=request.user, request=request)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, done)
            return redirect(back)
        refusal = services.approval_refusal(membership=membership, approver=request.user)
        if refusal is not None:
            messages.error(request, refusal)
            return redirect(back)
        page = _decision_page(membership, verb=verb, lines=lines, warning=warning, back=back)
        return render(request, "core/confirm.html", page)

    return view


member_approve = _decision_view(
    services.membership_approve,
    verb="Approve",
    done="Role approved. It is in force now.",
    lines=[
        "The role takes effect at once, with everything it lets them see.",
        "The audit trail records that you approved it.",
    ],
    warning=False,
)
member_refuse = _decision_view(
    services.membership_refuse,
    verb="Refuse",
    done="Role refused. It will not take effect.",
    lines=[
        "The role never takes effect. Any role it was to replace stays as it is.",
        "The audit trail records that you refused it.",
    ],
    warning=True,
)

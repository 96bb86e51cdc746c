"""Sign-ins, sign-outs and failures go to the audit trail (no usernames: references only)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from vawg.accounts.services import user_session_end, user_session_start
from vawg.audit.services import Action, record

# Set on the request by whatever signs the user out for a reason other than asking to.
SIGN_OUT_REASON = "vawg_sign_out_reason"


@receiver(user_logged_in, dispatch_uid="vawg_audit_sign_in")
def on_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        user_session_start(user=user, request=request)
    record(action=Action.SIGN_IN, actor=user, obj=user, request=request)


@receiver(user_logged_out, dispatch_uid="vawg_audit_sign_out")
def on_sign_out(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        user_session_end(session_key=request.session.session_key)
    if user is None:
        return
    reason = getattr(request, SIGN_OUT_REASON, "")
    record(
        action=Action.SIGN_OUT,
        actor=user,
        obj=user,
        request=request,
        detail={"reason": reason} if reason else None,
    )


@receiver(user_login_failed, dispatch_uid="vawg_audit_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the address: a username typed by mistake can be someone's password.
    record(action=Action.SIGN_IN_FAILED, request=request)


@receiver(user_locked_out, dispatch_uid="vawg_audit_locked_out")
def on_locked_out(sender, request=None, **kwargs) -> None:
    record(action=Action.LOCKED_OUT, request=request)

"""The Django admin is for platform operators only; partnership staff use the app.

Operators approve the roles nobody in a partnership may approve (its first MARAC
coordinator, or any role where no second admin exists) with the actions on the
memberships list. What they change here goes to the audit trail as in the app.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone

from vawg.accounts.models import Invitation, Membership, User, UserSession
from vawg.accounts.services import (
    membership_approve,
    membership_refuse,
    user_disable,
    user_enable,
)
from vawg.audit.services import Action, record

APPROVAL_FIELDS = [
    "granted_by",
    "requested_at",
    "approved_at",
    "approved_by",
    "refused_at",
    "refused_by",
    "replaces",
]


def _operator_saved(request, membership: Membership, *, change: bool) -> None:
    """A membership an operator makes here is theirs to give: in force, given and
    approved by them, and audited."""
    if not change:
        now = timezone.now()
        membership.granted_by = request.user
        membership.requested_at = now
        membership.approved_at = now
        membership.approved_by = request.user if request.user.pk != membership.user_id else None
    membership.save()
    record(
        action=Action.UPDATE if change else Action.CREATE,
        actor=request.user,
        partnership=membership.partnership_id,
        obj=membership,
        summary=f"Membership {'changed' if change else 'added'} by a platform operator: "
        f"{membership.get_role_display()}",
        request=request,
        detail={"role": membership.role, "operator": True},
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = [
        "role",
        "partnership",
        "region",
        "organisation",
        "workstream",
        "approved_at",
        "ended_at",
    ]
    readonly_fields = ["approved_at"]
    autocomplete_fields = ["partnership", "region", "organisation", "workstream"]


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    actions = ["disable_accounts"]

    @admin.action(description="Disable the selected accounts and end their sessions")
    def disable_accounts(self, request, queryset):
        count = 0
        for user in queryset.filter(is_active=True):
            user_disable(user=user, actor=request.user, request=request)
            count += 1
        self.message_user(request, f"{count} account(s) disabled.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            if obj.is_active:
                # Enabled again: the unused-account clock starts afresh.
                user_enable(user=obj, actor=request.user, request=request)
            else:
                # Unticking "active" here must end sessions just as the action does.
                user_disable(user=obj, actor=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            _operator_saved(request, membership, change=membership.pk is not None)
        for membership in formset.deleted_objects:
            record(
                action=Action.DELETE,
                actor=request.user,
                partnership=membership.partnership_id,
                obj=membership,
                summary="Membership deleted by a platform operator",
                request=request,
                detail={"role": membership.role, "operator": True},
            )
            membership.delete()
        formset.save_m2m()
        return None


class AwaitingApprovalFilter(admin.SimpleListFilter):
    title = "approval"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", "Waiting for approval")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.awaiting_approval()
        return queryset


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "role",
        "partnership",
        "region",
        "organisation",
        "approved_at",
        "ended_at",
    ]
    list_filter = [AwaitingApprovalFilter, "role", "partnership", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "partnership", "region", "organisation", "workstream"]
    readonly_fields = APPROVAL_FIELDS
    actions = ["approve", "refuse"]

    def save_model(self, request, obj, form, change):
        _operator_saved(request, obj, change=change)

    def _decide(self, request, queryset, decide, done: str) -> None:
        count = 0
        for membership in queryset.awaiting_approval():
            try:
                decide(membership=membership, actor=request.user, request=request)
            except ValidationError as error:
                self.message_user(
                    request, f"{membership}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                count += 1
        self.message_user(request, f"{count} role(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve the selected roles waiting for approval")
    def approve(self, request, queryset):
        self._decide(request, queryset, membership_approve, "approved")

    @admin.action(description="Refuse the selected roles waiting for approval")
    def refuse(self, request, queryset):
        self._decide(request, queryset, membership_refuse, "refused")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["partnership", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "partnership"]
    # Invitations are made and withdrawn in the app, by a partnership's admins.
    exclude = ["token_hash"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["user", "session_key", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""The Django admin is for platform operators only; partnership staff use the app."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from vawg.accounts.models import Membership, User, UserSession
from vawg.accounts.services import user_disable, user_sessions_end_all


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["role", "partnership", "region", "organisation", "workstream", "ended_at"]
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
        # Unticking "active" here must end sessions just as the action does.
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_end_all(user=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "partnership", "region", "organisation", "ended_at"]
    list_filter = ["role", "partnership", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "partnership", "region", "organisation", "workstream"]


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["user", "session_key", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Operators may read the audit trail in the admin, never add, change or delete it."""

from django.contrib import admin

from vawg.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor_id", "partnership_id", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The append-only audit trail.

Holds references (ids), never identities, so that retention can delete a
person's record without touching the trail. Rows cannot be changed or
deleted through the ORM, the app or the admin; database triggers refuse
UPDATE and DELETE as well (see migration 0002).
"""

from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        LOCKED_OUT = "locked_out", "Locked out"
        TWO_FACTOR = "two_factor", "Two-factor verified"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        READ_RESTRICTED = "read_restricted", "Read a restricted record"
        FIGURES = "figures", "Viewed figures"
        LOAD = "load", "Loaded data"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # References only: the actor's user id, never their name.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    partnership_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partnership_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")

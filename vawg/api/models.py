"""Partner API tokens, and the answers kept for idempotency keys.

A token's secret is shown once, when it is made; only its SHA-256 digest is kept (a
secret of 256 random bits needs no slow hash: nothing is guessed from its digest), with
the first characters in the clear so that a person can tell their tokens apart.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from vawg.core.models import Organisation, Partnership


class ApiTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_live_name_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def has(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotentCall(models.Model):
    """The answer to a write sent with an Idempotency-Key: a retry gets it again, unrun."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="calls")
    key = models.CharField(max_length=200)
    operation = models.CharField(max_length=300)  # method and path
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the request's body
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotent_call_unique")
        ]

    def __str__(self) -> str:
        return f"{self.operation} ({self.key})"

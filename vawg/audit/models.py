"""The append-only, tamper-evident audit trail.

Holds references (ids), never identities, so that retention can delete a
person's record without touching the trail. Rows cannot be changed or
deleted through the ORM, the app or the admin; database triggers refuse
UPDATE and DELETE as well (see migration 0002).

Triggers stop mistakes, not a determined operator: SQLite's INSERT OR REPLACE
passes them, PostgreSQL's TRUNCATE ignores them, and the table's owner can drop
them. So each row also carries a hash chained to the row before it (in id
order): a row changed, removed, moved or slipped in breaks the chain, and
`manage.py audit_verify` names the first row where it breaks. Heads written
outside the database each day (`audit_verify --write-head`) catch what a chain
alone cannot: a table emptied, or a chain recomputed after a change.
"""

import hashlib
import ipaddress
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

# The previous hash of the very first event.
GENESIS = "0" * 64

# The fields a row's hash covers, besides the previous hash. Not the id: the
# database gives it only on insert, and the chain itself fixes the order.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "partnership_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "ip_address",
    "detail",
)

# Retention may never delete audit events younger than this, and audit_verify
# refuses a retention event that claims to have: otherwise anyone able to write
# the table could "retire" yesterday's written head with a forged one.
RETENTION_MINIMUM_MONTHS = 12


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
        API = "api", "Partner API call"
        # Retention deleted the oldest events; this one re-anchors the chain.
        RETENTION = "retention", "Applied retention to the audit trail"

    # Stamped by record() under the chain lock, not auto_now_add: the hash is
    # worked out before the insert, so the time must be known before it too.
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # References only: the actor's user id, never their name.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    partnership_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # SHA-256 (hex) of the row before in id order (GENESIS for the first), and of
    # this row's fields with it: see chain_hash().
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partnership_id", "-at"])]
        constraints = [
            # One successor per row: even if the chain lock were ever bypassed, a
            # second writer chaining to the same row fails instead of forking the chain.
            models.UniqueConstraint(fields=["previous_hash"], name="audit_event_one_successor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted.")

    def computed_hash(self) -> str:
        """The hash this row should carry, from its fields as they are now."""
        return chain_hash(
            self.previous_hash, **{name: getattr(self, name) for name in HASHED_FIELDS}
        )


def chain_hash(previous_hash: str, **fields: Any) -> str:
    """SHA-256 (hex) of canonical_text(): what a row's `hash` must be."""
    return hashlib.sha256(canonical_text(previous_hash, **fields).encode("ascii")).hexdigest()


def canonical_text(previous_hash: str, **fields: Any) -> str:
    """The previous hash and the row's fields, written one way only.

    The same row must read alike whether it was just written or read back, from
    SQLite or PostgreSQL, on this Python or a later one: so each field is put in
    one form (see _canonical), then written as JSON with sorted keys, no spaces,
    ASCII only.
    """
    if set(fields) != set(HASHED_FIELDS):
        raise TypeError(f"A row's hash needs exactly {', '.join(HASHED_FIELDS)}.")
    payload = {name: _canonical(name, fields[name]) for name in HASHED_FIELDS}
    payload["previous_hash"] = previous_hash
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _canonical(name: str, value: Any) -> Any:
    if name == "at":
        return _canonical_time(value)
    if name in ("actor_id", "partnership_id"):
        return None if value is None else int(value)
    if name == "ip_address":
        return _canonical_ip(value)
    if name == "detail":
        # As the database gives it back: JSON-encoded once (keys become strings,
        # tuples lists), then numbers as PostgreSQL's jsonb keeps them.
        return _canonical_json(json.loads(json.dumps(value)))
    # Text columns are NOT NULL: None cannot be stored, "" is what comes back.
    return "" if value is None else str(value)


def _canonical_time(value: datetime) -> str:
    """UTC to the microsecond, which both databases keep exactly."""
    if timezone.is_naive(value):
        # As Django stores a naive time: in the default time zone.
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical_ip(value: str | None) -> str | None:
    """One spelling for one address (PostgreSQL's inet and Django write IPv6 differently).

    IPv6 as its 16 bytes in hex, because Python's own spelling of IPv4-mapped
    addresses changed in 3.13 and a hash must not change with the interpreter.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        # SQLite stores whatever it is given; hash that as it is.
        return f"text:{value}"
    if address.version == 4:
        return str(address)
    scope = f"%{address.scope_id}" if address.scope_id else ""
    return f"v6:{address.packed.hex()}{scope}"


def _canonical_json(value: Any) -> Any:
    """Numbers as jsonb returns them: a whole float (2.0, 1e20) comes back an integer."""
    if isinstance(value, dict):
        return {key: _canonical_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical_json(item) for item in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            # SQLite keeps NaN and Infinity (jsonb refuses them): hash them as text.
            return repr(value)
        if value.is_integer():
            # Through its shortest decimal spelling, as jsonb stores it: 1e20 is
            # 10**20 there, not the nearest binary float's exact value.
            return int(Decimal(repr(value)))
    return value

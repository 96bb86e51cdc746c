"""The one way to hold a value encrypted at rest: a model field.

Text (or a date) in Python, a Fernet token in the database, under the platform's field keys
(core.crypto: the first key in FIELD_ENCRYPTION_KEYS encrypts, every key listed decrypts). A
database dump or backup shows no identity and no free text. An empty value is stored as
empty bytes, not as a token: there is nothing to hide, and rows written before this field
existed (hand-encrypted, with empty bytes for a value not given) read back unchanged.

`reencrypt_all` writes every such value back under the first key. It finds the fields by
class through the app registry, so a field added later is rotated without being listed.
"""

from datetime import date

from django.apps import apps
from django.db import models, transaction

from vawg.core.crypto import decrypt_text, encrypt_text

BATCH = 500


class EncryptedTextField(models.BinaryField):
    """Text in Python, a Fernet token in the database. Not searchable or orderable: the same
    text encrypts differently every time, so only `isnull` may be asked of it in a query."""

    description = "Text encrypted at rest"
    empty_value = ""  # what a stored empty value reads back as
    # For the type checker (django-stubs): what the field takes and gives in Python.
    _pyi_private_set_type: str
    _pyi_private_get_type: str

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", True)
        kwargs.setdefault("default", self.empty_value)
        super().__init__(*args, **kwargs)

    # The plaintext each Python value is encrypted as, and back.
    def encode(self, value) -> str:
        return str(value)

    def decode(self, text: str):
        return text

    def _check_str_default_value(self):
        # The default is a Python value (text), encrypted on the way in like any other.
        return []

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def get_lookup(self, lookup_name):
        # Comparing tokens would silently match nothing; fail loudly instead.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        token = bytes(value)
        return self.decode(decrypt_text(token)) if token else self.empty_value

    def to_python(self, value):
        if isinstance(value, bytes | bytearray | memoryview):
            # A token here means someone encrypted by hand: the field does that itself.
            raise TypeError(f"{self.name} takes plain values, not encrypted bytes.")
        if value is None or value == "":
            return self.empty_value if value == "" else None
        return self.decode(value) if isinstance(value, str) else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.to_python(value)
        if value is None and self.null:
            return None
        text = "" if value is None else self.encode(value)
        return connection.Database.Binary(encrypt_text(text) if text else b"")

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else self.encode(value)

    def formfield(self, **kwargs):
        return models.TextField().formfield(**kwargs)


class EncryptedDateField(EncryptedTextField):
    """A date held as encrypted ISO text (YYYY-MM-DD); None when not given."""

    description = "Date encrypted at rest"
    empty_value = None
    # A date, where the text field it extends holds text.
    _pyi_private_set_type: date | None  # type: ignore[assignment]
    _pyi_private_get_type: date | None  # type: ignore[assignment]

    def encode(self, value) -> str:
        return value.isoformat()

    def decode(self, text: str) -> date:
        return date.fromisoformat(text)

    def formfield(self, **kwargs):
        return models.DateField().formfield(**kwargs)


def encrypted_fields(app_label: str | None = None) -> dict[type[models.Model], list[str]]:
    """Every model holding an encrypted field, with those fields' names."""
    found: dict[type[models.Model], list[str]] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or (app_label and meta.app_label != app_label):
            continue
        # Local fields only: a child model's inherited ones are its parent's rows.
        names = [f.name for f in meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found[model] = names
    return found


def reencrypt_all(app_label: str | None = None) -> dict[str, int]:
    """Write every encrypted value (of one app, or of all) back under the first key, so that
    older keys can be retired. Rows done per model label. Idempotent; safe while the site runs."""
    counts: dict[str, int] = {}
    for model, names in encrypted_fields(app_label).items():
        manager = model._base_manager
        ids = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                batch = manager.filter(pk__in=ids[start : start + BATCH])
                # Read (decrypted by any key held) and written (encrypted under the first).
                rows = list(batch.select_for_update().only("pk", *names))
                manager.bulk_update(rows, names)
        counts[model._meta.label] = len(ids)
    return counts

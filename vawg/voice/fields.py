"""Free text a survivor wrote, held encrypted at rest.

Anonymous feedback can still name people or places; a database dump or backup
must not be readable. Values are Fernet tokens under the platform's field keys
(vawg.core.crypto), so key rotation re-encrypts them like every other field.
"""

from django.db import models

from vawg.core.crypto import decrypt_text, encrypt_text


class EncryptedTextField(models.BinaryField):
    """Text in Python, a Fernet token in the database. Not searchable or orderable."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def _check_str_default_value(self):
        # The default is text (""): it is encrypted on the way in like any other value.
        return []

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt_text(bytes(value))

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decrypt_text(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        return connection.Database.Binary(encrypt_text(str(value)))

    def value_to_string(self, obj):
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        return models.TextField().formfield(**kwargs)

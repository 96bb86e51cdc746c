# Identity and free text move from hand-encrypted binary columns to core's encrypted field.
# The stored values (Fernet tokens, or empty bytes for a value not given) and the columns'
# names and types are unchanged, so only Django's idea of the models changes: nothing in
# the database is touched.

from django.db import migrations

import vawg.core.fields

RENAMED = [
    # (model, old name, new name, field class, blank)
    ("assessment", "judgement_reason_enc", "judgement_reason", "EncryptedTextField", True),
    ("referral", "victim_name_enc", "victim_name", "EncryptedTextField", True),
    ("referral", "victim_dob_enc", "victim_dob", "EncryptedDateField", True),
    ("referral", "victim_address_enc", "victim_address", "EncryptedTextField", True),
    ("referral", "no_consent_reason_enc", "no_consent_reason", "EncryptedTextField", True),
    ("perpetrator", "name_enc", "name", "EncryptedTextField", True),
    ("perpetrator", "dob_enc", "dob", "EncryptedDateField", True),
    ("perpetrator", "address_enc", "address", "EncryptedTextField", True),
    ("exclusion", "detail_enc", "detail", "EncryptedTextField", False),
    ("casenote", "text_enc", "text", "EncryptedTextField", False),
    ("caseaction", "description_enc", "description", "EncryptedTextField", False),
    ("caseaction", "completion_note_enc", "completion_note", "EncryptedTextField", True),
]


def _state_operations():
    for model, old, new, kind, blank in RENAMED:
        field_class = getattr(vawg.core.fields, kind)
        yield migrations.RenameField(model_name=model, old_name=old, new_name=new)
        yield migrations.AlterField(
            model_name=model, name=new, field=field_class(blank=blank, db_column=old)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('marac', '0002_chase_interval'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=list(_state_operations()),
            database_operations=[],
        ),
    ]

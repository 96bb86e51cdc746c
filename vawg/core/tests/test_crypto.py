import pytest
from cryptography.fernet import Fernet

from vawg.core import crypto

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_the_same_identifier_written_differently_has_one_pseudonym():
    a = crypto.pseudonymise("  AB-123 ", purpose="victim")
    b = crypto.pseudonymise("ab-123", purpose="victim")
    assert a == b
    assert len(a.digest) == 64
    assert "ab-123" not in a.digest


def test_pseudonyms_differ_by_purpose_and_by_key_version(settings):
    settings.PSEUDONYM_KEYS = "1:first-secret,2:second-secret"
    one = crypto.pseudonymise("AB-123", purpose="victim", version=1)
    two = crypto.pseudonymise("AB-123", purpose="victim")
    assert two.key_version == 2
    assert one.digest != two.digest
    assert crypto.pseudonymise("AB-123", purpose="perpetrator").digest != two.digest


def test_a_malformed_key_setting_is_named(settings):
    settings.PSEUDONYM_KEYS = "no-version-here"
    with pytest.raises(crypto.KeyConfigurationError, match="PSEUDONYM_KEYS"):
        crypto.pseudonymise("x", purpose="victim")


def test_encrypted_text_round_trips_and_is_not_plaintext():
    token = crypto.encrypt_text("Jane Example, 1 Sample Street")
    assert b"Jane" not in token
    assert crypto.decrypt_text(token) == "Jane Example, 1 Sample Street"


def test_rotation_reencrypts_under_the_new_key_without_loss(settings):
    settings.FIELD_ENCRYPTION_KEYS = OLD_KEY
    token = crypto.encrypt_text("case notes")
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW_KEY},{OLD_KEY}"
    rotated = crypto.reencrypt(token)
    settings.FIELD_ENCRYPTION_KEYS = NEW_KEY
    assert crypto.decrypt_text(rotated) == "case notes"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt_text(token)

"""Keyed pseudonyms and field encryption, with keys from the environment only.

Pseudonyms let records about the same person be linked (repeat victimisation,
MARAC repeats) without holding who they are: an HMAC-SHA256 of the normalised
identifier under a versioned key. The version is stored beside each hash;
identifiers hashed under different versions never match, so a key change
starts linkage afresh (docs/operations.md says how to rotate).

Encryption holds identity, notes and attachments unreadable in a database
dump: Fernet (AES-128-CBC with HMAC), through MultiFernet so that several keys
can decrypt while the first encrypts, and `reencrypt` moves a value onto it.
"""

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyConfigurationError(Exception):
    """A key setting is missing or malformed."""


@dataclass(frozen=True)
class Pseudonym:
    key_version: int
    digest: str  # 64 hex characters


def normalise_identifier(value: str) -> str:
    """The same person's identifier written differently hashes the same."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


@cache
def _pseudonym_keys(setting: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for part in filter(None, (p.strip() for p in setting.split(","))):
        version, sep, secret = part.partition(":")
        if not sep or not version.isdecimal() or not secret:
            raise KeyConfigurationError("PSEUDONYM_KEYS must look like '1:<secret>,2:<secret>'.")
        keys[int(version)] = secret.encode()
    if not keys:
        raise KeyConfigurationError("PSEUDONYM_KEYS is empty.")
    return keys


def pseudonym_keys() -> dict[int, bytes]:
    return _pseudonym_keys(settings.PSEUDONYM_KEYS)


def current_pseudonym_version() -> int:
    return max(pseudonym_keys())


def pseudonymise(value: str, *, purpose: str, version: int | None = None) -> Pseudonym:
    """The keyed hash of `value`. `purpose` separates uses (a victim id in one
    partner's extract, a MARAC perpetrator) so hashes cannot be joined across them."""
    keys = pseudonym_keys()
    version = current_pseudonym_version() if version is None else version
    message = f"{purpose}\x1f{normalise_identifier(value)}".encode()
    digest = hmac.new(keys[version], message, hashlib.sha256).hexdigest()
    return Pseudonym(version, digest)


@cache
def _fernet(setting: str) -> MultiFernet:
    keys = [k.strip() for k in setting.split(",") if k.strip()]
    if not keys:
        raise KeyConfigurationError("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as error:
        message = "FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key."
        raise KeyConfigurationError(message) from error


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(data: bytes) -> bytes:
    return fernet().encrypt(data)


# A token read back from a binary column: bytes, or a memoryview on PostgreSQL.
Token = bytes | memoryview


def decrypt(token: Token) -> bytes:
    """Raises cryptography.fernet.InvalidToken if no configured key opens it."""
    return fernet().decrypt(bytes(token))


def encrypt_text(text: str) -> bytes:
    return encrypt(text.encode())


def decrypt_text(token: Token) -> str:
    return decrypt(token).decode()


class FileKey:
    """A key of one file's own, for a file held in pieces (too large to encrypt in one):
    each piece is encrypted under it, and it under the platform's key (`wrapped`, what is
    stored beside the pieces), so that forgetting `wrapped` leaves every piece unreadable."""

    def __init__(self, wrapped: Token | None = None) -> None:
        if wrapped is None:
            key = Fernet.generate_key()
            wrapped = encrypt(key)
        else:
            key = decrypt(wrapped)
        self.wrapped = bytes(wrapped)
        self._fernet = Fernet(key)

    def encrypt(self, piece: bytes) -> bytes:
        return self._fernet.encrypt(piece)

    def decrypt(self, token: Token) -> bytes:
        """Raises InvalidToken if the piece was not encrypted under this key."""
        return self._fernet.decrypt(bytes(token))


def reencrypt(token: Token) -> bytes:
    """The same plaintext under the current (first) key."""
    return fernet().rotate(bytes(token))


__all__ = [
    "FileKey",
    "InvalidToken",
    "Pseudonym",
    "decrypt",
    "decrypt_text",
    "encrypt",
    "encrypt_text",
    "normalise_identifier",
    "pseudonymise",
    "reencrypt",
]

"""A partner file is held, until it is imported or discarded, encrypted in pieces under a
key of its own: never whole in memory on its way in, and unreadable once forgotten."""

import hashlib

import pytest
from cryptography.fernet import InvalidToken
from django.core.files.uploadedfile import TemporaryUploadedFile

from vawg.core import crypto
from vawg.insight import services
from vawg.insight.models import DataImport, HeldPart
from vawg.insight.tests.factories import csv_bytes, partner_for, row

pytestmark = pytest.mark.django_db


def upload(partnership, data, filename="police.csv"):
    return services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename=filename,
        data=data,
        actor=None,
    )


def on_disk(data: bytes) -> TemporaryUploadedFile:
    """The file as a large upload arrives: a temporary file on disk."""
    file = TemporaryUploadedFile("police.csv", "text/csv", len(data), None)
    file.write(data)
    file.seek(0)
    return file


def test_a_file_is_held_in_pieces_and_read_back_whole(partnership, monkeypatch):
    monkeypatch.setattr(services, "HELD_PART_BYTES", 100)
    data = csv_bytes([row(f"H{n}") for n in range(5)])
    data_import = upload(partnership, data)
    parts = list(HeldPart.objects.filter(data_import=data_import).order_by("number"))
    assert len(parts) == -(-len(data) // 100) and [p.number for p in parts] == list(
        range(len(parts))
    )
    assert all(data[:20] not in bytes(p.token) for p in parts)  # encrypted
    assert services.payload_of(DataImport.objects.get()) == data
    assert data_import.file_sha256 == hashlib.sha256(data).hexdigest()
    assert data_import.rows_total == 5


def test_an_uploaded_file_on_disk_is_held_as_its_bytes_would_be(partnership):
    data = csv_bytes([row(f"D{n}") for n in range(3)])
    from_bytes = upload(partnership, data)
    with on_disk(data) as file:
        from_file = upload(partnership, file)
    assert from_file.headers == from_bytes.headers
    assert (from_file.file_sha256, from_file.rows_total) == (
        from_bytes.file_sha256,
        from_bytes.rows_total,
    )
    assert services.payload_of(from_file) == data


def test_a_forgotten_file_is_unreadable_and_its_pieces_deleted(partnership):
    data_import = upload(partnership, csv_bytes([row("F1")]))
    token = bytes(HeldPart.objects.get(data_import=data_import).token)
    wrapped = bytes(data_import.payload)
    services.import_discard(data_import=data_import, actor=None)
    assert data_import.payload is None and not HeldPart.objects.exists()
    with pytest.raises(InvalidToken):  # another file's key does not open it
        crypto.FileKey().decrypt(token)
    assert crypto.FileKey(wrapped).decrypt(token).startswith(b"Crime Ref")


def test_a_file_held_whole_before_pieces_is_still_read(partnership):
    data = csv_bytes([row("L1")])
    data_import = upload(partnership, data)
    HeldPart.objects.all().delete()
    DataImport.objects.filter(pk=data_import.pk).update(payload=crypto.encrypt(data))
    assert services.payload_of(DataImport.objects.get()) == data

"""The backup drill: back up, wipe, restore, and check that everything came back.

The commands use the database as they do on a running site (their own transactions,
and on PostgreSQL pg_dump and pg_restore on connections of their own), so these
tests commit what they write: transactional, on SQLite and on PostgreSQL alike.
"""

import importlib
import io
import json
import shutil
import tarfile
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.migrations.recorder import MigrationRecorder

from vawg.audit.models import AuditEvent
from vawg.audit.services import record
from vawg.core import crypto
from vawg.core.models import Partnership
from vawg.core.testing import make_partnership
from vawg.delivery.models import Evidence, ProgressUpdate
from vawg.marac.models import Attachment, Perpetrator, Referral
from vawg.voice.models import Feedback

TODAY = date(2026, 11, 23)
RESEARCH_PACK = b"Synthetic research pack: agency checks for case W-0001 (no real person)."
EVIDENCE = b"%PDF-1.4 synthetic minutes of the workstream meeting"

TRIGGERS = importlib.import_module("vawg.audit.migrations.0002_append_only_triggers")


def _without_audit_triggers(work) -> None:
    """Run work() with SQLite's append-only triggers lifted (PostgreSQL empties tables
    with TRUNCATE, which its row trigger does not see)."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        for sql in TRIGGERS.SQLITE_REVERSE if sqlite else []:
            cursor.execute(sql)
    try:
        work()
    finally:
        with connection.cursor() as cursor:
            for sql in TRIGGERS.SQLITE if sqlite else []:
                cursor.execute(sql)


def empty_every_table() -> None:
    _without_audit_triggers(lambda: call_command("flush", interactive=False, verbosity=0))


@pytest.fixture
def site(transactional_db):
    """A committed database, emptied afterwards (by pytest-django) despite the audit
    trail's triggers."""
    yield
    if connection.vendor == "sqlite":
        _without_audit_triggers(lambda: connection.cursor().execute("DELETE FROM audit_auditevent"))


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def backup(output: Path) -> Path:
    call_command("backup", output=output, stdout=StringIO())
    [archive] = output.glob("vawg-backup-*.tar.gz")
    return archive


def restore(archive: Path, **options) -> str:
    out = StringIO()
    call_command("restore", str(archive), stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def media_files(media_root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(media_root).as_posix(): path.read_bytes()
        for path in sorted(media_root.rglob("*"))
        if path.is_file()
    }


def plaintexts() -> dict[str, list]:
    """Every encrypted value the drill loads, decrypted with the configured keys."""

    # Encrypted fields are decrypted by the field itself on the way out.
    return {
        "victims": [
            (r.pk, r.victim_name, r.victim_dob, r.victim_address)
            for r in Referral.objects.order_by("pk")
        ],
        "perpetrators": [(p.pk, p.name) for p in Perpetrator.objects.order_by("pk")],
        "attachments": [
            (a.pk, crypto.decrypt(a.content_enc)) for a in Attachment.objects.order_by("pk")
        ],
        "feedback": list(Feedback.objects.order_by("pk").values_list("pk", "text")),
    }


def test_the_drill_backs_up_wipes_and_restores_everything(site, media_root, tmp_path):
    call_command("load_demo", today=TODAY, stdout=StringIO())
    update = ProgressUpdate.objects.select_related("action__strategy").first()
    evidence = Evidence.objects.create(
        update=update,
        kind=Evidence.Kind.FILE,
        title="Workstream minutes",
        file=ContentFile(EVIDENCE, name="minutes.pdf"),
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE),
    )
    pack = default_storage.save(
        "marac/research-pack.bin", ContentFile(crypto.encrypt(RESEARCH_PACK))
    )
    partnership = update.action.strategy.partnership
    record(action=AuditEvent.Action.CREATE, obj=evidence, partnership=partnership)
    record(action=AuditEvent.Action.READ_RESTRICTED, obj=Referral.objects.first())

    archive = backup(tmp_path / "backups")
    assert archive.stat().st_mode & 0o777 == 0o600
    counts, secrets, files = row_counts(), plaintexts(), media_files(media_root)
    assert all(secrets.values()), "the demo loads every kind of encrypted value"
    assert set(files) == {evidence.file.name, pack}
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["row_counts"]["marac_referral"] == counts["marac.Referral"]
    applied = MigrationRecorder(connection).applied_migrations()
    assert manifest["migrations"]["audit"] == max(name for app, name in applied if app == "audit")
    assert {f["path"] for f in manifest["files"]} >= {
        f"media/{pack}",
        "media/" + evidence.file.name,
    }

    # The server is lost: every table emptied, the files gone, and something new written.
    empty_every_table()
    shutil.rmtree(media_root)
    make_partnership("written-after-the-backup")
    default_storage.save("stray.txt", ContentFile(b"written after the backup"))
    assert not Referral.objects.exists() and not AuditEvent.objects.exists()

    output = restore(archive, yes=True)

    assert "every table matches the backup" in output
    assert row_counts() == counts
    assert plaintexts() == secrets
    assert media_files(media_root) == files
    assert crypto.decrypt((media_root / pack).read_bytes()) == RESEARCH_PACK
    assert not Partnership.objects.filter(slug="written-after-the-backup").exists()
    call_command("audit_verify", stdout=StringIO())  # raises CommandError (exit 1) if broken
    # The restored trail is still append-only.
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` with each member's bytes passed through change(name, data)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
    return target


@pytest.fixture
def small_site(site, media_root, tmp_path):
    """A little data and one file, backed up; then a partnership added after the backup."""
    wandsworth = make_partnership("wandsworth", "Wandsworth")
    record(action=AuditEvent.Action.CREATE, obj=wandsworth, partnership=wandsworth)
    default_storage.save("delivery/evidence/report.pdf", ContentFile(EVIDENCE))
    archive = backup(tmp_path / "backups")
    make_partnership("lambeth", "Lambeth")
    return archive


def state(media_root: Path) -> tuple:
    return row_counts(), media_files(media_root)


def test_restore_without_yes_checks_the_archive_and_changes_nothing(
    small_site, media_root, tmp_path
):
    before = state(media_root)
    with pytest.raises(CommandError, match="Nothing was changed.*--yes"):
        restore(small_site)
    assert state(media_root) == before


def test_a_damaged_archive_is_refused_and_nothing_changes(small_site, media_root, tmp_path):
    before = state(media_root)
    assert Partnership.objects.filter(slug="lambeth").exists()

    def changed_file(name, data):
        return b"tampered" + data if name.startswith("media/") else data

    def changed_database(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("database.") else data

    def file_dropped(name, data):
        return None if name.startswith("media/") else data

    def manifest_broken(name, data):
        return data[:20] if name == "manifest.json" else data

    damaged = {
        "changed-file": (changed_file, "media/delivery/evidence/report.pdf differs"),
        "changed-database": (changed_database, "database.* differs"),
        "file-dropped": (file_dropped, "media/delivery/evidence/report.pdf is missing"),
        "manifest-broken": (manifest_broken, "manifest.json is damaged"),
    }
    for label, (change, message) in damaged.items():
        tampered = rewrite(small_site, tmp_path / f"{label}.tar.gz", change)
        with pytest.raises(CommandError, match=f"{message}.*Nothing was changed"):
            restore(tampered, yes=True)
        assert state(media_root) == before, label

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(small_site.read_bytes()[: small_site.stat().st_size // 2])
    with pytest.raises(CommandError, match="damaged.*Nothing was changed"):
        restore(truncated, yes=True)
    assert state(media_root) == before
    assert Partnership.objects.filter(slug="lambeth").exists()

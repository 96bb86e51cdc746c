"""Back up and restore the database and the uploaded files, one archive at a time.

An archive is a gzipped tar file holding:

- the database: on PostgreSQL a `pg_dump --format=custom` file (`database.pgdump`), on
  SQLite a copy made with SQLite's online backup API (`database.sqlite3`); both are
  consistent while the site runs;
- every file under MEDIA_ROOT, as `media/<path>`;
- `manifest.json`, written last: when the backup was taken, the database vendor, the
  latest migration applied per app, the row count of every table (taken from the same
  snapshot as the dump) and each file's size and SHA-256.

The keys (SECRET_KEY, FIELD_ENCRYPTION_KEYS, PSEUDONYM_KEYS) are not in an archive: the
encrypted fields and files in it can be read only with the keys kept beside it.

Restoring checks the whole archive against its manifest before anything is changed,
then replaces the database and MEDIA_ROOT, and finally counts the rows again and walks
the audit trail's hash chain. docs/operations.md ("Backups") is the operator's guide.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be taken, or an archive cannot be restored."""


@dataclass(frozen=True)
class Inventory:
    """What a database holds, in the terms a manifest records."""

    row_counts: dict[str, int]
    migrations: dict[str, str]  # app label -> the latest migration applied


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]
    skipped: list[str] = field(default_factory=list)  # MEDIA_ROOT entries not regular files


# Taking a backup


def take_backup(output_dir: Path, *, media_root: Path, now: datetime) -> Backup:
    """Write one archive into `output_dir` and return it. Readable by its owner only."""
    vendor = _supported_vendor()
    if connection.in_atomic_block:
        raise BackupError("A backup is taken outside a transaction.")
    output_dir, media_root = output_dir.resolve(), media_root.resolve()
    if output_dir == media_root or media_root in output_dir.parents:
        raise BackupError("Write backups outside MEDIA_ROOT: they would be backed up again.")
    output_dir.mkdir(parents=True, exist_ok=True)
    name = f"vawg-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    final = output_dir / name
    if final.exists():
        raise BackupError(f"{final} already exists.")
    partial = output_dir / f".{name}.partial"
    with tempfile.TemporaryDirectory(prefix=".vawg-backup-", dir=output_dir) as work:
        database_file = Path(work) / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            inventory = _copy_sqlite(database_file)
        else:
            inventory = _dump_postgresql(database_file)
        media, skipped = _media_files(media_root)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                files = [_add(tar, database_file, DATABASE_FILES[vendor])]
                files += [_add(tar, path, MEDIA_PREFIX + relative) for path, relative in media]
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "created": now.isoformat(),
                    "vendor": vendor,
                    "database_file": DATABASE_FILES[vendor],
                    "migrations": inventory.migrations,
                    "row_counts": inventory.row_counts,
                    "files": files,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return Backup(path=final, manifest=manifest, skipped=skipped)


def _supported_vendor() -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _copy_sqlite(target: Path) -> Inventory:
    """SQLite's online backup API: a consistent copy while others read and write."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file, whatever journal mode the live database uses.
        copy.execute("PRAGMA journal_mode=DELETE")
        # Counted in the copy itself, so the manifest describes exactly what is archived.
        return inventory_of(copy.cursor(), "sqlite")
    finally:
        copy.close()


def _dump_postgresql(target: Path) -> Inventory:
    """pg_dump of the snapshot the row counts were taken in: they describe the same data."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        inventory = inventory_of(cursor, "postgresql")
        # The snapshot lives as long as this transaction: pg_dump runs inside it.
        _run_client(
            "pg_dump",
            "--format=custom",
            "--no-password",
            f"--snapshot={snapshot}",
            f"--file={target}",
            f"--dbname={_pg_dbname()}",
        )
    return inventory


def _media_files(media_root: Path) -> tuple[list[tuple[Path, str]], list[str]]:
    """Every regular file under MEDIA_ROOT (path, POSIX path relative to it), in order."""
    files: list[tuple[Path, str]] = []
    skipped: list[str] = []
    if not media_root.is_dir():
        return files, skipped
    for directory, subdirectories, names in os.walk(media_root):
        subdirectories.sort()
        base = Path(directory)
        for linked in [d for d in subdirectories if (base / d).is_symlink()]:
            skipped.append((base / linked).relative_to(media_root).as_posix())
        for name in sorted(names):
            path = base / name
            relative = path.relative_to(media_root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
            else:
                files.append((path, relative))
    return files, skipped


class _HashingReader:
    def __init__(self, stream):
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, arcname: str) -> dict[str, Any]:
    """Add one file, hashing exactly the bytes written into the archive."""
    with path.open("rb") as stream:
        info = tar.gettarinfo(arcname=arcname, fileobj=stream)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(stream)
        tar.addfile(info, reader)
    return {"path": arcname, "size": info.size, "sha256": reader.sha256.hexdigest()}


# What a database holds


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def inventory_of(cursor, vendor: str) -> Inventory:
    """Row counts of every table and the latest migration per app, through a DB-API cursor."""
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname = ANY (current_schemas(false))"
        )
    tables = sorted(row[0] for row in cursor.fetchall())
    counts = {}
    for table in tables:
        # The names come from the database's own catalogue, quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - table names from the database's own catalogue, quoted
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, str] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations[app] = max(migrations.get(app, ""), name)
    return Inventory(row_counts=counts, migrations=dict(sorted(migrations.items())))


def current_inventory() -> Inventory:
    with connection.cursor() as cursor:
        return inventory_of(cursor, connection.vendor)


# Checking an archive


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (
        not name
        or path.is_absolute()
        or ".." in path.parts
        or str(path) != name
        or not (name == MANIFEST or name in DATABASE_FILES.values() or name.startswith("media/"))
    ):
        raise BackupError(f"The archive holds an unexpected entry: {name!r}.")
    return path


def unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack `archive` into `staging` and check it against its manifest; return the manifest.

    Refused (BackupError) unless every file the manifest lists is there with its size
    and SHA-256, and nothing else is. Nothing outside `staging` is written.
    """
    found: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                path = _member_path(member.name)
                if not member.isfile():
                    raise BackupError(f"The archive entry {member.name!r} is not a file.")
                if member.name in found or (member.name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(f"The archive holds {member.name!r} twice.")
                stream = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_bytes = stream.read()
                    continue
                target = staging.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    while chunk := stream.read(CHUNK):
                        sha256.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                found[member.name] = (size, sha256.hexdigest())
    except FileNotFoundError as error:
        raise BackupError(f"There is no archive at {archive}.") from error
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"The archive is damaged or not a backup: {error}.") from error
    if manifest_bytes is None:
        raise BackupError(f"The archive has no {MANIFEST}.")
    manifest = _parse_manifest(manifest_bytes)
    listed = {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
    problems = [f"{path} is missing" for path in sorted(listed.keys() - found.keys())]
    problems += [f"{path} is not in the manifest" for path in sorted(found.keys() - listed.keys())]
    problems += [
        f"{path} differs from the manifest (size or SHA-256)"
        for path in sorted(listed.keys() & found.keys())
        if listed[path] != found[path]
    ]
    if problems:
        raise BackupError("The archive is damaged: " + "; ".join(problems) + ".")
    return manifest


def _parse_manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
        if manifest["format"] != ARCHIVE_FORMAT:
            raise BackupError(
                f"The archive's format is {manifest['format']!r}; this release reads "
                f"format {ARCHIVE_FORMAT}."
            )
        vendor = manifest["vendor"]
        valid = (
            DATABASE_FILES.get(vendor) == manifest["database_file"]
            and all(isinstance(n, int) for n in manifest["row_counts"].values())
            and all(isinstance(n, str) for n in manifest["migrations"].values())
            and all(
                isinstance(e["path"], str) and isinstance(e["size"], int) and len(e["sha256"]) == 64
                for e in manifest["files"]
            )
            and manifest["database_file"] in {e["path"] for e in manifest["files"]}
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"The archive's {MANIFEST} is damaged: {error!r}.") from error
    if not valid:
        raise BackupError(f"The archive's {MANIFEST} is damaged.")
    return manifest


def check_restorable(manifest: dict[str, Any]) -> None:
    """Refuse an archive this database or this release of the code cannot take."""
    vendor = _supported_vendor()
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"The archive holds a {manifest['vendor']} database; this site uses {vendor}."
        )
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    unknown = sorted(
        f"{app}.{name}"
        for app, name in manifest["migrations"].items()
        if (app, name) not in graph.nodes
    )
    if unknown:
        raise BackupError(
            "The archive was taken by a later release of the code (migrations "
            + ", ".join(unknown)
            + " are not in this one): deploy that release, then restore."
        )


# Restoring


def restore_database(manifest: dict[str, Any], staging: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("A restore runs outside a transaction.")
    database_file = staging / manifest["database_file"]
    if manifest["vendor"] == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(database_file)
        try:
            source.backup(connection.connection)
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not restore the database: {error}.") from error
        finally:
            source.close()
    else:
        # The site's own connection must not hold a lock the restore waits for.
        connection.close()
        # One transaction: if anything fails, the database is as it was.
        _run_client(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={_pg_dbname()}",
            str(database_file),
        )
    connection.close()


def replace_media(media_root: Path, staging: Path) -> None:
    """Empty MEDIA_ROOT (the folder itself stays: it may be a mount) and move the files in."""
    media_root.mkdir(parents=True, exist_ok=True)
    for entry in media_root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    unpacked = staging / MEDIA_PREFIX.rstrip("/")
    if unpacked.is_dir():
        for entry in sorted(unpacked.iterdir()):
            shutil.move(entry, media_root / entry.name)


def count_differences(manifest: dict[str, Any], inventory: Inventory) -> list[str]:
    differences = []
    for table, expected in manifest["row_counts"].items():
        actual = inventory.row_counts.get(table)
        if actual is None:
            differences.append(f"table {table} is missing")
        elif actual != expected:
            differences.append(f"table {table} has {actual} rows; the backup had {expected}")
    return differences


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


# PostgreSQL's client programs


def _pg_dbname() -> str:
    settings_dict = connection.settings_dict
    service = settings_dict["OPTIONS"].get("service")
    if not settings_dict.get("NAME") and service:
        return f"service={service}"
    return settings_dict.get("NAME") or "postgres"


def _pg_environment() -> dict[str, str]:
    """The connection settings as libpq's environment: the password never on a command line."""
    settings_dict = connection.settings_dict
    _, extra = connection.client.settings_to_cmd_args_env(settings_dict, [])
    environment = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    return environment


def _run_client(program: str, *arguments: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} was not found: install PostgreSQL's client programs, of the server's "
            "major version or later, and put them on PATH."
        )
    # A fixed program and an argument list: no shell, nothing from outside settings.
    result = subprocess.run(  # noqa: S603 - pg_dump/pg_restore with fixed arguments
        [executable, *arguments],
        env=_pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")

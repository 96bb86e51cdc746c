"""A real task worker (`manage.py db_worker`, in another process) killed with SIGKILL while it
imports a partner's extract: nothing is half-written; the import is found and marked failed;
its page says so plainly and offers to try again or discard; a fresh worker imports it on
the retry; and the week's erasure removes the file of another whose worker was killed."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vawg.core.permissions import Role
from vawg.insight import services, store
from vawg.insight.models import DataImport, IncidentSegment
from vawg.insight.tests.factories import MAPPING, TODAY, csv_bytes, make_wards, partner_for, row

pytestmark = pytest.mark.django_db(transaction=True)

S = DataImport.Status
# More than services.BACKGROUND_ROWS, so the worker imports it; its write lasts a second or
# so, long enough to be caught in the act.
ROWS = 25_000
STOPPED = (
    "The import stopped because the worker running it stopped. Nothing was imported. "
    "You can try it again or discard the file."
)


@dataclass
class SharedDatabase:
    url: str  # DATABASE_URL for the worker
    sqlite_path: Path | None = None


@pytest.fixture
def shared_db(transactional_db, tmp_path):
    """The test database, where a worker in another process can reach it.

    PostgreSQL's test database as it is. SQLite's is in this process's memory, which no
    other process can open: it is copied (schema and all) to a file, and this process
    uses the file too until the test ends."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        yield SharedDatabase(
            f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        )
        return
    path = tmp_path / "shared.sqlite3"
    in_memory = connections[DEFAULT_DB_ALIAS]
    in_memory.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        in_memory.connection.backup(target)
    on_file = in_memory.copy()
    on_file.settings_dict["NAME"] = str(path)
    connections[DEFAULT_DB_ALIAS] = on_file
    try:
        yield SharedDatabase(f"sqlite:///{path}", sqlite_path=path)
    finally:
        on_file.close()
        connections[DEFAULT_DB_ALIAS] = in_memory


@contextmanager
def worker(shared: SharedDatabase, log: Path, *options: str):
    """`manage.py db_worker` in its own process, on the shared database."""
    process = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0.1",
            *options,
        ],
        env={**os.environ, "DATABASE_URL": shared.url},
        cwd=settings.BASE_DIR,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def writing(shared: SharedDatabase, data_import: DataImport) -> bool:
    """The import is RUNNING and the worker is inside its write transaction: it holds
    the import's row (PostgreSQL) or the database's write lock (SQLite)."""
    if DataImport.objects.get(pk=data_import.pk).status != S.RUNNING:
        return False
    if shared.sqlite_path is not None:
        with closing(sqlite3.connect(shared.sqlite_path, timeout=0)) as probe:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            probe.rollback()
            return False
    try:
        with transaction.atomic():
            list(DataImport.objects.select_for_update(nowait=True).filter(pk=data_import.pk))
    except OperationalError:
        return True
    return False


def wait_for(condition, what: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting until {what}. Worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)


def kill_while_importing(process, shared, log, data_import) -> None:
    wait_for(lambda: writing(shared, data_import), "the worker is writing the import", log)
    if shared.sqlite_path is None:
        # However late it seems, a sweep leaves an import that is writing: the write holds
        # its row. (On SQLite the sweep would wait for the write to commit, then see it.)
        later = timezone.now() + timedelta(hours=1)
        assert services.stopped_imports_fail(now=later) == 0
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def time_passes(data_import: DataImport, delta: timedelta) -> None:
    """The import's heartbeat and its task's claim, moved `delta` into the past."""
    then = timezone.now() - delta
    DataImport.objects.filter(pk=data_import.pk).update(heartbeat_at=then)
    task_id = DataImport.objects.get(pk=data_import.pk).task_id
    DBTaskResult.objects.filter(pk=task_id).update(started_at=then)


def checked_upload(partnership, analyst, prefix: str) -> DataImport:
    rows = [row(f"{prefix}{i}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(ROWS)]
    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename=f"{prefix}.csv",
        data=csv_bytes(rows),
        actor=analyst,
    )
    services.mapping_save(
        data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=analyst
    )
    services.import_check(data_import=upload, today=TODAY)  # here, rather than in a worker
    assert upload.status == S.CHECKED and upload.rows_new == ROWS
    return upload


def test_a_worker_killed_during_an_import(shared_db, request, tmp_path, client_for):
    partnership = request.getfixturevalue("partnership")
    analyst = request.getfixturevalue("personas")[Role.ANALYST]
    make_wards(partnership)
    log = tmp_path / "worker.log"
    # The worker starts (and waits for work) while two extracts are uploaded and checked.
    with worker(shared_db, log, "--worker-id=worker-killed") as running:
        first = checked_upload(partnership, analyst, "A")
        second = checked_upload(partnership, analyst, "B")
        for upload in (first, second):
            services.import_run_start(data_import=upload, actor=analyst, today=TODAY)
        first.refresh_from_db()
        assert first.status == S.QUEUED and first.task_id is not None
        # It takes the first import, and is killed in the middle of writing it.
        kill_while_importing(running, shared_db, log, first)
    first.refresh_from_db()
    assert first.status == S.RUNNING and first.payload is not None
    assert IncidentSegment.objects.count() == 0, "the killed import left rows behind"
    task = DBTaskResult.objects.get(pk=first.task_id)
    assert (task.status, task.worker_ids) == (TaskResultStatus.RUNNING, ["worker-killed"])

    # Seconds later it may still be writing, for all anyone can tell: it is left alone.
    call_command("fail_stale_tasks", stdout=(out := io.StringIO()))
    assert "insight: 0 job(s)" in out.getvalue()

    # Once its heartbeat is older than the limit, the scheduled sweep finds it.
    time_passes(first, timedelta(minutes=settings.TASK_STALE_MINUTES + 1))
    call_command("fail_stale_tasks", stdout=(out := io.StringIO()))
    assert "insight: 1 job(s)" in out.getvalue()
    first.refresh_from_db()
    assert (first.status, first.error) == (S.FAILED, STOPPED)
    assert first.payload is not None  # held, to try again or discard
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.FAILED
    # The second, waiting its turn in the queue, is not a worker that died.
    assert DataImport.objects.get(pk=second.pk).status == S.QUEUED

    # The page says so plainly, and offers both ways on.
    client = client_for(analyst)
    kwargs = {"partnership": partnership.slug, "pk": first.pk}
    html = client.get(reverse("insight:import-detail", kwargs=kwargs)).content.decode()
    assert STOPPED in html
    assert "Try again" in html and "Discard the file" in html
    assert "This page refreshes itself" not in html

    client.post(reverse("insight:import-retry", kwargs=kwargs))
    first.refresh_from_db()
    assert first.status == S.QUEUED

    # The next worker takes the second import (queued before the retry): killed too.
    with worker(shared_db, log, "--worker-id=worker-killed-again") as running:
        kill_while_importing(running, shared_db, log, second)
    # A fresh worker runs what is left, the retry, and stops.
    with worker(shared_db, log, "--batch", "--worker-id=worker-fresh") as process:
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
    first.refresh_from_db()
    assert (first.status, first.payload, first.rows_new) == (S.IMPORTED, None, ROWS)
    assert store.count() == ROWS
    assert DataImport.objects.get(pk=second.pk).status == S.RUNNING

    # A week on, the erasure finds the second stopped, fails it and erases its file.
    time_passes(second, timedelta(days=8))
    DataImport.objects.filter(pk=second.pk).update(uploaded_at=timezone.now() - timedelta(days=8))
    call_command("insight_forget_stale", stdout=(out := io.StringIO()))
    assert "Erased 1 partner extract(s)" in out.getvalue()
    second.refresh_from_db()
    assert (second.status, second.payload) == (S.DISCARDED, None)
    assert DataImport.objects.get(pk=first.pk).status == S.IMPORTED
    assert store.count() == ROWS

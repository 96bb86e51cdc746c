"""An import whose worker stopped is found by its heartbeat, marked failed with a plain
message, and is then a failed import like any other: tried again, discarded, or erased
after a week. (test_worker_killed.py does it with a real worker, killed.)"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.insight import incoming, services, store, tasks
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import MAPPING, TODAY, csv_bytes, make_wards, partner_for, row

pytestmark = pytest.mark.django_db

S = DataImport.Status
STOPPED = (
    "The import stopped because the worker running it stopped. Nothing was imported. "
    "You can try it again or discard the file."
)
LATER = timedelta(minutes=11)  # past the default TASK_STALE_MINUTES


@pytest.fixture
def analyst(partnership, personas):
    make_wards(partnership)
    return personas[Role.ANALYST]


@pytest.fixture
def background(monkeypatch):
    """Every file goes to the background worker, however small."""
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 0)


def _uploaded(partnership, analyst, prefix="W") -> DataImport:
    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="extract.csv",
        data=csv_bytes([row(f"{prefix}{i}") for i in range(3)]),
        actor=analyst,
    )
    services.mapping_save(
        data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=analyst
    )
    return upload


def _queued(partnership, analyst, capture) -> DataImport:
    """Checked, then queued for the worker: its task waits in the queue (READY)."""
    upload = _uploaded(partnership, analyst)
    services.import_check(data_import=upload, today=TODAY)
    with capture(execute=True):
        services.import_run_start(data_import=upload, actor=analyst, today=TODAY)
    upload.refresh_from_db()
    assert upload.status == S.QUEUED and upload.task_id is not None
    return upload


def _killed_while_importing(upload, analyst, monkeypatch) -> DataImport:
    """A worker claims the task and dies part-way through the write.

    SystemExit is what the worker raises on a second Ctrl+C; unlike SIGKILL it runs the
    rollback in this process, but leaves the same: the task RUNNING, the import RUNNING."""
    DBTaskResult.objects.get(pk=upload.task_id).claim("worker-1")

    def dies(*args, **kwargs):
        raise SystemExit(1)

    with monkeypatch.context() as patched:
        patched.setattr(incoming, "apply", dies)
        with pytest.raises(SystemExit):
            tasks.run_import.call(upload.pk, analyst.pk)
    upload.refresh_from_db()
    return upload


def _task(upload) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=upload.task_id)


def _time_passes(upload, delta: timedelta = LATER) -> None:
    """The import's heartbeat and its task's claim, moved `delta` into the past."""
    then = timezone.now() - delta
    DataImport.objects.filter(pk=upload.pk).update(heartbeat_at=then)
    task_id = DataImport.objects.get(pk=upload.pk).task_id
    DBTaskResult.objects.filter(pk=task_id).update(started_at=then)


def test_a_stopped_import_is_failed_plainly_once_its_heartbeat_is_stale(
    partnership, analyst, background, monkeypatch, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    assert upload.status == S.RUNNING and upload.payload is not None
    assert store.count() == 0  # nothing half-written: the write was one transaction

    # Within the limit the import may still be writing: it is left alone.
    now = timezone.now()
    assert services.stopped_imports_fail(now=now) == 0
    assert DataImport.objects.get(pk=upload.pk).status == S.RUNNING

    assert services.stopped_imports_fail(now=now + LATER) == 1
    upload.refresh_from_db()
    assert (upload.status, upload.error, upload.step) == (S.FAILED, STOPPED, "import")
    assert upload.payload is not None and upload.retryable and upload.discardable
    task = _task(upload)
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "vawg.core.jobs.WorkerStopped"
    assert task.worker_ids == ["worker-1"]
    assert AuditEvent.objects.filter(
        object_id=str(upload.pk), summary__contains="whose worker stopped"
    ).exists()
    # A second sweep has nothing more to do.
    assert services.stopped_imports_fail(now=now + LATER) == 0

    services.import_discard(data_import=upload, actor=analyst)
    upload.refresh_from_db()
    assert (upload.status, upload.payload) == (S.DISCARDED, None)


def test_an_import_waiting_in_the_queue_is_never_stale(
    partnership, analyst, background, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    assert services.stopped_imports_fail(now=timezone.now() + timedelta(days=3)) == 0
    assert DataImport.objects.get(pk=upload.pk).status == S.QUEUED

    # Claimed by a worker that died before it began: queued, but started.
    _task(upload).claim("worker-1")
    assert services.stopped_imports_fail(now=timezone.now() + LATER) == 1
    upload.refresh_from_db()
    assert (upload.status, upload.error) == (S.FAILED, STOPPED)


def test_a_task_that_ended_without_finishing_its_import_fails_it_at_once(
    partnership, analyst, background, monkeypatch, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    _task(upload).set_failed(SystemExit(1))  # as the worker records a second Ctrl+C
    assert services.stopped_imports_fail(now=timezone.now()) == 1
    assert DataImport.objects.get(pk=upload.pk).status == S.FAILED


def test_the_page_finds_a_stopped_import_and_tries_it_again(
    partnership,
    analyst,
    background,
    client_for,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    old_task = upload.task_id
    _time_passes(upload)
    page_url = reverse(
        "insight:import-detail", kwargs={"partnership": partnership.slug, "pk": upload.pk}
    )
    client = client_for(analyst)

    html = client.get(page_url).content.decode()
    assert STOPPED in html
    assert "Try again" in html and "Discard the file" in html
    assert 'http-equiv="refresh"' not in html  # no longer working: the page stops refreshing
    assert DataImport.objects.get(pk=upload.pk).status == S.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "insight:import-retry", kwargs={"partnership": partnership.slug, "pk": upload.pk}
            )
        )
    assert response["Location"] == page_url
    upload.refresh_from_db()
    assert (upload.status, upload.error) == (S.QUEUED, "")
    assert upload.task_id != old_task and _task(upload).status == TaskResultStatus.READY

    tasks.run_import.call(upload.pk, analyst.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.payload) == (S.IMPORTED, None)
    assert store.count() == 3


def test_a_check_whose_worker_stopped_is_checked_again(
    partnership, analyst, background, client_for, django_capture_on_commit_callbacks
):
    upload = _uploaded(partnership, analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_check_start(data_import=upload, today=TODAY)
    upload.refresh_from_db()
    assert upload.status == S.CHECKING
    _task(upload).claim("worker-1")  # ... and the worker died
    _time_passes(upload)
    client = client_for(analyst)
    kwargs = {"partnership": partnership.slug, "pk": upload.pk}

    html = client.get(reverse("insight:import-list", kwargs={"partnership": "wandsworth"}))
    upload.refresh_from_db()
    assert upload.status == S.FAILED and upload.error.startswith("The check stopped because")
    assert "Failed" in html.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("insight:import-retry", kwargs=kwargs))
    upload.refresh_from_db()
    assert upload.status == S.CHECKING
    tasks.check_import.call(upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.rows_new) == (S.CHECKED, 3)


def test_only_a_failed_file_still_held_can_be_tried_again(partnership, analyst, client_for):
    upload = _uploaded(partnership, analyst)
    response = client_for(analyst).post(
        reverse("insight:import-retry", kwargs={"partnership": partnership.slug, "pk": upload.pk}),
        follow=True,
    )
    assert "Only a failed file that is still held can be tried again." in response.content.decode()
    assert DataImport.objects.get(pk=upload.pk).status == S.UPLOADED


def test_a_fault_of_ours_keeps_the_file_so_it_can_be_tried_again(partnership, analyst):
    upload = _uploaded(partnership, analyst)
    services.import_check_start(data_import=upload, today=TODAY)
    assert upload.status == S.CHECKED

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(incoming, "apply", broken)
        services.import_run_start(data_import=upload, actor=analyst, today=TODAY)
    upload.refresh_from_db()
    assert upload.status == S.FAILED and "You can try it again" in upload.error
    assert upload.retryable and store.count() == 0

    services.import_retry(data_import=upload, actor=analyst, today=TODAY)
    upload.refresh_from_db()
    assert (upload.status, upload.payload) == (S.IMPORTED, None)
    assert store.count() == 3


def test_the_weeks_erasure_erases_the_file_of_an_import_whose_worker_stopped(
    partnership, analyst, background, monkeypatch, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    _time_passes(upload, timedelta(days=8))
    DataImport.objects.filter(pk=upload.pk).update(uploaded_at=timezone.now() - timedelta(days=8))

    call_command("insight_forget_stale", stdout=(out := io.StringIO()))
    assert "Erased 1 partner extract(s)" in out.getvalue()
    upload.refresh_from_db()
    assert (upload.status, upload.payload) == (S.DISCARDED, None)
    assert "the file was erased" in upload.error


def test_a_stopped_import_within_the_week_keeps_its_file(
    partnership, analyst, background, monkeypatch, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    _time_passes(upload)

    call_command("insight_forget_stale", stdout=(out := io.StringIO()))
    assert "Erased 0 partner extract(s)" in out.getvalue()
    upload.refresh_from_db()
    assert upload.status == S.FAILED and upload.payload is not None


def test_the_scheduled_command_sweeps_every_app(
    partnership, analyst, background, monkeypatch, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    _time_passes(upload)

    call_command("fail_stale_tasks", stdout=(out := io.StringIO()))
    assert "insight: 1 job(s) whose worker stopped." in out.getvalue()
    assert "voice: 0 job(s) whose worker stopped." in out.getvalue()
    assert DataImport.objects.get(pk=upload.pk).status == S.FAILED
    call_command("fail_stale_tasks", stdout=(again := io.StringIO()))
    assert "insight: 0 job(s)" in again.getvalue()


def test_the_limit_is_a_setting(
    partnership, analyst, background, settings, monkeypatch, django_capture_on_commit_callbacks
):
    upload = _queued(partnership, analyst, django_capture_on_commit_callbacks)
    upload = _killed_while_importing(upload, analyst, monkeypatch)
    settings.TASK_STALE_MINUTES = 30
    assert services.stopped_imports_fail(now=timezone.now() + LATER) == 0
    assert services.stopped_imports_fail(now=timezone.now() + timedelta(minutes=31)) == 1

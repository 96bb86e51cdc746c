"""Background work for large files: checking and importing run in the task worker.

Each task takes the import's id and does nothing if the import has moved on,
so a task delivered twice does no harm. A task whose worker stopped part-way is found
by its heartbeat and its import marked failed (`fail_stale`, vawg.core.jobs).
"""

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from vawg.insight import services
from vawg.insight.models import DataImport


@task()
def check_import(import_id: int) -> None:
    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None or data_import.status != DataImport.Status.CHECKING:
        return
    services.import_check(data_import=data_import, today=timezone.localdate())


@task()
def run_import(import_id: int, actor_id: int | None) -> None:
    from vawg.accounts.models import User

    data_import = DataImport.objects.filter(pk=import_id).first()
    if data_import is None or data_import.status != DataImport.Status.QUEUED:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    services.import_run(data_import=data_import, actor=actor, today=timezone.localdate())


def fail_stale(*, now: datetime) -> int:
    """Imports whose worker stopped, marked failed (run by `manage.py fail_stale_tasks`)."""
    return services.stopped_imports_fail(now=now)

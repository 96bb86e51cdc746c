"""Background work for reports, run by the task worker (django-tasks).

The task takes the request's id and does nothing unless the request still waits, so a
task delivered twice makes one file. A request whose worker stopped is found by its
heartbeat and marked failed (`fail_stale`, vawg.core.jobs).
"""

from datetime import datetime

from django_tasks import task

from vawg.reports import services


@task()
def make_report(report_id: int) -> None:
    services.report_make(report_id=report_id)


def fail_stale(*, now: datetime) -> int:
    """Reports whose worker stopped, marked failed (run by `manage.py fail_stale_tasks`)."""
    return services.stopped_reports_fail(now=now)

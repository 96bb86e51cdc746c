"""A report asked for on the page is made by the worker, followed on its page, downloaded
with a record in the audit trail, refused to anyone else, and made again on request."""

import dataclasses
from datetime import date

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from vawg.audit.models import AuditEvent
from vawg.core.models import PartnershipBody
from vawg.core.permissions import Role
from vawg.core.testing import make_body
from vawg.reports import kinds, services, tasks
from vawg.reports.models import ReportRequest
from vawg.reports.tests import makers
from vawg.reports.tests.factories import make_report

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)
S = ReportRequest.Status


@pytest.fixture(autouse=True)
def stand_in_makers(monkeypatch):
    """The board pack and annual report as the tests' own makers (the real ones have tests
    of their own); the registry and everything around it are the real ones."""
    for slug in ("board-pack", "annual-report"):
        kind = kinds.KINDS[slug]
        monkeypatch.setitem(
            kinds.KINDS, slug, dataclasses.replace(kind, maker="vawg.reports.tests.makers.ok")
        )


@pytest.fixture
def board(partnership):
    return make_body(partnership, "Strategic Board", kind=PartnershipBody.Kind.BOARD)


@pytest.fixture
def admin(personas):
    return personas[Role.PARTNERSHIP_ADMIN]


def _url(name: str, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"partnership": "wandsworth", **kwargs})


def _ask(partnership, admin, capture, **extra) -> ReportRequest:
    values = {"kind": "board-pack", "period_text": "2025/26 Q3", "fmt": "pdf"}
    values.update(extra)
    with capture(execute=True):
        report = services.report_request(
            partnership=partnership, actor=admin, today=TODAY, **values
        )
    report.refresh_from_db()
    return report


def test_a_request_is_queued_then_made_with_its_file(
    partnership, board, admin, django_capture_on_commit_callbacks
):
    report = _ask(partnership, admin, django_capture_on_commit_callbacks)
    assert (report.status, report.body, report.reader) == (S.QUEUED, board, "board")
    [queued] = DBTaskResult.objects.filter(task_path="vawg.reports.tasks.make_report")
    assert queued.args_kwargs == {"args": [report.pk], "kwargs": {}}
    assert str(report.task_id) == str(queued.pk)

    tasks.make_report.call(report.pk)

    report.refresh_from_db()
    assert report.status == S.DONE and report.percent == 100
    assert bytes(report.content) == b"board-pack 2025/26 Q3 pdf for board"
    assert report.filename == "wandsworth-board-pack-2025-26-q3.pdf"
    assert report.content_type == "application/pdf"
    assert report.finished_at is not None
    # The maker was given the body and the period asked for.
    spec = makers.SEEN[-1]
    assert (spec.body, spec.period.start, spec.period.end) == (
        board,
        date(2025, 10, 1),
        date(2025, 12, 31),
    )


def test_a_task_delivered_twice_makes_one_file(
    partnership, board, admin, django_capture_on_commit_callbacks
):
    report = _ask(partnership, admin, django_capture_on_commit_callbacks)
    tasks.make_report.call(report.pk)
    makers.SEEN.clear()
    tasks.make_report.call(report.pk)
    assert makers.SEEN == []


def test_a_failing_maker_keeps_no_file_and_says_what_failed(
    partnership, board, admin, monkeypatch, django_capture_on_commit_callbacks
):
    kind = kinds.KINDS["board-pack"]
    broken = dataclasses.replace(kind, maker="vawg.reports.tests.makers.broken")
    monkeypatch.setitem(kinds.KINDS, "board-pack", broken)
    report = _ask(partnership, admin, django_capture_on_commit_callbacks)

    tasks.make_report.call(report.pk)

    report.refresh_from_db()
    assert report.status == S.FAILED
    assert report.content is None and report.filename == ""
    assert report.error == "Drawing the charts: RuntimeError: the scorecard has no periods"


def test_a_worker_that_stopped_is_found_and_its_request_failed(
    partnership, board, admin, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    report = _ask(partnership, admin, django_capture_on_commit_callbacks)
    # The worker claimed it, reported a step, then died.
    DBTaskResult.objects.filter(pk=report.task_id).update(status="RUNNING")
    long_ago = timezone.now() - timedelta(hours=1)
    ReportRequest.objects.filter(pk=report.pk).update(
        status=S.RUNNING, step="Rendering the PDF", heartbeat_at=long_ago
    )
    assert tasks.fail_stale(now=timezone.now()) == 1
    report.refresh_from_db()
    assert report.status == S.FAILED
    assert report.error.startswith("Rendering the PDF: the worker")


@pytest.mark.parametrize(
    "asked, message",
    [
        ({"kind": "board-papers"}, "Unknown report"),
        ({"fmt": "xlsx"}, "pdf or docx"),
        ({"period_text": "2025/26"}, "quarter"),
        ({"period_text": "someday"}, "not a period"),
        ({"reader": "regional"}, "not “regional”"),
    ],
)
def test_what_does_not_go_together_is_refused(partnership, board, admin, asked, message):
    values = {"kind": "board-pack", "period_text": "", "fmt": "pdf", **asked}
    with pytest.raises(Exception, match=message):
        services.report_request(partnership=partnership, actor=admin, today=TODAY, **values)
    assert not ReportRequest.objects.exists()


def test_the_delivery_dashboards_button_makes_the_pack_as_pdf_and_word(
    client_for, partnership, board, admin, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("make"), {"kind": "board-pack", "fmt": "all"})
    assert response.status_code == 302 and response["Location"] == _url("list")
    made = list(ReportRequest.objects.order_by("fmt"))
    assert [(r.fmt, r.body, r.period_label) for r in made] == [
        ("docx", board, made[0].period_label),
        ("pdf", board, made[0].period_label),
    ]
    assert DBTaskResult.objects.count() == 2
    # The list follows both, refreshing itself while they are made.
    page = client.get(_url("list")).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Some reports are still being made." in page


def test_an_empty_list_says_so_and_does_not_refresh(client_for, partnership, admin):
    page = client_for(admin).get(_url("list")).content.decode()
    assert "No report has been made yet." in page
    assert 'http-equiv="refresh"' not in page and "still being made" not in page


def test_the_progress_page_refreshes_itself_until_the_file_is_ready(
    client_for, partnership, board, admin, django_capture_on_commit_callbacks
):
    report = _ask(partnership, admin, django_capture_on_commit_callbacks)
    client = client_for(admin)
    page = client.get(_url("detail", pk=report.pk)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "This page refreshes itself" in page

    tasks.make_report.call(report.pk)
    page = client.get(_url("detail", pk=report.pk)).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert _url("download", pk=report.pk) in page


def test_a_download_is_audited_and_not_kept_by_the_browser(client_for, partnership, personas):
    report = make_report(partnership, personas[Role.PARTNERSHIP_ADMIN])
    reader = personas[Role.BOARD_MEMBER]
    response = client_for(reader).get(_url("download", pk=report.pk))
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 a synthetic pack"
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    assert "wandsworth-board-pack-2025-26-q3.pdf" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).get()
    assert (event.actor_id, event.partnership_id) == (reader.pk, partnership.pk)
    assert event.object_id == str(report.pk)


def test_a_download_is_refused_to_other_roles_and_partnerships(
    client_for, partnership, other_partnership, personas
):
    report = make_report(partnership, personas[Role.PARTNERSHIP_ADMIN])
    url = _url("download", pk=report.pk)
    assert client_for(personas[Role.PRACTITIONER]).get(url).status_code == 403
    assert client_for(personas["outsider"]).get(url).status_code == 404
    # Lambeth's admin cannot reach it through Lambeth's address either.
    theirs = reverse("reports:download", kwargs={"partnership": "lambeth", "pk": report.pk})
    assert client_for(personas["outsider"]).get(theirs).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_make_again_makes_a_new_file_and_keeps_the_old(
    client_for, partnership, board, admin, django_capture_on_commit_callbacks
):
    old = make_report(partnership, admin, body=board)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(_url("remake", pk=old.pk))
    again = ReportRequest.objects.exclude(pk=old.pk).get()
    assert response["Location"] == _url("detail", pk=again.pk)
    assert (again.kind, again.period_label, again.fmt, again.body) == (
        old.kind,
        old.period_label,
        old.fmt,
        board,
    )
    assert again.status == S.QUEUED
    assert ReportRequest.objects.get(pk=old.pk).ready


def test_the_list_says_who_made_each_report_and_for_whom(client_for, partnership, personas):
    make_report(partnership, personas[Role.PARTNERSHIP_ADMIN])
    page = client_for(personas[Role.BOARD_MEMBER]).get(_url("list")).content.decode()
    assert personas[Role.PARTNERSHIP_ADMIN].get_username() in page
    assert "The board" in page and "2025/26 Q3" in page
    # A board member reads reports but does not make them.
    assert _url("make") not in page

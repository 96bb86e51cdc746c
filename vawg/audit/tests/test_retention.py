"""Retention of the audit trail deletes its oldest events and re-anchors the chain, saying so."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from vawg.audit.models import AuditEvent
from vawg.audit.selectors import chain_verify
from vawg.audit.services import record, retention_purge
from vawg.audit.tests import attacks


def record_on(monkeypatch, when: datetime, **fields) -> AuditEvent:
    monkeypatch.setattr("django.utils.timezone.now", lambda: when)
    try:
        return record(action=fields.pop("action", "update"), **fields)
    finally:
        monkeypatch.undo()


@pytest.fixture
def years(db, monkeypatch):
    """Events from 2019 to now, oldest first."""
    return [
        record_on(monkeypatch, datetime(2019, 1, 10, 9, tzinfo=UTC), object_id=1),
        record_on(monkeypatch, datetime(2019, 6, 1, 9, tzinfo=UTC), object_id=2),
        record_on(monkeypatch, datetime(2021, 3, 1, 9, tzinfo=UTC), object_id=3),
        record_on(monkeypatch, datetime(2024, 1, 1, 9, tzinfo=UTC), object_id=4),
        record(action="update", object_id=5),
    ]


def test_it_deletes_the_old_events_and_names_the_last_one_deleted(years):
    result = retention_purge(before=date(2020, 1, 1))
    assert result.deleted == 2
    kept = list(AuditEvent.objects.order_by("id"))
    assert kept[:-1] == years[2:]
    anchor = kept[-1]
    assert anchor == result.anchor
    assert anchor.action == AuditEvent.Action.RETENTION
    assert anchor.previous_hash == years[-1].hash
    assert anchor.detail == {
        "before": "2020-01-01",
        "deleted": 2,
        "last_deleted_id": years[1].pk,
        "last_deleted_hash": years[1].hash,
    }
    # The first row kept follows the last deleted: the anchor vouches for that start.
    assert years[2].previous_hash == years[1].hash
    report = chain_verify()
    assert report.holds, report.problem
    assert (report.rows, report.head_id) == (4, anchor.pk)


def test_a_second_run_deletes_and_records_nothing(years):
    retention_purge(before=date(2020, 1, 1))
    count = AuditEvent.objects.count()
    assert retention_purge(before=date(2020, 1, 1)).anchor is None
    assert AuditEvent.objects.count() == count


def test_it_keeps_the_append_only_triggers_after_a_purge(years):
    retention_purge(before=date(2020, 1, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        attacks.sql("DELETE FROM audit_auditevent")
    with pytest.raises(DatabaseError), transaction.atomic():
        attacks.sql("UPDATE audit_auditevent SET summary = 'x'")
    assert AuditEvent.objects.count() == 4


def test_a_later_purge_re_anchors_the_chain_again(years):
    retention_purge(before=date(2020, 1, 1))
    second = retention_purge(before=date(2025, 1, 1))
    assert second.deleted == 2
    assert second.anchor.detail["last_deleted_id"] == years[3].pk
    # What is left: today's event, the first retention event, the second.
    assert AuditEvent.objects.order_by("id").first() == years[4]
    assert years[4].previous_hash == years[3].hash
    assert chain_verify().holds


def test_when_nothing_is_left_the_anchor_follows_the_last_deleted_row(db, monkeypatch):
    old = record_on(monkeypatch, datetime(2019, 1, 10, 9, tzinfo=UTC))
    anchor = retention_purge(before=date(2020, 1, 1)).anchor
    assert list(AuditEvent.objects.all()) == [anchor]
    assert anchor.previous_hash == old.hash
    assert chain_verify().holds


def test_it_deletes_in_id_order_only_up_to_the_first_event_it_must_keep(db, monkeypatch):
    # A server with its clock behind stamps an old time after a newer event: the chain
    # must stay whole from its first row, so that event waits for the next run.
    first = record_on(monkeypatch, datetime(2019, 1, 10, tzinfo=UTC))
    newer = record_on(monkeypatch, datetime(2021, 1, 10, tzinfo=UTC))
    behind = record_on(monkeypatch, datetime(2019, 2, 10, tzinfo=UTC))
    result = retention_purge(before=date(2020, 1, 1))
    assert result.deleted == 1
    assert list(AuditEvent.objects.order_by("id"))[:2] == [newer, behind]
    assert result.anchor.detail["last_deleted_id"] == first.pk
    assert chain_verify().holds


def test_it_refuses_to_delete_events_younger_than_a_year(years):
    with pytest.raises(ValueError, match="kept at least 12 months"):
        retention_purge(before=date.today())
    assert AuditEvent.objects.count() == 5


def test_audit_verify_accepts_heads_that_retention_deleted(verify, db, monkeypatch, tmp_path):
    heads = tmp_path / "audit-heads.txt"
    record_on(monkeypatch, datetime(2019, 1, 10, 9, tzinfo=UTC))
    verify("--write-head", str(heads), "--today", "2019-01-10")
    last_old = record_on(monkeypatch, datetime(2019, 6, 1, 9, tzinfo=UTC))
    # A quiet spell: the head written after the cutoff is still the last old row.
    verify("--write-head", str(heads), "--today", "2020-02-01")
    record_on(monkeypatch, datetime(2021, 3, 1, 9, tzinfo=UTC))
    verify("--write-head", str(heads), "--today", "2021-03-01")
    assert retention_purge(before=date(2020, 1, 1)).anchor.detail["last_deleted_id"] == (
        last_old.pk
    )
    status, output = verify("--against", str(heads))
    assert status == 0, output
    assert "3 written heads agree" in output


def test_audit_verify_refuses_oldest_rows_deleted_without_retention(verify, years):
    attacks.drop_triggers()
    attacks.sql("DELETE FROM audit_auditevent WHERE id <= %s", [years[1].pk])
    status, output = verify()
    assert status == 1
    assert f"id {years[2].pk}: the rows before it are missing" in output


def test_audit_verify_refuses_a_forged_retention_event_that_retires_a_recent_head(
    verify, years, tmp_path
):
    heads = tmp_path / "audit-heads.txt"
    verify("--write-head", str(heads), "--today", "2026-01-01")
    # The forger deletes everything up to the head and vouches for it with a "retention"
    # event claiming a cutoff after the head was written.
    attacks.drop_triggers()
    attacks.sql("DELETE FROM audit_auditevent WHERE id <= %s", [years[-2].pk])
    forged = record(
        action=AuditEvent.Action.RETENTION,
        detail={
            "before": "2026-06-01",
            "deleted": 4,
            "last_deleted_id": years[-2].pk,
            "last_deleted_hash": years[-2].hash,
        },
    )
    attacks.sql("DELETE FROM audit_auditevent WHERE id = %s", [years[-1].pk])
    status, output = verify("--against", str(heads))
    assert status == 1
    assert f"id {forged.pk}: it is a retention event claiming" in output


def retention(*options: str) -> str:
    out = StringIO()
    call_command("audit_retention", *options, stdout=out)
    return out.getvalue()


def test_the_command_deletes_past_the_period_and_says_what_it_did(years):
    output = retention("--months", "72", "--today", "2026-03-01")
    assert output.startswith("Deleted 2 audit events recorded before 2020-03-01;")
    assert f"starts after row {years[1].pk}" in output
    assert retention("--months", "72", "--today", "2026-03-01") == (
        "No audit events recorded before 2020-03-01.\n"
    )
    assert chain_verify().holds


def test_the_command_refuses_a_period_under_a_year(years):
    with pytest.raises(CommandError, match="--months must be 12 or more"):
        retention("--months", "6")
    assert AuditEvent.objects.count() == 5

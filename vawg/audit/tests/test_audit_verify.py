"""audit_verify: exit 0 with the count and head when the chain holds; exit 1 naming the
first bad row after each way the trail has been changed behind the app."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from vawg.audit import selectors
from vawg.audit.models import AuditEvent
from vawg.audit.selectors import chain_verify
from vawg.audit.services import record
from vawg.audit.tests import attacks


@pytest.fixture
def trail(db):
    """Six events, oldest first."""
    return [
        record(action="create", object_type="strategy.Action", object_id=n, detail={"n": n})
        for n in range(6)
    ]


def bad_row(output: str) -> str:
    return output.split("First bad row: id ", 1)[1].split(":", 1)[0]


def test_it_passes_an_untouched_trail_with_its_count_and_head(verify, trail):
    status, output = verify()
    assert status == 0
    assert f"holds: 6 events; head: row {trail[-1].pk} {trail[-1].hash}" in output


def test_it_passes_an_empty_trail(verify):
    assert verify() == (0, f"The audit trail holds: 0 events; head: row None {'0' * 64}.\n")


def test_it_names_a_row_rewritten_by_insert_or_replace(verify, trail):
    if attacks.postgresql():
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL's ON CONFLICT fires the trigger")
    target = trail[2]
    attacks.replace_summary(target.pk, "nothing happened here")
    assert AuditEvent.objects.get(pk=target.pk).summary == "nothing happened here"
    status, output = verify()
    assert status == 1
    assert bad_row(output) == str(target.pk)
    assert "changed since it was written" in output


def test_it_names_the_next_row_when_a_rewritten_rows_hash_was_recomputed(verify, trail):
    # A careful attacker recomputes the changed row's own hash: the next row no longer follows.
    target = AuditEvent.objects.get(pk=trail[2].pk)
    target.detail = {"n": 99}
    attacks.drop_triggers()
    attacks.sql(
        "UPDATE audit_auditevent SET detail = %s, hash = %s WHERE id = %s",
        ['{"n": 99}', target.computed_hash(), target.pk],
    )
    status, output = verify()
    assert status == 1
    assert bad_row(output) == str(trail[3].pk)
    assert f"does not follow row {target.pk}" in output


def test_it_names_a_row_whose_detail_was_edited(verify, trail):
    attacks.drop_triggers()
    attacks.sql("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"n": 40}', trail[4].pk])
    status, output = verify()
    assert (status, bad_row(output)) == (1, str(trail[4].pk))


def test_it_names_the_row_after_one_deleted_once_the_trigger_is_dropped(verify, trail):
    with pytest.raises(DatabaseError), transaction.atomic():
        attacks.sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[3].pk])
    attacks.drop_triggers()
    assert attacks.sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[3].pk]) == 1
    status, output = verify()
    assert status == 1
    assert bad_row(output) == str(trail[4].pk)
    assert f"does not follow row {trail[2].pk}" in output


def test_it_names_the_first_row_when_the_oldest_were_deleted(verify, trail):
    attacks.drop_triggers()
    attacks.sql("DELETE FROM audit_auditevent WHERE id <= %s", [trail[1].pk])
    status, output = verify()
    assert (status, bad_row(output)) == (1, str(trail[2].pk))
    assert "no retention event accounts for them" in output


def test_it_names_a_row_moved_to_another_place(verify, trail):
    attacks.drop_triggers()
    attacks.swap(trail[1].pk, trail[2].pk)
    status, output = verify()
    assert (status, bad_row(output)) == (1, str(trail[1].pk))


def test_the_database_refuses_a_row_put_in_between_two_others(db):
    first = record(action="create")
    record(action="update")
    # Chained to `first` as the second already is: the unique previous hash refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        attacks.insert(first.pk + 100, previous_hash=first.hash, action="export")


def test_it_names_a_row_put_in_between_two_others(verify, db):
    first = record(action="create")
    # A gap in the ids, as PostgreSQL leaves after a rolled-back insert.
    last = attacks.insert(first.pk + 10, previous_hash=first.hash, action="update")
    intruder = attacks.insert(first.pk + 5, previous_hash="1" * 64, action="export")
    status, output = verify()
    assert (status, bad_row(output)) == (1, str(intruder.pk))
    assert last.previous_hash == first.hash


def test_it_names_a_row_put_in_with_the_uniqueness_lifted(verify, db):
    if not attacks.postgresql():
        pytest.skip("SQLite cannot drop a constraint without rebuilding the table")
    first = record(action="create")
    attacks.insert(first.pk + 10, previous_hash=first.hash, action="update")
    attacks.sql("ALTER TABLE audit_auditevent DROP CONSTRAINT audit_event_one_successor")
    intruder = attacks.insert(first.pk + 5, previous_hash=first.hash, action="export")
    status, output = verify()
    assert (status, bad_row(output)) == (1, str(intruder.pk))
    assert f"put in later: row {first.pk + 10} follows row {first.pk}" in output


def test_it_checks_across_the_chunks_it_reads(trail):
    # Three rows a read: the break falls on the first row of the second chunk.
    attacks.drop_triggers()
    attacks.sql("DELETE FROM audit_auditevent WHERE id = %s", [trail[2].pk])
    report = chain_verify(chunk=3)
    assert report.bad_id == trail[3].pk
    attacks.sql("DELETE FROM audit_auditevent WHERE id > %s", [trail[1].pk])
    assert chain_verify(chunk=1).holds


def test_it_reads_the_trail_a_chunk_at_a_time(trail, django_assert_num_queries):
    # Memory stays flat at millions of rows: never more than a chunk is held.
    with django_assert_num_queries(2):  # 4 rows, then the last 2
        report = chain_verify(chunk=4)
    assert report.rows == 6
    with django_assert_num_queries(4):  # 2 + 2 + 2 rows, then none
        assert chain_verify(chunk=2).rows == 6
    assert selectors.CHAIN_CHUNK >= 1000


def test_it_writes_todays_head_once_a_day(verify, trail, tmp_path):
    heads = tmp_path / "audit-heads.txt"
    assert verify("--write-head", str(heads), "--today", "2026-12-01")[0] == 0
    status, output = verify("--write-head", str(heads), "--today", "2026-12-01")
    assert status == 0
    assert "already in" in output
    assert heads.read_text() == f"2026-12-01 6 {trail[-1].pk} {trail[-1].hash}\n"
    newer = record(action="export")
    verify("--write-head", str(heads), "--today", "2026-12-02")
    assert heads.read_text().splitlines()[1] == f"2026-12-02 7 {newer.pk} {newer.hash}"


def test_it_passes_against_heads_still_in_the_chain(verify, trail, tmp_path):
    heads = tmp_path / "audit-heads.txt"
    verify("--write-head", str(heads), "--today", "2026-12-01")
    record(action="export")
    status, output = verify("--against", str(heads))
    assert status == 0
    assert "7 events" in output and "1 written heads agree" in output


def test_it_fails_against_a_written_head_once_the_table_is_emptied(verify, trail, tmp_path):
    heads = tmp_path / "audit-heads.txt"
    verify("--write-head", str(heads), "--today", "2026-12-01")
    attacks.empty_table()
    assert verify()[0] == 0  # an empty trail holds on its own: the written head shows it
    status, output = verify("--against", str(heads))
    assert status == 1
    assert bad_row(output) == str(trail[-1].pk)
    assert "head written on 2026-12-01 is missing" in output


def test_it_fails_against_a_written_head_once_the_chain_is_rewritten(verify, trail, tmp_path):
    # Every hash recomputed after a change holds as a chain; the written head does not.
    heads = tmp_path / "audit-heads.txt"
    verify("--write-head", str(heads), "--today", "2026-12-01")
    attacks.drop_triggers()
    previous = trail[0].previous_hash
    for event in AuditEvent.objects.order_by("id"):
        if event.pk == trail[2].pk:
            event.summary = "rewritten"
        event.previous_hash = previous
        previous = event.computed_hash()
        attacks.sql(
            "UPDATE audit_auditevent SET summary = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [event.summary, event.previous_hash, previous, event.pk],
        )
    assert verify()[0] == 0
    status, output = verify("--against", str(heads))
    assert (status, bad_row(output)) == (1, str(trail[-1].pk))
    assert "head written on 2026-12-01 differs" in output


def test_it_fails_against_a_written_head_after_the_last_rows_were_deleted(verify, trail, tmp_path):
    heads = tmp_path / "audit-heads.txt"
    verify("--write-head", str(heads), "--today", "2026-12-01")
    attacks.drop_triggers()
    attacks.sql("DELETE FROM audit_auditevent WHERE id >= %s", [trail[4].pk])
    assert verify()[0] == 0
    assert verify("--against", str(heads))[0] == 1


def test_it_explains_a_heads_file_it_cannot_read(verify, trail, tmp_path):
    heads = tmp_path / "audit-heads.txt"
    heads.write_text("# audit heads\n2026-12-01 6 12\n")
    status, output = verify("--against", str(heads))
    assert status == 1
    assert "Line 2 is not a head: expected DATE ROWS ID HASH" in output
    status, output = verify("--against", str(tmp_path / "missing.txt"))
    assert status == 1
    assert "Cannot read the heads" in output

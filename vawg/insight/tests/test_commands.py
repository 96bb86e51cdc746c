import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from vawg.insight import store
from vawg.insight.services import mapping_save
from vawg.insight.tests.factories import MAPPING, csv_bytes, make_wards, partner_for, row

pytestmark = pytest.mark.django_db


def _with_saved_mapping(partnership):
    from vawg.insight import services

    partner = partner_for(partnership)
    upload = services.import_upload(
        partnership=partnership,
        partner=partner,
        filename="first.csv",
        data=csv_bytes([row("F1")]),
        actor=None,
    )
    mapping_save(data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=None)
    return partner


def test_the_command_imports_with_the_saved_mapping(partnership, tmp_path):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes([row("C1"), row("C2")]))
    call_command("insight_import", "wandsworth", partner.name, str(path))
    assert store.count() == 2


def test_the_command_writes_the_report_for_a_rejected_file(partnership, tmp_path):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes([row("C1", Ward="Nowhere")]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("insight_import", "wandsworth", partner.name, str(path))
    report = (tmp_path / "extract-report.csv").read_text(encoding="utf-8-sig")
    assert '2,Ward,Nowhere,"This is not a ward of the partnership' in report
    assert store.count() == 0


def _run_bench(script: str, tmp_path, **env) -> dict:
    """Run bench/<script> with these settings, in a database of its own (never the test
    database, nor a bench run's), and return the results it wrote."""
    results = tmp_path / "results.json"
    env = {
        **os.environ,
        **env,
        "BENCH_RESULTS": str(results),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    }
    path = Path(settings.BASE_DIR) / "bench" / script
    done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(results.read_text())


def test_the_bench_runs_at_a_small_size(tmp_path):
    figures = _run_bench("bench_insight.py", tmp_path, BENCH_ROWS="660", BENCH_REPEATS="3")
    assert figures["rows"] == 660 and figures["database"] == "sqlite"
    assert {"trend.borough", "totals_and_repeat_rate.all", "ward_hotspots.borough"} <= set(
        figures["queries"]
    )
    for query in figures["queries"].values():
        assert set(query) == {"median_ms", "p95_ms", "baseline_median_ms", "ratio"}
    assert set(figures["import"]) == {"rows_per_s", "floor_rows_per_s", "ratio_to_floor"}


def test_the_reading_bench_runs_at_a_small_size(tmp_path):
    figures = _run_bench(
        "bench_import_reading.py", tmp_path, BENCH_READ_ROWS="500", BENCH_REPEATS="1"
    )
    assert figures["rows"] == 500
    assert set(figures["steps"]) == {
        "duckdb_read",
        "python_csv_module",
        "importer_read_and_check",
        "importer_whole_file_check",
    }
    floor = figures["steps"]["duckdb_read"]
    assert floor["times_the_floor"] == 1.0 and floor["seconds"] > 0


def test_uploads_never_imported_are_erased_after_a_week(partnership):
    from datetime import date, timedelta

    from django.utils import timezone

    from vawg.audit.models import AuditEvent
    from vawg.insight import services
    from vawg.insight.models import DataImport

    make_wards(partnership)
    partner = partner_for(partnership)

    def upload(name: str, days_ago: int) -> DataImport:
        staged = services.import_upload(
            partnership=partnership,
            partner=partner,
            filename=name,
            data=csv_bytes([row(name)]),
            actor=None,
        )
        uploaded = timezone.now() - timedelta(days=days_ago)
        DataImport.objects.filter(pk=staged.pk).update(uploaded_at=uploaded)
        return staged

    old, recent = upload("old.csv", 9), upload("recent.csv", 2)
    imported = services.import_file(
        partnership=partnership,
        partner=partner,
        filename="done.csv",
        data=csv_bytes([row("D1")]),
        actor=None,
        today=date.today(),
        mapping=MAPPING,
    )
    DataImport.objects.filter(pk=imported.pk).update(uploaded_at=timezone.now() - timedelta(30))
    out = io.StringIO()
    call_command("insight_forget_stale", stdout=out)
    assert "Erased 1 partner extract(s)" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.payload) == (DataImport.Status.DISCARDED, None)
    assert "Upload it again" in old.error
    assert recent.payload is not None and recent.status == DataImport.Status.UPLOADED
    assert DataImport.objects.get(pk=imported.pk).status == DataImport.Status.IMPORTED
    assert AuditEvent.objects.filter(object_id=str(old.pk), action="update").exists()
    # A second run the same day has nothing left to do.
    call_command("insight_forget_stale", stdout=(again := io.StringIO()))
    assert "Erased 0 partner extract(s)" in again.getvalue()


def test_forget_stale_refuses_a_period_under_a_day():
    with pytest.raises(CommandError, match="--days must be 1 or more"):
        call_command("insight_forget_stale", "--days", "0")


def test_rebuild_mends_a_wrong_repeat_flag_and_every_cube(partnership):
    import pyarrow as pa
    from django.db.models import Sum

    from vawg.insight.models import MonthCube
    from vawg.insight.tests.factories import flags, import_rows

    make_wards(partnership)
    same = {"Victim ID": "person-r"}
    import_rows(partnership, [row("R1", "2025-01-05", **same), row("R2", "2025-01-25", **same)])
    assert flags() == {"R1": False, "R2": True}
    # Damage the store behind the import's back: the repeat's flag cleared in its segment.
    table = store.load([partnership.pk])
    cleared = table.set_column(
        table.schema.get_field_index("is_repeat"), "is_repeat", pa.array([False] * len(table))
    )
    store.rewrite_dims(cleared, {(partnership.pk, m) for m in table["month"].to_pylist()})
    assert flags() == {"R1": False, "R2": False}
    out = io.StringIO()
    call_command("insight_rebuild", stdout=out)
    assert "1 repeat flag(s) mended" in out.getvalue()
    assert flags() == {"R1": False, "R2": True}
    assert MonthCube.objects.aggregate(r=Sum("repeats"))["r"] == 1


def _police_file(tmp_path, rows, codec="cp1252"):
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(rows).decode().encode(codec))
    return path


def test_the_command_sets_aside_bad_rows_beside_the_file(partnership, tmp_path, capsys):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    rows = [row("K1", **{"Officer Notes": "owed £40 to Zoë"}), row("K2"), row("K3", Ward="Nowhere")]
    rows.append(row("K2"))
    path = _police_file(tmp_path, rows)
    call_command("insight_import", "wandsworth", partner.name, str(path), "--set-aside")
    out = capsys.readouterr().out
    assert "2 new, 0 updated, 0 unchanged, 2 set aside" in out
    aside = (tmp_path / "police-set-aside.csv").read_bytes()
    assert aside.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    lines = aside.decode("utf-8-sig").splitlines()
    marked = "Row in the file sent,Why it was set aside,OFFICIAL-SENSITIVE: partner records"
    assert lines[0].endswith(marked)
    assert lines[1].startswith("K3,") and ',4,"Ward “Nowhere”: This is not a ward' in lines[1]
    assert lines[2].startswith("K2,") and "appears twice in the file (first on row 3)" in lines[2]
    assert store.count() == 2


def test_the_command_takes_an_encoding_and_names_where_it_fails(partnership, tmp_path):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    path = _police_file(tmp_path, [row("E1", **{"Officer Notes": "café"})])
    with pytest.raises(CommandError, match="Row 2, column “Officer Notes”"):
        call_command("insight_import", "wandsworth", partner.name, str(path), "--encoding", "utf-8")
    with pytest.raises(CommandError, match="not a codec"):
        call_command("insight_import", "wandsworth", partner.name, str(path), "--encoding", "x")
    call_command("insight_import", "wandsworth", partner.name, str(path), "--encoding", "cp1252")
    assert store.count() == 1


def test_the_command_exits_1_when_nothing_was_stored(partnership, tmp_path, capsys):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    path = _police_file(tmp_path, [row("N1")])
    call_command("insight_import", "wandsworth", partner.name, str(path))
    with pytest.raises(SystemExit) as stopped:
        call_command("insight_import", "wandsworth", partner.name, str(path))
    assert stopped.value.code == 1
    assert "0 new, 0 updated, 1 unchanged, 0 set aside" in capsys.readouterr().out


def test_the_command_imports_and_lists_likely_duplicates(partnership, tmp_path, capsys):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    call_command(
        "insight_import", "wandsworth", partner.name, str(_police_file(tmp_path, [row("L1")]))
    )
    again = _police_file(tmp_path, [row("L1-NEW", **{"Victim ID": "PERSON-L1"})])
    call_command("insight_import", "wandsworth", partner.name, str(again))
    out = capsys.readouterr().out
    assert "1 new, 0 updated, 0 unchanged, 0 set aside" in out
    assert "Likely duplicate, imported: row 2 (L1-NEW) looks like stored record L1" in out
    assert store.count() == 2


def test_the_command_uses_the_named_sources_mapping(partnership, tmp_path):
    from vawg.insight import services

    make_wards(partnership)
    partner = partner_for(partnership)
    upload = services.import_upload(
        partnership=partnership,
        partner=partner,
        filename="first.csv",
        data=csv_bytes([row("F1")]),
        actor=None,
        source="Crime extract",
    )
    mapping_save(data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=None)
    path = _police_file(tmp_path, [row("M1")])
    # Without the source, the standard's own headings: "Crime Ref" names no field.
    with pytest.raises(CommandError):
        call_command("insight_import", "wandsworth", partner.name, str(path))
    call_command(
        "insight_import", "wandsworth", partner.name, str(path), "--source", "Crime extract"
    )
    assert store.count() == 1

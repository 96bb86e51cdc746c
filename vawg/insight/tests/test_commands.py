import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from vawg.insight.models import Incident
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
    assert Incident.objects.count() == 2


def test_the_command_writes_the_report_for_a_rejected_file(partnership, tmp_path):
    make_wards(partnership)
    partner = _with_saved_mapping(partnership)
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes([row("C1", Ward="Nowhere")]))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("insight_import", "wandsworth", partner.name, str(path))
    report = (tmp_path / "extract-report.csv").read_text(encoding="utf-8-sig")
    assert '2,Ward,Nowhere,"This is not a ward of the partnership' in report
    assert Incident.objects.count() == 0


def test_the_bench_runs_at_a_small_size(tmp_path):
    results = tmp_path / "insight.json"
    env = {
        **os.environ,
        "BENCH_ROWS": "660",
        "BENCH_REPEATS": "3",
        "BENCH_RESULTS": str(results),
        # A database of its own: never the test database, nor a bench run's.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    }
    script = Path(settings.BASE_DIR) / "bench" / "bench_insight.py"
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(results.read_text())
    assert figures["rows"] == 660 and figures["database"] == "sqlite"
    assert {"trend.borough", "totals_and_repeat_rate.all", "ward_hotspots.borough"} <= set(
        figures["queries"]
    )
    for query in figures["queries"].values():
        assert set(query) == {"median_ms", "p95_ms", "baseline_median_ms", "ratio"}
    assert set(figures["import"]) == {"rows_per_s", "floor_rows_per_s", "ratio_to_floor"}

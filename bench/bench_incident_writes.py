"""What storing a partner extract's incidents costs, index by index, against DuckDB reading it.

    .venv/bin/python bench/bench_incident_writes.py

The insight import's target is 20× the time DuckDB takes to read the file
(bench_insight.py). This bench asks how much of that allowance the incident table alone
takes: one synthetic borough extract of BENCH_WRITE_ROWS rows (default 300,000, the size
of each file in the 10-million-row run) is read whole (`columns.standardise`), then its
rows are written to an empty incident table and committed (`_Writer.add_table`, the
import's own writer), in one run:

- with every index the schema has;
- without the person index (`incident_person_key_day`), which the repeat rule uses;
- without the covering index (`incident_dimensions`) as well, which the crossings use,
  leaving the primary key and the unique (partner, source id).

Each is timed BENCH_REPEATS times (default 3), the rows deleted between times, and the
median kept; printed as multiples of DuckDB's read and written to
bench/results/incident_writes.json (or BENCH_RESULTS). The indexes are put back at the
end. Without DATABASE_URL, a fresh SQLite file under bench/.data/.
"""

import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from setup_django import setup_django

ROOT = Path(__file__).resolve().parent.parent
setup_django("writes")

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from vawg.core.models import Organisation, Partnership, Ward  # noqa: E402
from vawg.core.testing import make_partnership  # noqa: E402
from vawg.insight import columns, synthetic  # noqa: E402
from vawg.insight.importer import Mapping, Standardiser, read_rows  # noqa: E402
from vawg.insight.models import DataImport, Incident  # noqa: E402
from vawg.insight.services import _Writer  # noqa: E402

ROWS = int(os.environ.get("BENCH_WRITE_ROWS", 300_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
WARDS = [f"Ward {w:02d}" for w in range(1, 21)]
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "incident_writes.json"))


def median_seconds(work, reset) -> float:
    times = []
    for _ in range(REPEATS):
        reset()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    reset()
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    partnership = Partnership.objects.filter(slug="writes-borough").first()
    partnership = partnership or make_partnership("writes-borough", "Writes borough")
    for name in WARDS:
        Ward.objects.get_or_create(partnership=partnership, name=name)
    partner, _ = Organisation.objects.get_or_create(
        partnership=partnership, name="Police", defaults={"kind": Organisation.Kind.POLICE}
    )
    data = synthetic.to_csv(
        synthetic.generate(
            rows=ROWS,
            wards=WARDS,
            start=date(2016, 4, 1),
            end=date(2026, 3, 31),
            rng=np.random.default_rng(2026),
            id_prefix="W-",
            people_prefix="W-",
            pending_after=date(2025, 10, 1),
        )
    )
    headers, _ = read_rows(data, "borough.csv")
    standardiser = Standardiser(
        partnership=partnership,
        headers=headers,
        mapping=Mapping(columns=synthetic.MAPPING_COLUMNS),
        today=date(2026, 4, 30),
    )
    table = columns.standardise(standardiser, data, "borough.csv", len(headers))
    assert table is not None and table.num_rows == ROWS, "the extract is clean"
    data_import = DataImport.objects.create(
        partnership=partnership, partner=partner, filename="borough.csv", headers=headers
    )

    def write() -> None:
        with transaction.atomic():
            _Writer(data_import).add_table(table)

    def reset() -> None:
        Incident.objects.filter(data_import=data_import).delete()

    with tempfile.TemporaryDirectory(prefix="bench-writes-") as folder:
        path = Path(folder) / "borough.csv"
        path.write_bytes(data)

        def floor() -> None:
            with duckdb.connect() as db:
                db.execute(
                    "CREATE TABLE t AS SELECT * FROM read_csv(?, header = true)", [str(path)]
                )

        seconds = {"duckdb_read": median_seconds(floor, lambda: None)}
    indexes = {index.name: index for index in Incident._meta.indexes}
    dropped = []
    try:
        seconds["every_index"] = median_seconds(write, reset)
        for name, label in [
            ("incident_person_key_day", "without_person_index"),
            ("incident_dimensions", "without_person_or_covering_index"),
        ]:
            with connection.schema_editor() as editor:
                editor.remove_index(Incident, indexes[name])
            dropped.append(indexes[name])
            seconds[label] = median_seconds(write, reset)
    finally:
        with connection.schema_editor() as editor:
            for index in dropped:
                editor.add_index(Incident, index)
    base = seconds["duckdb_read"]
    results = {
        "rows": ROWS,
        "database": connection.vendor,
        "steps": {
            name: {
                "seconds": round(s, 3),
                "microseconds_per_row": round(1e6 * s / ROWS, 2),
                "times_the_floor": round(s / base, 1),
            }
            for name, s in seconds.items()
        },
    }
    print(
        f"Writing one extract's incidents: {ROWS:,} rows on {connection.vendor}, "
        f"median of {REPEATS}"
    )
    for name, step in results["steps"].items():
        print(
            f"  {name:<34}{step['seconds']:>8.2f} s{step['microseconds_per_row']:>8.2f} µs/row"
            f"{step['times_the_floor']:>7}x the DuckDB read"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

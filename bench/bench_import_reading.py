"""What reading a partner extract costs in Python, against DuckDB reading it.

    .venv/bin/python bench/bench_import_reading.py

The insight import's target is measured against DuckDB merely reading the file
(bench_insight.py). This bench splits out the part of our import that is Python's,
on one synthetic borough extract of BENCH_READ_ROWS rows (default 300,000, the size
of each file in the 10-million-row run), in one run:

- DuckDB reading the file into a table (the floor);
- Python's csv module splitting the same text into rows, and nothing else;
- the importer's reading and checking of every row (`read_rows` and
  `Standardiser.record`: parse, map, validate, pseudonymise, fingerprint), writing
  nothing: the row path, which every file with a problem takes;
- the same, for the whole file at once (`columns.standardise`: Arrow splits it, each
  rule runs once per distinct cell), the path every clean CSV takes.

Each is timed BENCH_REPEATS times (default 3) and the median kept. Results are printed
as multiples of the floor and written to bench/results/import_reading.json (or
BENCH_RESULTS). The borough and its wards go in DATABASE_URL's database, or without
it a fresh SQLite file under bench/.data/.
"""

import csv
import io
import json
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from setup_django import setup_django

ROOT = Path(__file__).resolve().parent.parent
setup_django("reading")

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402

from vawg.core.models import Partnership, Ward  # noqa: E402
from vawg.core.testing import make_partnership  # noqa: E402
from vawg.insight import columns as whole_file  # noqa: E402
from vawg.insight import synthetic  # noqa: E402
from vawg.insight.importer import Mapping, Standardiser, read_rows  # noqa: E402

ROWS = int(os.environ.get("BENCH_READ_ROWS", 300_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
WARDS = [f"Ward {w:02d}" for w in range(1, 21)]
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "import_reading.json"))


def median_seconds(work) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    partnership = Partnership.objects.filter(slug="reading-borough").first()
    partnership = partnership or make_partnership("reading-borough", "Reading borough")
    for name in WARDS:
        Ward.objects.get_or_create(partnership=partnership, name=name)
    columns = synthetic.generate(
        rows=ROWS,
        wards=WARDS,
        start=date(2016, 4, 1),
        end=date(2026, 3, 31),
        rng=np.random.default_rng(2026),
        id_prefix="R-",
        people_prefix="R-",
        pending_after=date(2025, 10, 1),
    )
    data = synthetic.to_csv(columns)
    mapping = Mapping(columns=synthetic.MAPPING_COLUMNS)
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as folder:
        path = Path(folder) / "borough.csv"
        path.write_bytes(data)

        def floor() -> None:
            db = duckdb.connect()
            db.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, header = true)", [str(path)])

        def csv_module() -> None:
            for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
                pass

        def importer_check() -> None:
            headers, rows = read_rows(data, "borough.csv")
            standardiser = Standardiser(
                partnership=partnership, headers=headers, mapping=mapping, today=date(2026, 4, 30)
            )
            for number, values in rows:
                standardiser.record(number, values)

        def whole_file_check() -> None:
            headers, _ = read_rows(data, "borough.csv")
            standardiser = Standardiser(
                partnership=partnership, headers=headers, mapping=mapping, today=date(2026, 4, 30)
            )
            table = whole_file.standardise(standardiser, data, "borough.csv", len(headers))
            assert table is not None and table.num_rows == ROWS, "the extract is clean"

        seconds = {
            "duckdb_read": median_seconds(floor),
            "python_csv_module": median_seconds(csv_module),
            "importer_read_and_check": median_seconds(importer_check),
            "importer_whole_file_check": median_seconds(whole_file_check),
        }
    base = seconds["duckdb_read"]
    results = {
        "rows": ROWS,
        "megabytes": round(len(data) / 1e6, 1),
        "steps": {
            name: {
                "seconds": round(s, 3),
                "microseconds_per_row": round(1e6 * s / ROWS, 2),
                "times_the_floor": round(s / base, 1),
            }
            for name, s in seconds.items()
        },
    }
    print(f"Reading one extract: {ROWS:,} rows, {results['megabytes']} MB, median of {REPEATS}")
    for name, step in results["steps"].items():
        print(
            f"  {name:<26}{step['seconds']:>8.2f} s{step['microseconds_per_row']:>8.2f} µs/row"
            f"{step['times_the_floor']:>7}x the DuckDB read"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

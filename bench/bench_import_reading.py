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
import os
from datetime import date
from pathlib import Path

from setup_django import expect, setup_django

ROOT = Path(__file__).resolve().parent.parent
setup_django("reading")

from one_extract import borough_extract, duckdb_read_seconds, median_seconds, report  # noqa: E402

from vawg.insight import columns as whole_file  # noqa: E402
from vawg.insight import synthetic  # noqa: E402
from vawg.insight.importer import Mapping, Standardiser, read_rows  # noqa: E402

ROWS = int(os.environ.get("BENCH_READ_ROWS", 300_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "import_reading.json"))
TODAY = date(2026, 4, 30)


def main() -> None:
    partnership, data = borough_extract("reading-borough", ROWS, "R-")
    mapping = Mapping(columns=synthetic.MAPPING_COLUMNS)

    def csv_module() -> None:
        for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
            pass

    def standardiser(headers: list[str]) -> Standardiser:
        return Standardiser(partnership=partnership, headers=headers, mapping=mapping, today=TODAY)

    def importer_check() -> None:
        headers, rows = read_rows(data, "borough.csv")
        checker = standardiser(headers)
        for number, values in rows:
            checker.record(number, values)

    def whole_file_check() -> None:
        headers, _ = read_rows(data, "borough.csv")
        checker = standardiser(headers)
        table = whole_file.standardise(checker, data, "borough.csv", len(headers))
        expect(table is not None and table.num_rows == ROWS, "the extract is clean")

    seconds = {
        "duckdb_read": duckdb_read_seconds(data, REPEATS),
        "python_csv_module": median_seconds(csv_module, REPEATS),
        "importer_read_and_check": median_seconds(importer_check, REPEATS),
        "importer_whole_file_check": median_seconds(whole_file_check, REPEATS),
    }
    megabytes = round(len(data) / 1e6, 1)
    title = f"Reading one extract: {ROWS:,} rows, {megabytes} MB, median of {REPEATS}"
    report(title, ROWS, seconds, RESULTS, megabytes=megabytes)


if __name__ == "__main__":
    main()

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

import os
from datetime import date
from pathlib import Path

from setup_django import setup_django

ROOT = Path(__file__).resolve().parent.parent
setup_django("writes")

from django.db import connection, transaction  # noqa: E402
from one_extract import borough_extract, duckdb_read_seconds, median_seconds, report  # noqa: E402

from vawg.core.models import Organisation  # noqa: E402
from vawg.insight import columns, synthetic  # noqa: E402
from vawg.insight.importer import Mapping, Standardiser, read_rows  # noqa: E402
from vawg.insight.models import DataImport, Incident  # noqa: E402
from vawg.insight.services import _Writer  # noqa: E402

ROWS = int(os.environ.get("BENCH_WRITE_ROWS", 300_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "incident_writes.json"))


def main() -> None:
    partnership, data = borough_extract("writes-borough", ROWS, "W-")
    partner, _ = Organisation.objects.get_or_create(
        partnership=partnership, name="Police", defaults={"kind": Organisation.Kind.POLICE}
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

    seconds = {"duckdb_read": duckdb_read_seconds(data, REPEATS)}
    indexes = {index.name: index for index in Incident._meta.indexes}
    dropped = []
    try:
        seconds["every_index"] = median_seconds(write, REPEATS, reset)
        for name, label in [
            ("incident_person_key_day", "without_person_index"),
            ("incident_dimensions", "without_person_or_covering_index"),
        ]:
            with connection.schema_editor() as editor:
                editor.remove_index(Incident, indexes[name])
            dropped.append(indexes[name])
            seconds[label] = median_seconds(write, REPEATS, reset)
    finally:
        with connection.schema_editor() as editor:
            for index in dropped:
                editor.add_index(Incident, index)
    title = (
        f"Writing one extract's incidents: {ROWS:,} rows on {connection.vendor}, "
        f"median of {REPEATS}"
    )
    report(title, ROWS, seconds, RESULTS, database=connection.vendor)


if __name__ == "__main__":
    main()

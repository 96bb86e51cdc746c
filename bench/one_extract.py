"""What a bench of one extract needs (bench_import_reading.py):
a synthetic borough extract, a median of timed runs, DuckDB's read as the floor, and the
report of each step as a multiple of it.

Imported after `setup_django`, since it uses the project's models.
"""

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
from django.core.management import call_command

from vawg.core.models import Partnership, Ward
from vawg.core.testing import make_partnership
from vawg.insight import synthetic

WARDS = [f"Ward {w:02d}" for w in range(1, 21)]


def borough_extract(slug: str, rows: int, prefix: str) -> tuple[Partnership, bytes]:
    """A borough with 20 wards (made if missing) and one clean 10-year extract for it."""
    call_command("migrate", verbosity=0)
    partnership = Partnership.objects.filter(slug=slug).first()
    partnership = partnership or make_partnership(slug, slug.replace("-", " ").capitalize())
    for name in WARDS:
        Ward.objects.get_or_create(partnership=partnership, name=name)
    columns = synthetic.generate(
        rows=rows,
        wards=WARDS,
        start=date(2016, 4, 1),
        end=date(2026, 3, 31),
        rng=np.random.default_rng(2026),
        id_prefix=prefix,
        people_prefix=prefix,
        pending_after=date(2025, 10, 1),
    )
    return partnership, synthetic.to_csv(columns)


def median_seconds(work: Callable[[], object], repeats: int, reset=lambda: None) -> float:
    """The median of `repeats` timed runs of `work`, with `reset` before each and after."""
    times = []
    for _ in range(repeats):
        reset()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    reset()
    return statistics.median(times)


def duckdb_read_seconds(data: bytes, repeats: int) -> float:
    """The floor: DuckDB reading the extract into a table (from a file, as it reads best)."""
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as folder:
        path = Path(folder) / "borough.csv"
        path.write_bytes(data)

        def read() -> None:
            with duckdb.connect() as db:
                db.execute(
                    "CREATE TABLE t AS SELECT * FROM read_csv(?, header = true)", [str(path)]
                )

        return median_seconds(read, repeats)


def report(title: str, rows: int, seconds: dict[str, float], results: Path, **about) -> None:
    """Print each step as seconds, µs a row and a multiple of `duckdb_read`, and write them."""
    base = seconds["duckdb_read"]
    figures = {
        "rows": rows,
        **about,
        "steps": {
            name: {
                "seconds": round(s, 3),
                "microseconds_per_row": round(1e6 * s / rows, 2),
                "times_the_floor": round(s / base, 1),
            }
            for name, s in seconds.items()
        },
    }
    print(title)
    width = max(map(len, seconds)) + 2
    for name, step in figures["steps"].items():
        print(
            f"  {name:<{width}}{step['seconds']:>8.2f} s{step['microseconds_per_row']:>8.2f} µs/row"
            f"{step['times_the_floor']:>7}x the DuckDB read"
        )
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {results}")

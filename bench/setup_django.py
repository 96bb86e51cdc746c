"""What every bench does before it imports Django: find the project, and choose its database.

Called first thing by each bench/bench_*.py (run as scripts, so this file is found
beside them). Without DATABASE_URL, a bench gets a SQLite file of its own under
bench/.data/, never the application's database.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(name: str, *, fresh: bool = True) -> None:
    """Point Django at the project, and at DATABASE_URL or bench/.data/<name>.sqlite3.

    `fresh` deletes that file first; a run that reuses the last run's store passes False.
    """
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL"):
        data_dir = ROOT / "bench" / ".data"
        data_dir.mkdir(parents=True, exist_ok=True)
        for leftover in data_dir.glob(f"{name}.sqlite3*") if fresh else ():
            leftover.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / f'{name}.sqlite3'}"
    import django

    django.setup()


def expect(condition: object, message: str) -> None:
    """Stop the bench when what it measured is wrong (an assert would vanish under -O)."""
    if not condition:
        raise SystemExit(f"Bench check failed: {message}")


def timed(work) -> tuple[tuple[float, float], object]:
    """(wall seconds, this process's CPU seconds) and what `work` gave. On a shared machine
    the CPU time says more than the wall time: every step runs in this one process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


def median_ms(times: list[tuple[float, float]], which: int) -> float:
    """The median of `times`' wall (0) or CPU (1) seconds, in milliseconds."""
    return round(statistics.median(t[which] for t in times) * 1000, 1)

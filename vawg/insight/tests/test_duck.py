"""DuckDB is bounded by INSIGHT_DUCKDB_THREADS and INSIGHT_DUCKDB_MEMORY, in every
connection insight makes."""

import ast
import threading
from pathlib import Path

from django.test import override_settings

from vawg.insight import duck


def _settings(db) -> tuple[int, str]:
    [(threads, memory)] = db.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')"
    ).fetchall()
    return int(threads), memory


@override_settings(INSIGHT_DUCKDB_THREADS=1, INSIGHT_DUCKDB_MEMORY="256MB")
def test_a_connection_takes_the_settings():
    threads, memory = _settings(duck.connect())
    assert threads == 1
    # DuckDB reports the limit in binary units: 256 MB is 244.1 MiB.
    assert memory == "244.1 MiB"


@override_settings(INSIGHT_DUCKDB_THREADS=3, INSIGHT_DUCKDB_MEMORY="512MB")
def test_the_connection_each_thread_keeps_takes_them_too():
    seen = {}

    def work() -> None:  # a new thread makes its connection afresh
        with duck.use() as db:
            seen["settings"] = _settings(db.db)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["settings"] == (3, "488.2 MiB")


def test_no_other_module_connects_to_duckdb_itself():
    """Every connection goes through duck.connect, so none escapes the bounds."""
    root = Path(duck.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "duck.py" or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "connect"
                and isinstance(node.value, ast.Name)
                and node.value.id == "duckdb"
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []

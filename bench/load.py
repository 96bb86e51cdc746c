"""Load: signed-in staff on the main pages, through gunicorn and PostgreSQL on this machine.

`make load` (or `.venv/bin/python bench/load.py`) makes a fresh PostgreSQL database with
the demo data, serves it with gunicorn (LOAD_WORKERS, default 4), and drives it with locust
(bench/locustfile.py):

1. **Offered load**: LOAD_USERS users (default 20) each asking for a page a second, together
   20 pages a second across the main staff pages, for LOAD_SECONDS (default 60) after a
   warm-up. Reported: the rate reached, p50/p95/p99 and errors.
2. **Saturation**: as many users as can be served with no wait, first on the staff pages and
   then on the lightest signed-in page (the account page) through the same stack; the staff
   pages' throughput is reported as a share of the light page's (the baseline).

Figures go to bench/results/load.json and docs/performance.md records them. Environment:
LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/vawg_load, dropped and
made again), LOAD_PORT (8002).
"""

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "load.json"
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vawg_load")
PORT = int(os.environ.get("LOAD_PORT", "8002"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
USERS = int(os.environ.get("LOAD_USERS", "20"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
SATURATION_USERS = int(os.environ.get("LOAD_SATURATION_USERS", "40"))
HOST = f"http://127.0.0.1:{PORT}"


def _environment(**extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": "load-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **extra,
    }


def fresh_database() -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
        subprocess.run(  # noqa: S603 - our own programs, fixed arguments
            [BIN / "python", "manage.py", *command],
            cwd=ROOT,
            env=_environment(),
            check=True,
            stdout=subprocess.DEVNULL,
        )


def serve() -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
        [BIN / "gunicorn", "config.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=_environment(),
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(HOST + "/healthz/", timeout=1)  # noqa: S310 - our own server
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def locust(users: int, seconds: int, *, per_user: float, pages: str = "staff") -> dict:
    """Run locust headless; the aggregated row of its statistics."""
    with tempfile.TemporaryDirectory() as out:
        prefix = Path(out) / "run"
        subprocess.run(  # noqa: S603 - our own programs, fixed arguments
            [
                BIN / "locust",
                "-f",
                ROOT / "bench" / "locustfile.py",
                "--headless",
                "--host",
                HOST,
                "-u",
                str(users),
                "-r",
                str(users),
                "-t",
                f"{seconds}s",
                "--csv",
                prefix,
                "--only-summary",
            ],
            cwd=ROOT,
            env={**os.environ, "LOAD_PAGES_PER_USER": str(per_user), "LOAD_PAGES": pages},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv", newline="") as f:
            rows = list(csv.DictReader(f))
    pages_only = [r for r in rows if r["Name"] != "Aggregated"]
    requests = sum(int(r["Request Count"]) for r in pages_only)
    failures = sum(int(r["Failure Count"]) for r in pages_only)
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {
        "users": users,
        "seconds": seconds,
        "pages": requests,
        "errors": failures,
        "pages_per_s": round(requests / seconds, 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "by_page": {
            r["Name"]: {"median_ms": float(r["50%"]), "p95_ms": float(r["95%"])} for r in pages_only
        },
    }


def main() -> None:
    print(f"Load: {WORKERS} gunicorn workers, PostgreSQL, the demo data")
    fresh_database()
    server = serve()
    try:
        locust(USERS, 10, per_user=1)  # warm-up: every worker's caches and connections
        offered = locust(USERS, SECONDS, per_user=1)
        staff = locust(SATURATION_USERS, SECONDS // 2, per_user=1000)
        light = locust(SATURATION_USERS, SECONDS // 2, per_user=1000, pages="minimal")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    share = round(staff["pages_per_s"] / light["pages_per_s"], 2) if light["pages_per_s"] else 0
    results = {"offered": offered, "saturation": {"staff": staff, "light": light, "share": share}}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"offered {USERS} pages/s: reached {offered['pages_per_s']}/s, "
        f"p50 {offered['p50_ms']:.0f} ms, p95 {offered['p95_ms']:.0f} ms, "
        f"p99 {offered['p99_ms']:.0f} ms, {offered['errors']} errors"
    )
    for page, figures in sorted(offered["by_page"].items()):
        print(
            f"  {page:45s} median {figures['median_ms']:6.0f} ms  p95 {figures['p95_ms']:6.0f} ms"
        )
    print(
        f"saturation: staff pages {staff['pages_per_s']}/s, the account page "
        f"{light['pages_per_s']}/s: {share} of it (goal: at least 0.33)"
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

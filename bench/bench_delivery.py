"""Action plan delivery at 1x and 10x: the strategy dashboard and "My actions".

    .venv/bin/python bench/bench_delivery.py

Builds 5 synthetic partnerships, each with 60 actions and 12 quarters of approved
updates (plus a due quarter part-way through), and times both pages; then grows the
data to 50 partnerships and times them again, in the same run. Each page is rendered
through the full Django stack (middleware, templates) with the test client, as the
partnership's admin and action lead. Prints the medians, the ratio 10x/1x and the
queries per page, and writes bench/results/delivery.json.

DATABASE_URL chooses the database (it must be one kept for benchmarking: its delivery
data is replaced); without it, a fresh SQLite file under bench/.data/ is used, never
the application's database.
"""

import json
import os
import platform
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from setup_django import expect, setup_django

ROOT = Path(__file__).resolve().parent.parent
setup_django("delivery")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from vawg.accounts.testing import make_member  # noqa: E402
from vawg.core.periods import periods_ensure_range  # noqa: E402
from vawg.core.permissions import Role  # noqa: E402
from vawg.core.testing import make_body, make_organisation, make_partnership  # noqa: E402
from vawg.delivery.models import ProgressUpdate, Status, UpdateState  # noqa: E402
from vawg.strategy.models import Action, ActionLead, ActionMeasure, Priority, Strategy  # noqa: E402

SMALL, LARGE = 5, 50
ACTIONS, PERIODS = 60, 12
REPEATS = int(os.environ.get("BENCH_REPEATS", 30))
TODAY = date(2026, 11, 20)
RESULTS = ROOT / "bench" / "results" / "delivery.json"


def build_partnership(n: int, rng: random.Random) -> dict:
    partnership = make_partnership(f"bench-{n}", f"Bench borough {n}")
    organisation = make_organisation(partnership, "Bench council")
    other = make_organisation(partnership, "Bench charity")
    workstream = make_body(partnership, "Bench workstream")
    admin = make_member(Role.PARTNERSHIP_ADMIN, partnership, organisation=organisation)
    lead = make_member(Role.ACTION_LEAD, partnership, organisation=organisation)
    make_member(
        Role.WORKSTREAM_CHAIR, partnership, organisation=organisation, workstream=workstream
    )
    periods_ensure_range(
        partnership=partnership, first=TODAY - timedelta(days=3 * 365 + 90), last=TODAY
    )
    strategy = Strategy.objects.create(
        partnership=partnership, slug="plan", title="Bench plan", start_year=2023, end_year=2027
    )
    priorities = [
        Priority.objects.create(
            strategy=strategy, order=i, code=f"P{i}", title=f"Priority {i}", workstream=workstream
        )
        for i in range(1, 6)
    ]
    actions = Action.objects.bulk_create(
        Action(
            strategy=strategy,
            priority=priorities[i % 5],
            order=i + 1,
            ref=f"P{i % 5 + 1}.{i:02}",
            activity=f"Synthetic activity {i} for the bench",
            deliver_by=TODAY + timedelta(days=rng.randint(-400, 400)) if i % 4 else None,
        )
        for i in range(ACTIONS)
    )
    ActionMeasure.objects.bulk_create(
        ActionMeasure(action=a, order=1, label="(a)", text="A measure") for a in actions
    )
    ActionLead.objects.bulk_create(
        ActionLead(
            action=a, order=1, name_as_written="x", organisation=organisation if i % 2 else other
        )
        for i, a in enumerate(actions)
    )
    periods = list(partnership.reporting_periods.filter(start__lte=TODAY).order_by("start"))
    past, due = periods[-PERIODS - 1 : -1], periods[-1]
    now = timezone.now()
    updates = [
        ProgressUpdate(
            action=a,
            period=p,
            status=rng.choice(Status.values),
            state=UpdateState.APPROVED,
            commentary="Synthetic progress words.",
            author=lead,
            reviewed_by=admin,
            reviewed_at=now,
            submitted_at=now,
        )
        for a in actions
        for p in past
    ]
    updates += [
        ProgressUpdate(
            action=a, period=due, status=Status.ON_TRACK, state=UpdateState.SUBMITTED, author=lead
        )
        for a in actions[::3]
    ]
    ProgressUpdate.objects.bulk_create(updates, batch_size=2000)
    return {"partnership": partnership, "admin": admin, "lead": lead, "strategy": strategy}


def time_page(user, url: str) -> tuple[float, float, int]:
    client = Client(SERVER_NAME="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get(url)  # warm up
    # Counted with a wrapper: the request_started signal empties connection.queries.
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        expect(client.get(url).status_code == 200, "the page answers")
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        expect(response.status_code == 200, "the page answers")
    return statistics.median(times), min(times), len(queries)


def measure(first: dict) -> dict:
    slug = first["partnership"].slug
    dashboard = reverse("delivery:dashboard", kwargs={"partnership": slug, "strategy": "plan"})
    mine = reverse("delivery:my-actions", kwargs={"partnership": slug})
    d_ms, d_min, d_q = time_page(first["admin"], dashboard)
    m_ms, m_min, m_q = time_page(first["lead"], mine)
    # The machine is shared: the load while measuring says how far to trust the times.
    return {
        "dashboard_median_ms": round(d_ms, 1),
        "dashboard_min_ms": round(d_min, 1),
        "dashboard_queries": d_q,
        "my_actions_median_ms": round(m_ms, 1),
        "my_actions_min_ms": round(m_min, 1),
        "my_actions_queries": m_q,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    import vawg.delivery.views as views

    views._today = lambda: TODAY  # the pages read "today" here; fixed for a stable bench
    call_command("migrate", verbosity=0, skip_checks=True)
    rng = random.Random(2026)  # noqa: S311 - synthetic data, not a secret
    built = []
    for n in range(1, SMALL + 1):
        with transaction.atomic():
            built.append(build_partnership(n, rng))
    small = measure(built[0])
    print(f"1x  ({SMALL} partnerships):  {small}")
    for n in range(SMALL + 1, LARGE + 1):
        with transaction.atomic():
            built.append(build_partnership(n, rng))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    large = measure(built[0])
    print(f"10x ({LARGE} partnerships): {large}")
    ratios = {
        page: round(large[f"{page}_median_ms"] / small[f"{page}_median_ms"], 2)
        for page in ("dashboard", "my_actions")
    }
    print(f"ratio 10x/1x: {ratios}")
    result = {
        "benchmark": "delivery",
        "data": {
            "partnerships": [SMALL, LARGE],
            "actions_per_partnership": ACTIONS,
            "periods_of_updates": PERIODS,
            "updates_total_10x": ProgressUpdate.objects.count(),
        },
        "repeats": REPEATS,
        "database": connection.vendor,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "one_x": small,
        "ten_x": large,
        "ratio_10x_over_1x": ratios,
        "target": "ratio < 2; under 100 ms median at 10x",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

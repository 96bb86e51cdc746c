"""The partner API's nightly pull against the staff pages that show the same content.

    .venv/bin/python bench/bench_api.py

Builds one synthetic partnership (vawg/reports/tests/world.py: 60 actions with two
quarters of updates, 20 measures with two years of quarterly values, a year of incidents
at BENCH_INCIDENTS a month, default 250, and a year of monthly MARAC meetings). Then, in
the same run and the same process (Django's test client, so neither side pays for a
network), times, interleaved:

- the nightly pull: a partner's system reads, with one token, every page of the plan
  (strategies, each strategy, actions, periods, "you said, we did") and the figures
  (measures, each measure, the local insight summary, the MARAC statistics);
- the floor: a signed-in member of staff opening the pages that show that content: the
  strategy list and each strategy, the delivery dashboard, the measures scorecard and each
  measure, the local insight dashboard and the MARAC statistics;
- the pull again, sending back each ETag: what a nightly pull costs when nothing moved.

Goal (issue 22): pull <= 2x the floor. Prints medians and ratios and writes
bench/results/api.json (BENCH_RESULTS names another file). DATABASE_URL chooses the
database; without it, a fresh SQLite file under bench/.data/.
"""

import json
import os
import platform
from pathlib import Path

from setup_django import expect, median_ms, setup_django, timed

ROOT = Path(__file__).resolve().parent.parent
setup_django("api")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from vawg.accounts.testing import make_member  # noqa: E402
from vawg.api.testing import ApiClient, make_token  # noqa: E402
from vawg.core.permissions import Role  # noqa: E402
from vawg.reports.tests import world as w  # noqa: E402

ACTIONS, MEASURES = 60, 20
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", 250))
MARAC = int(os.environ.get("BENCH_MARAC", 10))
REPEATS = int(os.environ.get("BENCH_REPEATS", 5))
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "api.json"))


class Pull:
    """A partner system's nightly pull: every page of every list, and each item."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.etags: dict[str, str] = {}
        self.kept: dict[str, list] = {}  # each list's items as last received

    def get(self, url: str, *, conditional: bool) -> dict | None:
        headers = {}
        if conditional and url in self.etags:
            headers["HTTP_IF_NONE_MATCH"] = self.etags[url]
        answer = self.client.get(url, **headers)
        expect(answer.status_code in (200, 304), f"{url} answered {answer.status_code}")
        self.etags[url] = answer["ETag"]
        return json.loads(answer.content) if answer.status_code == 200 else None

    def pages(self, url: str, *, conditional: bool) -> list:
        """Every item of a paged list. When the first page has not changed (304), the items
        kept from the last pull stand; each item's own page is still asked after, since an
        item may change where its list does not (an older value corrected)."""
        items, page = [], f"{url}?page_size=100"
        while page:
            body = self.get(page, conditional=conditional)
            if body is None:
                return self.kept[url]
            items += body["items"]
            page = body["next"]
        self.kept[url] = items
        return items

    def run(self, *, conditional: bool = False) -> int:
        """The pull; how many distinct URLs it has called."""
        strategies = self.pages("/api/v1/strategies", conditional=conditional)
        for strategy in strategies:
            self.get(f"/api/v1/strategies/{strategy['slug']}", conditional=conditional)
        self.pages("/api/v1/actions", conditional=conditional)
        self.pages("/api/v1/periods", conditional=conditional)
        self.pages("/api/v1/you-said-we-did", conditional=conditional)
        measures = self.pages("/api/v1/measures", conditional=conditional)
        for measure in measures:
            self.get(f"/api/v1/measures/{measure['id']}", conditional=conditional)
        self.get("/api/v1/insight/summary", conditional=conditional)
        self.get("/api/v1/marac/statistics", conditional=conditional)
        return len(self.etags)


def staff_pages(world, indicator_ids: list[int], strategies: list[str]) -> list[str]:
    slug = world.partnership.slug
    pages = [reverse("strategy:strategy-list", kwargs={"partnership": slug})]
    for strategy in strategies:
        pages.append(
            reverse("strategy:strategy-detail", kwargs={"partnership": slug, "strategy": strategy})
        )
        pages.append(
            reverse("delivery:dashboard", kwargs={"partnership": slug, "strategy": strategy})
        )
    pages.append(reverse("measures:scorecard", kwargs={"partnership": slug}))
    pages += [
        reverse("measures:indicator-detail", kwargs={"partnership": slug, "pk": pk})
        for pk in indicator_ids
    ]
    pages.append(reverse("insight:dashboard", kwargs={"partnership": slug}))
    pages.append(reverse("marac:statistics", kwargs={"partnership": slug}))
    return pages


def main() -> None:
    call_command("migrate", verbosity=0, skip_checks=True)
    built_in, world = timed(
        lambda: transaction.atomic()(w.build)(
            actions=ACTIONS, indicators=MEASURES, incidents=INCIDENTS, marac_cases=MARAC
        )
    )
    print(f"data built in {built_in[0]:.1f} s")
    token = make_token(world.partnership, name="Nightly pull")
    pull = Pull(ApiClient(token.secret))
    staff = Client()
    person = make_member(Role.PARTNERSHIP_ADMIN, world.partnership)
    for role in (Role.BOARD_MEMBER, Role.MARAC_COORDINATOR):
        make_member(role, world.partnership, user=person)
    staff.force_login(person, backend="django.contrib.auth.backends.ModelBackend")

    # One of each first, which also finds what the staff pages must show.
    calls = pull.run()
    measures = [m["id"] for m in pull.pages("/api/v1/measures", conditional=False)]
    strategies = [s["slug"] for s in pull.pages("/api/v1/strategies", conditional=False)]
    pages = staff_pages(world, measures, strategies)

    def floor() -> int:
        for url in pages:
            # As a person would: the strategy list of a one-plan partnership opens the plan.
            answer = staff.get(url, follow=True)
            expect(answer.status_code == 200, f"{url} answered {answer.status_code}")
        return len(pages)

    floor()
    expect(len(measures) >= MEASURES, "every measure is pulled")
    pull_times, floor_times, again_times = [], [], []
    for _ in range(REPEATS):
        pull_times.append(timed(pull.run)[0])
        floor_times.append(timed(floor)[0])
        again_times.append(timed(lambda: pull.run(conditional=True))[0])
    figures = {}
    for which, name in ((0, "wall"), (1, "cpu")):
        figures[name] = {
            "staff_pages": median_ms(floor_times, which),
            "api_pull": median_ms(pull_times, which),
            "api_pull_unchanged": median_ms(again_times, which),
        }
    ratios = {
        name: {
            "pull_over_pages": round(f["api_pull"] / f["staff_pages"], 2),
            "unchanged_over_pull": round(f["api_pull_unchanged"] / f["api_pull"], 2),
        }
        for name, f in figures.items()
    }
    for name, f in figures.items():
        print(f"{name} time, medians of {REPEATS}:")
        print(f"  staff pages ({len(pages)} pages):            {f['staff_pages']} ms")
        print(f"  API nightly pull ({calls} calls):           {f['api_pull']} ms")
        print(f"  the pull again with ETags (nothing moved): {f['api_pull_unchanged']} ms")
        print(f"  ratios: {ratios[name]} (goal: pull_over_pages <= 2)")
    result = {
        "benchmark": "api",
        "data": {
            "actions": ACTIONS,
            "measures": len(measures),
            "incidents_a_month": INCIDENTS,
            "marac_cases_a_month": MARAC,
            "api_calls": calls,
            "staff_pages": len(pages),
        },
        "repeats": REPEATS,
        "database": connection.vendor,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 1),
        },
        "median_ms": figures,
        "ratios": ratios,
        "goals": "pull_over_pages <= 2",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    # The limit protects the platform from a runaway client; the bench is one on purpose.
    with override_settings(API_RATE_LIMIT_PER_MINUTE=10**9):
        main()

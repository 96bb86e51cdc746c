"""Local insight at London scale: the dashboard's queries and the import, against baselines.

    BENCH_ROWS=200000 .venv/bin/python bench/bench_insight.py

Generates BENCH_ROWS synthetic incidents (default 10 million) for 33 boroughs,
one partner extract (CSV) per borough, and measures in one run:

- import: each extract validated, pseudonymised and stored through the same
  service the web and the command line use (cubes included), against the
  floor: DuckDB merely reading the same files;
- every query the dashboard runs, for one borough and for all boroughs, with
  filters drawn at random for each repetition, against the naive baseline:
  pandas over the same incidents held in memory, given the same filters.

Results are printed as ratios and written to bench/results/insight.json
(BENCH_QUERIES=0 measures the import only and writes nothing; BENCH_IMPORT=0 runs the
queries only, against the store a previous run left, and writes nothing).
DATABASE_URL chooses the database (it must be one kept for benchmarking: the
bench's partnerships and their incidents are replaced); without it, a fresh
SQLite file under bench/.data/ is used, never the application's database.
"""

import json
import os
import random
import statistics
import tempfile
import time
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path

from setup_django import expect, setup_django

ROOT = Path(__file__).resolve().parent.parent
# BENCH_IMPORT=0: the queries only, against the store the last run left (after a change
# to indexes or queries, without importing 10 million rows again). Nothing is written.
RUN_IMPORT = os.environ.get("BENCH_IMPORT", "1") != "0"
setup_django("insight", fresh=RUN_IMPORT)

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from tqdm import tqdm  # noqa: E402

from vawg.core.models import Organisation, Partnership, Ward  # noqa: E402
from vawg.core.periods import add_months  # noqa: E402
from vawg.core.testing import make_partnership, make_region  # noqa: E402
from vawg.insight import queries, services, store, synthetic  # noqa: E402
from vawg.insight.importer import Mapping  # noqa: E402
from vawg.insight.models import (  # noqa: E402
    AreaCube,
    DataImport,
    IncidentSegment,
    MonthCube,
    PartnerVictimCube,
    PeopleIndex,
    RegionPairs,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.queries import Filters  # noqa: E402
from vawg.insight.standard import OUTCOME, STRAND, VICTIM_CHARACTERISTICS  # noqa: E402

BOROUGHS = 33
WARDS = 20
START, END = date(2016, 4, 1), date(2026, 3, 31)
TODAY = date(2026, 4, 30)
REPEATS = int(os.environ.get("BENCH_REPEATS", 30))
# BENCH_QUERIES=0: the import only (its figures printed, the results file left alone).
RUN_QUERIES = os.environ.get("BENCH_QUERIES", "1") != "0"
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results" / "insight.json"))


def setup() -> list[Partnership]:
    call_command("migrate", verbosity=0)
    region = make_region("bench-region", "Bench region")
    boroughs = []
    bench = Partnership.objects.filter(slug__startswith="bench-borough-")
    with connection.cursor() as cursor:
        ids = list(bench.values_list("pk", flat=True))
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            cubes = (AreaCube, MonthCube, VictimCube, PartnerVictimCube)
            for model in (*cubes, IncidentSegment, PeopleIndex, DataImport):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE partnership_id IN ({marks})",  # noqa: S608 - the bench's own table names; ids are parameters
                    ids,
                )
        RegionVictimCube.objects.filter(region=region).delete()
        RegionPairs.objects.filter(region=region).delete()
    for n in range(1, BOROUGHS + 1):
        slug = f"bench-borough-{n:02d}"
        partnership = Partnership.objects.filter(slug=slug).first() or make_partnership(
            slug, f"Bench borough {n}", region=region
        )
        for w in range(1, WARDS + 1):
            Ward.objects.get_or_create(partnership=partnership, name=f"Ward {w:02d}")
        Organisation.objects.get_or_create(
            partnership=partnership, name="Police", defaults={"kind": Organisation.Kind.POLICE}
        )
        boroughs.append(partnership)
    return boroughs


def generate(rows: int, folder: Path) -> list[Path]:
    rng = np.random.default_rng(2026)
    files = []
    per = [rows // BOROUGHS + (1 if i < rows % BOROUGHS else 0) for i in range(BOROUGHS)]
    for n, count in enumerate(tqdm(per, desc="generate", unit="file"), start=1):
        columns = synthetic.generate(
            rows=count,
            wards=[f"Ward {w:02d}" for w in range(1, WARDS + 1)],
            start=START,
            end=END,
            rng=rng,
            id_prefix=f"B{n}-",
            # People move between boroughs: a shared pool links some victims across them.
            people_prefix="L" if n % 3 == 0 else f"B{n}-",
            pending_after=date(2025, 10, 1),
        )
        path = folder / f"borough-{n:02d}.csv"
        path.write_bytes(synthetic.to_csv(columns))
        files.append(path)
    return files


def import_all(boroughs, files) -> float:
    mapping = Mapping(columns=synthetic.MAPPING_COLUMNS)
    total = 0.0
    with tqdm(total=sum(f.stat().st_size for f in files), desc="import", unit="B") as bar:
        for partnership, path in zip(boroughs, files, strict=True):
            data = path.read_bytes()
            partner = partnership.organisations.get(name="Police")
            started = time.perf_counter()
            result = services.import_file(
                partnership=partnership,
                partner=partner,
                filename=path.name,
                data=data,
                actor=None,
                today=TODAY,
                mapping=mapping,
            )
            total += time.perf_counter() - started
            expect(
                result.status == DataImport.Status.IMPORTED,
                str((result.error, result.problems[:3])),
            )
            bar.update(len(data))
    return total


def duckdb_floor(files) -> float:
    db = duckdb.connect()
    started = time.perf_counter()
    for path in files:
        db.execute(
            "CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_csv(?, header = true)",
            [str(path)],
        )
    return time.perf_counter() - started


def load_frame(boroughs) -> pd.DataFrame:
    """Every incident in memory, in pandas's own efficient types: the naive baseline's data.

    Read from the store a borough at a time and typed as each arrives (categoricals over
    the standard's codes, integers elsewhere), so 10 million rows fit in memory. The person
    is the stored 60-bit key, a number: a 64-character digest per row would need gigabytes.
    """
    coded = [v.name for v in (STRAND, *VICTIM_CHARACTERISTICS, OUTCOME)]
    epoch = date(1970, 1, 1).toordinal()
    frames = []
    for partnership in boroughs:
        table = store.load([partnership.pk], parts=("dims", "people"))
        frame = pd.DataFrame(
            {
                "id": table["stored"].to_numpy(),
                "partnership_id": table["partnership_id"].to_numpy(),
                # The day as a proleptic ordinal, as the rule's 365 days count.
                "day": table["occurred_on"].cast(pa.int32()).to_numpy() + epoch,
                "ward_id": table["ward_id"].to_numpy(),
                "partner_id": table["partner_id"].to_numpy(),
                # No person is -1 (a NULL would make the column floats).
                "person": table["person_key"].fill_null(-1).to_numpy(),
            }
        )
        for name in coded:
            frame[name] = pd.Categorical.from_codes(
                table[name].to_numpy(), categories=list(store.VOCABULARY[name])
            )
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    # The day number (proleptic ordinal) as a calendar month, yyyymm.
    days = (frame["day"].to_numpy() - epoch).astype("datetime64[D]")
    months = pd.DatetimeIndex(days)
    frame["month"] = (months.year * 100 + months.month).astype("int32")
    # Sorted once by person, day and order of storing, so the baseline's repeat rule is one
    # shift per query. The order breaks ties as the rule does: of one person's incidents on
    # the same day in two partnerships, the one stored first is not the repeat.
    return frame.sort_values(["person", "day", "id"]).reset_index(drop=True)


def yyyymm(month: date) -> int:
    return month.year * 100 + month.month


def baseline_mask(frame: pd.DataFrame, f: Filters) -> pd.Series:
    mask = frame["partnership_id"].isin(f.partnerships)
    mask &= frame["month"].between(yyyymm(f.first), yyyymm(f.last))
    if f.strand:
        mask &= frame["strand"] == f.strand
    if f.ward:
        mask &= frame["ward_id"] == f.ward
    if f.partner:
        mask &= frame["partner_id"] == f.partner
    if f.characteristic:
        mask &= frame[f.characteristic] == f.value
    return mask


def baseline_measures(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """The four measures of the chosen rows; repeats worked out from every incident, as asked."""
    person, day = frame["person"], frame["day"]
    repeat = (person >= 0) & (person == person.shift()) & (day - day.shift() <= 365)
    outcome = frame["outcome"][mask]
    return pd.DataFrame(
        {
            "month": frame["month"][mask],
            "incidents": 1,
            "repeats": repeat[mask].astype("int64"),
            "resolved": (outcome != "pending").astype("int64"),
            "charged": (outcome == "charged").astype("int64"),
        }
    )


def baseline_group(frame, f, group):
    mask = baseline_mask(frame, f)
    chosen = frame.loc[mask]
    if group is None:
        return len(chosen)
    return chosen.groupby(group, observed=True).size().to_dict()


def baseline_totals(frame, f):
    measures = baseline_measures(frame, baseline_mask(frame, f))
    return tuple(int(measures[m].sum()) for m in queries.MEASURES)


def baseline_monthly(frame, f):
    wider = replace(f, first=add_months(f.first, -12))
    measures = baseline_measures(frame, baseline_mask(frame, wider))
    return measures.groupby("month")[list(queries.MEASURES)].sum()


def baseline_characteristics(frame, f):
    chosen = frame.loc[baseline_mask(frame, f)]
    return {
        v.name: chosen.groupby(v.name, observed=True).size().to_dict()
        for v in VICTIM_CHARACTERISTICS
    }


class Draw:
    """Random filters, the same sequence for our queries and the baseline."""

    def __init__(self, boroughs, seed: int) -> None:
        self.random = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
        self.boroughs = boroughs
        self.wards = {
            p.pk: list(Ward.objects.filter(partnership=p).values_list("pk", flat=True))
            for p in boroughs
        }
        self.partners = {p.pk: list(p.organisations.values_list("pk", flat=True)) for p in boroughs}
        self.last = date(2026, 3, 1)

    def filters(
        self, *, scope: str, ward: bool = False, partner: bool = False, characteristic: bool = False
    ) -> Filters:
        r = self.random
        if scope == "borough":
            chosen = r.choice(self.boroughs).pk
            partnerships = (chosen,)
        else:
            partnerships = tuple(p.pk for p in self.boroughs)
        months = r.choice([12, 36])
        last = add_months(self.last, -r.randrange(0, 48))
        first = add_months(last, -(months - 1))
        strand = r.choice(["", "", *STRAND.values])
        # All boroughs are the whole bench region, as in the regional view.
        region = self.boroughs[0].region_id if scope == "all" else None
        f = Filters(partnerships, first, last, strand=strand, region=region)
        if ward and scope == "borough":
            f = replace(f, ward=r.choice(self.wards[partnerships[0]]))
        if partner and scope == "borough":
            f = replace(f, partner=r.choice(self.partners[partnerships[0]]))
        if characteristic:
            vocabulary = r.choice(VICTIM_CHARACTERISTICS)
            value = r.choice([v for v in vocabulary.values if v != "unknown"])
            f = replace(f, characteristic=vocabulary.name, value=value)
        return f


# (query id, scope, our function, baseline function, draw options)
QUERIES = [
    ("trend", queries.monthly, baseline_monthly, {}),
    ("totals_and_repeat_rate", queries.totals, baseline_totals, {}),
    (
        "strands",
        lambda f: queries.by(f, "strand"),
        lambda fr, f: baseline_group(fr, f, "strand"),
        {},
    ),
    ("victims", queries.by_characteristics, baseline_characteristics, {}),
    ("trend_one_characteristic", queries.monthly, baseline_monthly, {"characteristic": True}),
    (
        "victims_one_characteristic",
        queries.by_characteristics,
        baseline_characteristics,
        {"characteristic": True},
    ),
]
BOROUGH_ONLY = [
    (
        "ward_hotspots",
        lambda f: queries.by(f, "ward_id"),
        lambda fr, f: baseline_group(fr, f, "ward_id"),
        {},
    ),
    ("trend_in_a_ward", queries.monthly, baseline_monthly, {"ward": True}),
    (
        "ward_hotspots_one_characteristic",
        lambda f: queries.by(f, "ward_id"),
        lambda fr, f: baseline_group(fr, f, "ward_id"),
        {"characteristic": True},
    ),
    ("victims_in_a_ward", queries.by_characteristics, baseline_characteristics, {"ward": True}),
    (
        "victims_for_a_partner",
        queries.by_characteristics,
        baseline_characteristics,
        {"partner": True},
    ),
    (
        "partners_one_characteristic",
        lambda f: queries.by(f, "partner_id"),
        lambda fr, f: baseline_group(fr, f, "partner_id"),
        {"characteristic": True},
    ),
]
ALL_ONLY = [
    (
        "by_partnership",
        lambda f: queries.by(f, "partnership_id"),
        lambda fr, f: baseline_group(fr, f, "partnership_id"),
        {},
    ),
]


def check(query_id: str, ours, theirs) -> None:
    """Our answer must be the baseline's: a fast wrong answer is no answer."""
    if query_id.startswith("totals"):
        expect((ours.incidents, ours.repeats, ours.resolved, ours.charged) == theirs, str(query_id))
    elif query_id.startswith("trend"):
        for month, row in theirs.iterrows():
            m = date(int(month) // 100, int(month) % 100, 1)
            got = ours.get(m)
            expect(got is not None and got.incidents == row["incidents"], str((query_id, m)))
            expect(got.repeats == row["repeats"], str((query_id, m, got, row)))
    elif query_id.startswith("victims"):
        for name, counts in theirs.items():
            expect({k: t.n for k, t in ours.get(name, {}).items() if t.n} == counts, str(query_id))
    else:
        expect({k: v.incidents for k, v in ours.items() if v.incidents} == theirs, str(query_id))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_queries(boroughs, frame) -> dict:
    results = {}
    plan = [(q, "borough") for q in QUERIES + BOROUGH_ONLY] + [
        (q, "all") for q in QUERIES + ALL_ONLY
    ]
    for (name, ours_fn, theirs_fn, options), scope in tqdm(plan, desc="queries", unit="query"):
        query_id = f"{name}.{scope}"
        draw = Draw(boroughs, seed=zlib.crc32(query_id.encode()))
        ours_ms, theirs_ms = [], []
        for i in range(REPEATS):
            f = draw.filters(scope=scope, **options)
            started = time.perf_counter()
            ours = ours_fn(f)
            ours_ms.append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            theirs = theirs_fn(frame, f)
            theirs_ms.append(1000 * (time.perf_counter() - started))
            if i < 3:
                check(query_id, ours, theirs)
        median, baseline = statistics.median(ours_ms), statistics.median(theirs_ms)
        results[query_id] = {
            "median_ms": round(median, 2),
            "p95_ms": round(percentile(ours_ms, 95), 2),
            "baseline_median_ms": round(baseline, 2),
            "ratio": round(baseline / median, 1) if median else None,
        }
    return results


def print_queries(figures: dict) -> None:
    print(f"\n{'query':<46}{'median ms':>10}{'p95 ms':>9}{'pandas ms':>11}{'ratio':>8}")
    for query_id, q in figures.items():
        print(
            f"{query_id:<46}{q['median_ms']:>10.2f}{q['p95_ms']:>9.2f}"
            f"{q['baseline_median_ms']:>11.2f}{q['ratio']:>7}x"
        )


def queries_only() -> None:
    call_command("migrate", verbosity=0)
    boroughs = list(Partnership.objects.filter(slug__startswith="bench-borough-").order_by("slug"))
    rows = store.count(p.pk for p in boroughs)
    expect(rows, "No bench store to query: run the bench with its import first.")
    print(f"Local insight bench, queries only: {rows:,} rows already stored")
    print_queries(run_queries(boroughs, load_frame(boroughs)))


def main() -> None:
    if not RUN_IMPORT:
        queries_only()
        return
    rows = int(os.environ.get("BENCH_ROWS", 10_000_000))
    database = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    print(f"Local insight bench: {rows:,} rows on {database}")
    boroughs = setup()
    with tempfile.TemporaryDirectory(prefix="bench-insight-") as folder:
        files = generate(rows, Path(folder))
        ours = import_all(boroughs, files)
        floor = duckdb_floor(files)
    stored = store.count(p.pk for p in boroughs)
    expect(stored == rows, f"stored {stored} of {rows}")
    results = {
        "rows": rows,
        "database": database,
        "queries": {},
        "import": {
            "rows_per_s": round(rows / ours),
            "floor_rows_per_s": round(rows / floor),
            "ratio_to_floor": round(ours / floor, 1),
        },
    }
    if not RUN_QUERIES:
        # An import-only run (profiling the import) must not overwrite the full results.
        print(f"\nimport: {ours:.1f} s; DuckDB floor {floor:.2f} s; {ours / floor:.1f}x the floor")
        return
    results["queries"] = run_queries(boroughs, load_frame(boroughs))
    print_queries(results["queries"])
    i = results["import"]
    print(
        f"\nimport: {i['rows_per_s']:,} rows/s; DuckDB reading the same files: "
        f"{i['floor_rows_per_s']:,} rows/s; our time is {i['ratio_to_floor']}x the floor"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()

"""The dashboard's questions, answered from the smallest table that can answer them.

Every figure on the dashboard, its CSV downloads, the regional roll-up, the
registered metrics and the benchmark come through these functions, so they
agree. Each returns exact counts, each with the sum of its incidents' record keys
(its cell key); disclosure control is applied after (dashboard.py), never here.

Which table answers (docs/performance.md):
- MonthCube (partnership × month × strand × partner) when no ward or victim
  characteristic is involved: a few hundred rows per partnership-year;
- AreaCube (… × ward) when a ward is filtered on or wards are ranked;
- VictimCube (partnership × month × strand × one characteristic's value) for a
  characteristic's breakdown, or a filter on one characteristic;
- PartnerVictimCube (… × partner) for the same with a partner chosen, or the
  partners among one characteristic;
- RegionVictimCube (the same summed over a region) for the breakdowns of a whole
  region, when the filters say they cover one (`Filters.region`), and RegionPairs
  (pairs.py) for that region's breakdowns among one characteristic;
- the incident store's `dims` (store.py), counted with numpy, only for crossings no cube
  holds (a characteristic with a ward, or two characteristics in one partnership).
"""

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from django.db.models import QuerySet, Sum

from vawg.core.disclosure import KEYS, Tally
from vawg.core.periods import add_months
from vawg.insight import pairs, store
from vawg.insight.models import (
    CUBE_COLUMNS,
    CUBE_MEASURES,
    AreaCube,
    MonthCube,
    PartnerVictimCube,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.standard import VICTIM_CHARACTERISTICS

MEASURES = tuple(CUBE_MEASURES)
CHARACTERISTIC_NAMES = tuple(v.name for v in VICTIM_CHARACTERISTICS)


@dataclass(frozen=True)
class Filters:
    """What the dashboard is looking at. `first` and `last` are first-of-month dates."""

    partnerships: tuple[int, ...]
    first: date
    last: date
    strand: str = ""
    ward: int | None = None
    partner: int | None = None
    characteristic: str = ""
    value: str = ""
    # Set when `partnerships` are every partnership of this region (the regional view):
    # its breakdowns can then be read from the region's roll-up.
    region: int | None = None

    def active(self) -> dict[str, object]:
        """The optional filters in use, by name (for disclosure checks)."""
        found: dict[str, object] = {}
        if self.strand:
            found["strand"] = self.strand
        if self.ward:
            found["ward"] = self.ward
        if self.partner:
            found["partner"] = self.partner
        if self.characteristic:
            found["characteristic"] = (self.characteristic, self.value)
        return found

    def without(self, name: str) -> "Filters":
        if name == "characteristic":
            return replace(self, characteristic="", value="")
        return replace(self, **{name: "" if name == "strand" else None})

    def shifted(self, months: int) -> "Filters":
        first, last = add_months(self.first, months), add_months(self.last, months)
        return replace(self, first=first, last=last)


@dataclass(frozen=True)
class Totals:
    """Each measure's count and the sum of its incidents' record keys."""

    incidents: int = 0
    repeats: int = 0
    resolved: int = 0
    charged: int = 0
    incidents_key: int = 0
    repeats_key: int = 0
    resolved_key: int = 0
    charged_key: int = 0

    def tally(self, measure: str) -> Tally:
        """A measure as a count of people with its cell key (core.disclosure)."""
        return Tally(getattr(self, measure), getattr(self, f"{measure}_key") % KEYS)

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(*(getattr(self, c) + getattr(other, c) for c in CUBE_COLUMNS))


def _totals(row: dict | None) -> Totals:
    if not row:
        return Totals()
    return Totals(*(int(row.get(m) or 0) for m in CUBE_COLUMNS))


class Incidents:
    """The incident store, as `table_for`'s answer for crossings no cube holds."""


def table_for(filters: Filters, group: str = "") -> type:
    """The smallest table holding every dimension these filters and this grouping need."""
    needs = {group} - {"", "month", "partnership_id", "strand"}
    if filters.ward:
        needs.add("ward_id")
    if filters.partner:
        needs.add("partner_id")
    if filters.characteristic:
        if not needs:
            return VictimCube
        return PartnerVictimCube if needs == {"partner_id"} else Incidents
    if needs <= {"partner_id"}:
        return MonthCube
    if needs <= {"partner_id", "ward_id"}:
        return AreaCube
    return Incidents


def _chosen(f: Filters, columns: list[str]) -> tuple[dict, np.ndarray] | None:
    """The crossing's incidents: these `dims` columns of the store for the period, and
    which rows the filters choose (None when a filter names no code of the standard)."""
    wanted = [*columns, "strand", f.characteristic, "ward_id", "partner_id"]
    needed = [c for c in wanted if c and (c in columns or _filters_on(f, c))]
    dims = store.dims_arrays(f.partnerships, first=f.first, last=f.last, columns=needed)
    mask = np.ones(dims["rows"], dtype=bool)
    for column, text in (("strand", f.strand), (f.characteristic, f.value)):
        if column and text:
            code = store.code_of(column, text)
            if code is None:
                return None
            mask &= dims[column] == code
    if f.ward:
        mask &= dims["ward_id"] == f.ward
    if f.partner:
        mask &= dims["partner_id"] == f.partner
    return dims, mask


def _filters_on(f: Filters, column: str) -> bool:
    return bool(
        (column == "strand" and f.strand)
        or (column == f.characteristic and f.value)
        or (column == "ward_id" and f.ward)
        or (column == "partner_id" and f.partner)
    )


PENDING = store.code_of("outcome", "pending")
CHARGED = store.code_of("outcome", "charged")


def _counted(f: Filters, group: str = "") -> dict:
    """A crossing no cube holds, counted from the store: {group's value: Totals} (the one
    key None with no group). Each measure is one bincount over the chosen rows."""
    chosen = _chosen(f, ["outcome", "is_repeat", "rkey", *([group] if group else [])])
    if chosen is None:
        return {}
    dims, mask = chosen
    outcome = dims["outcome"][mask]
    rkey = dims["rkey"][mask].astype(np.float64)
    measures = [
        np.ones(len(outcome), dtype=bool),
        dims["is_repeat"][mask],
        outcome != PENDING,
        outcome == CHARGED,
    ]
    weights = [*measures, *(rkey * m for m in measures)]
    key = dims[group][mask].astype(np.int64) if group else np.zeros(int(mask.sum()), np.int64)
    low = int(key.min()) if len(key) else 0
    sums = [np.rint(np.bincount(key - low, weights=w)) for w in weights]
    out = {}
    for i in np.flatnonzero(sums[0]):
        value = int(i) + low
        if group == "month":
            value = date.fromordinal(value + EPOCH)
        elif group in store.VOCABULARY:
            value = store.VOCABULARY[group][value]
        out[value if group else None] = Totals(*(int(s[i]) for s in sums))
    return out


EPOCH = date(1970, 1, 1).toordinal()


def _source(filters: Filters, group: str = "") -> QuerySet:
    """The cube rows that hold these filters, already filtered."""
    f = filters
    model = table_for(f, group)
    qs = model.objects.filter(
        partnership_id__in=f.partnerships, month__gte=f.first, month__lte=f.last
    )
    if model in (VictimCube, PartnerVictimCube):
        qs = qs.filter(characteristic=f.characteristic, value=f.value)
        if f.partner:
            qs = qs.filter(partner_id=f.partner)
        if group != "strand":
            qs = qs.filter(strand=f.strand or VictimCube.ALL_STRANDS)
        elif f.strand:
            qs = qs.filter(strand=f.strand)
        else:
            qs = qs.exclude(strand=VictimCube.ALL_STRANDS)
        return qs
    if f.strand:
        qs = qs.filter(strand=f.strand)
    if f.ward:
        qs = qs.filter(ward_id=f.ward)
    if f.partner:
        qs = qs.filter(partner_id=f.partner)
    return qs


_SUMS = {m: Sum(m) for m in CUBE_COLUMNS}


def totals(filters: Filters) -> Totals:
    if table_for(filters) is Incidents:
        return _counted(filters).get(None, Totals())
    return _totals(_source(filters).aggregate(**_SUMS))


def monthly(filters: Filters) -> dict[date, Totals]:
    """Each month's totals from 12 months before `first` (for "same month last year")."""
    f = replace(filters, first=add_months(filters.first, -12))
    if table_for(f) is Incidents:
        return _counted(f, "month")
    rows = _source(f).values("month").annotate(**_SUMS).order_by()
    return {_as_date(row["month"]): _totals(row) for row in rows}


def by(filters: Filters, dimension: str) -> dict:
    """Incident totals grouped by `dimension` (strand, ward_id, partner_id, partnership_id)."""
    if table_for(filters, dimension) is Incidents:
        return _counted(filters, dimension)
    rows = _source(filters, dimension).values(dimension).annotate(**_SUMS).order_by()
    return {row[dimension]: _totals(row) for row in rows}


def by_characteristics(filters: Filters) -> dict[str, dict[str, Tally]]:
    """Incidents by each victim characteristic's values: {characteristic: {value: tally}}."""
    out: dict[str, dict[str, Tally]] = defaultdict(dict)
    f = filters
    if not (f.ward or f.characteristic):
        # One query answers all five from the victim cube (by partner if one is chosen),
        # or its region's roll-up.
        if f.partner:
            qs = PartnerVictimCube.objects.filter(
                partnership_id__in=f.partnerships, partner_id=f.partner
            )
        elif f.region:
            qs = RegionVictimCube.objects.filter(region_id=f.region)
        else:
            qs = VictimCube.objects.filter(partnership_id__in=f.partnerships)
        qs = qs.filter(
            strand=f.strand or VictimCube.ALL_STRANDS, month__gte=f.first, month__lte=f.last
        )
        rows = qs.values("characteristic", "value").annotate(
            n=Sum("incidents"), key=Sum("incidents_key")
        )
        for row in rows.order_by():
            out[row["characteristic"]][row["value"]] = Tally(int(row["n"]), int(row["key"]) % KEYS)
        return dict(out)
    if f.region and not (f.ward or f.partner):
        # A whole region among one characteristic: a row of its pair counts a month (or,
        # until `insight_rebuild` after a change to the vocabularies, the store counted).
        with suppress(pairs.Stale):
            return pairs.breakdown(
                f.region,
                strand=f.strand,
                characteristic=f.characteristic,
                value=f.value,
                first=f.first,
                last=f.last,
            )
    # A crossing no cube holds: a bincount of each characteristic's codes in the store.
    chosen = _chosen(f, [*CHARACTERISTIC_NAMES, "rkey"])
    if chosen is None:
        return {}
    dims, mask = chosen
    rkey = dims["rkey"][mask].astype(np.int64)
    for name in CHARACTERISTIC_NAMES:
        size = len(store.VOCABULARY[name])
        codes = np.bincount(dims[name][mask], minlength=size)
        keys = np.bincount(dims[name][mask], weights=rkey, minlength=size)
        for code in np.flatnonzero(codes):
            tally = Tally(int(codes[code]), int(round(keys[code])) % KEYS)
            out[name][store.VOCABULARY[name][code]] = tally
    return dict(out)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def latest_month(partnerships: tuple[int, ...]) -> date | None:
    row = MonthCube.objects.filter(partnership_id__in=partnerships).order_by("-month").first()
    return row.month if row else None


def months_held(partnerships: tuple[int, ...]) -> tuple[date | None, date | None]:
    from django.db.models import Max, Min

    row = MonthCube.objects.filter(partnership_id__in=partnerships).aggregate(
        first=Min("month"), last=Max("month")
    )
    return (
        _as_date(row["first"]) if row["first"] else None,
        _as_date(row["last"]) if row["last"] else None,
    )

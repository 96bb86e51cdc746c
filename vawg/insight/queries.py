"""The dashboard's questions, answered from the smallest table that can answer them.

Every figure on the dashboard, its CSV downloads, the regional roll-up, the
registered metrics and the benchmark come through these functions, so they
agree. Each returns exact counts; disclosure control is applied after
(dashboard.py), never here.

Which table answers (docs/performance.md):
- MonthCube (partnership × month × strand × partner) when no ward or victim
  characteristic is involved: a few hundred rows per partnership-year;
- AreaCube (… × ward) when a ward is filtered on or wards are ranked;
- VictimCube (partnership × month × strand × one characteristic's value) for a
  characteristic's breakdown, or a filter on one characteristic;
- PartnerVictimCube (… × partner) for the same with a partner chosen, or the
  partners among one characteristic;
- RegionVictimCube (the same summed over a region) for the breakdowns of a whole
  region, when the filters say they cover one (`Filters.region`);
- the incidents themselves only for crossings no cube holds (a characteristic
  with a ward, or two characteristics together).
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from vawg.core.models import Ward
from vawg.insight.models import (
    CUBE_MEASURES,
    AreaCube,
    Incident,
    MonthCube,
    PartnerVictimCube,
    RegionVictimCube,
    VictimCube,
)
from vawg.insight.standard import STRAND, VICTIM_CHARACTERISTICS

MEASURES = tuple(CUBE_MEASURES)
CHARACTERISTIC_NAMES = tuple(v.name for v in VICTIM_CHARACTERISTICS)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


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
    incidents: int = 0
    repeats: int = 0
    resolved: int = 0
    charged: int = 0


def _totals(row: dict | None) -> Totals:
    if not row:
        return Totals()
    return Totals(*(int(row.get(m) or 0) for m in MEASURES))


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
        return PartnerVictimCube if needs == {"partner_id"} else Incident
    if needs <= {"partner_id"}:
        return MonthCube
    if needs <= {"partner_id", "ward_id"}:
        return AreaCube
    return Incident


def _incidents(f: Filters) -> QuerySet:
    """The incidents these filters choose, read through the covering index.

    The index is (partnership, ward, strand, month, ...): with no ward or strand chosen,
    every one is named, so the database seeks each ward's and strand's months rather
    than reading the partnership's whole history.
    """
    wards = Ward.objects.filter(partnership_id__in=f.partnerships).values("pk")
    qs = Incident.objects.filter(
        partnership_id__in=f.partnerships,
        ward_id__in=[f.ward] if f.ward else wards,
        strand__in=[f.strand] if f.strand else STRAND.values,
        month__gte=f.first,
        month__lte=f.last,
    )
    if f.partner:
        qs = qs.filter(partner_id=f.partner)
    if f.characteristic:
        qs = qs.filter(**{f.characteristic: f.value})
    return qs


def _source(filters: Filters, group: str = "") -> QuerySet:
    """The rows that hold these filters, already filtered."""
    f = filters
    model = table_for(f, group)
    if model is Incident:
        return _incidents(f)
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


def _measures(qs: QuerySet) -> dict:
    if qs.model is Incident:
        return {
            "incidents": Count("month"),
            "repeats": Count("month", filter=Q(is_repeat=True)),
            "resolved": Count("month", filter=~Q(outcome="pending")),
            "charged": Count("month", filter=Q(outcome="charged")),
        }
    return {m: Sum(m) for m in MEASURES}


def totals(filters: Filters) -> Totals:
    qs = _source(filters)
    return _totals(qs.aggregate(**_measures(qs)))


def monthly(filters: Filters) -> dict[date, Totals]:
    """Each month's totals from 12 months before `first` (for "same month last year")."""
    f = replace(filters, first=add_months(filters.first, -12))
    qs = _source(f)
    rows = qs.values("month").annotate(**_measures(qs)).order_by()
    return {_as_date(row["month"]): _totals(row) for row in rows}


def by(filters: Filters, dimension: str) -> dict:
    """Incident totals grouped by `dimension` (strand, ward_id, partner_id, partnership_id)."""
    qs = _source(filters, dimension)
    rows = qs.values(dimension).annotate(**_measures(qs)).order_by()
    return {row[dimension]: _totals(row) for row in rows}


def by_characteristics(filters: Filters) -> dict[str, dict[str, int]]:
    """Incidents by each victim characteristic's values: {characteristic: {value: n}}."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
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
        for row in qs.values("characteristic", "value").annotate(n=Sum("incidents")).order_by():
            out[row["characteristic"]][row["value"]] = int(row["n"])
        return dict(out)
    # A crossing no cube holds: one pass over the incidents' index entries, grouped by all
    # five characteristics at once (a few thousand groups), summed per characteristic here.
    rows = _incidents(f).values_list(*CHARACTERISTIC_NAMES).annotate(n=Count("month")).order_by()
    for *values, n in rows:
        for name, value in zip(CHARACTERISTIC_NAMES, values, strict=True):
            out[name][value] = out[name].get(value, 0) + n
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

"""Reads for the insight pages: imports, period choices, the filters a form describes."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from vawg.core import disclosure
from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Organisation, Partnership, Ward
from vawg.core.periods import add_months, year_label
from vawg.core.tabular import Problem
from vawg.exchange.exporting import Table
from vawg.exchange.importing import problems_export
from vawg.insight import dashboard, queries
from vawg.insight.models import DataImport, MonthCube, Population
from vawg.insight.queries import Filters
from vawg.insight.standard import VICTIM_CHARACTERISTICS


def imports_for(*, partnership: Partnership) -> QuerySet[DataImport]:
    return (
        scoped(DataImport.objects.all(), partnership)
        .select_related("partner")
        .defer("payload", "problems")
    )


def import_for(*, partnership: Partnership, pk: int) -> DataImport:
    return get_scoped_or_404(DataImport.objects.select_related("partner"), partnership, pk=pk)


def import_report(data_import: DataImport) -> Table:
    """Every problem the check found in the file, as a table to download and correct."""
    return problems_export(
        [Problem(**p) for p in data_import.problems],
        name=f"import-{data_import.pk}-report",
        subject=data_import,
        what="an import's validation report",
    )


def encoding_shown(data_import: DataImport) -> str:
    """How the file's text is read, in words, and whether it was detected or chosen."""
    from vawg.core.encodings import label

    if not data_import.encoding:
        return ""
    how = "detected" if data_import.encoding == data_import.encoding_detected else "chosen"
    return f"{label(data_import.encoding)} ({how})"


def separator_shown(data_import: DataImport) -> str:
    """What the file's cells are separated by, in words, where it is not commas (a comma
    file needs no word on it)."""
    from vawg.core.layout import separator_label

    if data_import.separator in ("", ","):
        return ""
    return separator_label(data_import.separator)


def headings_shown(data_import: DataImport) -> str:
    """Where the headings were read from, where a title stood above them (a file whose
    headings are its first row needs no word on it)."""
    from vawg.core.layout import headings_said

    return headings_said(data_import.heading_row)


def values_not_in_file(data_import: DataImport) -> list[tuple[str, str]]:
    """What fills the fields the file does not hold, and the values read by a rule (an
    age range counted in a band), as the check page lists them."""
    from vawg.insight import derive, services
    from vawg.insight.standard import CODED

    mapping = services.suggested_mapping(data_import)
    notes = derive.notes(
        fixed=mapping.fixed, derived=mapping.derived, record_id_from=mapping.record_id_from
    )
    shown = [(note.field, note.how) for note in notes]
    for name, read in (data_import.read_by_rule or {}).items():
        label = derive.LABELS.get(name, name)
        for text, code in read.items():
            shown.append((label, f"“{text}” counted as {CODED[name].label_for(code)}"))
    return shown


def current_wards(partnership: Partnership) -> list[tuple[int, str]]:
    """Wards incidents count in: those with no successor (old wards count in their successor)."""
    return list(
        Ward.objects.filter(partnership=partnership, successor_link__isnull=True)
        .order_by("name")
        .values_list("id", "name")
    )


def partners(partnership: Partnership) -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(partnership=partnership)
        .order_by("name")
        .values_list("id", "name")
    )


def period_choices(partnerships: tuple[int, ...], start_month: int, today: date) -> list:
    """The latest 12 or 36 months, and each reporting year the store holds."""
    first, last = queries.months_held(partnerships)
    choices = [("12", "Latest 12 months"), ("36", "Latest 3 years")]
    if first is None or last is None:
        return choices
    year_start = date(first.year if first.month >= start_month else first.year - 1, start_month, 1)
    years = []
    while year_start <= last:
        years.append((f"year:{year_start:%Y}", f"Reporting year {year_label(year_start)}"))
        year_start = add_months(year_start, 12)
    return choices + list(reversed(years))


def period_months(
    choice: str, partnerships: tuple[int, ...], start_month: int, today: date
) -> tuple[date, date]:
    _, last = queries.months_held(partnerships)
    # The latest months end at the last complete one: a month still under way would be
    # drawn as a fall that is only records not yet made.
    last_complete = add_months(today.replace(day=1), -1)
    latest = min(last or last_complete, last_complete)
    if choice.startswith("year:"):
        first = date(int(choice[5:]), start_month, 1)
        return first, add_months(first, 11)
    months = 36 if choice == "36" else 12
    return add_months(latest, -(months - 1)), latest


def filters_from(
    form, partnerships: tuple[int, ...], start_month: int, today: date, region: int | None = None
) -> Filters:
    """The form's filters; `region` when the partnerships are every one of that region."""
    data = form.cleaned_data
    first, last = period_months(data.get("period") or "12", partnerships, start_month, today)
    characteristic, value = form.characteristic()
    return Filters(
        partnerships=partnerships,
        first=first,
        last=last,
        strand=data.get("strand") or "",
        ward=data.get("ward"),
        partner=data.get("partner"),
        characteristic=characteristic,
        value=value,
        region=region,
    )


def population_summary(*, partnership: Partnership) -> list[Mapping[str, Any]]:
    from django.db.models import Count, Sum

    return list(
        Population.objects.filter(partnership=partnership)
        .values("year", "synthetic", "source")
        .annotate(people=Sum("people"), cells=Count("id"))
        .order_by("year")
    )


# --- For the home page --------------------------------------------------------------


def imports_waiting(*, partnership: Partnership) -> tuple[int, int]:
    """How many partner files wait on a person (to map, import, correct or discard), and
    how many of those failed."""
    found = scoped(DataImport.objects.all(), partnership).aggregate(
        waiting=Count("pk", filter=Q(status__in=DataImport.WAITING)),
        failed=Count("pk", filter=Q(status=DataImport.Status.FAILED)),
    )
    return found["waiting"], found["failed"]


def latest_month_by_partner(*, partnership: Partnership) -> list[tuple[str, date]]:
    """Each partner whose incidents the store holds, with the latest month it holds for
    them, stalest first: how current each partner's data is."""
    latest = dict(
        MonthCube.objects.filter(partnership=partnership)
        .values_list("partner_id")
        .annotate(latest=Max("month"))
        .values_list("partner_id", "latest")
    )
    names = dict(
        Organisation.objects.filter(partnership=partnership, pk__in=latest).values_list(
            "pk", "name"
        )
    )
    rows = [(names[pk], month) for pk, month in latest.items() if pk in names]
    return sorted(rows, key=lambda row: (row[1], row[0]))


# --- For reports ---------------------------------------------------------------------

# A group whose share of victims is below this many times its share of residents is named
# as under-represented: fewer of them reach the services than their numbers would suggest.
RATIO_UNDER = Decimal("0.67")


@dataclass(frozen=True)
class Headlines:
    """The local insight headlines for a report, every figure as `audience` may see it."""

    board: dashboard.Dashboard
    over_represented: list[str]
    under_represented: list[str]

    @property
    def chart(self) -> dict[str, dashboard.Chart]:
        return {chart.key: chart for chart in self.board.charts}


def headlines(
    *, partnership: Partnership, first: date, last: date, audience: disclosure.Audience, today: date
) -> Headlines:
    """The dashboard for the months from `first` to `last` (a month still under way on
    `today` is marked as part-finished), with the groups over- and under-represented among
    victims, judged from the representation ratios as shown."""
    filters = Filters(
        partnerships=(partnership.pk,), first=first.replace(day=1), last=last.replace(day=1)
    )
    board = dashboard.build(
        filters,
        audience=audience,
        ward_names=dashboard.ward_names(filters.partnerships),
        today=today,
    )
    over: list[str] = []
    under: list[str] = []
    for vocabulary in VICTIM_CHARACTERISTICS:
        chart = next((c for c in board.charts if c.key == vocabulary.name), None)
        for bar in chart.bars if chart else []:
            ratio = bar.extra[0] if bar.extra else None
            if ratio is None or ratio.value is None:
                continue
            words = f"{bar.label} ({vocabulary.label.lower()}, ratio {ratio.text})"
            if ratio.value >= dashboard.RATIO_OVER:
                over.append(words)
            elif ratio.value <= RATIO_UNDER:
                under.append(words)
    return Headlines(board, over, under)


def strand_tallies(*, partnership: Partnership, first: date, last: date) -> dict[str, dict]:
    """Incidents and repeat incidents by VAWG strand for the months from `first` to `last`,
    each an exact tally with its cell key ({strand: {"incidents": Tally, "repeats": Tally}})
    for the regional return: it shows them through core.disclosure for its reader."""
    filters = Filters(
        partnerships=(partnership.pk,), first=first.replace(day=1), last=last.replace(day=1)
    )
    return {
        strand: {"incidents": totals.tally("incidents"), "repeats": totals.tally("repeats")}
        for strand, totals in queries.by(filters, "strand").items()
    }

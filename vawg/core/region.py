"""The regional comparison: each borough of a region side by side, from what apps contribute.

Core owns the page and imports no app. Each app registers a RegionSection in
`region_sections` from its AppConfig.ready() (vawg.core.registry); a section reads its
figures for every partnership of the region at once and answers with its columns.

A borough's cell is the figure that borough's own board sees: a count of people goes
through vawg.core.disclosure at the controlled level, and a rate is worked from that
shown count (so a count shown as "fewer than 5" gives a rate "not shown"). Each column
also carries the regional figure, worked the same way from the region's total.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from vawg.core import disclosure
from vawg.core.disclosure import Figure
from vawg.core.models import Partnership, Region
from vawg.core.populations import AreaPopulation, population_file, populations_for
from vawg.core.registry import Registry

NO_PLAN = "no plan on the platform"


@dataclass(frozen=True)
class Context:
    """What every section reads its figures for."""

    region: Region
    partnerships: list[Partnership]
    populations: dict[int, AreaPopulation]  # by partnership id; missing when the file has none
    today: date


@dataclass(frozen=True)
class Column:
    """One column: each borough's figure by partnership id, and the region's."""

    heading: str
    cells: dict[int, Figure]
    region: Figure
    # In the table of every borough (False: on each borough's own page only), which must
    # stay narrow enough to read at desktop width without scrolling.
    wide: bool = True


@dataclass(frozen=True)
class Section:
    """A group of columns from one app, over one period, said in words."""

    title: str
    period: str
    columns: tuple[Column, ...]
    synthetic: bool = False  # the figures include synthetic demonstration data
    note: str = ""

    @property
    def table_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.wide)


@dataclass(frozen=True)
class RegionSection:
    read: Callable[[Context], Section | None]


region_sections: Registry[RegionSection] = Registry("core.region_sections")


def in_region(queryset, context: Context):
    """Restrict `queryset` to rows of the region's partnerships: the one scoping of a
    regional read, as core.access.scoped is of a partnership's (the same
    `partnership_path` names the way to the partnership)."""
    path = getattr(queryset.model, "partnership_path", "partnership")
    return queryset.filter(**{f"{path}__in": [p.pk for p in context.partnerships]})


def per_residents(
    shown: dict[int, Figure], region: Figure, context: Context, *, per: int, women: bool = False
) -> tuple[dict[int, Figure], Figure]:
    """The shown counts as rates per `per` residents (or women aged 16 and over), each
    borough's from its own population and the region's from the total of the boroughs the
    file names; a borough the file does not name reads "no population figure"."""
    people = {
        pk: (area.women_16_plus if women else area.residents)
        for pk, area in context.populations.items()
    }
    cells = {
        p.pk: (
            disclosure.rate(shown[p.pk], people[p.pk], per=per)
            if p.pk in people
            else disclosure.missing("no population figure")
        )
        for p in context.partnerships
    }
    covered = all(p.pk in people for p in context.partnerships)
    total = sum(people.values())
    overall = (
        disclosure.rate(region, total, per=per)
        if covered and total
        else disclosure.missing("no population figure")
    )
    return cells, overall


def _population_section(context: Context) -> Section:
    """The residents the rates are worked from: public figures, shown as they are."""

    def column(heading: str, women: bool) -> Column:
        values = {
            pk: area.women_16_plus if women else area.residents
            for pk, area in context.populations.items()
        }
        cells = {
            p.pk: disclosure.as_is(values[p.pk])
            if p.pk in values
            else disclosure.missing("no population figure")
            for p in context.partnerships
        }
        return Column(heading, cells, disclosure.as_is(sum(values.values())), wide=not women)

    areas = list(context.populations.values())
    years = sorted({a.year for a in areas})
    sources = sorted({a.source for a in areas})
    return Section(
        title="Population",
        period=f"mid-{years[-1]}" if years else "",
        columns=(column("Residents", False), column("Women aged 16 and over", True)),
        synthetic=any(a.synthetic for a in areas),
        note=f"Source: {'; '.join(sources)} ({population_file().name})." if sources else "",
    )


region_sections.register("core.population", RegionSection(_population_section), order=10)


@dataclass(frozen=True)
class Cell:
    """A figure as the table shows it, across `span` columns: what a borough has nothing
    for ("no plan on the platform") is said once, not in every column in a row."""

    figure: Figure
    span: int = 1

    @property
    def text(self) -> str:
        return self.figure.text


@dataclass
class Row:
    partnership: Partnership
    figures: list[Figure]  # one per column of every section
    cells: list[Cell]  # the table's, as drawn


@dataclass
class Comparison:
    region: Region
    sections: list[Section]
    rows: list[Row]
    region_cells: list[Figure]  # the table's
    columns: list[tuple[Section, Column]] = field(default_factory=list)  # every section's

    @property
    def synthetic(self) -> list[str]:
        """The titles of the sections whose figures include synthetic data."""
        return [s.title for s in self.sections if s.synthetic]


def comparison(*, region: Region, today: date) -> Comparison:
    """Every partnership of the region, a row each, with every contributed section's columns."""
    partnerships = list(region.partnerships.order_by("name"))
    context = Context(region, partnerships, populations_for(partnerships), today)
    sections = [s for s in (entry.read(context) for entry in region_sections) if s is not None]
    columns = [(section, column) for section in sections for column in section.columns]
    rows = []
    for p in partnerships:
        figures = [column.cells.get(p.pk, disclosure.missing()) for _, column in columns]
        shown = [f for f, (_, column) in zip(figures, columns, strict=True) if column.wide]
        rows.append(Row(p, figures, _merged(shown)))
    region_cells = [c.region for _, c in columns if c.wide]
    return Comparison(region, sections, rows, region_cells, columns)


def _merged(figures: list[Figure]) -> list[Cell]:
    cells: list[Cell] = []
    for figure in figures:
        if cells and figure.text == NO_PLAN and cells[-1].text == NO_PLAN:
            cells[-1] = Cell(cells[-1].figure, cells[-1].span + 1)
        else:
            cells.append(Cell(figure))
    return cells


@dataclass
class BoroughLine:
    section: Section
    heading: str
    borough: Figure
    region: Figure


def borough_lines(result: Comparison, partnership: Partnership) -> list[BoroughLine]:
    """One borough's figures beside the region's, section by section (the borough's page)."""
    row = next(r for r in result.rows if r.partnership.pk == partnership.pk)
    return [
        BoroughLine(section, column.heading, cell, column.region)
        for (section, column), cell in zip(result.columns, row.figures, strict=True)
    ]

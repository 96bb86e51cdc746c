"""The annual report to the Community Safety Partnership, read back from its PDF and Word
document."""

from dataclasses import dataclass
from datetime import date

import pytest

from vawg.measures.models import IndicatorValue
from vawg.reports import annual_report
from vawg.reports.document import Document, Table, to_docx, to_pdf
from vawg.reports.spec import Period, Reader, ReportSpec, no_progress
from vawg.reports.tests import world as w
from vawg.reports.tests.reading import (
    POPPLER,
    MadeOnce,
    docx_open,
    docx_text,
    lines_with,
    needs_poppler,
    pdf_sections,
    says_number,
)

YEAR = Period("2026/27", date(2026, 4, 1), date(2027, 3, 31))
SECTIONS = [
    "Summary",
    "The year's delivery",
    "Measures against baseline and target",
    "What changed for survivors",
    "Local insight",
    "MARAC",
    "Training, registers and case reviews",
    "Priorities for 2027/28",
]


@dataclass
class Made:
    document: Document
    pdf: bytes
    docx: bytes
    latest_exact: int  # Synthetic measure 1's value for 2026/27 Q2, as entered


def _make() -> Made:
    world = w.build()
    spec = ReportSpec("annual-report", YEAR, Reader.BOARD, world.partnership, world.board)
    document = annual_report.build(spec, no_progress, today=w.TODAY)
    latest = IndicatorValue.objects.get(
        indicator__name="Synthetic measure 1",
        period__label="2026/27 Q2",
        superseded_at__isnull=True,
    )
    return Made(document, to_pdf(document), to_docx(document), int(latest.value))


ONCE = MadeOnce(_make)


@pytest.fixture
def made(db) -> Made:
    return ONCE.get()


@pytest.fixture
def sections(made) -> dict[str, str]:
    if not POPPLER:
        pytest.skip(needs_poppler.kwargs["reason"])
    return {k: " ".join(v.split()) for k, v in pdf_sections(made.pdf, SECTIONS).items()}


def test_it_has_every_section_in_order(made):
    assert [s.title for s in made.document.sections] == SECTIONS


@needs_poppler
def test_it_says_the_year_is_not_over(sections, made):
    assert ("Note", "2026/27 is not over: this report covers it to 20 November 2026.") in (
        made.document.cover_lines
    )


@needs_poppler
def test_each_measure_stands_against_its_baseline_and_target(sections, made):
    measures = sections["Measures against baseline and target"]
    assert "Measure Baseline Latest Target Status" in measures
    assert "part-finished" in measures
    # The row's cells, from the document both files are written from: how a cell wraps in
    # the PDF depends on its neighbours' widths (a controlled count's rounding among them).
    section = next(s for s in made.document.sections if s.title == SECTIONS[2])
    rows = [r for b in section.blocks if isinstance(b, Table) for r in b.rows]
    row = next(r for r in rows if r[0] == "Synthetic measure 1")
    name, baseline, latest, target, status = row
    assert (name, baseline, target) == ("Synthetic measure 1", "200 (2025/26 Q1)", "220 by 2026/27")
    # A count of people at the board's level: rounded to a multiple of 5, up or down as its
    # cell key decides (which follows record ids, so it differs between databases).
    shown, period = latest.split(" ", 1)
    assert period == "(2026/27 Q2)"
    exact = made.latest_exact
    assert int(shown) in {exact - exact % 5, exact - exact % 5 + 5} and int(shown) % 5 == 0
    assert status in {"On track", "Close to target", "Off track"}
    for cell in row:
        assert all(word in measures for word in cell.split())


def test_a_live_figure_is_labelled_part_finished_in_the_table(made):
    section = next(s for s in made.document.sections if s.title == SECTIONS[2])
    cells = [cell for b in section.blocks if isinstance(b, Table) for r in b.rows for cell in r]
    assert any(cell.endswith("(2026/27 Q3, part-finished)") for cell in cells)


@needs_poppler
def test_it_says_what_changed_for_survivors_and_what_comes_next(sections):
    assert f"You said: {w.YOU_SAID} We did: {w.WE_DID}" in sections["What changed for survivors"]
    coming = sections["Priorities for 2027/28"]
    assert "Carry forward" in coming
    assert f"Bring {w.RED_REF} back on track" in coming
    assert "Turn round the measure 'Synthetic measure 1'" in coming


@needs_poppler
def test_the_canary_counts_appear_nowhere(made, sections):
    for text in (" ".join(sections.values()), docx_text(docx_open(made.docx))):
        for line in lines_with(text.replace(" Nine", "\nNine"), w.CANARY_WARD):
            assert not says_number(line.split("Nine Elms")[1][:40], w.CANARY_INCIDENTS), line
    cases = sections["MARAC"].split("Cases discussed (repeats included)")[1][:30]
    assert cases.strip().startswith("fewer than 5")


def test_the_word_document_holds_the_same_headings(made):
    word = docx_open(made.docx)
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Contents", *(f"{n}. {t}" for n, t in enumerate(SECTIONS, 1))]
    assert len(word.inline_shapes) == len(made.document.charts) > 0

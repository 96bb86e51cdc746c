"""The board pack, read back as the board would read it: the PDF's pages as pictures and
text, section by section, and the Word document through python-docx."""

from dataclasses import dataclass
from datetime import date

import pytest

from vawg.marac.national import national_figures
from vawg.reports import board_pack
from vawg.reports.document import Chart, Document, Table, to_docx, to_pdf
from vawg.reports.spec import Period, Reader, ReportSpec, no_progress
from vawg.reports.tests import world as w
from vawg.reports.tests.reading import (
    POPPLER,
    MadeOnce,
    docx_open,
    docx_tables,
    docx_text,
    lines_with,
    needs_poppler,
    pdf_page_pictures,
    pdf_pages_text,
    pdf_sections,
    says_number,
)

Q2 = Period("2026/27 Q2", date(2026, 7, 1), date(2026, 9, 30))
Q3 = Period("2026/27 Q3", date(2026, 10, 1), date(2026, 12, 31))
SECTIONS = [
    "Summary",
    "Delivery by priority",
    "What changed since the last meeting",
    "Measures of success",
    "Local insight",
    "MARAC",
    "Survivor voice",
    "Training, registers and case reviews",
]


@dataclass
class Made:
    document: Document
    pdf: bytes
    docx: bytes
    part_finished: Document
    part_finished_pdf: bytes


def _make() -> Made:
    world = w.build()
    spec = ReportSpec("board-pack", Q2, Reader.BOARD, world.partnership, world.board)
    document = board_pack.build(spec, no_progress, today=w.TODAY)
    later = ReportSpec("board-pack", Q3, Reader.BOARD, world.partnership, world.board)
    part = board_pack.build(later, no_progress, today=w.TODAY)
    return Made(document, to_pdf(document), to_docx(document), part, to_pdf(part))


ONCE = MadeOnce(_make)


@pytest.fixture
def made(db) -> Made:
    return ONCE.get()


@pytest.fixture
def sections(made) -> dict[str, str]:
    if not POPPLER:
        pytest.skip(needs_poppler.kwargs["reason"])
    return pdf_sections(made.pdf, SECTIONS)


def test_it_has_every_section_in_order(made):
    assert [s.title for s in made.document.sections] == SECTIONS


@needs_poppler
def test_its_cover_names_the_partnership_body_period_meeting_and_marking(made):
    cover = pdf_pages_text(made.pdf)[0]
    assert "Report Borough" in cover
    assert "VAWG Strategic Board" in cover
    assert "2026/27 Q2 (1 July 2026 to 30 September 2026)" in cover
    assert "21 October 2026" in cover  # the next meeting, planned
    assert "OFFICIAL" in cover
    for number, title in enumerate(SECTIONS, 1):
        assert f"{number}. {title}" in cover  # the contents, with page numbers
    assert cover.count(" ..") >= len(SECTIONS)


@needs_poppler
def test_every_page_is_marked_and_numbered(made):
    pages = pdf_pages_text(made.pdf)
    for number, page in enumerate(pages, 1):
        assert "OFFICIAL" in page
        assert f"Page {number} of {len(pages)}" in page


@needs_poppler
def test_its_pages_render_as_pictures(made, tmp_path):
    from PIL import Image

    pictures = pdf_page_pictures(made.pdf, tmp_path)
    assert len(pictures) == len(pdf_pages_text(made.pdf))
    for picture in pictures:
        with Image.open(picture) as page:
            lightest, darkest = page.convert("L").getextrema()
            assert darkest == 255 and lightest < 100  # ink on paper, not a blank page


@needs_poppler
def test_the_summary_says_what_is_on_track_what_is_not_and_what_is_asked(sections):
    summary = " ".join(sections["Summary"].split())
    assert "What is on track" in summary
    assert "What is not on track" in summary
    assert f"{w.RED_REF} (Off track)" in summary
    assert "Decisions the board is asked for" in summary
    assert f"{w.OVERDUE_REF}: agree a new deliver-by date" in summary
    assert f"{w.SILENT_REF}: ask Report Borough Council for this quarter's update" in summary
    assert "since the VAWG Strategic Board met on 12 August 2026" in summary


@needs_poppler
def test_delivery_lists_red_overdue_and_silent_actions_and_why(sections):
    delivery = " ".join(sections["Delivery by priority"].split())
    assert f"{w.RED_REF}: Synthetic action 2" in delivery
    assert "Off track (last quarter: At risk)" in delivery
    assert w.RED_COMMENTARY in delivery
    assert f"What is being done: {w.RED_NEXT} (by 15 December 2026)" in delivery
    assert "Help asked of the board: agree the recovery plan" in delivery
    assert "overdue: due by 30 June 2026" in delivery
    assert f"not updated for {Q2.label}" in delivery
    assert "Latest commentary (2026/27 Q1)" in delivery  # the silent action's last word


@needs_poppler
def test_what_changed_counts_from_the_last_meeting(sections):
    changed = sections["What changed since the last meeting"]
    assert "since the VAWG Strategic Board met on 12 August 2026" in changed
    assert lines_with(changed, f"{w.RED_REF}: Synthetic action 2")[0].split()[-2:] == [
        "Off",
        "track",
    ]


@needs_poppler
def test_the_scorecard_has_a_chart_and_its_table_for_each_measure(made, sections):
    measures = sections["Measures of success"]
    for n in (1, 2, 3):
        assert f"Synthetic measure {n}: figures" in measures
    charts = [c for c in made.document.charts if c.title.startswith("Synthetic measure")]
    assert len(charts) == 3
    for chart in charts:
        assert chart.spec.x_label == "Financial quarter"
        assert chart.table.headers == ["Quarter", "Value", "Target"]
        assert "<svg" in chart.spec.svg()


@needs_poppler
def test_insight_marac_voice_and_learning_are_there(sections):
    insight = sections["Local insight"]
    assert "Trend:" in insight and "Repeat victimisation:" in insight
    assert "Hotspots:" in insight and "Under-represented among victims" in insight
    marac = sections["MARAC"]
    national = national_figures().figures["repeat_rate"]
    assert "SafeLives" in marac and "Repeat cases" in marac and f"{national}%" in marac
    voice = " ".join(sections["Survivor voice"].split())
    assert f"You said: {w.YOU_SAID} We did: {w.WE_DID}" in voice
    learning = sections["Training, registers and case reviews"]
    assert "DARDR-07 2.1" in learning


@needs_poppler
def test_no_free_text_from_feedback_or_unpublished_theme_is_in_it(made):
    text = " ".join("\n".join(pdf_pages_text(made.pdf)).split())
    assert w.FEEDBACK_WORDS not in text
    assert "Not for the public yet" not in text
    assert w.FEEDBACK_WORDS not in docx_text(docx_open(made.docx))


@needs_poppler
def test_the_canary_counts_appear_nowhere(made, sections):
    """3 incidents in one ward and 2 MARAC cases: each reads "fewer than 5", and nothing
    worked from them gives them away."""
    for text in ("\n".join(pdf_pages_text(made.pdf)), docx_text(docx_open(made.docx))):
        ward = lines_with(text, w.CANARY_WARD)
        assert ward, "the canary ward is listed"
        for line in ward:
            assert not says_number(line, w.CANARY_INCIDENTS), line
    ward = lines_with(sections["Local insight"], w.CANARY_WARD)[0]
    assert "fewer than 5" in ward
    cases = lines_with(sections["MARAC"], "Cases discussed")[0]
    assert "fewer than 5" in cases and not says_number(cases, w.CANARY_REFERRALS)
    repeats = lines_with(sections["MARAC"], "Repeat cases")[0]
    assert "not shown" in repeats  # a rate from a hidden count is hidden too
    word = docx_text(docx_open(made.docx))
    assert "Cases discussed (repeats included)\nfewer than 5" in word


def test_the_word_document_holds_the_same_headings_tables_and_figures(made):
    word = docx_open(made.docx)
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Contents", *(f"{n}. {t}" for n, t in enumerate(SECTIONS, 1))]
    blocks = [b for s in made.document.sections for b in s.blocks]
    tables = [b for b in blocks if isinstance(b, Table)] + [
        b.table for b in blocks if isinstance(b, Chart)
    ]
    found = docx_tables(word)
    assert len(found) == len(tables)
    captions = docx_text(word)
    for table in tables:
        assert table.caption in captions
    charts = [b for b in blocks if isinstance(b, Chart)]
    assert len(word.inline_shapes) == len(charts) > 0
    descriptions = [
        s._inline.docPr.get("descr")
        for s in word.inline_shapes  # the pictures' alt text
    ]
    assert descriptions == [c.description for c in charts]
    assert word.sections[0].header.paragraphs[0].text == "OFFICIAL"


@needs_poppler
def test_the_pdf_holds_the_same_tables_and_figures(made):
    text = " ".join("\n".join(pdf_pages_text(made.pdf)).split())
    blocks = [b for s in made.document.sections for b in s.blocks]
    for block in blocks:
        if isinstance(block, Table):
            assert " ".join(block.caption.split()) in text
        if isinstance(block, Chart):
            assert block.title in text and block.table.caption in text


@needs_poppler
def test_a_part_finished_quarter_is_labelled_never_a_fall(made):
    text = "\n".join(pdf_pages_text(made.part_finished_pdf))
    assert "2026/27 Q3 (part-finished)" in text
    assert "Nov 2026 (part-" in text  # the month under way, in the insight trend's table
    assert "is not finished: its figure so far is provisional and is not a fall" in " ".join(
        text.split()
    )
    computed = next(c for c in made.part_finished.charts if "computed" in c.title)
    assert computed.spec.partial == len(computed.spec.categories) - 1
    assert computed.spec.labels()[-1].endswith("(part-finished)")


def test_make_answers_pdf_and_docx_bytes_and_refuses_other_formats(made):
    assert made.pdf.startswith(b"%PDF")
    assert made.docx.startswith(b"PK")
    with pytest.raises(ValueError, match="pdf or docx"):
        board_pack.render(made.document, "xlsx", no_progress)


def test_make_reports_its_progress_as_it_goes(db):
    world = w.build(actions=3, indicators=1, incidents=2)
    steps: list[tuple[int, str]] = []
    spec = ReportSpec("board-pack", Q2, Reader.BOARD, world.partnership, world.board)
    data = board_pack.make(spec, "docx", lambda percent, step: steps.append((percent, step)))
    assert data.startswith(b"PK")
    percents = [p for p, _ in steps]
    assert percents == sorted(percents) and percents[0] < 10 and percents[-1] >= 70
    assert steps[-1][1] == "Drawing the charts and writing the Word document"

"""A report as a document: built once, rendered as a PDF and as a Word document.

A maker gathers its figures into a `Document` (sections of headings, paragraphs, lists,
tables and charts, each holding plain text already as its reader may see it), then
`to_pdf` and `to_docx` write the same document two ways: the same headings, tables and
figures, in the same order. Nothing here decides a figure: it only lays them out.
"""

import base64
import io
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils.text import slugify

from vawg.reports.charts import ChartSpec

OFFICIAL = "OFFICIAL"


@dataclass
class Heading:
    text: str
    kind: str = "heading"


@dataclass
class Paragraph:
    text: str
    style: str = ""  # "" or "note" (smaller, grey) or "callout" (boxed)
    kind: str = "paragraph"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    # Columns of figures, set right-aligned; column 0 is the row's label.
    numeric: tuple[int, ...] = ()
    kind: str = "table"


@dataclass
class Chart:
    """A chart and the data table set beside it: the table holds every figure the chart
    draws, so a reader who cannot see the chart loses nothing."""

    spec: ChartSpec
    table: Table
    note: str = ""
    kind: str = "chart"

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def svg_uri(self) -> str:
        # An image of its own, not inline: each chart's SVG ids (clip paths, markers) then
        # stay its own, and the description is the image's alt text.
        return "data:image/svg+xml;base64," + base64.b64encode(self.spec.svg().encode()).decode()


Block = Heading | Paragraph | Bullets | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return slugify(self.title)

    def add(self, *blocks: Block) -> "Section":
        self.blocks.extend(blocks)
        return self


@dataclass
class Document:
    title: str
    partnership: str
    period: str
    made_on: date
    cover_lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    audience_note: str = ""
    marking: str = OFFICIAL
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str) -> Section:
        section = Section(title)
        self.sections.append(section)
        return section

    @property
    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


# --- PDF ---------------------------------------------------------------------------------


def to_html(document: Document) -> str:
    """The document as one HTML page for print (reports/pack.html and its stylesheet)."""
    return render_to_string("reports/pack.html", {"document": document})


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only report makers need.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def to_pdf(document: Document) -> bytes:
    return html_to_pdf(to_html(document))


# --- Word --------------------------------------------------------------------------------

GREY = (0x50, 0x5A, 0x5F)


def to_docx(document: Document) -> bytes:
    """The document as an editable Word file: the cover, a contents list, then each
    section with its headings, paragraphs, lists, tables and charts (a picture with its
    description, beside its data table), the marking in every page's header and footer."""
    from docx import Document as Word
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    word = Word()
    page = word.sections[0]
    page.orientation = WD_ORIENT.PORTRAIT
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, side, Cm(2))
    normal = word.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    for part in (page.header, page.footer):
        marking = part.paragraphs[0]
        marking.text = document.marking
        marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
        marking.runs[0].bold = True

    word.core_properties.title = document.title
    word.core_properties.subject = f"{document.partnership}, {document.period}"
    word.add_paragraph(document.marking).runs[0].bold = True
    word.add_heading(document.title, level=0)
    for label, value in document.cover_lines:
        line = word.add_paragraph()
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    if document.audience_note:
        note = word.add_paragraph(document.audience_note)
        note.runs[0].font.color.rgb = RGBColor(*GREY)

    word.add_heading("Contents", level=1)
    for number, section in enumerate(document.sections, 1):
        # Numbered in the text, as the headings are: a Word list would number it again.
        word.add_paragraph(f"{number}. {section.title}")

    for number, section in enumerate(document.sections, 1):
        word.add_page_break()
        word.add_heading(f"{number}. {section.title}", level=1)
        for block in section.blocks:
            _docx_block(word, block, Cm, RGBColor)

    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _docx_block(word, block: Block, Cm, RGBColor) -> None:
    if isinstance(block, Heading):
        word.add_heading(block.text, level=2)
    elif isinstance(block, Paragraph):
        paragraph = word.add_paragraph(block.text)
        if block.style == "note":
            paragraph.runs[0].font.color.rgb = RGBColor(*GREY)
        elif block.style == "callout":
            paragraph.runs[0].bold = True
    elif isinstance(block, Bullets):
        for item in block.items:
            word.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        _docx_table(word, block)
    elif isinstance(block, Chart):
        word.add_heading(block.title, level=3)
        # A picture and its data table side by side: a two-cell layout table.
        layout = word.add_table(rows=1, cols=2)
        left, right = layout.rows[0].cells
        left.width, right.width = Cm(10.5), Cm(6.5)
        run = left.paragraphs[0].add_run()
        picture = run.add_picture(io.BytesIO(block.spec.png()), width=Cm(10.2))
        # The picture's description, read out by screen readers (Word's alt text).
        picture._inline.docPr.set("descr", block.description)
        _docx_table(right, block.table, nested=True)
        if block.note:
            note = word.add_paragraph(block.note)
            note.runs[0].font.color.rgb = RGBColor(*GREY)


def _docx_table(container, table: Table, nested: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    caption = container.add_paragraph() if not nested else container.paragraphs[0]
    caption.add_run(table.caption).bold = True
    grid = container.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if i in table.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _repeat_header(row) -> None:
    """Mark a table's first row as its header, repeated on each page and read as such."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)

"""Reading made reports back, as a person would: the PDF's pages as pictures (pdftoppm)
and as text (pdftotext), and the Word document through python-docx."""

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

POPPLER_PICTURES = shutil.which("pdftoppm") or "pdftoppm"
POPPLER_TEXT = shutil.which("pdftotext") or "pdftotext"
POPPLER = bool(shutil.which("pdftoppm") and shutil.which("pdftotext"))
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) is not installed: make browser-deps"
)


class MadeOnce:
    """Reports made once for a module's tests: the first test to ask builds the data and
    the files inside its own transaction (rolled back as usual); the rest read the files,
    which hold no database rows, in any order."""

    def __init__(self, make):
        self.make = make
        self.made = None

    def get(self):
        if self.made is None:
            self.made = self.make()
        return self.made


def pdf_pages_text(pdf: bytes) -> list[str]:
    """Each page's text, laid out as on the page."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        # Fixed arguments and a file of our own: nothing untrusted reaches the command.
        text = subprocess.run(  # noqa: S603
            [POPPLER_TEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pdf_sections(pdf: bytes, titles: list[str]) -> dict[str, str]:
    """The text from each numbered section's heading ("3. What changed…") to the next."""
    text = "\n".join(pdf_pages_text(pdf))
    found = {}
    for number, title in enumerate(titles, 1):
        start = text.index(f"{number}. {title}\n", text.index("Contents") + 200)
        following = f"{number + 1}. {titles[number]}\n" if number < len(titles) else None
        end = text.index(following, start) if following else len(text)
        found[title] = text[start:end]
    return found


def pdf_page_pictures(pdf: bytes, folder: Path, resolution: int = 40) -> list[Path]:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(  # noqa: S603
        [POPPLER_PICTURES, "-r", str(resolution), "-png", str(path), str(folder / "page")],
        check=True,
    )
    return sorted(folder.glob("page-*.png"))


def docx_open(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


def docx_text(word) -> str:
    """Every paragraph and every table cell (nested tables too), in order."""
    lines = [p.text for p in word.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    cells(inner)

    for table in word.tables:
        cells(table)
    return "\n".join(lines)


def docx_tables(word) -> list:
    """Every table of figures: the top-level ones but a chart's layout, and the data table
    nested beside each chart."""
    found = []
    for table in word.tables:
        nested = [t for row in table.rows for cell in row.cells for t in cell.tables]
        if nested:
            found.extend(nested)
        else:
            found.append(table)
    return found


def lines_with(text: str, words: str) -> list[str]:
    return [line for line in text.splitlines() if words in line]


def says_number(line: str, n: int) -> bool:
    return re.search(rf"(?<![\d.,]){n}(?![\d.,%])", line) is not None

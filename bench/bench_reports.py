"""The board pack: the whole pack against WeasyPrint alone, and the Word document.

    .venv/bin/python bench/bench_reports.py

Builds one synthetic partnership (vawg/reports/tests/world.py) with 60 actions, 20
measures with two years of quarterly values, a year of incidents (BENCH_INCIDENTS a
month, default 250: a borough's few thousand a year) and a year of monthly MARAC meetings
(BENCH_MARAC cases each, default 10). Then, in the same run, times:

- the whole PDF pack: every section's data from the selectors, the charts drawn, the HTML
  written and WeasyPrint's PDF;
- the floor: WeasyPrint alone rendering the finished pack's HTML (charts already drawn);
- the Word document: the same data, the charts drawn as PNG, python-docx.

Goals (issue 19): pack <= 3x the floor; Word <= the PDF pack. Prints the medians and
ratios, and writes bench/results/reports.json. DATABASE_URL chooses the database (one kept
for benchmarking); without it, a fresh SQLite file under bench/.data/.
"""

import json
import os
import platform
from datetime import date
from pathlib import Path

from setup_django import expect, median_ms, setup_django, timed

ROOT = Path(__file__).resolve().parent.parent
setup_django("reports")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from vawg.reports import board_pack  # noqa: E402
from vawg.reports.document import html_to_pdf, to_docx, to_html  # noqa: E402
from vawg.reports.spec import Period, Reader, ReportSpec, no_progress  # noqa: E402
from vawg.reports.tests import world as w  # noqa: E402

ACTIONS, MEASURES = 60, 20
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", 250))
MARAC = int(os.environ.get("BENCH_MARAC", 10))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
QUARTER = Period("2026/27 Q2", date(2026, 7, 1), date(2026, 9, 30))
RESULTS = ROOT / "bench" / "results" / "reports.json"


def floor(html: str) -> int:
    """WeasyPrint alone on the finished HTML (what html_to_pdf does), keeping the count
    of pages."""
    from weasyprint import HTML

    rendered = HTML(string=html).render()
    rendered.write_pdf()
    return len(rendered.pages)


def main() -> None:
    call_command("migrate", verbosity=0, skip_checks=True)
    built_in, world = timed(
        lambda: transaction.atomic()(w.build)(
            actions=ACTIONS, indicators=MEASURES, incidents=INCIDENTS, marac_cases=MARAC
        )
    )
    print(f"data built in {built_in[0]:.1f} s")
    spec = ReportSpec("board-pack", QUARTER, Reader.BOARD, world.partnership, world.board)

    def pack_pdf() -> tuple[bytes, str]:
        document = board_pack.build(spec, no_progress, today=w.TODAY)
        html = to_html(document)
        return html_to_pdf(html), html

    def pack_docx() -> bytes:
        return to_docx(board_pack.build(spec, no_progress, today=w.TODAY))

    # One of each first: imports, font caches and the first database reads are not what
    # a pack made on a running worker costs.
    pdf, html = pack_pdf()
    pack_docx()
    expect(pdf.startswith(b"%PDF"), "the pack is a PDF")
    expect(len(world_charts(spec)) == MEASURES + 1, "a chart per measure and the trend")

    pdf_times, floor_times, docx_times = [], [], []
    pages = 0
    for _ in range(REPEATS):
        # Interleaved, so that a busy moment on a shared machine falls on all three.
        elapsed, (pdf, html) = timed(pack_pdf)
        pdf_times.append(elapsed)
        elapsed, pages = timed(lambda html=html: floor(html))
        floor_times.append(elapsed)
        docx_times.append(timed(pack_docx)[0])
    figures = {}
    for which, name in ((0, "wall"), (1, "cpu")):
        figures[name] = {
            "floor": median_ms(floor_times, which),
            "pdf_pack": median_ms(pdf_times, which),
            "docx": median_ms(docx_times, which),
        }
    ratios = {
        name: {
            "pack_over_floor": round(f["pdf_pack"] / f["floor"], 2),
            "docx_over_pack": round(f["docx"] / f["pdf_pack"], 2),
        }
        for name, f in figures.items()
    }
    for name, f in figures.items():
        print(f"{name} time, medians of {REPEATS}:")
        print(f"  floor (WeasyPrint alone on the finished HTML): {f['floor']} ms")
        print(f"  whole PDF pack (data, charts, HTML, PDF):       {f['pdf_pack']} ms")
        print(f"  Word document (data, charts, python-docx):      {f['docx']} ms")
        print(f"  ratios: {ratios[name]} (goals: pack_over_floor <= 3, docx_over_pack <= 1)")
    result = {
        "benchmark": "reports",
        "data": {
            "actions": ACTIONS,
            "measures": MEASURES + 1,
            "incidents_a_month": INCIDENTS,
            "marac_cases_a_month": MARAC,
            "pdf_pages": pages,
            "pdf_bytes": len(pdf),
            "html_bytes": len(html),
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
        "goals": "pack_over_floor <= 3; docx_over_pack <= 1",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


def world_charts(spec: ReportSpec) -> list:
    return board_pack.build(spec, no_progress, today=w.TODAY).charts


if __name__ == "__main__":
    main()

"""The kinds of report, and the one way each is made.

Each kind names its maker by dotted path, imported only when a report is made:

    make(spec: ReportSpec, fmt: str, progress: Progress) -> bytes

A maker reads what it needs through the domain apps' selectors for `spec.partnership`
(or every partnership of `spec.region`), shows every figure about people at
`Reader.disclosure(spec.audience)`, calls `progress(percent, step)` as it goes, and
returns the finished file's bytes; it raises to fail, and nothing it made is kept. The
page's background task, `manage.py make_report` and the tests all call `make` here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.utils.text import slugify

from vawg.reports.periods import QUARTER, YEAR
from vawg.reports.spec import Progress, Reader, ReportSpec

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class KindError(ValueError):
    """A kind, format, reader or scope that does not go together; the message says why."""


@dataclass(frozen=True)
class Kind:
    slug: str
    title: str
    formats: tuple[str, ...]
    period: str  # QUARTER or YEAR
    reader: str  # the default Reader
    readers: tuple[str, ...]  # the readers it may be made for
    maker: str  # the dotted path of its make()
    for_body: bool = False  # made for a governance body (the board pack)
    for_region: bool = False  # may be made for a whole region (the combined return)

    def make(self, spec: ReportSpec, fmt: str, progress: Progress) -> bytes:
        return maker(self.maker)(spec, fmt, progress)

    def filename(self, spec: ReportSpec, fmt: str) -> str:
        scope = spec.partnership.slug if spec.partnership else f"{spec.region.slug}-region"
        # "2025/26 Q3" as "2025-26-q3": the year's slash is a word break, not nothing.
        period = slugify(spec.period.label.replace("/", "-"))
        return f"{scope}-{self.slug}-{period}.{fmt}"


def maker(path: str) -> Callable[[ReportSpec, str, Progress], bytes]:
    """The maker at `path`, imported now: the board pack's libraries load only when one is
    made."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "board-pack",
            "Board pack",
            ("pdf", "docx"),
            QUARTER,
            Reader.BOARD,
            (Reader.BOARD,),
            "vawg.reports.board_pack.make",
            for_body=True,
        ),
        Kind(
            "annual-report",
            "Annual report to the Community Safety Partnership",
            ("pdf", "docx"),
            YEAR,
            Reader.BOARD,
            (Reader.BOARD, Reader.PUBLIC),
            "vawg.reports.annual_report.make",
        ),
        Kind(
            "regional-return",
            "Regional return",
            ("xlsx",),
            YEAR,
            Reader.REGIONAL,
            (Reader.REGIONAL,),
            "vawg.reports.regional_return.make",
            for_region=True,
        ),
    )
}


def kind_for(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise KindError(f"Unknown report “{slug}”. Choose one of: {', '.join(KINDS)}.")
    return kind


def check(kind: Kind, *, fmt: str, reader: str, region: bool = False) -> None:
    """Refuse a format, reader or scope this kind is not made in."""
    if fmt not in kind.formats:
        raise KindError(
            f"A {kind.title.lower()} is made as {' or '.join(kind.formats)}, not “{fmt}”."
        )
    if reader not in kind.readers:
        raise KindError(
            f"A {kind.title.lower()} is made for {' or '.join(kind.readers)}, not “{reader}”."
        )
    if region and not kind.for_region:
        raise KindError(f"A {kind.title.lower()} is made for one partnership, not a region.")


def content_type(fmt: str) -> str:
    return CONTENT_TYPES[fmt]

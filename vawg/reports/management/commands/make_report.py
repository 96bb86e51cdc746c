"""Make a report at the command line, for scheduled runs: the maker the page's worker runs,
called here directly.

    manage.py make_report board-pack --partnership wandsworth --format pdf --output pack.pdf
    manage.py make_report regional-return --region london --format xlsx --output london.xlsx

`--period` is "2025/26 Q3" for a quarter or "2025/26" for a year (default: the last
completed quarter for a board pack, the last completed year for the others). `--body` is a
governance body's name as a slug (bodies have no slug of their own: slugify(name), e.g.
"vawg-strategic-partnership-board"); default, the partnership's strategic board. Anything
unknown, or that does not go together, exits 1 with a message on standard error and writes
no file.
"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from vawg.core.meetings import body_by_slug, strategic_board
from vawg.core.models import Partnership, Region
from vawg.reports import kinds
from vawg.reports.periods import PeriodError, period_for
from vawg.reports.spec import Reader, ReportSpec


class Command(BaseCommand):
    help = "Make a board pack, annual report or regional return and write it to a file."

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"One of: {', '.join(kinds.KINDS)}.")
        parser.add_argument("--partnership", help="The partnership's slug.")
        parser.add_argument("--region", help="A region's slug: the combined regional return.")
        parser.add_argument("--format", dest="fmt", required=True, help="pdf, docx or xlsx.")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--period", default="", help='"2025/26 Q3" or "2025/26".')
        parser.add_argument("--body", default="", help="The governance body's name as a slug.")
        parser.add_argument(
            "--audience",
            default="",
            help=f"{Reader.BOARD}, {Reader.PUBLIC} or {Reader.REGIONAL} (default: by kind).",
        )

    def handle(self, *args, kind, fmt, output, **options):
        try:
            spec, found = self._spec(kind, fmt, options)
        except (CommandError, kinds.KindError, PeriodError) as error:
            self._fail(str(error))
        try:
            content = found.make(spec, fmt, self._progress(options.get("verbosity", 1)))
        except Exception as error:  # noqa: BLE001 (a scheduled run reports, and writes nothing)
            self._fail(f"The {found.title.lower()} could not be made: {error}")
        self._write(Path(output), content)
        self.stdout.write(f"Wrote {found.title.lower()} for {spec.period.label} to {output}.\n")

    def _spec(self, kind: str, fmt: str, options) -> tuple[ReportSpec, kinds.Kind]:
        found = kinds.kind_for(kind)
        reader = options["audience"] or found.reader
        region_slug, slug = options.get("region"), options.get("partnership")
        if bool(region_slug) == bool(slug):
            raise CommandError("Give either --partnership or --region (a regional return).")
        kinds.check(found, fmt=fmt, reader=reader, region=bool(region_slug))
        partnership, region = None, None
        if slug:
            partnership = Partnership.objects.filter(slug=slug).select_related("region").first()
            if partnership is None:
                raise CommandError(f"No partnership “{slug}”.")
            anchor = partnership
        else:
            region = Region.objects.filter(slug=region_slug).first()
            if region is None:
                raise CommandError(f"No region “{region_slug}”.")
            anchor = region.partnerships.order_by("name").first()
            if anchor is None:
                raise CommandError(f"The region “{region_slug}” has no partnerships.")
        body = self._body(found, partnership, options["body"])
        period = period_for(anchor, options["period"], found.period, timezone.localdate())
        spec = ReportSpec(found.slug, period, reader, partnership, body, region)
        return spec, found

    def _body(self, found: kinds.Kind, partnership: Partnership | None, slug: str):
        if slug and not found.for_body:
            raise CommandError(f"A {found.title.lower()} is not made for a body: drop --body.")
        if not found.for_body or partnership is None:
            return None
        body = body_by_slug(partnership, slug) if slug else strategic_board(partnership)
        if body is None:
            raise CommandError(
                f"No body “{slug}” in {partnership.name}."
                if slug
                else f"{partnership.name} has no board: name one with --body."
            )
        return body

    def _progress(self, verbosity: int):
        def progress(percent: int, step: str) -> None:
            if verbosity > 1:
                self.stderr.write(f"{percent:3d}% {step}\n")

        return progress

    def _write(self, path: Path, content: bytes) -> None:
        """Written beside the output and moved into place: a run that fails leaves no file."""
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            self._fail(f"No folder “{folder}” to write the report to.")
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _fail(self, message: str) -> None:
        self.stderr.write(message + "\n")
        sys.exit(1)

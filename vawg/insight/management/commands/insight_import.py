"""Import a partner's extract from the command line, with a progress bar.

    manage.py insight_import wandsworth "Metropolitan Police Service" extract.csv
        [--source NAME] [--encoding CODEC] [--set-aside]

Uses the partner's saved mapping for the source (from the web) or, if there is none,
headings that name the standard's fields. `--encoding` takes a Python codec name
(default: detected). All or nothing, exactly as from the web, unless `--set-aside`:
then the good rows are imported and the others written, with their row number and the
reason, to `<stem>-set-aside.csv` beside the file (UTF-8 with a byte-order mark; it holds
the partner's raw values, so it is marked OFFICIAL-SENSITIVE). Likely duplicates are
imported and listed. Prints "N new, N updated, N unchanged, N set aside"; exits 0 when
anything was stored and 1 when nothing was. The validation report is written beside the
file when the import is rejected.
"""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from vawg.core import encodings
from vawg.core.models import Organisation, Partnership
from vawg.core.tabular import Problem, problems_table
from vawg.exchange.exporting import Table, write_export
from vawg.insight import services
from vawg.insight.models import DataImport


class Command(BaseCommand):
    help = "Import a partner's CSV or XLSX extract into the incident store."

    def add_arguments(self, parser):
        parser.add_argument("partnership", help="The partnership's slug, e.g. wandsworth.")
        parser.add_argument("partner", help="The partner organisation's name.")
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--source", default="", help="Which of the partner's saved mappings to use."
        )
        parser.add_argument(
            "--encoding", default="", help="The CSV file's Python codec (default: detect)."
        )
        parser.add_argument(
            "--set-aside",
            action="store_true",
            help="Import the good rows and write the others to <stem>-set-aside.csv.",
        )

    def handle(self, *args, partnership: str, partner: str, path: Path, **options):
        tenant = Partnership.objects.filter(slug=partnership).first()
        if tenant is None:
            raise CommandError(f"No partnership “{partnership}”.")
        organisation = Organisation.objects.filter(partnership=tenant, name=partner).first()
        if organisation is None:
            raise CommandError(f"{tenant.name} has no organisation named “{partner}”.")
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        encoding = options["encoding"]
        if encoding and not encodings.is_known(encoding):
            raise CommandError(f"“{encoding}” is not a codec Python knows (try cp1252).")
        data = path.read_bytes()
        result = self._import(tenant, organisation, path, data, options)
        self.stdout.write(
            f"{result.rows_new} new, {result.rows_updated} updated, "
            f"{result.rows_unchanged} unchanged, {result.rows_set_aside} set aside"
        )
        for d in result.duplicates:
            self.stdout.write(
                f"Likely duplicate, imported: row {d['row']} ({d['source_id']}) looks like "
                f"stored record {d['matches']} (same person, date {d['date']}, {d['strand']})"
            )
        if result.status == DataImport.Status.IMPORTED and result.rows_set_aside:
            aside = path.with_name(path.stem + "-set-aside.csv")
            # The same marked file the web gives (UTF-8 with a byte-order mark).
            aside.write_bytes(
                write_export(services.set_aside_export(result, data=data), fmt="csv").content
            )
            self.stdout.write(f"The rows set aside are in {aside}.")
        if result.status != DataImport.Status.IMPORTED:
            report = path.with_name(path.stem + "-report.csv")
            headers, rows = problems_table(Problem(**p) for p in result.problems)
            # The same file the web gives; it stays beside the operator's own extract.
            table = Table(name=report.stem, headers=headers, rows=rows)
            report.write_bytes(write_export(table, fmt="csv").content)
            why = f" {result.error}" if result.error else ""
            raise CommandError(f"Nothing was imported.{why} The report is in {report}.")
        if not (result.rows_new or result.rows_updated):
            self.stderr.write("Nothing was stored: every row is held already, or set aside.")
            sys.exit(1)

    def _import(self, tenant, organisation, path: Path, data: bytes, options) -> DataImport:
        rows = max(data.count(b"\n") - 1, 0) if path.suffix.lower() == ".csv" else None
        with tqdm(total=rows, unit="row", desc="checking and importing") as bar:
            seen = {"done": 0}

            def progress(done: int) -> None:
                bar.update(done - seen["done"])
                seen["done"] = done

            try:
                return services.import_file(
                    partnership=tenant,
                    partner=organisation,
                    filename=path.name,
                    data=data,
                    actor=None,
                    today=timezone.localdate(),
                    progress=progress,
                    source=options["source"],
                    encoding=options["encoding"],
                    set_aside=options["set_aside"],
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None

"""Import a partner's extract from the command line, with a progress bar.

    manage.py insight_import wandsworth "Metropolitan Police Service" extract.csv

Uses the partner's saved column and value mappings (from the web) or, if there
are none, headings that name the standard's fields. All or nothing, exactly
as from the web; the validation report is written beside the file when rows
are rejected.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

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

    def handle(self, *args, partnership: str, partner: str, path: Path, **options):
        tenant = Partnership.objects.filter(slug=partnership).first()
        if tenant is None:
            raise CommandError(f"No partnership “{partnership}”.")
        organisation = Organisation.objects.filter(partnership=tenant, name=partner).first()
        if organisation is None:
            raise CommandError(f"{tenant.name} has no organisation named “{partner}”.")
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        data = path.read_bytes()
        rows = max(data.count(b"\n") - 1, 0) if path.suffix.lower() == ".csv" else None
        with tqdm(total=rows, unit="row", desc="checking and importing") as bar:
            seen = {"done": 0}

            def progress(done: int) -> None:
                bar.update(done - seen["done"])
                seen["done"] = done

            try:
                result = services.import_file(
                    partnership=tenant,
                    partner=organisation,
                    filename=path.name,
                    data=data,
                    actor=None,
                    today=timezone.localdate(),
                    progress=progress,
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{result.get_status_display()}: {result.rows_new} new, {result.rows_updated} updated, "
            f"{result.rows_unchanged} unchanged, {result.rows_rejected} rejected."
        )
        if result.status != DataImport.Status.IMPORTED:
            report = path.with_name(path.stem + "-report.csv")
            headers, rows = problems_table(Problem(**p) for p in result.problems)
            # The same file the web gives; it stays beside the operator's own extract.
            table = Table(name=report.stem, headers=headers, rows=rows)
            report.write_bytes(write_export(table, fmt="csv").content)
            raise CommandError(f"Nothing was imported. The report is in {report}.")

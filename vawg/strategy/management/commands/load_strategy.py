"""python manage.py load_strategy FILE [FILE...]: load curated strategy data files."""

from django.core.management.base import BaseCommand, CommandError

from vawg.strategy.loader import StrategyFileError, load_strategy_file


class Command(BaseCommand):
    help = (
        "Load one or more curated strategy data files (data/strategies/*.yaml). Each file loads "
        "in full or not at all; loading a file again updates it without duplicating anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="A strategy data file.")

    def handle(self, *args, files: list[str], **options):
        for path in files:
            try:
                result = load_strategy_file(path)
            except StrategyFileError as error:
                # Files named before this one stay loaded: each file is its own transaction.
                raise CommandError(str(error)) from error
            self.stdout.write(str(result))

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError
from observatory.statistics.cube.loader import load_definitions, load_file


class Command(BaseCommand):
    help = "Load the statistical definition files (codelists, structures, dataflows)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            action="append",
            default=[],
            help="load this definition file (e.g. one 'observatory define dataflow --out' "
            "wrote) instead of the packaged ones; repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(via="cli")):
            try:
                if options["file"]:
                    report = None
                    for path in options["file"]:
                        report = load_file(path, report=report)
                else:
                    report = load_definitions()
            except ObservatoryError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Definitions: {report}"))

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from observatory.core.context import Origin, origin
from observatory.statistics.cube.loader import DefinitionError, load_definitions


class Command(BaseCommand):
    help = "Load the statistical definition files (codelists, structures, dataflows)"

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(via="cli")):
            try:
                report = load_definitions()
            except DefinitionError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Definitions: {report}"))

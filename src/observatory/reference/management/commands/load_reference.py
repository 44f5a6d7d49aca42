from typing import Any

from django.core.management.base import BaseCommand

from observatory.core.context import Origin, origin
from observatory.reference.loader import load_reference


class Command(BaseCommand):
    help = (
        "Load the packaged reference data (areas, regions, population, drugs and synonyms, "
        "units, ICCS) into the database. Safe to run again: it updates in place."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(via="cli")):
            report = load_reference()
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {report}"))

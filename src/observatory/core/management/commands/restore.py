from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.core import backup
from observatory.core.errors import ObservatoryError


class Command(BaseCommand):
    help = (
        "Restore a backup (observatory backup --out DIR) into this installation: "
        "every file checked against the backup's manifest first, every table's rows "
        "after. Refuses a database that holds data unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="the backup's folder")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite this installation's data (it is lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup.restore(options["folder"], replace=options["replace"])
        except ObservatoryError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {report}.")

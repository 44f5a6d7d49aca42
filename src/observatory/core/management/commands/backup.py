from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.core import backup
from observatory.core.audit import audit_record
from observatory.core.errors import ObservatoryError
from observatory.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Back up this installation into a new folder: the database (SQLite's online "
        "backup, or pg_dump), the uploaded originals, the analytics store and the "
        "secret key, with a manifest of every file's SHA-256 and every table's rows. "
        "Safe while the server runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="a new (or empty) folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup.backup(options["out"])
        except ObservatoryError as error:
            raise CommandError(str(error)) from error
        audit_record(
            actor=None,
            action=AuditEvent.Action.EXPORT,
            object_type="backup",
            object_id=report.folder.name[:64],
            object_repr=f"backup into {report.folder}"[:200],
            changes={"rows": report.rows, "files": report.files},
        )
        self.stdout.write(f"Backed up {report}.")

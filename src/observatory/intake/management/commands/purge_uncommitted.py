from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from observatory.intake import services


class Command(BaseCommand):
    help = (
        "Remove imports never committed (dry runs, refused files, abandoned checks) "
        "older than --days (OBSERVATORY_UNCOMMITTED_DAYS), with their problems, "
        "working files and, when no other import uses them, their uploads. "
        "Committed imports and their originals are never touched. The worker runs it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="say what would go")

    def handle(self, *args: Any, **options: Any) -> None:
        days = (
            options["days"]
            if options["days"] is not None
            else settings.OBSERVATORY_UNCOMMITTED_DAYS
        )
        found = services.jobs_purge(days=days, dry_run=options["dry_run"])
        verb = "Would remove" if options["dry_run"] else "Removed"
        self.stdout.write(
            f"{verb} {found['imports']} import(s) never committed, older than {days} days "
            f"({found['problems']} problems, {found['uploads']} upload(s))."
        )

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker (imports, exports, publication)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run queued tasks, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--batch"] if options["batch"] else []
        call_command("db_worker", *extra)

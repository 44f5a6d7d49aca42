import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from observatory.core import upkeep

logger = logging.getLogger(__name__)
EVERY_SECONDS = 60


def _publish_due_loop(stop: threading.Event) -> None:
    """Embargoes: publish accepted versions whose date has come, every minute;
    once a day, the apps' upkeep (work dead workers left; imports never
    committed past their retention)."""
    minutes = 0
    while not stop.wait(EVERY_SECONDS):
        minutes += 1
        try:
            call_command("publish_due", verbosity=0)
            if minutes % (24 * 60) == 0:
                upkeep.run()
        except Exception:
            logger.exception("the worker's periodic work failed")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the background task worker (imports, exports, publication) and, every "
        "minute, publish accepted versions whose embargo has ended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run queued tasks, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        upkeep.run()  # work a dead worker left; imports past their retention
        call_command("publish_due", verbosity=0)
        if options["batch"]:
            call_command("db_worker", "--batch")
            return
        stop = threading.Event()
        thread = threading.Thread(target=_publish_due_loop, args=(stop,), daemon=True)
        thread.start()
        try:
            call_command("db_worker")
        finally:
            stop.set()

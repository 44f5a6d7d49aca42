from typing import Any

from django.core.management.base import BaseCommand

from observatory.core.context import Origin, origin
from observatory.submissions.services import publish_due


class Command(BaseCommand):
    help = "Publish accepted versions whose embargo has ended (the worker does it every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(via="cli")):
            done = publish_due()
        for version in done:
            self.stdout.write(f"published {version}")
        self.stdout.write(self.style.SUCCESS(f"{len(done)} version(s) published"))

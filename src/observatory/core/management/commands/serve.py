import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn (static files through whitenoise). "
        "Run 'observatory collectstatic' first after an upgrade."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--timeout", type=int, default=120)

    def handle(self, *args: Any, **options: Any) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "observatory.config.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        self.stdout.write(f"Serving on http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, command)  # noqa: S606  (replace this process with gunicorn)

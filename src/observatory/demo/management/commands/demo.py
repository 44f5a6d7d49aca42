from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from observatory.core.context import Origin, origin
from observatory.demo.seizures import load_demo_seizures
from observatory.demo.smuggling import NETWORK_CODE, load_demo_smuggling
from observatory.demo.statistics import load_demo_statistics
from observatory.demo.world import DEMO_PASSWORD, build_demo_world, demo_users
from observatory.reference.loader import load_reference
from observatory.reference.models import Area


class Command(BaseCommand):
    help = (
        "Load reference data (first time only) and create the demo world: the office, "
        "agencies in ten countries, a user for every role (password 'observatory-demo'), "
        "a network, and published demo seizures. Running it again keeps existing data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-smuggling",
            dest="smuggling",
            action="store_false",
            help="do not load the demo network on migrant smuggling",
        )
        parser.add_argument(
            "--reload-reference",
            action="store_true",
            help="reload reference data even if it is there",
        )
        parser.add_argument(
            "--seizures",
            type=int,
            default=50_000,
            help="how many demo seizures to generate (0: none)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with origin(Origin(via="cli")):
            if options["reload_reference"] or not Area.objects.exists():
                report = load_reference()
                self.stdout.write(f"Reference data loaded: {report}")
            created = build_demo_world()
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo world ready (created: "
                    + ", ".join(f"{v} {k}" for k, v in created.items())
                    + ")"
                )
            )
            if options["seizures"]:
                self.stdout.write("Demo seizures (imported, submitted, accepted, published):")
                # A hundred "published" notifications would bury the console.
                backend, settings.EMAIL_BACKEND = (
                    settings.EMAIL_BACKEND,
                    "django.core.mail.backends.dummy.EmailBackend",
                )
                try:
                    count = load_demo_seizures(rows=options["seizures"], say=self.stdout.write)
                finally:
                    settings.EMAIL_BACKEND = backend
                self.stdout.write(f"{count} demo seizures published this time")
            self.stdout.write("Demo statistics (definitions, data-portal export, UN-CTS, TIP):")
            backend, settings.EMAIL_BACKEND = (
                settings.EMAIL_BACKEND,
                "django.core.mail.backends.dummy.EmailBackend",
            )
            try:
                load_demo_statistics(say=self.stdout.write)
            finally:
                settings.EMAIL_BACKEND = backend
            if options["smuggling"]:
                self.stdout.write(f"Demo network on migrant smuggling ({NETWORK_CODE}):")
                backend, settings.EMAIL_BACKEND = (
                    settings.EMAIL_BACKEND,
                    "django.core.mail.backends.dummy.EmailBackend",
                )
                try:
                    count = load_demo_smuggling(say=self.stdout.write)
                finally:
                    settings.EMAIL_BACKEND = backend
                self.stdout.write(f"{count} demo incidents created this time")
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD!r}):")
        for user in demo_users():
            self.stdout.write(f"  {user.email:40} {user.role:12} {user.organisation}")

from typing import Any

from django.core.management.base import BaseCommand

from observatory.core.context import Origin, origin
from observatory.demo.world import DEMO_PASSWORD, build_demo_world, demo_users
from observatory.reference.loader import load_reference
from observatory.reference.models import Area


class Command(BaseCommand):
    help = (
        "Load reference data (first time only) and create the demo world: the office, "
        "agencies in ten countries, a user for every role (password 'observatory-demo') "
        "and a network. Running it again keeps existing data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reload-reference",
            action="store_true",
            help="reload reference data even if it is there",
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
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD!r}):")
        for user in demo_users():
            self.stdout.write(f"  {user.email:40} {user.role:12} {user.organisation}")

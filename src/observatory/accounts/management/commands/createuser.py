import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from observatory.accounts import services
from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError


class Command(BaseCommand):
    help = (
        "Create a user who logs in with email and password, optionally with a role in an "
        "organisation. Without --password the password is asked for (or read from the "
        "OBSERVATORY_PASSWORD environment variable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument(
            "--password", help="avoid on shared machines: it lands in shell history"
        )
        parser.add_argument("--org", help="organisation code, e.g. COL-POLICE")
        parser.add_argument("--role", choices=["contributor", "focal_point", "analyst", "admin"])
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="may use the Django admin with every permission",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import os

        password = options["password"] or os.environ.get("OBSERVATORY_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        if bool(options["org"]) != bool(options["role"]):
            raise CommandError("--org and --role go together")
        # One transaction: a bad --org or --role leaves no half-made user behind.
        with origin(Origin(via="cli")), transaction.atomic():
            try:
                organisation = services.organisation_get(options["org"]) if options["org"] else None
                user = services.user_create(
                    email=options["email"],
                    password=password,
                    full_name=options["name"],
                    is_staff=options["superuser"],
                    is_superuser=options["superuser"],
                )
                if organisation is not None:
                    services.membership_grant(
                        user=user, organisation=organisation, role=options["role"], actor=None
                    )
            except ObservatoryError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {user.email}"))

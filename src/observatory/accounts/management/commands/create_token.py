from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from observatory.accounts import services
from observatory.accounts.models import User
from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError


class Command(BaseCommand):
    help = (
        "Print a new API token for a user, acting within one organisation. The token is shown "
        "once; only its hash is stored. Use it as 'Authorization: Bearer <token>'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the user's email")
        parser.add_argument("--org", required=True, help="organisation code, e.g. COL-POLICE")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--days", type=int, default=None, help="expire after this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"].strip()).first()
        if user is None:
            raise CommandError(f"no user with the email {options['user']!r}")
        expires = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        with origin(Origin(via="cli")):
            try:
                organisation = services.organisation_get(options["org"])
                _token, plain = services.token_create(
                    user=user, organisation=organisation, name=options["name"], expires_at=expires
                )
            except ObservatoryError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(plain)

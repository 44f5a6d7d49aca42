from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.accounts import access
from observatory.accounts.models import User
from observatory.core.context import Origin, origin
from observatory.seizures import selectors
from observatory.seizures.exports import FORMATS, export_seizures
from observatory.seizures.filtersets import SeizureFilterSet


class Command(BaseCommand):
    help = (
        "Export a dataset to a file, e.g. 'observatory export seizures --format parquet "
        "--out seizures.parquet --area COL --year 2024'. Without --user only published rows "
        "are exported (what the public sees); with --user, what that user may see."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", choices=["seizures"])
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--user", help="export as this user (email)")
        for name in (
            "area",
            "drug",
            "group",
            "year",
            "date_from",
            "date_to",
            "origin",
            "destination",
            "via",
            "status",
        ):
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def handle(self, *args: Any, **options: Any) -> None:
        actor: Any = access.ANONYMOUS
        if options["user"]:
            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        filters = {
            k: options[k]
            for k in (
                "area",
                "drug",
                "group",
                "year",
                "date_from",
                "date_to",
                "origin",
                "destination",
                "via",
                "status",
            )
            if options.get(k)
        }
        filterset = SeizureFilterSet(filters, queryset=selectors.current_seizures(actor=actor))
        if not filterset.is_valid():
            raise CommandError(f"bad filters: {filterset.errors.as_text()}")
        with origin(Origin(via="cli")):
            count = export_seizures(
                filterset.qs.order_by("seizure_date", "id"),
                fmt=options["format"],
                path=options["out"],
                actor=actor,
            )
        self.stdout.write(self.style.SUCCESS(f"{count} seizures written to {options['out']}"))

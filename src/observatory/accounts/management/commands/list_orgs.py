from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from observatory.accounts.models import Organisation


class Command(BaseCommand):
    help = "List organisations: code, area and name (tab-separated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", help="only this area (ISO3)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.select_related("area").order_by("code")
        if options["area"]:
            organisations = organisations.filter(area_id=options["area"].upper())
        for organisation in organisations:
            area = organisation.area_id or "-"
            self.stdout.write(f"{organisation.code}\t{area}\t{organisation.name}")

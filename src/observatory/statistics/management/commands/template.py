from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import User
from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError
from observatory.statistics.formats.workbook.layout import organisation_for
from observatory.statistics.formats.workbook.template import build_template
from observatory.statistics.selectors import questionnaire_get


class Command(BaseCommand):
    help = (
        "Write a questionnaire as an Excel workbook to fill in offline, pre-filled with the "
        "values saved so far, e.g. 'observatory template --questionnaire UN-CTS --area COL "
        "--year 2025 --out cts.xlsx --user fp@col.example'. Filled in, it is imported with "
        "'observatory import observations FILE --format template --org CODE --user EMAIL'. "
        "The organisation is the one through which --user reports for the area, or --org. "
        "Without --user only published values are pre-filled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--questionnaire", required=True, help="its id, e.g. UN-CTS")
        parser.add_argument("--area", required=True, help="ISO3 code of the country or area")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
        parser.add_argument("--user", help="as this user (email): what they may see")
        parser.add_argument("--org", help="the reporting organisation's code")

    def handle(self, *args: Any, **options: Any) -> None:
        actor: ActorLike = access.ANONYMOUS
        if options["user"]:
            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError("the template is an Excel workbook: --out FILE.xlsx")
        try:
            questionnaire = questionnaire_get(options["questionnaire"])
            organisation = organisation_for(actor, area=options["area"], code=options["org"])
            with origin(Origin(via="cli")):
                data = build_template(
                    questionnaire, organisation=organisation, year=options["year"], actor=actor
                )
        except ObservatoryError as error:
            raise CommandError(str(error)) from error
        out.write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(
                f"{questionnaire.code} {options['year']} for {organisation.code} written to {out}"
            )
        )

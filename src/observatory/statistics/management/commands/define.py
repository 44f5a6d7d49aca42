from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError
from observatory.intake.mapping import parse_fixed
from observatory.statistics import services
from observatory.statistics.formats.drafting import draft_dataflow, draft_from_annex


class Command(BaseCommand):
    help = (
        "Draft a dataflow's codelists, structure and dataflow from a file in the data-portal "
        "long layout, e.g. 'observatory define dataflow homicide.csv --id DF_HOMICIDE': "
        "prints what is new (codes reused from what exists, new codes, new areas), then "
        "saves it (new versions where the dataflow exists) unless --dry-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["dataflow"], help="what to define")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            dest="file_format",
            default="unodc-portal",
            choices=["unodc-portal", "annex"],
            help="the file's layout: the data portal's long format (a new dataflow, or a "
            "new version of one), or a table of any layout read against an existing "
            "dataflow (annex: a new version with the labels its lists lack)",
        )
        parser.add_argument(
            "--set",
            dest="fixed",
            action="append",
            default=[],
            metavar="DIMENSION=CODE",
            help="as for 'import --format annex': a dimension's code for the whole file",
        )
        parser.add_argument("--id", dest="dataflow", required=True, help="e.g. DF_HOMICIDE")
        parser.add_argument("--name", default="", help="the dataflow's name")
        parser.add_argument("--dry-run", action="store_true", help="print the draft; save nothing")
        parser.add_argument(
            "--out",
            type=Path,
            help="write the draft as a definition file (YAML) to load later with "
            "'observatory load-definitions --file'",
        )
        parser.add_argument("--user", help="act as this user (email); default: the system")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            from observatory.accounts.models import User

            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        with origin(Origin(via="cli")):
            try:
                if options["file_format"] == "annex":
                    draft = draft_from_annex(
                        path, dataflow=options["dataflow"], fixed=parse_fixed(options["fixed"])
                    )
                else:
                    draft = draft_dataflow(path, dataflow=options["dataflow"], name=options["name"])
                for line in draft.summary():
                    self.stdout.write(line)
                if options["out"]:
                    out: Path = options["out"]
                    part = out.with_name(out.name + ".part")
                    part.write_text(draft.yaml(), encoding="utf-8")
                    part.replace(out)
                    self.stdout.write(f"written to {out}")
                if options["dry_run"] or not draft.changes:
                    if options["dry_run"]:
                        self.stdout.write("dry run: nothing saved")
                    return
                report = services.definitions_save(
                    draft.document(), source=f"defined from {path.name}", actor=actor
                )
            except ObservatoryError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Definitions: {report}"))

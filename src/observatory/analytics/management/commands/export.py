from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import User
from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError
from observatory.seizures import selectors
from observatory.seizures.exports import FORMATS, export_seizures
from observatory.seizures.filtersets import SeizureFilterSet
from observatory.statistics.exports.observations import FORMATS as OBSERVATION_FORMATS
from observatory.statistics.exports.observations import (
    STRUCTURE_FORMATS,
    export_observations,
    export_structure,
)
from observatory.statistics.exports.stream import Tally
from observatory.statistics.selectors import dataflow_get


class Command(BaseCommand):
    help = (
        "Export a dataset to a file, e.g. 'observatory export seizures --format parquet "
        "--out seizures.parquet --area COL --year 2024' or 'observatory export observations "
        "--dataflow DF_CTS_VIOLENT_SEXUAL --format unodc-portal --out cts.csv'. Observations "
        "as unodc-portal (the portal's long format), csv, xlsx, parquet (one row per "
        "observation, codes and names), csv-wide (a row per series, a column per period), "
        "sdmx-csv (SDMX-CSV 2.0), sdmx-ml (SDMX-ML 2.1 "
        "structure-specific) or datapackage (a Frictionless data package: a folder, or a "
        ".zip). 'observatory export structure --dataflow ID --out structure.xml' writes the "
        "SDMX-ML 2.1 structure message (dataflow, data structure, codelists); with "
        "--format xsd, the schema of its SDMX-ML data messages. Without --user only "
        "published rows are exported (what the public sees, small counts suppressed by the "
        "structure's rule); with --user, what that user may see (audited when it holds "
        "unpublished rows)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", choices=["seizures", "observations", "structure"])
        parser.add_argument(
            "--format",
            choices=sorted({*FORMATS, *OBSERVATION_FORMATS, *STRUCTURE_FORMATS}),
            help="required for seizures and observations; structure: sdmx-ml (default) or xsd",
        )
        parser.add_argument("--dataflow", help="observations: the dataflow id")
        parser.add_argument(
            "--encoding", default="utf-8", help="observations: text encoding (utf-8, cp1252)"
        )
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
        actor: ActorLike = access.ANONYMOUS
        if options["user"]:
            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        if options["dataset"] == "structure":
            self._structure(options)
            return
        if not options["format"]:
            raise CommandError("name the format: --format FORMAT")
        if options["dataset"] == "observations":
            self._observations(actor, options)
            return
        if options["format"] not in FORMATS:
            raise CommandError(f"seizures export as {', '.join(FORMATS)}")
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

    def _observations(self, actor: ActorLike, options: dict[str, Any]) -> None:
        if not options["dataflow"]:
            raise CommandError("name the dataflow: --dataflow ID")
        if options["format"] not in OBSERVATION_FORMATS:
            raise CommandError(f"observations export as {', '.join(OBSERVATION_FORMATS)}")
        tally = Tally()
        try:
            flow = dataflow_get(options["dataflow"])
            with origin(Origin(via="cli")):
                count = export_observations(
                    options["out"],
                    actor=actor,
                    dataflow=flow,
                    fmt=options["format"],
                    encoding=options["encoding"],
                    tally=tally,
                )
        except (ObservatoryError, LookupError, UnicodeEncodeError, OSError) as error:
            raise CommandError(str(error)) from error
        message = f"{count} observations written to {options['out']}"
        if tally.merged:
            message += (
                f" ({tally.merged} more were other copies of a cell the source published "
                "several times: SDMX holds each cell once, its values named in COMMENT "
                "where they differ)"
            )
        if tally.left_out:
            message += (
                f" ({tally.left_out} more were imported in another format and have no table "
                "layout: export them as csv or xlsx)"
            )
        self.stdout.write(self.style.SUCCESS(message))

    def _structure(self, options: dict[str, Any]) -> None:
        if not options["dataflow"]:
            raise CommandError("name the dataflow: --dataflow ID")
        fmt = options["format"] or "sdmx-ml"
        if fmt not in STRUCTURE_FORMATS:
            raise CommandError(f"structures export as {', '.join(STRUCTURE_FORMATS)}")
        try:
            flow = dataflow_get(options["dataflow"])
            count = export_structure(options["out"], dataflow=flow, fmt=fmt)
        except (ObservatoryError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{flow.urn_id}: structure ({count} codelists) written to {options['out']}"
            )
        )

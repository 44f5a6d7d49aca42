from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from observatory.accounts.services import organisation_get
from observatory.core.context import Origin, origin
from observatory.core.errors import ObservatoryError
from observatory.intake import services
from observatory.intake.mapping import parse_fixed, parse_mapping_options
from observatory.intake.models import ImportJob
from observatory.intake.registry import check_label, handler_for, takes_actions
from observatory.intake.report import report_text, write_report

EXIT_INVALID = 2


class Command(BaseCommand):
    help = (
        "Import a file (CSV, XLSX, XLS, ODS or JSON) into a dataset, e.g. "
        "'observatory import seizures FILE --org COL-POLICE'. Exit status: 0 imported (or "
        "checked, with --dry-run), 2 validation errors stopped it and nothing was written, "
        "1 any other failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", help="dataset code, e.g. seizures or observations")
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="organisation code, e.g. COL-POLICE")
        parser.add_argument("--label", default="", help="submission label (default: file name)")
        parser.add_argument(
            "--format",
            dest="file_format",
            default="",
            help="for datasets with several file layouts, e.g. 'observations --format "
            "unodc-portal': imports into the dataset <dataset>-<format>",
        )
        parser.add_argument(
            "--dataflow", default="", help="the dataflow observations belong to (their label)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SOURCE=FIELD",
            help="map a column of the file to a field (repeatable)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report only; write nothing"
        )
        parser.add_argument(
            "--accept-valid",
            action="store_true",
            help="import the valid rows and quarantine the others",
        )
        parser.add_argument(
            "--month-first",
            action="store_true",
            help="read ambiguous dates such as 03/04/2024 as month/day",
        )
        parser.add_argument(
            "--decimal-mark",
            choices=[".", ","],
            help="the decimal mark of the file's numbers, where the file itself cannot "
            "say (a column of values such as 1,757 alone); default: decided from each column",
        )
        parser.add_argument(
            "--map-value",
            action="append",
            default=[],
            metavar="TEXT=CODE",
            help="read TEXT as the reference code CODE (a drug, area or unit that only "
            "resembles a known name is not taken without it); repeat for each text; "
            "remembered for the organisation once imported",
        )
        parser.add_argument(
            "--accept-suggestions",
            action="store_true",
            help="read every text that only resembles a known name as its closest "
            "suggestion (the report lists each as a warning)",
        )
        parser.add_argument(
            "--action",
            choices=["merge", "replace", "delete"],
            help="into an existing dataset: merge (default: the file's cells added or "
            "changed, the others kept), replace (the file's cells only) or delete (the "
            "file's cells removed); the dry run says what it does",
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="confirm an import that removes observations (replace, delete)",
        )
        parser.add_argument(
            "--set",
            dest="fixed",
            action="append",
            default=[],
            metavar="DIMENSION=CODE",
            help="for tables of any layout (--format annex): the code of a dimension the "
            "file does not state, for the whole file (e.g. --set CURRENCY=USD); repeatable",
        )
        parser.add_argument("--report", type=Path, help="write every problem to .csv/.xlsx/.json")
        parser.add_argument("--user", help="act as this user (email); default: the system")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if options["file_format"]:
            options["dataset"] = f"{options['dataset']}-{options['file_format']}"
        if options["dataflow"]:
            options["label"] = f"{options['dataflow']} {options['label']}".strip()
        try:
            handler = handler_for(options["dataset"])
            if (options["action"] or options["confirm"]) and not takes_actions(options["dataset"]):
                raise ValueError(
                    f"{options['dataset']} imports make a new version of the whole "
                    "submission: --action and --confirm do not apply"
                )
            mapping = parse_mapping_options(options["map"], handler.schema)
            fixed = parse_fixed(options["fixed"])
            if fixed and not getattr(handler, "takes_fixed", False):
                raise ValueError(f"{options['dataset']} imports take no --set")
            values = _value_options(options["map_value"])
            organisation = organisation_get(options["org"])
        except (ObservatoryError, ValueError) as error:
            raise CommandError(str(error)) from error
        actor = None
        if options["user"]:
            from observatory.accounts.models import User

            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        with origin(Origin(via="cli")):
            try:
                check_label(options["dataset"], options["label"])
                with path.open("rb") as stream:
                    upload, created = services.upload_store(
                        stream=stream,
                        filename=path.name,
                        organisation=organisation,
                        dataset=options["dataset"],
                        actor=actor,
                    )
                if not created:
                    self.stderr.write(
                        f"This file (sha256 {upload.sha256[:12]}) was uploaded "
                        "before; the original is kept once."
                    )
                job = services.job_create(
                    upload=upload,
                    label=options["label"],
                    mapping=mapping,
                    actor=actor,
                    options={
                        **({"day_first": False} if options["month_first"] else {}),
                        **(
                            {"decimal_mark": options["decimal_mark"]}
                            if options["decimal_mark"]
                            else {}
                        ),
                        **({"action": options["action"]} if options["action"] else {}),
                        **({"values": {"*": values}} if values else {}),
                        **({"accept_suggestions": True} if options["accept_suggestions"] else {}),
                        **({"fixed": fixed} if fixed else {}),
                    },
                )
                self._progress(10, "read")
                job = services.job_validate(job=job)
                if job.status == ImportJob.Status.FAILED:
                    raise CommandError(job.message)
                self._progress(100, "checked")
                self.stdout.write(report_text(job))
                if options["report"]:
                    write_report(job, options["report"])
                    self.stdout.write(f"Report written to {options['report']}")
                if options["dry_run"]:
                    self.stdout.write(
                        self.style.SUCCESS(
                            "Dry run: nothing was written to a submission or published. Kept "
                            f"for {settings.OBSERVATORY_UNCOMMITTED_DAYS} days, then removed "
                            f"unless committed: the upload and this check (import #{job.pk})."
                        )
                    )
                    if job.errors and not options["accept_valid"]:
                        raise SystemExit(EXIT_INVALID)
                    return
                job = services.job_commit(
                    job=job,
                    accept_valid=options["accept_valid"],
                    actor=actor,
                    confirmed=options["confirm"],
                )
            except ObservatoryError as error:
                raise CommandError(str(error)) from error
        if job.status == ImportJob.Status.BLOCKED:
            self.stderr.write(
                "Validation errors stopped the import: nothing was written. Fix "
                "the rows above, or use --accept-valid to quarantine them."
            )
            raise SystemExit(EXIT_INVALID)
        if job.status == ImportJob.Status.DUPLICATE:
            self.stdout.write(self.style.WARNING(f"{job.message}: nothing changed."))
            return
        if job.status != ImportJob.Status.COMMITTED:
            raise CommandError(job.message or f"the import ended as {job.status}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {job.rows_valid} rows as {job.version} (import #{job.pk})."
            )
        )

    def _progress(self, percent: int, what: str) -> None:
        if self.stdout.isatty():
            self.stdout.write(f"[{percent:3d}%] {what}")


def _value_options(pairs: list[str]) -> dict[str, str]:
    """--map-value TEXT=CODE options as {TEXT: CODE} (the last = splits)."""
    values: dict[str, str] = {}
    for pair in pairs:
        text, sep, code = pair.rpartition("=")
        if not sep or not text.strip() or not code.strip():
            raise ValueError(f"--map-value takes TEXT=CODE, not {pair!r}")
        values[text.strip()] = code.strip()
    return values

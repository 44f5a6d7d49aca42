"""The intake handler of questionnaire workbooks: the engine reads the cell map,
`check` reads the workbook itself and runs the rules, `commit` saves through
`services.questionnaire_save` as the browser does."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.intake.models import ImportJob, Upload
from observatory.intake.reading import ROW_NUMBER
from observatory.intake.validation import ISSUE_SCHEMA, WARNING, ValidationResult
from observatory.statistics import selectors
from observatory.statistics.formats.workbook.layout import (
    TEMPLATE,
    TemplateRefused,
    entry_of,
    fingerprint,
    shown,
)
from observatory.statistics.formats.workbook.reader import (
    Located,
    Place,
    Problem,
    Template,
    open_template,
    read_places,
)
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires import checks, rules
from observatory.statistics.questionnaires.sections import (
    Cell,
    Cells,
    sections_of,
)
from observatory.statistics.services import (
    SUBMISSION_DATASET,
    questionnaire_label,
    questionnaire_save,
)
from observatory.submissions import registry as submission_registry
from observatory.submissions.models import Version

# --------------------------------------------------------------------------
# The intake handler


@contextmanager
def _upload_path(upload: Upload) -> Iterator[Path]:
    try:
        path = Path(upload.file.path)
    except NotImplementedError:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=Path(upload.filename).suffix) as copy:
            with upload.file.open("rb") as source:
                while chunk := source.read(1024 * 1024):
                    copy.write(chunk)
            copy.flush()
            yield Path(copy.name)
        return
    yield path


def template_questionnaire(template: Template) -> Questionnaire:
    found = (
        Questionnaire.objects.filter(
            code=template.meta.get("questionnaire", ""),
            version=template.meta.get("questionnaire version", ""),
        )
        .select_related("dataflow__structure")
        .first()
    )
    if found is None:
        raise TemplateRefused(
            f"the questionnaire of this template ({template.meta.get('questionnaire')} version "
            f"{template.meta.get('questionnaire version')}) is not known here: download a new "
            "template"
        )
    return found


def _check_destination(template: Template, organisation: Organisation) -> None:
    if organisation.area_id != template.meta.get("area") or organisation.code != template.meta.get(
        "organisation"
    ):
        raise TemplateRefused(
            f"this template is {template.describe()}; it was uploaded for {organisation.code} "
            f"({organisation.area_id or 'no country'}): upload it for "
            f"{template.meta.get('organisation')}, or download the template of {organisation.code}"
        )


def _check_open(organisation: Organisation, label: str) -> None:
    """The import would make a new draft; refused while a version is with the
    office, as the browser and submissions.services.version_create refuse it."""
    busy = [Version.Status.SUBMITTED]
    if submission_registry.publishes(SUBMISSION_DATASET):
        busy.append(Version.Status.ACCEPTED)
    waiting = (
        Version.objects.filter(
            submission__organisation=organisation,
            submission__dataset=SUBMISSION_DATASET,
            submission__label=label,
            status__in=busy,
        )
        .order_by("-number")
        .first()
    )
    if waiting is not None:
        raise TemplateRefused(
            f"version {waiting.number} of “{label}” is with the office "
            f"({waiting.get_status_display()}): nothing can be imported into it until it is "
            "returned"
        )


def _issues(problems: Iterable[Problem]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "row": p.place.line,
                "column": p.ref,
                "field": p.field,
                "value": p.value,
                "severity": p.severity,
                "code": p.code,
                "message": p.message,
                "expected": p.expected,
                "suggestion": "",
            }
            for p in problems
        ],
        schema=ISSUE_SCHEMA,
    )


def _changed_since(located: Located, stored: dict[str, Observation]) -> list[Problem]:
    """Cells changed in the Observatory since the template was made, that the
    file would overwrite with something else (a new row's country had nothing
    when the template was made)."""
    found = []
    for key, (place, mine) in located.items():
        now = entry_of(stored.get(key))
        was = place.was if place.key == key else ""
        if fingerprint(now) == was or fingerprint(mine) == fingerprint(now):
            continue
        found.append(
            Problem(
                place,
                place.value,
                "value",
                shown(mine),
                WARNING,
                "changed_since",
                f"changed in the Observatory since this template was made (now {shown(now)}); "
                f"the file's {shown(mine)} replaces it",
            )
        )
    return found


def _matching_keys(
    text: str, dims: dict[str, dict[str, str]], defaults: dict[str, str]
) -> list[str]:
    named = dict(part.split("=", 1) for part in text.split(", ") if "=" in part)
    exact = [
        key
        for key, cell in dims.items()
        if all(cell.get(d) == named.get(d, defaults.get(d, rules.TOTAL)) for d in cell)
    ]
    if exact:
        return exact
    loose = [key for key, cell in dims.items() if all(cell.get(d) == c for d, c in named.items())]
    return loose if len(loose) == 1 else []


def _rule_problems(
    template: Template,
    questionnaire: Questionnaire,
    located: Located,
    *,
    area: str,
    actor: ActorLike,
) -> list[Problem]:
    """The questionnaire's rules over what the file would save, with the area's
    other years as history, as checks.check_version runs them on a saved draft."""
    flow = questionnaire.dataflow
    structure = selectors.Structure(flow.structure)
    dimensions = structure.dimensions
    every = Cells(sections_of(questionnaire.definition, flow))
    cells: dict[str, Cell] = {key: cell for key in located if (cell := every.get(key)) is not None}
    period = str(template.year)
    schema: dict[str, Any] = {
        "area": pl.String,
        "period": pl.String,
        **dict.fromkeys(dimensions, pl.String),
        "value": pl.Float64,
        "status": pl.String,
    }
    current = pl.DataFrame(
        [
            {
                "area": area,
                "period": period,
                **{d: cells[key].dims.get(d, "") for d in dimensions},
                "value": float(entry.value) if entry.value is not None else None,
                "status": "C" if entry.confidential else (entry.status or "A"),
            }
            for key, (_place, entry) in located.items()
            if not entry.empty and key in cells
        ],
        schema=schema,
    )
    found = checks.evaluate(current, questionnaire, actor=actor)
    if found is None:
        return []
    defaults = {str(k): str(v) for k, v in (questionnaire.definition.get("defaults") or {}).items()}
    names = structure.names
    dims = {key: cell.dims for key, cell in cells.items()}
    problems = []
    for violation in found.to_dicts():
        matched: list[Place] = []
        for text in violation.get("cells") or []:
            matched += [
                place
                for key in _matching_keys(text, dims, defaults)
                if (place := located[key][0]) not in matched
            ]
        anchor = matched[0] if matched else template.places[0]
        problems.append(
            Problem(
                anchor,
                ", ".join(p.value for p in matched[:6]) or "rules",
                "rule",
                "",
                WARNING,
                "rule",
                f"rule {violation['rule']} ({violation['importance']}): "
                f"{checks.readable(violation['message'], names)}",
            )
        )
    return problems


class TemplateHandler:
    """Imports a questionnaire filled in offline (the workbook of `build_template`)."""

    schema = TEMPLATE
    # The file says what it is: its columns (the cell map) need no mapping by hand.
    fixed_layout = True

    def screen_upload(self, path: Path, filename: str) -> None:
        """A file that is not an unchanged template is refused before it is kept."""
        open_template(path, filename)

    def _read(self, job: ImportJob) -> tuple[Template, Questionnaire]:
        with _upload_path(job.upload) as path:
            template = open_template(path, job.upload.filename)
        questionnaire = template_questionnaire(template)
        _check_destination(template, job.organisation)
        _check_open(job.organisation, questionnaire_label(questionnaire, template.year))
        return template, questionnaire

    def _located(
        self, template: Template, questionnaire: Questionnaire
    ) -> tuple[Located, list[Problem]]:
        return read_places(template, sections_of(questionnaire.definition, questionnaire.dataflow))

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        template, questionnaire = self._read(job)
        located, problems = self._located(template, questionnaire)
        actor = job.created_by
        label = questionnaire_label(questionnaire, template.year)
        version = selectors.questionnaire_version(
            actor=actor, organisation=job.organisation, label=label
        )
        stored = selectors.cell_values(version, questionnaire.dataflow, str(template.year))
        problems += _changed_since(located, stored)
        problems += _rule_problems(
            template, questionnaire, located, area=job.organisation.area_id or "", actor=actor
        )
        return _issues(problems)

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Version:
        """The cells of the cell-map lines that passed (all of them, or the valid
        ones when the respondent accepts those only)."""
        template, questionnaire = self._read(job)
        located, _problems = self._located(template, questionnaire)
        lines = set(rows[ROW_NUMBER].to_list())
        return questionnaire_save(
            questionnaire=questionnaire,
            organisation=job.organisation,
            year=template.year,
            entries={key: entry for key, (place, entry) in located.items() if place.line in lines},
            actor=actor,
        )

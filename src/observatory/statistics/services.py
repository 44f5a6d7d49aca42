"""Writes of the cube: observations into a submission version."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.audit import acting_user, audit_record
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.statistics.cube.loader import LoadReport, load_document
from observatory.statistics.cube.values import exact_text
from observatory.statistics.models import Dataflow, Observation, Questionnaire
from observatory.statistics.questionnaires.sections import Cells, sections_of
from observatory.submissions.models import Version
from observatory.submissions.services import version_draft

SUBMISSION_DATASET = "observations"

BATCH = 5000


def observations_write(
    rows: pl.DataFrame, *, version: Version, dataflow: Dataflow, dimensions: list[str]
) -> int:
    """Insert rows (columns: area, time_period, the dimensions, value as text or
    null, censored, source, source_row; optional obs_status, conf_status, comment)
    into `version`, in the caller's transaction. A row without a number and not
    censored is "not available" (status L) unless it says otherwise."""
    present = set(rows.columns)
    frame = rows.with_columns(
        pl.concat_str([pl.col(d).fill_null("") for d in dimensions], separator=".").alias("_key"),
        (pl.col("obs_status") if "obs_status" in present else pl.lit(None, dtype=pl.String)).alias(
            "_status"
        ),
    )
    objects = []
    for row in frame.iter_rows(named=True):
        value = row["value"]
        status = row["_status"] or ("A" if value is not None or row["censored"] else "L")
        written = (
            {k: v for k, v in row["written"].items() if v is not None} or None
            if row.get("written")
            else None
        )
        exact = exact_text(value)
        if exact is not None:  # digits the column cannot hold: every export writes these
            written = {**(written or {}), "exact": exact}
        objects.append(
            Observation(
                version=version,
                dataflow=dataflow,
                organisation_id=version.organisation_id,
                area_id=row["area"],
                time_period=row["time_period"],
                key=row["_key"],
                dims={d: row[d] for d in dimensions},
                value=Decimal(value) if value is not None else None,
                censored=row["censored"] or "",
                obs_status=status,
                conf_status=row.get("conf_status") or "F",
                source=(row.get("source") or "")[:200],
                comment=row.get("comment") or "",
                source_row=row["source_row"] or 0,
                written=written,
            )
        )
    Observation.objects.bulk_create(objects, batch_size=BATCH)
    return len(objects)


def observations_carry(
    base: Version, *, version: Version, pks: list[int], dataflow: Dataflow | None = None
) -> int:
    """Copy the observations `pks` of `base` into `version` as they are (an
    import that merges carries the cells it does not touch), in the caller's
    transaction."""
    copied = []
    for start in range(0, len(pks), BATCH):
        for observation in Observation.objects.filter(
            version=base, pk__in=pks[start : start + BATCH]
        ):
            observation.pk = None
            observation.version = version
            if dataflow is not None:  # a new version of the dataflow holds them now
                observation.dataflow = dataflow
            copied.append(observation)
        Observation.objects.bulk_create(copied, batch_size=BATCH)
        copied = []
    return len(pks)


# --------------------------------------------------------------------------
# Questionnaires entered in the browser


@dataclass(frozen=True)
class Entry:
    """What a respondent wrote in one cell: a number, or a reasoned absence
    (status L not available, M not applicable), with flags and a footnote."""

    value: Decimal | None = None
    status: str = ""  # "" reported (or empty), L, M, E, P, B
    confidential: bool = False
    comment: str = ""
    derived: bool = False  # computed by the system (e.g. from individual seizures)

    @property
    def empty(self) -> bool:
        return self.value is None and self.status not in {"L", "M"} and not self.comment


def questionnaire_label(questionnaire: Questionnaire, year: int) -> str:
    return f"{questionnaire.code} {year}"


def questionnaire_save(
    *,
    questionnaire: Questionnaire,
    organisation: Organisation,
    year: int,
    entries: dict[str, Entry],
    actor: ActorLike,
) -> Version:
    """Write the cells (series key -> entry) into the organisation's draft for the
    year: a cell left empty is removed, others replaced. Versions already with the
    office or accepted never change: a new draft carries their rows."""
    if not access.organisations_reporting_for(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(f"you do not report for {organisation.code}")
    if organisation.area_id is None:
        raise ValidationFailed("the office does not fill in country questionnaires")
    # The fixed cells, and those of the rows a respondent chose (open rows).
    every = Cells(sections_of(questionnaire.definition, questionnaire.dataflow))
    cells = {key: cell for key in entries if (cell := every.get(key)) is not None}
    unknown = sorted(set(entries) - set(cells))
    if unknown:
        raise ValidationFailed(f"not cells of {questionnaire.code}: {', '.join(unknown[:5])}")
    for key, entry in entries.items():
        if entry.value is not None and entry.value < 0:
            raise ValidationFailed(f"{key}: a count cannot be negative")
        if entry.value is not None and entry.status in {"L", "M"}:
            raise ValidationFailed(f"{key}: a number and “not available / not applicable” at once")
    period = str(year)
    with transaction.atomic():
        version = version_draft(
            organisation=organisation,
            dataset=SUBMISSION_DATASET,
            label=questionnaire_label(questionnaire, year),
            rows=Observation,
            actor=actor,
        )
        before = {
            o.key: o
            for o in Observation.objects.filter(
                version=version,
                dataflow=questionnaire.dataflow,
                time_period=period,
                key__in=sorted(entries),
            )
        }
        Observation.objects.filter(pk__in=[o.pk for o in before.values()]).delete()
        new = [
            Observation(
                version=version,
                dataflow=questionnaire.dataflow,
                organisation_id=organisation.pk,
                area_id=organisation.area_id,
                time_period=period,
                key=key,
                dims=cells[key].dims,
                value=entry.value,
                obs_status=entry.status or "A",
                conf_status="C" if entry.confidential else "F",
                comment=entry.comment[:2000],
                derived=entry.derived,
            )
            for key, entry in entries.items()
            if not entry.empty
        ]
        Observation.objects.bulk_create(new, batch_size=BATCH)
        version.row_count = Observation.objects.filter(version=version).count()
        version.save(update_fields=["row_count"])
        changed = sorted(
            key
            for key, entry in entries.items()
            if (key in before) != (not entry.empty)
            or (
                key in before
                and (before[key].value, before[key].obs_status)
                != (entry.value, entry.status or "A")
            )
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=version,
            organisation=organisation.code,
            changes={
                "questionnaire": questionnaire.code,
                "year": year,
                "cells": changed[:200],
                "cells_changed": len(changed),
            },
        )
    return version


def questionnaire_return(
    *, version: Version, comments: dict[str, str], general: str, actor: ActorLike
) -> Version:
    """The analyst returns a questionnaire with comments on cells (and in general)."""
    from observatory.submissions.models import ReviewComment
    from observatory.submissions.services import version_return

    cell_comments = {k: v.strip() for k, v in comments.items() if v.strip()}
    summary = general.strip() or "; ".join(f"{k}: {v}" for k, v in cell_comments.items())
    with transaction.atomic():
        version = version_return(version=version, actor=actor, comment=summary)
        ReviewComment.objects.bulk_create(
            ReviewComment(
                version=version,
                author=acting_user(actor),
                text=text,
                field=key,
                row_reference=key[:100],
            )
            for key, text in cell_comments.items()
        )
    return version


def cycle_create(
    *,
    questionnaire: Questionnaire,
    year: int,
    opens_on: Any,
    deadline: Any,
    note: str = "",
    actor: ActorLike,
) -> Any:
    from observatory.statistics.models import ReportingCycle

    if not access.can_review(actor):
        raise PermissionDenied("only the office opens reporting cycles")
    if deadline < opens_on:
        raise ValidationFailed("the deadline comes before the opening")
    if ReportingCycle.objects.filter(questionnaire=questionnaire, year=year).exists():
        raise ValidationFailed(f"{questionnaire.code} {year} already has a reporting cycle")
    with transaction.atomic():
        cycle = ReportingCycle.objects.create(
            questionnaire=questionnaire,
            year=year,
            opens_on=opens_on,
            deadline=deadline,
            note=note,
            created_by=acting_user(actor),
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=cycle,
            changes={"deadline": str(deadline), "opens_on": str(opens_on)},
        )
    return cycle


def on_version_status(version: Version) -> None:
    """Submissions listener: when a questionnaire is submitted, its rules run once
    more and what they find is written beside the version for the office; when
    data are published, the disclosure audit runs on what the public will see
    (statistics/audit.py) and a publication that would expose a count is refused."""
    if version.submission.dataset == SUBMISSION_DATASET and version.status == "published":
        _audit_publication(version)
        return
    if version.submission.dataset != SUBMISSION_DATASET or version.status != "submitted":
        return
    from observatory.statistics.questionnaires import checks
    from observatory.submissions.models import ReviewComment

    code = version.submission.label.split(" ")[0]
    questionnaire = Questionnaire.objects.filter(code=code).order_by("-version").first()
    if questionnaire is None:
        return
    found = checks.check_version(version, questionnaire, actor=access.ANONYMOUS)
    if found.is_empty():
        text = "Rules at submission: every rule holds."
    else:
        errors = found.filter(found["importance"] == "error")
        lines = [f"{r['rule']}: {r['message']}" for r in found.head(20).iter_rows(named=True)]
        text = (
            f"Rules at submission: {errors.height} error(s), {found.height - errors.height} "
            "warning(s).\n" + "\n".join(lines)
        )
    ReviewComment.objects.create(version=version, author=None, text=text)


def _audit_publication(version: Version) -> None:
    from observatory.statistics.audit import audit

    flows = Dataflow.objects.filter(
        pk__in=Observation.objects.filter(version=version).values("dataflow").distinct()
    ).select_related("structure")
    exposed = [found for flow in flows for found in audit(flow)]
    if exposed:
        listed = "; ".join(str(e) for e in exposed[:10])
        more = f" (and {len(exposed) - 10} more)" if len(exposed) > 10 else ""
        raise ValidationFailed(
            f"publishing would let the public work out {len(exposed)} withheld count(s): "
            f"{listed}{more}. Withhold another count of the same sums, or publish less."
        )


# --------------------------------------------------------------------------
# Definitions the office brings in (drafted from a file, or a definition file)


def definitions_save(document: Any, *, source: str, actor: ActorLike) -> LoadReport:
    """Load a definition document (formats/drafting.py writes them) as the
    packaged files are loaded: all of it or nothing, final artefacts never
    changed, every write audited. The office's analysts and administrators only."""
    if not access.can_define_dataflows(actor):
        raise PermissionDenied("only the office's analysts and administrators define dataflows")
    return load_document(document, source=source[:200], actor=actor)

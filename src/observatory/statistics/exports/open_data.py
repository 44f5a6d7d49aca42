"""Open data: every dataflow as files to download, in every export format
(exports/observations.py) and its SDMX structure.

The public's files are made once per state of what is published and kept in
OBSERVATORY_VAR_DIR/exports/public/, named after the dataflow, the format and
a fingerprint of that state (the published versions of statistics, the
digests of the dataflow, its structure, codelists and questionnaires, and
EXPORT_LAYOUT, raised when the export code changes what it writes). A
publication changes the fingerprint: the next download makes the new file and
removes the dataflow's older ones. So the thousandth download of a large
dataflow costs a file read. A file is
written under a temporary name and renamed when complete: a download never
sees half a file, and two first downloads at once each make one and keep the
last.

A user whose role shows more than the public (contributor, focal point, office
analyst: `access.sees_published_only`) gets a file made for them, with what
they may see and disclosure control for the areas they are not of; it is
removed once sent, and audited when it holds rows not published, as every
export is."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.statistics import selectors
from observatory.statistics.exports.observations import export_observations, export_structure
from observatory.statistics.formats.portal import PORTAL_DIMENSIONS
from observatory.statistics.formats.sdmx.cube import SDMX_CSV_MEDIA_TYPE
from observatory.statistics.models import Dataflow, Questionnaire
from observatory.submissions.models import Version

# Raise when an export format or disclosure control changes what is written.
EXPORT_LAYOUT = "2026-11-27.2"


@dataclass(frozen=True)
class Format:
    code: str
    extension: str
    media_type: str
    label: Any  # a lazy translation


FORMATS = {
    f.code: f
    for f in (
        Format("csv", "csv", "text/csv; charset=utf-8", _("CSV, one row per observation")),
        Format("csv-wide", "csv", "text/csv; charset=utf-8", _("CSV, one column per year")),
        Format(
            "xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _("Excel"),
        ),
        Format("parquet", "parquet", "application/vnd.apache.parquet", _("Parquet")),
        Format("sdmx-csv", "csv", SDMX_CSV_MEDIA_TYPE, _("SDMX-CSV 2.0")),
        Format(
            "sdmx-ml",
            "xml",
            "application/vnd.sdmx.structurespecificdata+xml; version=2.1",
            _("SDMX-ML 2.1 (structure-specific)"),
        ),
        Format("datapackage", "zip", "application/zip", _("Frictionless data package")),
        Format(
            "unodc-portal",
            "csv",
            "text/csv; charset=utf-8",
            _("data-portal long format"),
        ),
    )
}
STRUCTURE_FORMATS = {
    "sdmx-ml": Format(
        "sdmx-ml",
        "xml",
        "application/vnd.sdmx.structure+xml; version=2.1",
        _("SDMX-ML 2.1 structure"),
    ),
    "xsd": Format("xsd", "xsd", "application/xml", _("XML schema of the data messages")),
}


def formats_for(dataflow: Dataflow) -> list[Format]:
    """The formats `dataflow` is offered in: the data-portal long format only
    where its columns hold every dimension (elsewhere it would merge cells)."""
    dimensions = set(selectors.Structure(dataflow.structure).dimensions)
    portal = dimensions <= set(PORTAL_DIMENSIONS.values())
    return [f for f in FORMATS.values() if portal or f.code != "unodc-portal"]


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "exports" / "public"
    path.mkdir(parents=True, exist_ok=True)
    return path


def fingerprint(dataflow: Dataflow) -> str:
    """What the public's files of `dataflow` depend on, hashed."""
    structure = dataflow.structure
    parts = [
        EXPORT_LAYOUT,
        dataflow.urn_id,
        dataflow.content_sha256,
        structure.content_sha256,
        str(structure.suppress_below),
        *sorted(
            f"{c.codelist.urn_id}={c.codelist.content_sha256}"
            for c in structure.components.select_related("codelist")
            if c.codelist is not None
        ),
        # The questionnaires' rules say which sums are exact (disclosure control).
        *sorted(
            f"{q.urn_id}={q.content_sha256}"
            for q in Questionnaire.objects.filter(dataflow__code=dataflow.code)
        ),
        *(
            f"{pk}:{published}"
            for pk, published in Version.objects.filter(
                submission__dataset="observations", status__in=sorted(access.Status.PUBLIC)
            )
            .order_by("pk")
            .values_list("pk", "published_at")
        ),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def filename(dataflow: Dataflow, fmt: Format, *, structure: bool = False) -> str:
    kind = "structure" if structure else fmt.code
    return f"{dataflow.code}-{dataflow.version}-{kind}.{fmt.extension}"


def _format(dataflow: Dataflow, code: str) -> Format:
    offered = {f.code: f for f in formats_for(dataflow)}
    found = offered.get(code)
    if found is None:
        raise NotFound(f"no format {code!r} for {dataflow.code}; offered: {', '.join(offered)}")
    return found


@dataclass
class Download:
    """A file to send: `path`, its name and type; `temporary` if it is removed
    once sent."""

    path: Path
    filename: str
    media_type: str
    temporary: bool


def observations_file(*, actor: ActorLike, dataflow: Dataflow, code: str) -> Download:
    """The file of `dataflow`'s observations in format `code` for `actor`."""
    fmt = _format(dataflow, code)
    name = filename(dataflow, fmt)
    if access.sees_published_only(actor):
        prefix = f"{dataflow.code}-{dataflow.version}-{fmt.code}-"
        path = folder() / f"{prefix}{fingerprint(dataflow)}.{fmt.extension}"
        if not path.exists():
            _make(
                path,
                lambda part: export_observations(part, actor=None, dataflow=dataflow, fmt=fmt.code),
            )
            _remove_older(prefix, fmt, keep=path)
        return Download(path, name, fmt.media_type, temporary=False)
    handle, made = tempfile.mkstemp(prefix="observatory-export-", suffix=f".{fmt.extension}")
    os.close(handle)
    path = Path(made)
    try:
        export_observations(path, actor=actor, dataflow=dataflow, fmt=fmt.code)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Download(path, name, fmt.media_type, temporary=True)


def structure_file(*, dataflow: Dataflow, code: str) -> Download:
    fmt = STRUCTURE_FORMATS.get(code)
    if fmt is None:
        raise NotFound(f"no structure format {code!r}; known: {', '.join(STRUCTURE_FORMATS)}")
    prefix = f"{dataflow.code}-{dataflow.version}-structure-{fmt.code}-"
    path = folder() / f"{prefix}{fingerprint(dataflow)}.{fmt.extension}"
    if not path.exists():
        _make(path, lambda part: export_structure(part, dataflow=dataflow, fmt=fmt.code))
        _remove_older(prefix, fmt, keep=path)
    return Download(path, filename(dataflow, fmt, structure=True), fmt.media_type, False)


def _make(path: Path, write: Callable[[Path], Any]) -> None:
    """`write` to a temporary name beside `path` (same suffix: the data package
    is a zip only under a .zip name), then renamed: never half a file."""
    part = path.with_name(f".{os.getpid()}-{path.name}")
    try:
        write(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def _remove_older(prefix: str, fmt: Format, *, keep: Path) -> None:
    """The files of an earlier state (same prefix, another fingerprint)."""
    for old in folder().glob(f"{prefix}*.{fmt.extension}"):
        stamp = old.name[len(prefix) : -len(fmt.extension) - 1]
        if old != keep and len(stamp) == 16 and "-" not in stamp:
            old.unlink(missing_ok=True)

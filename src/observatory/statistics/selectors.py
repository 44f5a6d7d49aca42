"""Reads of the cube, always through the access policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.statistics.cube.loader import version_key
from observatory.statistics.cube.values import number_text
from observatory.statistics.disclosure import Disclosure
from observatory.statistics.filtersets import ObservationFilterSet
from observatory.statistics.models import Code, Component, Dataflow, DataStructure, Observation
from observatory.submissions.models import Version
from observatory.submissions.registry import VersionDiff


def dataflow_get(code: str, version: str | None = None) -> Dataflow:
    flows = Dataflow.objects.filter(code__iexact=code.strip()).select_related("structure")
    if version:
        flows = flows.filter(version=version)
    flow = max(flows, key=lambda f: version_key(f.version), default=None)
    if flow is None:
        known = ", ".join(sorted(set(Dataflow.objects.values_list("code", flat=True))))
        raise NotFound(f"no dataflow {code!r}; known: {known or 'none (load-definitions)'}")
    return flow


@dataclass
class Structure:
    """A data structure with its components and code lookups, read once."""

    structure: DataStructure

    @cached_property
    def components(self) -> list[Component]:
        return list(self.structure.components.select_related("codelist").order_by("position"))

    @cached_property
    def dimensions(self) -> list[str]:
        """Dimensions other than the area, in order: they make the series key."""
        return [
            c.code
            for c in self.components
            if c.role == Component.Role.DIMENSION and c.code != "REF_AREA"
        ]

    @cached_property
    def by_code(self) -> dict[str, Component]:
        return {c.code: c for c in self.components}

    @cached_property
    def time_dimension(self) -> str:
        return next(
            (c.code for c in self.components if c.role == Component.Role.TIME), "TIME_PERIOD"
        )

    def codes(self, dimension: str) -> dict[str, Code]:
        component = next((c for c in self.components if c.code == dimension), None)
        if component is None or component.codelist is None:
            return {}
        return {code.code: code for code in component.codelist.codes.all()}

    @cached_property
    def names(self) -> dict[str, dict[str, str]]:
        """dimension -> code -> name."""
        return {d: {c: code.name for c, code in self.codes(d).items()} for d in self.dimensions}


def latest_dataflows() -> list[Dataflow]:
    """Each dataflow in its latest version (1.10 after 1.9), by id."""
    latest: dict[str, Dataflow] = {}
    for flow in Dataflow.objects.select_related("structure").order_by("code"):
        if flow.code not in latest or version_key(flow.version) > version_key(
            latest[flow.code].version
        ):
            latest[flow.code] = flow
    return list(latest.values())


def flow_versions(dataflow: Dataflow) -> list[int]:
    """The ids of every version of `dataflow`: observations stored under an
    earlier version are the dataflow's too (a new version only adds codes)."""
    return sorted(
        Dataflow.objects.filter(agency=dataflow.agency, code=dataflow.code).values_list(
            "pk", flat=True
        )
    )


def flow_observations(dataflow: Dataflow) -> QuerySet[Observation]:
    return Observation.objects.filter(dataflow_id__in=flow_versions(dataflow))


def observation_list(*, actor: ActorLike, dataflow: Dataflow) -> QuerySet[Observation]:
    """Observations the actor may see: published ones for everybody, more by role."""
    return access.country_data_for(
        actor,
        flow_observations(dataflow),
        organisation_field="organisation",
        area_field="area",
        status_field="version__status",
    )


def current_observations(*, actor: ActorLike, dataflow: Dataflow) -> QuerySet[Observation]:
    """Each submission through its latest version the actor may see.

    The office's compilations (a portal file, an annex table: submissions
    without an area, each row carrying its country) give way to a country's
    own data: a cell (area, series, period) the country itself reported, in a
    version the actor may see, is the country's, never both."""
    visible = access.country_data_for(actor, Version.objects.all())
    latest = visible.filter(submission=OuterRef("version__submission")).order_by("-number")
    current = observation_list(actor=actor, dataflow=dataflow).filter(
        version=Subquery(latest.values("pk")[:1])
    )
    compiled = Q(version__submission__area__isnull=True)
    countries = current.filter(~compiled)
    if not (current.filter(compiled).exists() and countries.exists()):
        return current
    reported = countries.filter(
        area_id=OuterRef("area_id"), key=OuterRef("key"), time_period=OuterRef("time_period")
    )
    return current.exclude(compiled & Q(Exists(reported)))


def observation_get(*, actor: ActorLike, dataflow: Dataflow, pk: int) -> Observation:
    found = observation_list(actor=actor, dataflow=dataflow).filter(pk=pk).first()
    if found is None:
        raise NotFound("no such observation, or it is not visible to you")
    return found


def version_summary(version: Version) -> dict[str, Any]:
    rows = Observation.objects.filter(version=version)
    periods = sorted(set(rows.values_list("time_period", flat=True)))
    return {
        "observations": rows.count(),
        "areas": rows.values("area").distinct().count(),
        "periods": f"{periods[0]}–{periods[-1]}" if periods else "—",
        "dataflow": ", ".join(sorted(set(rows.values_list("dataflow__code", flat=True)))),
    }


def version_diff(old: Version, new: Version) -> VersionDiff:
    """Cells matched by area, series key and period; changed value, censoring or status."""

    def keyed(version: Version) -> dict[str, tuple[Any, ...]]:
        out: dict[str, tuple[Any, ...]] = {}
        for area, key, period, value, censored, status in Observation.objects.filter(
            version=version
        ).values_list("area_id", "key", "time_period", "value", "censored", "obs_status"):
            out[f"{area} {key} {period}"] = (value, censored, status)
        return out

    before, after = keyed(old), keyed(new)
    diff = VersionDiff(
        added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after))
    )
    for cell in sorted(set(before) & set(after)):
        if before[cell] != after[cell]:
            fields = [
                name
                for name, a, b in zip(
                    ("value", "censored", "status"), before[cell], after[cell], strict=True
                )
                if a != b
            ]
            diff.changed.append((cell, cell, fields))
    return diff


def questionnaire_get(code: str) -> Any:
    from observatory.statistics.models import Questionnaire

    found = (
        Questionnaire.objects.filter(code__iexact=code)
        .select_related("dataflow__structure")
        .order_by("-version")
        .first()
    )
    if found is None:
        raise NotFound(f"no questionnaire {code!r}")
    return found


def questionnaire_version(*, actor: ActorLike, organisation: Any, label: str) -> Version | None:
    """The latest version of the organisation's questionnaire the actor may see."""
    return (
        access.country_data_for(actor, Version.objects.all())
        .filter(
            submission__organisation=organisation,
            submission__dataset="observations",
            submission__label=label,
        )
        .order_by("-number")
        .first()
    )


def cell_values(version: Version | None, dataflow: Dataflow, period: str) -> dict[str, Observation]:
    if version is None:
        return {}
    return {
        o.key: o for o in flow_observations(dataflow).filter(version=version, time_period=period)
    }


def previous_values(
    *, actor: ActorLike, dataflow: Dataflow, area: str, period: str
) -> dict[str, Any]:
    """Last year's visible values of the area (for the entry grid)."""
    return {
        o.key: o
        for o in current_observations(actor=actor, dataflow=dataflow).filter(
            area_id=area, time_period=period
        )
    }


@dataclass(frozen=True)
class ShownObservation:
    """An observation as the actor gets it, disclosure control applied
    (disclosure.py): `value` is the published text ("<5", a number, or None)."""

    area: str
    time_period: str
    key: str
    dims: dict[str, str]
    value: str | None
    obs_status: str
    conf_status: str
    comment: str


class ShownObservations:
    """Observations selected for an actor, disclosure control applied to each
    row as it is read. Sliced and counted like a queryset (paginators do both),
    so only the rows of a page are read and controlled."""

    def __init__(self, rows: QuerySet[Observation], control: Disclosure) -> None:
        self.rows = rows
        self.control = control

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: slice) -> list[ShownObservation]:
        return [self._shown(row) for row in self.rows[index]]

    def _shown(self, row: Observation) -> ShownObservation:
        shown = self.control.shown(
            area=row.area_id,
            period=row.time_period,
            dims=row.dims,
            value=row.value,
            censored=row.censored,
            conf_status=row.conf_status,
        )
        value = shown.censored or (number_text(shown.value) if shown.value is not None else None)
        return ShownObservation(
            area=row.area_id,
            time_period=row.time_period,
            key=row.key,
            dims=row.dims,
            value=value,
            obs_status=row.obs_status,
            conf_status=shown.conf_status,
            comment=row.comment,
        )


def observations_shown(
    *, actor: ActorLike, dataflow: Dataflow, filters: Mapping[str, Any]
) -> ShownObservations:
    """The current observations of `dataflow` the actor may see, filtered
    (ObservationFilterSet: area, period, any dimension), in series order, with
    disclosure control as every channel applies it. The small cells are found
    among every observation the actor may see, not only those asked for: a
    count withheld so that another cannot be subtracted may be among them."""
    structure = Structure(dataflow.structure)
    visible = current_observations(actor=actor, dataflow=dataflow)
    rows = ObservationFilterSet(filters, visible, dimensions=structure.dimensions).qs
    control = Disclosure.of(actor, dataflow, structure.dimensions).with_small_cells(visible)
    return ShownObservations(rows.order_by("area_id", "key", "time_period"), control)

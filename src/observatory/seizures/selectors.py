"""Reads of seizures, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.seizures.models import Seizure
from observatory.submissions.models import Version
from observatory.submissions.registry import VersionDiff

COMPARED = [
    "seizure_date",
    "drug_id",
    "quantity",
    "unit_id",
    "place",
    "place_type",
    "origin_area",
    "departure_area",
    "transit_areas",
    "destination_area",
    "transport_mode",
    "concealment",
    "seizing_agency",
    "persons_arrested",
    "arrested_nationalities",
    "arrested_sex",
    "purity_percent",
    "notes",
]


def seizure_list(*, actor: ActorLike) -> QuerySet[Seizure]:
    """Seizures the actor may see: published ones for everybody, more by role."""
    return access.country_data_for(
        actor,
        Seizure.objects.all(),
        organisation_field="organisation",
        area_field="area",
        status_field="version__status",
    ).select_related("drug", "unit", "version", "area")


def current_seizures(*, actor: ActorLike) -> QuerySet[Seizure]:
    """Each submission's latest version that the actor may see, so a case shows
    once even while its correction is drafted or reviewed."""
    visible = access.country_data_for(actor, Version.objects.all())
    latest = visible.filter(submission=OuterRef("version__submission")).order_by("-number")
    return seizure_list(actor=actor).filter(version=Subquery(latest.values("pk")[:1]))


def own_years_first(rows: QuerySet[Seizure]) -> QuerySet[Seizure]:
    """`rows` without the office's compilations (submissions without an area:
    its historical records of many countries) for each country and year that
    the country's own submissions among `rows` cover: where both exist, the
    country's own seizures are the year's, never the two added up."""
    compiled = Q(version__submission__area__isnull=True)
    if not rows.filter(compiled).exists():
        return rows
    own: dict[str, list[int]] = {}
    for area, year in (
        rows.filter(~compiled)
        .annotate(year=ExtractYear("seizure_date"))
        .order_by()
        .values_list("area_id", "year")
        .distinct()
    ):
        own.setdefault(area, []).append(year)
    if not own:
        return rows
    covered = Q(pk__in=[])
    for area, years in own.items():
        covered |= Q(area_id=area, seizure_date__year__in=sorted(years))
    return rows.exclude(compiled & covered)


def seizure_get(*, actor: ActorLike, pk: int) -> Seizure:
    seizure = seizure_list(actor=actor).filter(pk=pk).first()
    if seizure is None:
        raise NotFound("no such seizure, or it is not visible to you")
    return seizure


def version_summary(version: Version) -> dict[str, Any]:
    stats = Seizure.objects.filter(version=version).aggregate(
        first=Min("seizure_date"),
        last=Max("seizure_date"),
        kilograms=Sum("kilograms"),
        drugs=Count("drug", distinct=True),
    )
    return {
        "first date": stats["first"],
        "last date": stats["last"],
        "kg-equivalent": round(stats["kilograms"] or 0, 1),
        "drugs": stats["drugs"],
    }


def version_diff(old: Version, new: Version) -> VersionDiff:
    """Rows matched by case reference (or, without one, by their source row)."""

    def keyed(version: Version) -> dict[str, dict[str, Any]]:
        rows = Seizure.objects.filter(version=version).values(
            "case_reference", "source_row", *COMPARED
        )
        return {r["case_reference"] or f"row {r['source_row']}": r for r in rows}

    before, after = keyed(old), keyed(new)
    diff = VersionDiff(
        added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after))
    )
    for key in sorted(set(before) & set(after)):
        fields = [f for f in COMPARED if before[key][f] != after[key][f]]
        if fields:
            diff.changed.append((key, key, fields))
    return diff

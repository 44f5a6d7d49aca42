"""Reads of smuggling data, always through the network access policy.

Each submission shows through one version: to its own state the latest version
(drafts included), to other members and the office the latest shared one
(submitted or accepted). What another state may see, and why it sees nothing,
is decided in accounts/access.py; this module only narrows further."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from observatory.accounts import access
from observatory.accounts.access import ActorLike, Status
from observatory.accounts.models import Network, NetworkAgency, NetworkContribution, NetworkMember
from observatory.core.errors import NotFound
from observatory.smuggling.models import Aggregate, Incident
from observatory.submissions.models import Version
from observatory.submissions.registry import VersionDiff

DATASETS = ("smuggling-incidents", "smuggling-aggregates")


def networks_for(*, actor: ActorLike) -> QuerySet[Network]:
    """Networks the actor takes part in (any membership status), or all for the office."""
    if access.can_manage_network(actor):
        return Network.objects.all()
    mine = access.own_areas(actor)
    return Network.objects.filter(members__area_id__in=sorted(mine)).distinct()


def network_get(*, actor: ActorLike, code: str) -> Network:
    network = networks_for(actor=actor).filter(code__iexact=code).first()
    if network is None:
        raise NotFound("no such network, or you are not part of it")
    return network


def _current(queryset: QuerySet[Any], *, actor: ActorLike, network: Network) -> QuerySet[Any]:
    versions = Version.objects.filter(submission=OuterRef("version__submission")).order_by(
        "-number"
    )
    latest = Subquery(versions.values("pk")[:1])
    latest_shared = Subquery(versions.filter(status__in=sorted(Status.SHARED)).values("pk")[:1])
    own = sorted(access.network_areas(actor, network))
    return queryset.filter(
        Q(area_id__in=own, version=latest) | (~Q(area_id__in=own) & Q(version=latest_shared))
    )


def incident_list(
    *,
    actor: ActorLike,
    network: Network,
    period: str = "",
    area: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Incident]:
    rows = access.network_rows_for(
        actor,
        network,
        Incident.objects.filter(network=network),
        status_field="version__status",
    )
    rows = _current(rows, actor=actor, network=network)
    if period:
        rows = rows.filter(period=period)
    if area:
        rows = rows.filter(area_id=area.upper())
    if start:
        rows = rows.filter(incident_date__gte=start)
    if end:
        rows = rows.filter(incident_date__lte=end)
    return rows.select_related("area", "version")


def incident_get(*, actor: ActorLike, network: Network, pk: int) -> Incident:
    incident = incident_list(actor=actor, network=network).filter(pk=pk).first()
    if incident is None:
        raise NotFound("no such incident, or it is not shared with you")
    return incident


def aggregate_list(*, actor: ActorLike, network: Network, period: str = "") -> QuerySet[Aggregate]:
    rows = access.network_rows_for(
        actor,
        network,
        Aggregate.objects.filter(network=network),
        status_field="version__status",
    )
    rows = _current(rows, actor=actor, network=network)
    if period:
        rows = rows.filter(period=period)
    return rows


def periods(*, actor: ActorLike, network: Network) -> list[str]:
    """Periods with data the actor may see, newest first."""
    return sorted(
        set(incident_list(actor=actor, network=network).values_list("period", flat=True))
        | set(aggregate_list(actor=actor, network=network).values_list("period", flat=True)),
        reverse=True,
    )


def members(network: Network) -> list[NetworkMember]:
    """Members with their agencies and the periods each shared (`shared_periods`)."""
    shared: dict[str, list[str]] = {}
    for area, period in NetworkContribution.objects.filter(network=network).values_list(
        "area_id", "period"
    ):
        shared.setdefault(area, []).append(period)
    rows = list(network.members.select_related("area").prefetch_related("agencies__organisation"))
    for member in rows:
        member.shared_periods = sorted(shared.get(member.area_id, []))  # type: ignore[attr-defined]
    return rows


def my_membership(*, actor: ActorLike, network: Network) -> NetworkMember | None:
    """The member the actor answers for as focal point (invitations, agencies)."""
    areas = access.own_areas(actor)
    for member in NetworkMember.objects.filter(network=network, area_id__in=sorted(areas)):
        if access.can_answer_invitation(actor, member):
            return member
    return None


def agency_get(*, pk: int) -> NetworkAgency:
    agency = (
        NetworkAgency.objects.select_related("member__network", "organisation")
        .filter(pk=pk)
        .first()
    )
    if agency is None:
        raise NotFound("no such agency")
    return agency


def version_summary(version: Version) -> dict[str, Any]:
    rows = Incident.objects.filter(version=version)
    return {
        "incidents": rows.count(),
        "migrants": sum(rows.values_list("migrants_total", flat=True)),
        "national only": rows.filter(national_only=True).count(),
    }


COMPARED = [
    "incident_date",
    "national_only",
    "detection",
    "departure_area",
    "transit_areas",
    "destination_area",
    "migrants_total",
    "deaths",
    "fee_amount",
    "fee_currency",
    "modus_operandi",
    "notes",
]


def version_diff(old: Version, new: Version) -> VersionDiff:
    def keyed(version: Version) -> dict[str, dict[str, Any]]:
        rows = Incident.objects.filter(version=version).values("reference", "source_row", *COMPARED)
        return {r["reference"] or f"row {r['source_row']}": r for r in rows}

    before, after = keyed(old), keyed(new)
    diff = VersionDiff(
        added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after))
    )
    for key in sorted(set(before) & set(after)):
        fields = [f for f in COMPARED if before[key][f] != after[key][f]]
        if fields:
            diff.changed.append((key, key, fields))
    return diff

"""One filter set for the seizure list page and the API list endpoint."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from observatory.seizures.models import Seizure


class SeizureFilterSet(django_filters.FilterSet):
    area = django_filters.CharFilter(method="filter_area", label=_("Country of seizure"))
    drug = django_filters.CharFilter(field_name="drug_id", label=_("Drug"))
    group = django_filters.CharFilter(field_name="drug__group__code", label=_("Drug group"))
    year = django_filters.NumberFilter(field_name="seizure_date__year", label=_("Year"))
    date_from = django_filters.DateFilter(
        field_name="seizure_date", lookup_expr="gte", label=_("From")
    )
    date_to = django_filters.DateFilter(field_name="seizure_date", lookup_expr="lte", label=_("To"))
    origin = django_filters.CharFilter(
        field_name="origin_area", lookup_expr="iexact", label=_("Origin")
    )
    destination = django_filters.CharFilter(
        field_name="destination_area", lookup_expr="iexact", label=_("Destination")
    )
    via = django_filters.CharFilter(method="filter_via", label=_("Route through"))
    status = django_filters.CharFilter(field_name="version__status", label=_("Status"))
    version = django_filters.NumberFilter(field_name="version_id", label=_("Version"))
    q = django_filters.CharFilter(method="filter_text", label=_("Case reference or place"))

    class Meta:
        model = Seizure
        fields: list[str] = []

    def filter_area(self, queryset: QuerySet[Seizure], name: str, value: Any) -> QuerySet[Seizure]:
        return queryset.filter(area_id=str(value).strip().upper()[:10])

    def filter_via(self, queryset: QuerySet[Seizure], name: str, value: Any) -> QuerySet[Seizure]:
        code = str(value).upper()[:10]
        return queryset.filter(
            Q(origin_area=code)
            | Q(departure_area=code)
            | Q(destination_area=code)
            | Q(transit_areas__icontains=f'"{code}"')
        )

    def filter_text(self, queryset: QuerySet[Seizure], name: str, value: Any) -> QuerySet[Seizure]:
        return queryset.filter(Q(case_reference__icontains=value) | Q(place__icontains=value))

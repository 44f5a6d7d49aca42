"""One filter set for observations: by area, period and any dimension of the
dataflow's structure (`?SEX=F`), for the API and whatever lists observations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
from django.db.models import QuerySet

from observatory.statistics.models import Observation


class ObservationFilterSet(django_filters.FilterSet):
    area = django_filters.CharFilter(method="filter_area", label="Area (ISO3)")
    period = django_filters.CharFilter(field_name="time_period", label="Period")

    class Meta:
        model = Observation
        fields: list[str] = []

    def __init__(self, *args: Any, dimensions: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension in dimensions:
            self.filters[dimension] = django_filters.CharFilter(
                field_name=f"dims__{dimension}", label=dimension
            )

    def filter_area(
        self, queryset: QuerySet[Observation], name: str, value: Any
    ) -> QuerySet[Observation]:
        return queryset.filter(area_id=str(value).upper())

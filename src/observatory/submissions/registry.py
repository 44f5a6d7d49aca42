"""Datasets tell the generic submission pages how to summarise and compare
their versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from observatory.submissions.models import Version


@dataclass
class VersionDiff:
    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    changed: list[tuple[Any, Any, list[str]]] = field(default_factory=list)  # old, new, fields

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class DatasetViews:
    summary: Callable[[Version], dict[str, Any]]
    diff: Callable[[Version, Version], VersionDiff]
    rows_url: Callable[[Version], str]
    # False for data that is shared, never made public (migrant smuggling): an
    # accepted version is final, a correction supersedes it when accepted.
    publishes: bool = True
    # True for datasets the office itself compiles from many countries (data
    # portal loads): versions without an area, rows carrying theirs.
    office_compiles: bool = False


def office_compiles(dataset: str) -> bool:
    views = datasets.get(dataset)
    return views.office_compiles if views else False


def publishes(dataset: str) -> bool:
    views = datasets.get(dataset)
    return views.publishes if views else True


datasets: dict[str, DatasetViews] = {}

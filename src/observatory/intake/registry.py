"""Datasets that accept imports register a handler here (from their AppConfig),
so the intake engine never imports the apps that use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound
from observatory.intake.schema import DatasetSchema

if TYPE_CHECKING:
    from observatory.intake.models import ImportJob
    from observatory.intake.validation import ValidationResult


class DatasetHandler(Protocol):
    schema: DatasetSchema

    def check(self, result: ValidationResult, job: ImportJob) -> pl.DataFrame:
        """Dataset rules beyond field types: returns more issues (vectorised)."""

    def commit(self, rows: pl.DataFrame, job: ImportJob, actor: ActorLike) -> Any:
        """Write valid rows as a new submission version; returns the version."""


@dataclass
class _Registry:
    handlers: dict[str, DatasetHandler]


_registry = _Registry(handlers={})


def register(handler: DatasetHandler) -> None:
    _registry.handlers[handler.schema.code] = handler


def handler_for(dataset: str) -> DatasetHandler:
    try:
        return _registry.handlers[dataset]
    except KeyError as error:
        raise NotFound(
            f"no dataset {dataset!r} accepts imports; known: "
            f"{', '.join(sorted(_registry.handlers))}"
        ) from error

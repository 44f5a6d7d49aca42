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


def office_compiles(dataset: str) -> bool:
    """Whether the office itself uploads files of `dataset` (its compilations of
    many countries: the data-portal format, SDMX), as the handler declares."""
    handler = _registry.handlers.get(dataset)
    return bool(getattr(handler, "office_compiles", False))


def check_label(dataset: str, label: str) -> None:
    """Refuse, before anything is stored, an import whose submission label the
    dataset cannot take (a data-portal file for a dataflow that does not exist):
    the handler's `check_label`, where it has one, raises ValidationFailed."""
    handler = _registry.handlers.get(dataset)
    check = getattr(handler, "check_label", None)
    if check is not None:
        check(label)


def takes_actions(dataset: str) -> bool:
    """Whether an import of `dataset` into existing data merges, replaces or
    deletes, as the user chooses (the handler's `takes_actions`)."""
    handler = _registry.handlers.get(dataset)
    return bool(getattr(handler, "takes_actions", False))


def takes_fixed(dataset: str) -> bool:
    """Whether a file of `dataset` may be given codes for the whole file of the
    dimensions it does not state (tables of any layout: `--set DIM=CODE`)."""
    handler = _registry.handlers.get(dataset)
    return bool(getattr(handler, "takes_fixed", False))


def uploadable() -> list[tuple[str, str]]:
    """(dataset, label) of every dataset that takes file uploads, seizures first."""
    return sorted(
        ((code, h.schema.label) for code, h in _registry.handlers.items()),
        key=lambda item: (item[0] != "seizures", item[1]),
    )

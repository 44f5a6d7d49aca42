"""What a dataset's rows look like, declared once: the intake engine maps,
normalises and validates any file against such a declaration."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    AREA = "area"  # one area code, normalised from any name
    AREA_LIST = "area_list"  # ordered area codes separated by ; , / or >
    DRUG = "drug"
    UNIT = "unit"
    CHOICE = "choice"  # one of `choices`, matched by code or synonym


@dataclass(frozen=True)
class Field:
    """One target field with the header texts that name it in real files."""

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> synonyms
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


@dataclass(frozen=True)
class DatasetSchema:
    """The fields of a dataset, in the order they are shown."""

    code: str
    label: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

"""Reconciliation of the ARQ seizure table with individual drug seizures: where a
country reports both, the discrepancy per drug and year; beside them the
national totals the office compiles (DF_DRUG_SEIZURES, the drug report's annex
tables) where it holds them; and the ARQ table pre-filled from published
individual seizures (marked as derived).

Quantities follow the ARQ's columns: mass in kilograms, liquids in litres (the
seizure's kilogram-equivalent, 1 l = 1 kg), counted items in units; cases are
seizure records."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.errors import NotFound
from observatory.seizures import selectors as seizure_selectors
from observatory.statistics import selectors, services
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires.sections import Cell, sections_of
from observatory.submissions.models import Version

QUESTIONNAIRE = "ARQ-SUPPLY"
SECTION = "seizures"
COLUMNS = {
    "mass": ("SEIZED_QTY", "KG"),
    "volume": ("SEIZED_QTY", "L"),
    "count": ("SEIZED_QTY", "U"),
}
COMPILED = "DF_DRUG_SEIZURES"
# The compiled totals' units, as the ARQ's columns (the same quantities, no conversion).
COMPILED_COLUMNS = {
    "KG": "KG",
    "L": "L",
    "UNITS": "U",
    "TABLETS": "U",
    "DOSES": "U",
    "BLOTTERS": "U",
}


def drug_code(reference_code: str) -> str:
    """The CL_DRUG code of a reference drug (`cocaine-hcl` -> `COCAINE_HCL`)."""
    return reference_code.upper().replace("-", "_")


@dataclass
class Line:
    drug: str
    drug_name: str
    column: str  # KG | L | U | COUNT (cases)
    arq: Decimal | None
    ids: Decimal | None
    compiled: Decimal | None = None  # the office's compiled national total

    @property
    def difference(self) -> Decimal | None:
        if self.arq is None or self.ids is None:
            return None
        return self.arq - self.ids

    @property
    def share(self) -> float | None:
        """The difference as a share of the ARQ figure."""
        if self.difference is None or not self.arq:
            return None
        return float(self.difference / self.arq)


def _cells(questionnaire: Questionnaire) -> dict[tuple[str, str], Cell]:
    section = next(
        s for s in sections_of(questionnaire.definition, questionnaire.dataflow) if s.id == SECTION
    )
    return {(c.dims["DRUG"], c.dims["UNIT_MEASURE"]): c for c in section.cells.values()}


def ids_totals(*, area: str, year: int) -> dict[tuple[str, str], Decimal]:
    """(drug, ARQ column) -> total from the published individual seizures (what
    everybody may see: never another agency's drafts), current versions only."""
    rows = (
        seizure_selectors.own_years_first(
            seizure_selectors.current_seizures(actor=access.ANONYMOUS).filter(
                area_id=area, seizure_date__year=year
            )
        )
        .values("drug_id", "unit__dimension")
        .annotate(kilograms=Sum("kilograms"), quantity=Sum("quantity"), cases=Count("id"))
    )
    totals: dict[tuple[str, str], Decimal] = {}
    for row in rows:
        drug = drug_code(row["drug_id"])
        dimension = row["unit__dimension"]
        if dimension in {"mass", "volume"}:
            unit = COLUMNS[dimension][1]
            totals[(drug, unit)] = totals.get((drug, unit), Decimal(0)) + (
                row["kilograms"] or Decimal(0)
            )
        elif dimension == "count":
            totals[(drug, "U")] = totals.get((drug, "U"), Decimal(0)) + row["quantity"]
        totals[(drug, "COUNT")] = totals.get((drug, "COUNT"), Decimal(0)) + row["cases"]
    return totals


def compiled_totals(*, actor: ActorLike, area: str, year: int) -> dict[tuple[str, str], Decimal]:
    """(drug, ARQ column) -> the office's compiled national total of the year
    (DF_DRUG_SEIZURES as the actor may see it), where the office holds one."""
    try:
        flow = selectors.dataflow_get(COMPILED)
    except NotFound:
        return {}
    totals: dict[tuple[str, str], Decimal] = {}
    rows = selectors.current_observations(actor=actor, dataflow=flow).filter(
        area_id=area, time_period=str(year), value__isnull=False
    )
    for dims, value in rows.values_list("dims", "value"):
        column = COMPILED_COLUMNS.get(dims.get("UNIT_MEASURE", ""))
        if column is not None and dims.get("DRUG") and value is not None:
            key = (dims["DRUG"], column)
            totals[key] = totals.get(key, Decimal(0)) + value
    return totals


def compare(*, actor: ActorLike, organisation: Organisation, year: int) -> list[Line]:
    """Every drug and column where the ARQ, the individual seizures or the
    office's compiled totals have a figure."""
    questionnaire = selectors.questionnaire_get(QUESTIONNAIRE)
    cells = _cells(questionnaire)
    label = services.questionnaire_label(questionnaire, year)
    version = selectors.questionnaire_version(actor=actor, organisation=organisation, label=label)
    reported = selectors.cell_values(version, questionnaire.dataflow, str(year))
    totals = ids_totals(area=organisation.area_id or "", year=year)
    compiled = compiled_totals(actor=actor, area=organisation.area_id or "", year=year)
    names = selectors.Structure(questionnaire.dataflow.structure).names["DRUG"]
    lines = []
    for (drug, unit), cell in cells.items():
        observation = reported.get(cell.key)
        arq = observation.value if observation is not None else None
        ids = totals.get((drug, unit))
        office = compiled.get((drug, unit))
        if arq is None and ids is None and office is None:
            continue
        lines.append(Line(drug, names.get(drug, drug), unit, arq, ids, office))
    return lines


def prefill(*, actor: ActorLike, organisation: Organisation, year: int) -> tuple[Version, int]:
    """Fill the empty cells of the ARQ seizure table from the published individual
    seizures, marked as derived; reported values are never overwritten."""
    questionnaire = selectors.questionnaire_get(QUESTIONNAIRE)
    cells = _cells(questionnaire)
    label = services.questionnaire_label(questionnaire, year)
    version = selectors.questionnaire_version(actor=actor, organisation=organisation, label=label)
    reported = selectors.cell_values(version, questionnaire.dataflow, str(year))
    totals = ids_totals(area=organisation.area_id or "", year=year)
    entries = {}
    for key, value in totals.items():
        cell = cells.get(key)
        if cell is None or cell.key in reported:
            continue
        cases = totals.get((key[0], "COUNT"), Decimal(0))
        entries[cell.key] = services.Entry(
            value=value.quantize(Decimal("0.001")) if key[1] != "COUNT" else value,
            derived=True,
            comment=f"derived from {cases} individual seizure records",
        )
    version = services.questionnaire_save(
        questionnaire=questionnaire,
        organisation=organisation,
        year=year,
        entries=entries,
        actor=actor,
    )
    return version, len(entries)


def derived_cells(version: Version) -> int:
    return Observation.objects.filter(version=version, derived=True).count()

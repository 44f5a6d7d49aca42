"""The explorer's form (a dataflow, a code per dimension, areas, years, measure)
and the selection it makes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.accounts import access
from observatory.reference.models import Region
from observatory.statistics import disclosure, selectors
from observatory.statistics.explorer import compute
from observatory.statistics.models import Code, Dataflow

CHART_AREAS = 12  # lines in the series chart; the table and the CSV hold every area
TABLE_ROWS = 300
TOLERANCE = 0.02  # computed and published rates further apart are flagged
CONFIDENTIAL = "confidential"
WITHHELD = "withheld"
SUPPRESSED = {disclosure.SMALL_COUNT, disclosure.SECONDARY}  # by the rule, not the country
TOTAL = "_T"
LEVELS = {  # the columns of _areas_regions()
    "region": gettext_lazy("M49 regions"),
    "subregion": gettext_lazy("M49 sub-regions"),
    "unodc": gettext_lazy("UNODC regions"),
}
MEASURES = [
    ("count", gettext_lazy("counts")),
    ("rate", gettext_lazy("rate per 100,000 population")),
]
AREA_SPLIT = re.compile(r"[\s,;]+")
# Countries published in parts that make the whole: the aggregates count them as
# the country (with its population) when every part reported. The reference
# data have no population for the parts. Central Iraq (IRQ_C) is not all of Iraq.
WHOLES = {"GBR": ("GBR_EW", "GBR_NI", "GBR_S")}


def _is_public(request: HttpRequest) -> bool:
    """Whether the visitor sees published data only (not logged in)."""
    return not access.actor_for(request.user).is_authenticated


def _latest_flows() -> list[Dataflow]:
    return selectors.latest_dataflows()


def _region_choices() -> list[tuple[str, str]]:
    choices = [("", _("no region"))]
    for region in Region.objects.filter(
        level__in=[Region.Level.REGION, Region.Level.SUBREGION]
    ).order_by("scheme", "code"):
        prefix = "— " if region.level == Region.Level.SUBREGION else ""
        if region.scheme == Region.Scheme.UNODC:
            prefix = "UNODC: "
        choices.append((f"{region.scheme}:{region.code}", f"{prefix}{region.name}"))
    return choices


def _render_select(
    widget: forms.Select, name: str, value: Any, attrs: dict[str, Any] | None
) -> SafeString:
    values = value if isinstance(value, list | tuple) else [value]
    chosen = {str(v) for v in values if v is not None}
    options = format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<option value="{}" selected>{}</option>'
                    if str(code) in chosen
                    else '<option value="{}">{}</option>',
                    code,
                    label,
                ),
            )
            for code, label in widget.choices
        ),
    )
    template = (
        '<select name="{}" multiple{}>{}</select>'
        if widget.allow_multiple_selected
        else '<select name="{}"{}>{}</select>'
    )
    return format_html(template, name, flatatt(widget.build_attrs(widget.attrs, attrs)), options)


class QuickSelect(forms.Select):
    """A select whose options are joined in Python: Django's widget renders a
    template per option, which made the 250 areas a third of the page's time.
    Same markup."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        return _render_select(self, name, value, attrs)


class QuickSelectMultiple(forms.SelectMultiple):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        return _render_select(self, name, value, attrs)


class ExplorerForm(forms.Form):
    """The explorer's parameters; the structure's dimensions are added as selects."""

    dataflow = forms.ChoiceField(label=gettext_lazy("Dataflow"), widget=QuickSelect)
    measure = forms.ChoiceField(
        label=gettext_lazy("Measure"), choices=MEASURES, required=False, widget=QuickSelect
    )
    area = forms.MultipleChoiceField(
        label=gettext_lazy("Areas"),
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 7}),
    )
    areas = forms.CharField(
        label=gettext_lazy("or area codes"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("ISO 3166 alpha-3, separated by commas: ALB, MKD"),
    )
    region = forms.ChoiceField(
        label=gettext_lazy("or a region"), required=False, widget=QuickSelect
    )
    year_from = forms.IntegerField(
        label=gettext_lazy("Years from"), required=False, min_value=1900, max_value=2100
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("to"), required=False, min_value=1900, max_value=2100
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Regional aggregates by"),
        choices=list(LEVELS.items()),
        required=False,
        widget=QuickSelect,
    )
    format = forms.ChoiceField(
        choices=[("", "page"), ("csv", "CSV")], required=False, widget=forms.HiddenInput
    )
    table = forms.ChoiceField(
        choices=[("", "series"), ("series", "series"), ("regional", "regional")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(
        self,
        data: Any,
        *,
        flows: list[Dataflow],
        dimensions: dict[str, tuple[str, list[tuple[str, str]]]],
        areas: list[tuple[str, str]],
    ) -> None:
        super().__init__(data)
        self.dimension_names = list(dimensions)
        cast(forms.ChoiceField, self.fields["dataflow"]).choices = [
            (f.code, f"{f.name} ({f.code})") for f in flows
        ]
        cast(forms.ChoiceField, self.fields["area"]).choices = areas
        cast(forms.ChoiceField, self.fields["region"]).choices = _region_choices()
        self.known_areas = {code for code, _name in areas}
        for name, (label, choices) in dimensions.items():
            self.fields[f"dim_{name}"] = forms.ChoiceField(
                label=label, choices=choices, widget=QuickSelect
            )

    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[f"dim_{name}"] for name in self.dimension_names]

    def clean_areas(self) -> list[str]:
        text = self.cleaned_data.get("areas") or ""
        codes = [c.upper() for c in AREA_SPLIT.split(text) if c]
        unknown = [c for c in codes if c not in self.known_areas]
        if unknown:
            raise forms.ValidationError(
                _("Unknown area code: %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The last year comes before the first."))
        return data


# Units whose values do not add up across areas (percentages, rates).
NOT_ADDITIVE = ("PERCENT", "PCT", "RATE", "SHARE")


def counts_and_rates(structure: selectors.Structure) -> bool:
    """Whether the dataflow holds counts (and rates per 100,000) told apart by
    UNIT_MEASURE: the explorer then computes rates. Other dataflows (seizures in
    kilograms, prices, prevalence) show their values as published."""
    return compute.UNIT in structure.dimensions and compute.COUNT in structure.codes(compute.UNIT)


@dataclass
class StructureCodes(selectors.Structure):
    """The structure with each dimension's codes read once per request."""

    read: dict[str, dict[str, Code]] = field(default_factory=dict)

    def codes(self, dimension: str) -> dict[str, Code]:
        if dimension not in self.read:
            self.read[dimension] = super().codes(dimension)
        return self.read[dimension]


@dataclass
class Selection:
    flow: Dataflow
    structure: selectors.Structure
    codes: dict[str, str]  # dimension -> code (the unit aside)
    measure: str = "count"
    areas: list[str] = field(default_factory=list)
    region: Region | None = None
    year_from: int | None = None
    year_to: int | None = None
    level: str = "region"

    @property
    def rated(self) -> bool:
        return counts_and_rates(self.structure)

    @property
    def additive(self) -> bool:
        """Whether the values of areas add up to a region's (counts, kilograms,
        hectares: yes; prices, prevalence, shares: no)."""
        if self.rated:
            return True
        unit = self.codes.get(compute.UNIT, "")
        return bool(unit) and not unit.startswith(NOT_ADDITIVE)

    @property
    def keys(self) -> dict[str, str]:
        """Series key -> unit: the counts and the published rates of the series;
        for a dataflow of other values (kilograms, prices, prevalence), the one
        series the codes name (its unit is a code like the others)."""
        if not self.rated:
            key = ".".join(self.codes.get(d, "") for d in self.structure.dimensions)
            return {key: compute.COUNT}
        out = {}
        for unit in (compute.COUNT, compute.RATE):
            parts = {**self.codes, compute.UNIT: unit}
            out[".".join(parts.get(d, "") for d in self.structure.dimensions)] = unit
        return out

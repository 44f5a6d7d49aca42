from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatory.accounts.models import Network, Organisation
from observatory.intake.forms import ACCEPT
from observatory.reference.models import Area
from observatory.smuggling import choices as c
from observatory.smuggling import privacy
from observatory.smuggling.handler import _COUNT_ITEM, usd_rates
from observatory.smuggling.schema import AGGREGATES, INCIDENTS


def _tag_field(label: Any, vocabulary: dict[str, Any]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=list(vocabulary.items()),
        widget=forms.CheckboxSelectMultiple,
    )


def _count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, required=False, initial=0)


class OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class IncidentForm(forms.Form):
    """One incident, non-nominal: counts and coded facts only."""

    organisation = OrganisationChoice(
        label=_("Reporting agency"), queryset=Organisation.objects.none()
    )
    reference = forms.CharField(label=_("Incident reference"), max_length=100, required=False)
    incident_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    national_only = forms.BooleanField(
        label=_("National only: never share this incident with other members"), required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    place_type = forms.ChoiceField(
        label=_("Type of place"), required=False, choices=[("", "—"), *c.PlaceType.choices]
    )
    detection = forms.ChoiceField(label=_("Detection"), choices=c.Detection.choices)
    departure_area = forms.ModelChoiceField(
        label=_("Departure country"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
    )
    transit = forms.CharField(
        label=_("Transit countries"),
        required=False,
        help_text=_("ISO codes in order, e.g. “IRN; TUR”"),
    )
    destination_area = forms.ModelChoiceField(
        label=_("Intended destination"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
    )
    transport_mode = forms.ChoiceField(
        label=_("Transport mode"), required=False, choices=[("", "—"), *c.TransportMode.choices]
    )
    vessel = forms.ChoiceField(
        label=_("Vessel or vehicle"), required=False, choices=[("", "—"), *c.Vessel.choices]
    )
    migrants_men = _count_field(_("Men"))
    migrants_women = _count_field(_("Women"))
    migrants_boys = _count_field(_("Boys"))
    migrants_girls = _count_field(_("Girls"))
    migrants_unknown = _count_field(_("Sex or age unknown"))
    migrant_citizenships = forms.CharField(
        label=_("Migrants by citizenship"), required=False, help_text=_("e.g. “AFG 12; SYR 5”")
    )
    deaths = _count_field(_("Deaths"))
    injuries = _count_field(_("Injuries"))
    smugglers_apprehended = _count_field(_("Smugglers apprehended"))
    smuggler_citizenships = forms.CharField(
        label=_("Smugglers by citizenship"), required=False, help_text=_("e.g. “TUR 2”")
    )
    smuggler_roles = _tag_field(_("Smugglers' roles"), c.SMUGGLER_ROLES)
    fee_amount = forms.DecimalField(
        label=_("Fee paid"), min_value=0, required=False, max_digits=14, decimal_places=2
    )
    fee_currency = forms.ChoiceField(label=_("Currency"), required=False)
    fee_basis = forms.ChoiceField(
        label=_("Fee basis"), required=False, choices=[("", "—"), *c.FeeBasis.choices]
    )
    fee_covers = _tag_field(_("What the fee covered"), c.FEE_COVERS)
    modus_operandi = _tag_field(_("Modus operandi"), c.MODUS_OPERANDI)
    document_type = forms.ChoiceField(
        label=_("Fraudulent document"), required=False, choices=[("", "—"), *c.DocumentType.choices]
    )
    document_issuer = forms.ModelChoiceField(
        label=_("Document issued by"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="code",
    )
    document_fraud = forms.ChoiceField(
        label=_("Kind of document fraud"),
        required=False,
        choices=[("", "—"), *c.DocumentFraud.choices],
    )
    related_conduct = _tag_field(_("Related conduct"), c.RELATED_CONDUCT)
    notes = forms.CharField(
        label=_("Notes (no names or identifiers)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        countries = Area.objects.filter(kind="country").order_by("code")
        for name in ("departure_area", "destination_area", "document_issuer"):
            self.fields[name].queryset = countries  # type: ignore[attr-defined]
        currencies = sorted({code for code, _year in usd_rates()})
        self.fields["fee_currency"].choices = [("", "—")] + [(x, x) for x in currencies]  # type: ignore[attr-defined]

    def clean_incident_date(self) -> dt.date:
        day = self.cleaned_data["incident_date"]
        if day > timezone.localdate():
            raise ValidationError(_("The date is in the future."))
        return day

    def _area_codes(self, text: str, field: str) -> list[str]:
        codes = [part.strip().upper() for part in text.replace(",", ";").split(";") if part.strip()]
        known = set(Area.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            self.add_error(field, _("Unknown area code: %(codes)s") % {"codes": ", ".join(unknown)})
        return codes

    def _counts(self, field: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in (self.cleaned_data.get(field) or "").split(";"):
            if not item.strip():
                continue
            match = _COUNT_ITEM.match(item)
            if not match:
                self.add_error(field, _("Write a country code and a count, e.g. “AFG 12”."))
                return {}
            code = match["name"].strip().upper()
            if not Area.objects.filter(code=code).exists():
                self.add_error(field, _("Unknown area code: %(codes)s") % {"codes": code})
                return {}
            counts[code] = counts.get(code, 0) + int(match["count"])
        return counts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        findings = privacy.text_findings(
            {
                str(self.fields[name].label): data.get(name) or ""
                for name in ("reference", "place", "notes")
            }
        )
        for finding in findings:
            self.add_error(
                None,
                str(finding)
                + ": "
                + str(_("this system takes non-nominal data only; remove personal identifiers.")),
            )
        if data.get("fee_amount") is not None and not data.get("fee_currency"):
            self.add_error("fee_currency", _("Give the currency of the fee."))
        return data

    def incident_data(self) -> dict[str, Any]:
        """The cleaned form as the row `build_incident` takes."""
        data = dict(self.cleaned_data)
        for name in ("departure_area", "destination_area", "document_issuer"):
            data[name] = data[name].code if data.get(name) else ""
        data["transit_areas"] = self._area_codes(data.pop("transit", "") or "", "transit")
        data["migrant_citizenships"] = self._counts("migrant_citizenships")
        data["smuggler_citizenships"] = self._counts("smuggler_citizenships")
        data["national_only"] = "yes" if data.get("national_only") else "no"
        parts = sum(
            int(data.get(p) or 0)
            for p in (
                "migrants_men",
                "migrants_women",
                "migrants_boys",
                "migrants_girls",
                "migrants_unknown",
            )
        )
        data["migrants_total"] = parts
        return data


class NetworkUploadForm(forms.Form):
    dataset = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[(INCIDENTS.code, INCIDENTS.label), (AGGREGATES.code, AGGREGATES.label)],
    )
    organisation = OrganisationChoice(
        label=_("Reporting agency"), queryset=Organisation.objects.none()
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV, Excel or JSON. Files with personal identifiers are refused and not stored."
        ),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["year"].initial = timezone.localdate().year
        self.fields["file"].widget.attrs["accept"] = ACCEPT


class InviteForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("State"), queryset=Area.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = network.members.exclude(status="left").values_list("area_id", flat=True)
        self.fields["area"].queryset = (  # type: ignore[attr-defined]
            Area.objects.filter(kind="country").exclude(code__in=list(members)).order_by("code")
        )


class AgencyForm(forms.Form):
    organisation = OrganisationChoice(label=_("Agency"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, area_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            area_id=area_code, is_active=True
        ).order_by("code")


class NetworkForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("e.g. “BALI-PROCESS”"))
    name = forms.CharField(label=_("Name"), max_length=200)
    period_kind = forms.ChoiceField(
        label=_("Reciprocity by"),
        choices=Network.PeriodKind.choices,
        initial=Network.PeriodKind.QUARTER,
    )
    suppression_threshold = forms.IntegerField(
        label=_("Suppress other states' aggregate counts below"),
        min_value=1,
        max_value=100,
        initial=5,
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].upper()
        if Network.objects.filter(code__iexact=code).exists():
            raise ValidationError(_("A network with this code exists."))
        return code


class AggregateForm(forms.Form):
    organisation = OrganisationChoice(
        label=_("Reporting agency"), queryset=Organisation.objects.none()
    )
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}),
    )
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[
            ("irregular_entries", _("irregular entries")),
            ("detections", _("detections of smuggled migrants")),
        ],
    )
    counts = forms.CharField(
        label=_("Counts by citizenship"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. “AFG 120; SYR 45; PAK 3”"),
    )
    national_only = forms.BooleanField(label=_("National only: never share"), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk

    def clean_month(self) -> dt.date:
        month: dt.date = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise ValidationError(_("The month is in the future."))
        return month

    def clean_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.cleaned_data["counts"].replace("\n", ";").split(";"):
            if not item.strip():
                continue
            match = _COUNT_ITEM.match(item)
            code = match["name"].strip().upper() if match else ""
            if not match or not Area.objects.filter(code=code).exists():
                raise ValidationError(
                    _("“%(item)s”: write a country code and a count, e.g. “AFG 12”.")
                    % {"item": item.strip()[:40]}
                )
            counts[code] = counts.get(code, 0) + int(match["count"])
        if not counts:
            raise ValidationError(_("Give at least one citizenship and its count."))
        return counts

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation
from observatory.core.errors import ValidationFailed
from observatory.intake import registry
from observatory.intake.mapping import parse_fixed
from observatory.intake.reading import EXCEL_SUFFIXES, TEXT_SUFFIXES
from observatory.intake.schema import DatasetSchema

ACCEPT = ",".join(sorted(EXCEL_SUFFIXES | TEXT_SUFFIXES | {".json"}))


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    label = forms.CharField(
        label=_("Submission label"),
        max_length=100,
        required=False,
        help_text=_(
            "e.g. “2024” — rows with the same label form one "
            "submission; a new upload becomes its next version"
        ),
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV, Excel (XLSX, XLS), OpenDocument (ODS) or JSON")
    )

    action = forms.ChoiceField(
        label=_("Into data already there"),
        required=False,
        choices=[
            ("merge", _("merge: add and change the file's cells, keep the others")),
            ("replace", _("replace: keep only the file's cells")),
            ("delete", _("delete: remove the file's cells")),
        ],
        help_text=_("The check says what the import will do before anything is written."),
    )

    fixed = forms.CharField(
        label=_("Values for the whole file"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Dimensions the file does not state, one DIMENSION=CODE per line "
            "(e.g. CURRENCY=USD); the check says how each sheet was read."
        ),
    )

    def __init__(self, *args: Any, actor: ActorLike, dataset: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not registry.takes_actions(dataset):
            del self.fields["action"]
        if not registry.takes_fixed(dataset):
            del self.fields["fixed"]
        field = self.fields["organisation"]
        organisations = access.organisations_reporting_for(
            actor, office=registry.office_compiles(dataset)
        )
        field.queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            field.initial = organisations[0].pk
        self.fields["file"].widget.attrs["accept"] = ACCEPT

    def clean_fixed(self) -> dict[str, str]:
        try:
            return parse_fixed(self.cleaned_data.get("fixed") or "")
        except ValidationFailed as error:
            raise forms.ValidationError(str(error)) from error

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.OBSERVATORY_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // 2**20}
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file, proposing the dataset field it feeds."""

    day_first = forms.ChoiceField(
        label=_("Dates such as 03/04/2024 are"),
        required=False,
        choices=[
            ("", _("detect from the file")),
            ("day", _("day/month/year")),
            ("month", _("month/day/year")),
        ],
    )

    decimal_mark = forms.ChoiceField(
        label=_("Numbers are written with"),
        required=False,
        choices=[
            ("", _("detect from the file")),
            (".", _("a decimal point: 1,234.5")),
            (",", _("a decimal comma: 1.234,5")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        schema: DatasetSchema,
        initial_mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— not imported —"))] + [
            (f.name, f"{f.label}{' *' if f.required else ''}") for f in schema.fields
        ]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=initial_mapping.get(header, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"col_{index}") or ""
            for index, header in enumerate(self.headers)
        }

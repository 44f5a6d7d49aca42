"""The office defines a new family of data from one of its files: upload, review
the proposed codes (rename new ones), save; or take the definition file away."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.accounts import access
from observatory.core.errors import ObservatoryError
from observatory.intake.forms import ACCEPT
from observatory.statistics import selectors, services
from observatory.statistics.formats.drafting import draft_from_upload

SALT = "observatory.statistics.define"
MAX_AGE = 24 * 3600  # a draft on the review page is good for a day


class DefineForm(forms.Form):
    dataflow = forms.CharField(
        label=gettext_lazy("Dataflow id"),
        max_length=60,
        help_text=gettext_lazy(
            "e.g. DF_CTS_CYBERCRIME. An existing id gets a new version with the file's new codes."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300, required=False)
    file = forms.FileField(
        label=gettext_lazy("A file in the data-portal long layout"),
        help_text=gettext_lazy(
            "CSV or Excel, as the data portal publishes it (title lines are skipped)"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ACCEPT
        self.fields["dataflow"].widget.attrs.update(
            {"list": "known-dataflows", "autocomplete": "off"}
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.OBSERVATORY_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // 2**20}
            )
        return upload


def _named(document: dict[str, Any], data: Any, new: list[list[str]]) -> dict[str, Any]:
    """The document with the names the reviewer gave the new codes."""
    fresh = {(dimension, code) for dimension, code in new}
    lists = {item.get("id"): item for item in document.get("codelists", [])}
    for item in document.get("structures", [{}])[0].get("dimensions", []):
        codelist = lists.get(str(item.get("codelist", "")).split("(")[0])
        if codelist is None:
            continue
        for code in codelist["codes"]:
            if (item["id"], code["id"]) in fresh:
                name = str(data.get(f"name:{item['id']}:{code['id']}", "")).strip()[:300]
                if name and name != code["name"]:
                    # the file's label stays a name of the code (the file goes in)
                    aliases = [*code.get("aliases", []), code["name"]]
                    code["aliases"] = list(dict.fromkeys(aliases))
                    code["name"] = name
    return document


def _guard(request: HttpRequest) -> None:
    if not access.can_define_dataflows(request.user):
        raise PermissionDenied(_("Only the office's analysts and administrators define dataflows."))


@login_required
def define_dataflow(request: HttpRequest) -> HttpResponse:
    _guard(request)
    known = sorted({flow.code for flow in selectors.latest_dataflows()})
    if request.method == "POST" and request.POST.get("step") in {"save", "yaml"}:
        try:
            state = signing.loads(request.POST.get("draft", ""), salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            messages.error(
                request, _("This draft has expired or was altered: upload the file again.")
            )
            return redirect("statistics:define")
        document = _named(state["document"], request.POST, state["new"])
        if request.POST["step"] == "yaml":
            response = HttpResponse(
                yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100),
                content_type="application/yaml; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="{state["dataflow"]}.yaml"'
            return response
        try:
            report = services.definitions_save(
                document, source=f"defined from {state['filename']}", actor=request.user
            )
        except ObservatoryError as error:
            messages.error(request, str(error))
            return redirect("statistics:define")
        messages.success(
            request,
            _("%(flow)s is defined (%(report)s). Import the file into it now.")
            % {"flow": state["dataflow"], "report": report},
        )
        return redirect(f"/imports/new/observations-unodc-portal/?label={state['dataflow']}")
    form = DefineForm(request.POST or None, request.FILES or None)
    draft = None
    signed = ""
    limit = settings.OBSERVATORY_API_SYNC_BYTES
    if request.method == "POST" and form.is_valid() and form.cleaned_data["file"].size > limit:
        # Drafting reads the whole file: in a web request, only a small one.
        form.add_error(
            "file",
            _(
                "This page reads files up to %(limit)s; for a larger one run "
                "“observatory define dataflow FILE --id %(id)s” on the server."
            )
            % {"limit": filesizeformat(limit), "id": form.cleaned_data["dataflow"].strip()},
        )
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_from_upload(
                form.cleaned_data["file"],
                dataflow=form.cleaned_data["dataflow"].strip(),
                name=form.cleaned_data["name"].strip(),
            )
        except ObservatoryError as error:
            form.add_error("file", str(error))
        else:
            signed = signing.dumps(
                {
                    "document": draft.document(),
                    "dataflow": draft.dataflow,
                    "filename": draft.filename,
                    "new": [
                        [item.dimension, code.id] for item in draft.lists for code in item.added
                    ],
                },
                salt=SALT,
                compress=True,
            )
    return render(
        request,
        "statistics/define.html",
        {"form": form, "draft": draft, "signed": signed, "known": known},
    )

"""Crosswalk pages: a focal point keeps the country's national categories mapped
to ICCS; the office and the country's users read them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.accounts import access
from observatory.accounts.models import Role
from observatory.core.errors import ObservatoryError
from observatory.reference.models import Area
from observatory.statistics import crosswalks
from observatory.statistics.models import Crosswalk


class CrosswalkForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        help_text=gettext_lazy("e.g. “Código Penal (Ley 599 de 2000)”"),
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("Country"), queryset=Area.objects.none(), to_field_name="code"
    )
    mappings = forms.CharField(
        label=gettext_lazy("National category; its name; ICCS code; note (one per line)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Paste from a spreadsheet: columns separated by ; or tabs. "
            "Several national categories may map to one ICCS code."
        ),
    )

    def __init__(self, *args: object, areas: QuerySet[Area], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        if len(areas) == 1:
            self.fields["area"].initial = areas[0].code


def _visible(request: HttpRequest) -> QuerySet[Crosswalk]:
    if access.can_review(request.user):
        return Crosswalk.objects.all()
    return Crosswalk.objects.filter(area_id__in=sorted(access.own_areas(request.user)))


def _editable_areas(request: HttpRequest) -> QuerySet[Area]:
    return Area.objects.filter(code__in=sorted(access.own_areas(request.user, Role.FOCAL_POINT)))


@login_required
def crosswalk_list(request: HttpRequest) -> HttpResponse:
    areas = _editable_areas(request)
    form = CrosswalkForm(request.POST or None, areas=areas) if areas.exists() else None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                crosswalk = crosswalks.crosswalk_save(
                    area=form.cleaned_data["area"],
                    name=form.cleaned_data["name"],
                    mappings=crosswalks.parse_mappings(form.cleaned_data["mappings"]),
                    actor=request.user,
                )
            except ObservatoryError as error:
                form.add_error("mappings", str(error))
            else:
                messages.success(request, _("Crosswalk saved."))
                return redirect("statistics:crosswalk", pk=crosswalk.pk)
    return render(
        request,
        "statistics/crosswalks.html",
        {"crosswalks": _visible(request).select_related("area"), "form": form},
    )


@login_required
def crosswalk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    crosswalk = _visible(request).filter(pk=pk).select_related("area").first()
    if crosswalk is None:
        raise Http404("no such crosswalk, or it is not visible to you")
    editable = crosswalks.can_edit(request.user, crosswalk.area_id)
    if request.method == "POST":
        if not editable:
            return render(request, "403.html", status=403)
        try:
            crosswalks.crosswalk_save(
                area=crosswalk.area,
                name=crosswalk.name,
                crosswalk=crosswalk,
                mappings=crosswalks.parse_mappings(request.POST.get("mappings", "")),
                actor=request.user,
            )
        except ObservatoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Crosswalk saved."))
            return redirect("statistics:crosswalk", pk=crosswalk.pk)
    entries = list(crosswalk.entries.all())
    text = "\n".join(
        f"{e.national_code}; {e.national_label}; {e.target_code}; {e.note}".rstrip("; ")
        for e in entries
    )
    return render(
        request,
        "statistics/crosswalk.html",
        {"crosswalk": crosswalk, "entries": entries, "editable": editable, "text": text},
    )

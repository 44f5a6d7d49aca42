"""Reporting cycles: the office opens them with a deadline and follows
completeness and timeliness country by country."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.accounts import access
from observatory.core.errors import ObservatoryError
from observatory.statistics import services
from observatory.statistics.models import Questionnaire, ReportingCycle
from observatory.statistics.questionnaires import completeness


class CycleForm(forms.Form):
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire"), queryset=Questionnaire.objects.order_by("code")
    )
    year = forms.IntegerField(label=gettext_lazy("Reporting year"), min_value=1990, max_value=2100)
    opens_on = forms.DateField(
        label=gettext_lazy("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    office = access.can_review(request.user)
    form = CycleForm(request.POST or None) if office else None
    if request.method == "POST":
        if form is None:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                cycle = services.cycle_create(actor=request.user, **form.cleaned_data)
            except ObservatoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Reporting cycle opened."))
                return redirect("statistics:cycle", pk=cycle.pk)
    cycles = ReportingCycle.objects.select_related("questionnaire")
    return render(
        request, "statistics/cycles.html", {"cycles": cycles, "form": form, "office": office}
    )


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.can_review(request.user):
        return render(request, "403.html", status=403)
    cycle = ReportingCycle.objects.select_related("questionnaire__dataflow").filter(pk=pk).first()
    if cycle is None:
        raise Http404("no such reporting cycle")
    rows = completeness.cycle_rows(cycle, actor=request.user)
    summary: dict[str, Any] = {
        "countries": len(rows),
        "submitted": sum(1 for r in rows if r.status != "not_submitted"),
        "on_time": sum(1 for r in rows if r.on_time),
        "late": sum(1 for r in rows if r.on_time is False),
        "with_errors": sum(1 for r in rows if r.errors),
    }
    return render(
        request, "statistics/cycle.html", {"cycle": cycle, "rows": rows, "summary": summary}
    )

"""The ARQ seizure table beside the country's individual seizures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from observatory.accounts import access
from observatory.accounts.models import Organisation
from observatory.core.errors import ObservatoryError
from observatory.statistics import reconciliation


@login_required
def reconcile(request: HttpRequest, org: str, year: int) -> HttpResponse:
    organisation = Organisation.objects.filter(code__iexact=org).exclude(area=None).first()
    if organisation is None:
        raise Http404("no such organisation")
    reporting = access.organisations_reporting_for(request.user).filter(pk=organisation.pk).exists()
    own_country = organisation.area_id in access.actor_for(request.user).area_codes()
    if not (reporting or own_country or access.can_review(request.user)):
        raise Http404("no such organisation, or it is not visible to you")
    if request.method == "POST":
        if not reporting:
            return render(request, "403.html", status=403)
        try:
            _version, count = reconciliation.prefill(
                actor=request.user, organisation=organisation, year=year
            )
        except ObservatoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(n)s cells of the ARQ seizure table were filled from individual seizures "
                    "(marked as derived); reported values were left as they were."
                )
                % {"n": count},
            )
        return redirect(request.path)
    lines = reconciliation.compare(actor=request.user, organisation=organisation, year=year)
    return render(
        request,
        "statistics/reconciliation.html",
        {
            "organisation": organisation,
            "year": year,
            "lines": lines,
            "reporting": reporting,
            "questionnaire": reconciliation.QUESTIONNAIRE,
        },
    )

"""Questionnaires in the browser: the entry grid (save a draft, see the rule
results, submit through the workflow) and the office's review with comments on
cells."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observatory.accounts import access
from observatory.accounts.models import Organisation
from observatory.core.errors import NotFound, ObservatoryError
from observatory.statistics import checks, selectors, services, workbook
from observatory.statistics.models import Questionnaire, ReportingCycle
from observatory.statistics.questionnaires import sections_of

STATUSES = [
    ("", gettext_lazy("reported")),
    ("E", gettext_lazy("estimated")),
    ("P", gettext_lazy("provisional")),
    ("B", gettext_lazy("break in series")),
    ("L", gettext_lazy("not available")),
    ("M", gettext_lazy("not applicable")),
]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year - 1
    organisations = access.organisations_reporting_for(request.user).exclude(area=None)
    cycles = {
        c.questionnaire_id: c
        for c in ReportingCycle.objects.filter(opens_on__lte=timezone.localdate()).order_by("year")
    }
    rows = []
    for q in Questionnaire.objects.select_related("dataflow").order_by("code"):
        cycle = cycles.get(q.pk)
        reported = cycle.year if cycle else year
        rows.append(
            {"questionnaire": q, "cycle": cycle, "links": [(o, reported) for o in organisations]}
        )
    return render(
        request,
        "statistics/index.html",
        {"rows": rows, "year": year, "office": access.can_review(request.user)},
    )


def _parse(text: str) -> Decimal | None:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error


@login_required
def questionnaire(request: HttpRequest, code: str, org: str, year: int) -> HttpResponse:
    try:
        form = selectors.questionnaire_get(code)
    except NotFound as error:
        raise Http404(str(error)) from error
    organisation = Organisation.objects.filter(code__iexact=org).exclude(area=None).first()
    if organisation is None:
        raise Http404("no such organisation")
    label = services.questionnaire_label(form, year)
    version = selectors.questionnaire_version(
        actor=request.user, organisation=organisation, label=label
    )
    reporting = access.organisations_reporting_for(request.user).filter(pk=organisation.pk).exists()
    reviewer = access.can_review(request.user)
    if not reporting and (version is None or not reviewer):
        raise Http404("no such questionnaire, or it is not visible to you")
    sections = sections_of(form.definition, form.dataflow)
    errors: dict[str, str] = {}
    if request.method == "POST" and reporting and request.POST.get("action") == "save":
        entries: dict[str, services.Entry] = {}
        for section in sections:
            for cell in section.cells.values():
                try:
                    value = _parse(request.POST.get(f"v.{cell.key}", ""))
                except ValueError:
                    errors[cell.key] = _("not a number")
                    continue
                status = request.POST.get(f"s.{cell.key}", "")
                if value is not None and status in {"L", "M"}:
                    errors[cell.key] = _("a number, or not available / not applicable: not both")
                    continue
                entries[cell.key] = services.Entry(
                    value=value,
                    status=status if status in dict(STATUSES) else "",
                    confidential=bool(request.POST.get(f"x.{cell.key}")),
                    comment=request.POST.get(f"c.{cell.key}", "").strip(),
                )
        if not errors:
            try:
                version = services.questionnaire_save(
                    questionnaire=form,
                    organisation=organisation,
                    year=year,
                    entries=entries,
                    actor=request.user,
                )
            except ObservatoryError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Draft saved (version %(n)s).") % {"n": version.number})
                return redirect(request.path)
        else:
            messages.error(
                request, _("Nothing was saved: %(n)s cells need attention.") % {"n": len(errors)}
            )
    if request.method == "POST" and reviewer and request.POST.get("action") == "return":
        if version is None:
            raise Http404("nothing to return")
        review = {
            cell.key: request.POST.get(f"r.{cell.key}", "")
            for section in sections
            for cell in section.cells.values()
        }
        try:
            services.questionnaire_return(
                version=version,
                comments=review,
                general=request.POST.get("general", ""),
                actor=request.user,
            )
        except ObservatoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Returned to the country with your comments."))
            return redirect(request.path)
    editable = reporting and (
        version is None or version.status in {"draft", "returned", "published"}
    )
    values = selectors.cell_values(version, form.dataflow, str(year))
    previous = selectors.previous_values(
        actor=request.user,
        dataflow=form.dataflow,
        area=organisation.area_id or "",
        period=str(year - 1),
    )
    comments: dict[str, list[str]] = {}
    if version is not None:
        for comment in version.comments.exclude(field=""):
            comments.setdefault(comment.field, []).append(comment.text)
    violations: list[dict[str, Any]] = []
    if version is not None:
        violations = checks.check_version(version, form, actor=request.user).to_dicts()
    flagged: dict[str, list[str]] = {}
    for violation in violations:
        for text in violation.get("cells") or []:
            flagged.setdefault(text, []).append(violation["rule"])
    grid = [
        {
            "section": section,
            "rows": [
                {
                    "line": line,
                    "cells": [
                        {
                            "cell": cell,
                            "observation": values.get(cell.key),
                            "previous": previous.get(cell.key),
                            "error": errors.get(cell.key, ""),
                            "comments": comments.get(cell.key, []),
                            "posted": request.POST.get(f"v.{cell.key}") if errors else None,
                        }
                        for cell in cells
                    ],
                }
                for line, cells in section.grid()
            ],
        }
        for section in sections
    ]
    return render(
        request,
        "statistics/questionnaire.html",
        {
            "form": form,
            "organisation": organisation,
            "year": year,
            "version": version,
            "grid": grid,
            "statuses": STATUSES,
            "editable": editable,
            "reviewer": reviewer and version is not None and version.status == "submitted",
            "violations": violations,
            "errors": errors,
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def questionnaire_template(request: HttpRequest, code: str, org: str, year: int) -> HttpResponse:
    """The questionnaire as an Excel workbook to fill in offline, pre-filled with
    what the user may see; only for an organisation the user reports for."""
    try:
        form = selectors.questionnaire_get(code)
    except NotFound as error:
        raise Http404(str(error)) from error
    organisation = (
        access.organisations_reporting_for(request.user)
        .filter(code__iexact=org)
        .exclude(area=None)
        .first()
    )
    if organisation is None:
        raise Http404("no such questionnaire, or you do not report for it")
    try:
        data = workbook.build_template(
            form, organisation=organisation, year=year, actor=request.user
        )
    except ObservatoryError as error:
        raise Http404(str(error)) from error
    response = HttpResponse(data, content_type=XLSX)
    name = workbook.template_filename(form, organisation, year)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

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
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from observatory.accounts import access
from observatory.accounts.models import Organisation
from observatory.core.errors import NotFound, ObservatoryError
from observatory.statistics import selectors, services
from observatory.statistics.formats.workbook.layout import template_filename
from observatory.statistics.formats.workbook.template import build_template
from observatory.statistics.models import Questionnaire, ReportingCycle
from observatory.statistics.questionnaires import checks
from observatory.statistics.questionnaires.sections import Section, answered, sections_of

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
        {
            "rows": rows,
            "year": year,
            "office": access.can_review(request.user),
            "defines": access.can_define_dataflows(request.user),
        },
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


def _read_cell(
    post: Any, name: str, errors: dict[str, str], prefix: str = ""
) -> services.Entry | None:
    """The entry typed in one cell of the grid (fields <prefix>v.<name>,
    s., x., c.), or None with its error noted under `name`."""
    try:
        value = _parse(post.get(f"{prefix}v.{name}", ""))
    except ValueError:
        errors[name] = _("not a number")
        return None
    status = post.get(f"{prefix}s.{name}", "")
    if value is not None and status in {"L", "M"}:
        errors[name] = _("a number, or not available / not applicable: not both")
        return None
    return services.Entry(
        value=value,
        status=status if status in dict(STATUSES) else "",
        confidential=bool(post.get(f"{prefix}x.{name}")),
        comment=post.get(f"{prefix}c.{name}", "").strip(),
    )


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _read_open(
    post: Any,
    section: Section,
    entries: dict[str, services.Entry],
    errors: dict[str, str],
    problems: dict[str, str],
) -> None:
    """An open-rows section: its rows already there (hidden fields o.<section>,
    their cells named by key as fixed cells are) and its new rows (n.<section>.<i>:
    the country chosen; nv., ns., nx., nc.<section>.<i>.<column>: its cells).
    A country chosen twice is a problem of the row that repeats it."""
    assert section.open is not None
    language = _language()
    taken: set[str] = set()
    for code in post.getlist(f"o.{section.id}"):
        if not section.accepts(code) or code in taken:
            continue
        taken.add(code)
        for c in range(len(section.columns)):
            key = section.open_cell(code, c).key
            entry = _read_cell(post, key, errors)
            if entry is not None:
                entries[key] = entry
    for i in range(section.open.blank):
        row = f"{section.id}.{i}"
        code = post.get(f"n.{row}", "").strip()
        typed = [
            _read_cell(post, f"{row}.{c}", errors, prefix="n") for c in range(len(section.columns))
        ]
        if not code:
            if any(entry is None or not entry.empty for entry in typed):
                problems[row] = _("Choose the country of this row.")
            continue
        if not section.accepts(code):
            problems[row] = _("Not a country of the list.")
            continue
        name = section.open.label(code, language)
        if code in taken:
            problems[row] = _(
                "%(country)s is chosen twice in “%(section)s”: choose each country once."
            ) % {"country": name, "section": section.title}
            continue
        taken.add(code)
        for c, entry in enumerate(typed):
            if entry is not None:
                entries[section.open_cell(code, c).key] = entry


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
    reporting = access.reports_for(request.user, organisation)
    reviewer = access.can_review(request.user)
    if not reporting and (version is None or not reviewer):
        raise Http404("no such questionnaire, or it is not visible to you")
    sections = sections_of(form.definition, form.dataflow)
    values = selectors.cell_values(version, form.dataflow, str(year))
    previous = selectors.previous_values(
        actor=request.user,
        dataflow=form.dataflow,
        area=organisation.area_id or "",
        period=str(year - 1),
    )
    language = _language()
    # Open-rows sections as shown: a row per country answered this year or last.
    shown = [answered(s, values, previous, language=language) for s in sections]
    errors: dict[str, str] = {}
    problems: dict[str, str] = {}  # a new row of an open-rows section -> what is wrong
    if request.method == "POST" and reporting and request.POST.get("action") == "save":
        entries: dict[str, services.Entry] = {}
        for section in sections:
            if section.open is not None:
                _read_open(request.POST, section, entries, errors, problems)
                continue
            for cell in section.cells.values():
                entry = _read_cell(request.POST, cell.key, errors)
                if entry is not None:
                    entries[cell.key] = entry
        if not errors and not problems:
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
            if errors:
                messages.error(
                    request,
                    _("Nothing was saved: %(n)s cells need attention.") % {"n": len(errors)},
                )
            for problem in problems.values():
                messages.error(request, _("Nothing was saved: %(problem)s") % {"problem": problem})
    if request.method == "POST" and reviewer and request.POST.get("action") == "return":
        if version is None:
            raise Http404("nothing to return")
        review = {
            cell.key: request.POST.get(f"r.{cell.key}", "")
            for section in shown
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
    editable = reporting and (version is None or version.status in access.Status.OPEN_FOR_ENTRY)
    comments: dict[str, list[str]] = {}
    if version is not None:
        for comment in version.comments.exclude(field=""):
            comments.setdefault(comment.field, []).append(comment.text)
    violations: list[dict[str, Any]] = []
    if version is not None:
        violations = checks.check_version(version, form, actor=request.user).to_dicts()
    posted = request.POST if errors or problems else None
    grid = [
        {
            "section": section,
            "open": section.open is not None,
            "rows": [
                {
                    "line": line,
                    "code": line.part.get(section.open.dimension, "") if section.open else "",
                    "cells": [
                        {
                            "cell": cell,
                            "observation": values.get(cell.key),
                            "previous": previous.get(cell.key),
                            "error": errors.get(cell.key, ""),
                            "comments": comments.get(cell.key, []),
                            "posted": posted.get(f"v.{cell.key}") if posted else None,
                        }
                        for cell in cells
                    ],
                }
                for line, cells in section.grid()
            ],
            "new_rows": _new_rows(section, posted, errors, problems) if editable else [],
        }
        for section in shown
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
            "reviewer": reviewer
            and version is not None
            and version.status == access.Status.SUBMITTED,
            "violations": violations,
            "errors": errors,
        },
    )


def _new_rows(
    section: Section, posted: Any, errors: dict[str, str], problems: dict[str, str]
) -> list[dict[str, Any]]:
    """The empty rows of an open-rows section, each with a list of countries
    (what was typed in them when nothing could be saved)."""
    if section.open is None:
        return []
    language = _language()
    choices = sorted(
        ((code, section.open.label(code, language)) for code in section.open.choices),
        key=lambda choice: choice[1].casefold(),
    )
    plain = _options(choices, "")
    rows: list[dict[str, Any]] = []
    for i in range(section.open.blank):
        name = f"{section.id}.{i}"
        chosen = posted.get(f"n.{name}", "") if posted else ""
        cells = [
            {
                "name": f"{name}.{c}",
                "label": column.label,
                "value": posted.get(f"nv.{name}.{c}", "") if posted else "",
                "status": posted.get(f"ns.{name}.{c}", "") if posted else "",
                "confidential": bool(posted.get(f"nx.{name}.{c}")) if posted else False,
                "comment": posted.get(f"nc.{name}.{c}", "") if posted else "",
                "error": errors.get(f"{name}.{c}", ""),
            }
            for c, column in enumerate(section.columns)
        ]
        rows.append(
            {
                "name": name,
                "number": i + 1,
                "options": _options(choices, chosen) if chosen else plain,
                # Typed in before nothing could be saved: shown even without JS.
                "filled": bool(chosen)
                or any(
                    c["value"] or c["status"] or c["comment"] or c["confidential"] for c in cells
                ),
                "problem": problems.get(name, ""),
                "cells": cells,
            }
        )
    return rows


def _options(choices: list[tuple[str, str]], chosen: str) -> str:
    """The <option>s of a country list (built once per page when none is chosen:
    a list of every country is long)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, " selected" if code == chosen else "", name) for code, name in choices),
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
        data = build_template(form, organisation=organisation, year=year, actor=request.user)
    except ObservatoryError as error:
        raise Http404(str(error)) from error
    response = HttpResponse(data, content_type=XLSX)
    name = template_filename(form, organisation, year)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

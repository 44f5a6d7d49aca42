"""Upload -> mapping -> report -> commit, in the browser."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatory.accounts import access
from observatory.core.audit import audit_record
from observatory.core.errors import NotFound, ObservatoryError
from observatory.core.models import AuditEvent
from observatory.intake import registry, selectors, services, tasks
from observatory.intake.forms import MappingForm, UploadForm
from observatory.intake.mapping import propose_mapping
from observatory.intake.models import ImportJob
from observatory.intake.registry import handler_for
from observatory.intake.report import report_dict, write_report

ACTIVE = {ImportJob.Status.PENDING, ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING}


def _job(request: HttpRequest, pk: int) -> ImportJob:
    try:
        job = selectors.job_get(actor=request.user, pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from error
    return services.job_stopped(job)  # a job whose worker died says so


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.job_list(actor=request.user), 25).get_page(request.GET.get("page"))
    uploads = [
        (code, label)
        for code, label in registry.uploadable()
        if access.organisations_reporting_for(
            request.user, office=registry.office_compiles(code)
        ).exists()
    ]
    return render(request, "intake/import_list.html", {"page": page, "uploads": uploads})


@login_required
def import_new(request: HttpRequest, dataset: str) -> HttpResponse:
    try:
        handler = handler_for(dataset)
    except NotFound as error:
        raise Http404(str(error)) from error
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        actor=request.user,
        dataset=dataset,
        initial={"label": request.GET.get("label", "")[:100]},
    )
    if not form.fields["organisation"].queryset.exists():  # type: ignore[attr-defined]
        return render(request, "403.html", status=403)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.add_error(
            "file",
            _("The file is larger than the limit of %(mb)s MB.")
            % {"mb": settings.OBSERVATORY_MAX_UPLOAD_BYTES // 2**20},
        )
    elif request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            registry.check_label(dataset, form.cleaned_data["label"])
            upload, created = services.upload_store(
                stream=uploaded,
                filename=uploaded.name,
                organisation=form.cleaned_data["organisation"],
                dataset=dataset,
                actor=request.user,
            )
            action = form.cleaned_data.get("action")
            fixed = form.cleaned_data.get("fixed")
            job = services.job_create(
                upload=upload,
                label=form.cleaned_data["label"],
                actor=request.user,
                options={
                    **({"action": action} if action else {}),
                    **({"fixed": fixed} if fixed else {}),
                },
            )
        except ObservatoryError as error:
            form.add_error("file", str(error))
        else:
            if not created:
                messages.info(
                    request, _("This exact file was uploaded before; the stored original is used.")
                )
            if getattr(handler, "fixed_layout", False):
                # The file says what it is (a questionnaire template): nothing to map.
                tasks.enqueue_validation(job)
                return redirect("intake:detail", pk=job.pk)
            return redirect("intake:mapping", pk=job.pk)
    return render(
        request,
        "intake/import_new.html",
        {
            "form": form,
            "schema": handler.schema,
            # The office brings in a family no dataflow holds yet: define it first.
            "defines": getattr(handler, "definable", False)
            and access.can_define_dataflows(request.user),
        },
    )


@login_required
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    handler = handler_for(job.dataset)
    if job.status in {
        ImportJob.Status.COMMITTED,
        ImportJob.Status.COMMITTING,
        ImportJob.Status.DUPLICATE,
    }:
        return redirect("intake:detail", pk=job.pk)
    form = MappingForm(
        request.POST or None,
        headers=job.headers,
        schema=handler.schema,
        initial_mapping=job.mapping,
    )
    if request.method == "POST" and form.is_valid():
        order = form.cleaned_data.get("day_first") or ""
        try:
            services.mapping_confirm(
                job=job,
                mapping=form.mapping(),
                actor=request.user,
                options={
                    "day_first": {"day": True, "month": False}.get(order),
                    "decimal_mark": form.cleaned_data.get("decimal_mark") or None,
                },
            )
        except ObservatoryError as error:
            form.add_error(None, str(error))
        else:
            tasks.enqueue_validation(job)
            return redirect("intake:detail", pk=job.pk)
    raw = services.read_upload(job.upload)
    samples = {h: [v for v in raw.frame[h].head(50).to_list() if v][:3] for h in raw.headers}
    proposal = {p.header: p for p in propose_mapping(raw.headers, handler.schema, job.mapping)}
    rows = [
        (form[f"col_{i}"], samples.get(h, []), proposal[h].confidence)
        for i, h in enumerate(job.headers)
    ]
    mapped = set(job.mapping.values())
    missing = [f for f in handler.schema.fields if f.required and f.name not in mapped]
    return render(
        request,
        "intake/import_mapping.html",
        {"job": job, "form": form, "rows": rows, "missing": missing, "schema": handler.schema},
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    severity = request.GET.get("severity", "")[:10]
    column = request.GET.get("column", "")[:255]
    query = request.GET.get("q", "")[:100]
    issues = selectors.job_issues(job=job, severity=severity, column=column, query=query)
    page = Paginator(issues, 100).get_page(request.GET.get("page"))
    context = {
        "job": job,
        "page": page,
        "severity": severity,
        "column": column,
        "query": query,
        "active": job.status in ACTIVE,
        "columns": sorted(set(job.issues.values_list("column", flat=True))),
        # An update that removes data is committed only once the user confirms it.
        "removes": selectors.removal_to_confirm(job=job),
        # Texts that only resemble a reference name wait for the user's reading.
        "to_confirm": selectors.values_to_confirm(job=job)
        if job.status in {ImportJob.Status.VALIDATED, ImportJob.Status.BLOCKED}
        else [],
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "progress":
        response = render(request, "intake/_progress.html", context)
        if not context["active"]:
            response["HX-Refresh"] = "true"  # show the finished report
        return response
    return render(request, "intake/import_detail.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    accept_valid = request.POST.get("accept_valid") == "1"
    if job.status not in {ImportJob.Status.VALIDATED, ImportJob.Status.BLOCKED}:
        messages.error(
            request,
            _("This import cannot be committed now (%(status)s).")
            % {"status": job.get_status_display()},
        )
        return redirect("intake:detail", pk=job.pk)
    if job.status == ImportJob.Status.BLOCKED and not accept_valid:
        messages.error(request, _("Fix the errors first, or accept only the valid rows."))
        return redirect("intake:detail", pk=job.pk)
    if request.POST.get("confirm") == "1":
        services.job_confirm(job=job, actor=request.user)
    tasks.enqueue_commit(job, accept_valid=accept_valid, actor_id=request.user.pk)
    return redirect("intake:detail", pk=job.pk)


@login_required
@require_POST
def import_values(request: HttpRequest, pk: int) -> HttpResponse:
    """The value step: the user says how each text that only resembles a
    reference name reads (a code, or the suggestion), and the file is checked
    again with those readings."""
    job = _job(request, pk)
    values: dict[str, dict[str, str]] = {}
    for name in request.POST:
        kind, sep, text = name.removeprefix("value:").partition(":")
        if name.startswith("value:") and sep:
            values.setdefault(kind, {})[text] = request.POST.get(name, "")[:60]
    try:
        services.job_map_values(
            job=job,
            values=values,
            accept_suggestions=request.POST.get("accept_suggestions") == "1",
            actor=request.user,
        )
    except ObservatoryError as error:
        messages.error(request, str(error))
    else:
        tasks.enqueue_validation(job)
    return redirect("intake:detail", pk=job.pk)


@login_required
def import_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    job = _job(request, pk)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=job,
        organisation=job.organisation.code,
        changes={"report": fmt},
    )
    if fmt == "json":
        return JsonResponse(report_dict(job), json_dumps_params={"ensure_ascii": False})
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"import-{job.pk}-problems.{fmt}"
        write_report(job, path)
        data = path.read_bytes()
    response = HttpResponse(
        data,
        content_type={
            "csv": "text/csv; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[fmt],
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.{fmt}"'
    return response


@login_required
def import_original(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=job.upload,
        organisation=job.organisation.code,
        changes={"original": job.upload.sha256},
    )
    return FileResponse(
        job.upload.file.open("rb"), as_attachment=True, filename=job.upload.filename
    )

"""Submissions and their versions: review, workflow, history, differences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatory.accounts.access import ActorLike
from observatory.core.errors import NotFound, ObservatoryError, ValidationFailed
from observatory.submissions import selectors, services
from observatory.submissions.models import Version
from observatory.submissions.registry import datasets


@login_required
def version_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")[:12]
    versions = selectors.version_list(actor=request.user, status=status)
    page = Paginator(versions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "submissions/version_list.html",
        {"page": page, "status": status, "statuses": Version.Status.choices},
    )


@login_required
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        version = selectors.version_get(actor=request.user, pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from error
    views = datasets.get(version.submission.dataset)
    previous = selectors.previous_version(version)
    diff = views.diff(previous, version) if views and previous else None
    return render(
        request,
        "submissions/version_detail.html",
        {
            "version": version,
            "summary": views.summary(version) if views else {},
            "rows_url": views.rows_url(version) if views else "",
            "previous": previous,
            "diff": diff,
            "history": version.history.select_related("actor"),
            "comments": version.comments.select_related("author"),
            **selectors.version_actions(version=version, actor=request.user),
            "shared_only": views is not None and not views.publishes,
        },
    )


ACTIONS = {
    "submit": lambda v, u, c: services.version_submit(version=v, actor=u),
    "accept": lambda v, u, c: services.version_accept(version=v, actor=u, comment=c),
    "return": lambda v, u, c: services.version_return(version=v, actor=u, comment=c),
    "publish": lambda v, u, c: services.version_publish(version=v, actor=u),
    "lift-embargo": lambda v, u, c: services.version_schedule(version=v, actor=u, at=None),
}


def _schedule(version: Version, user: ActorLike, text: str) -> Version:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as error:
        raise ValidationFailed("give the embargo date as YYYY-MM-DD") from error
    # Published at 00:00 UTC of that day.
    at = datetime.combine(day, time.min, tzinfo=UTC)
    return services.version_schedule(version=version, actor=user, at=at)


@login_required
@require_POST
def version_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        version = selectors.version_get(actor=request.user, pk=pk)
    except NotFound as error:
        raise Http404(str(error)) from error
    if action not in ACTIONS and action != "schedule":
        raise Http404("no such action")
    try:
        if action == "schedule":
            _schedule(version, request.user, request.POST.get("publish_on", ""))
        else:
            ACTIONS[action](version, request.user, request.POST.get("comment", "")[:5000])
    except ObservatoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Done: the version is now %(status)s.")
            % {"status": Version.Status(Version.objects.get(pk=pk).status).label},
        )
    return redirect("submissions:version", pk=pk)

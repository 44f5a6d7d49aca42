"""Home pages per role, the user's account, API tokens, organisations and
their members, and the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observatory.accounts import access, selectors, services
from observatory.accounts.forms import MembershipGrantForm, TokenCreateForm
from observatory.accounts.models import ApiToken, Membership, Role
from observatory.core.errors import ObservatoryError
from observatory.core.models import AuditEvent


def home(request: HttpRequest) -> HttpResponse:
    """One page, with a section for each role the user holds."""
    actor = access.actor_for(request.user)
    context = {
        "grants": actor.grants,
        "is_contributor": actor.has_role(Role.CONTRIBUTOR),
        "is_focal_point": actor.has_role(Role.FOCAL_POINT),
        "is_analyst": actor.is_analyst,
        "is_admin": actor.is_admin,
        "focal_areas": sorted(access.own_areas(actor, Role.FOCAL_POINT)),
    }
    if request.user.is_authenticated:
        context["memberships"] = selectors.membership_list(user=request.user)
        context["has_mfa"] = selectors.user_has_mfa(request.user)
        if actor.has_role(Role.FOCAL_POINT):
            context["country_organisations"] = access.organisations_managed_by(actor)
        if actor.is_admin:
            context["recent_events"] = selectors.audit_events(actor=actor)[:8]
    return render(request, "accounts/home.html", context)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": selectors.membership_list(user=request.user),  # type: ignore[arg-type]
            "has_mfa": selectors.user_has_mfa(request.user),  # type: ignore[arg-type]
        },
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    new_token = None
    form = TokenCreateForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.token_create(
                user=request.user,  # type: ignore[arg-type]
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ObservatoryError as error:
            form.add_error(None, str(error))
        else:
            form = TokenCreateForm(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "accounts/token_list.html",
        {
            "tokens": selectors.token_list(user=request.user),  # type: ignore[arg-type]
            "form": form,
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:token-list")


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisation_list(actor=request.user)
    return render(request, "accounts/organisation_list.html", {"organisations": organisations})


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = selectors.organisation_list(actor=request.user).filter(code=code).first()
    if organisation is None:
        raise Http404(_("No such organisation, or it is not visible to you."))
    can_manage = access.organisations_managed_by(request.user).filter(pk=organisation.pk).exists()
    form = MembershipGrantForm(request.POST or None, organisation=organisation, actor=request.user)
    if request.method == "POST":
        if not can_manage:
            return HttpResponseForbidden(_("You may not manage this organisation's members."))
        if form.is_valid():
            try:
                services.membership_grant(
                    user=form.cleaned_data["email"],
                    organisation=organisation,
                    role=form.cleaned_data["role"],
                    actor=request.user,
                )
            except ObservatoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Role given."))
                return redirect("accounts:organisation-detail", code=organisation.code)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(
                actor=request.user, organisation=organisation
            ),
            "can_manage": can_manage,
            "form": form,
        },
    )


@login_required
@require_POST
def membership_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    # Only organisations the user may see exist for them: 404 before 403.
    visible = selectors.organisation_list(actor=request.user).filter(code=code)
    membership = get_object_or_404(Membership, pk=pk, organisation__in=visible)
    try:
        services.membership_revoke(membership=membership, actor=request.user)
    except ObservatoryError as error:
        return HttpResponseForbidden(str(error))
    messages.success(request, _("Role removed."))
    return redirect("accounts:organisation-detail", code=code)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not access.can_view_audit_log(request.user):
        return HttpResponseForbidden(_("Only administrators may read the audit log."))
    action = request.GET.get("action", "")[:20]
    email = request.GET.get("email", "")[:254]
    events = selectors.audit_events(actor=request.user, action=action, email=email)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "page": page,
            "action": action,
            "email": email,
            "actions": AuditEvent.Action.choices,
        },
    )

"""The access policy: the single place that answers what a user may see, change,
export or do.

Everything country-specific goes through here. Selectors hand in a queryset and
the names of the fields that hold the reporting organisation, the area and the
status; they get back the rows the actor may use. Each queryset filter has a
predicate twin (``row_allows``) used for single objects, and the tests check
that the two always agree.

Rules (ARCHITECTURE.md, "Who uses it"):
- anyone, logged in or not: published rows;
- contributor: every row of its own organisation; changes them while draft or returned;
- focal point: every row of its country's organisations; changes them while
  draft or returned; submits them; manages the country's users;
- office analyst: every row once submitted (never a country's drafts), and the
  office's own compilations in any status; returns, accepts, publishes; changes
  nothing a country reported;
- administrator: configuration, users, reference data; no country data by role.
An API token narrows its user to the one organisation it was issued for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q

from observatory.accounts.models import (
    Membership,
    Network,
    NetworkAgency,
    NetworkContribution,
    NetworkMember,
    Organisation,
    Role,
    User,
)
from observatory.core.workflow import Status

OFFICE_ROLE_VALUES = frozenset({Role.ANALYST.value, Role.ADMIN.value})

Action = Literal["view", "change", "export"]
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Grant:
    """One membership, flattened: a role in an organisation of an area."""

    organisation_id: int
    organisation_code: str
    area_code: str | None
    role: str


@dataclass(frozen=True)
class Actor:
    """Who is acting, with every grant they hold (or the one a token allows)."""

    user_id: int | None
    grants: tuple[Grant, ...] = ()
    is_superuser: bool = False
    token_organisation: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.grants)

    def has_role(self, *roles: str) -> bool:
        return any(grant.role in roles for grant in self.grants)

    def organisation_ids(self, *roles: str) -> frozenset[int]:
        return frozenset(g.organisation_id for g in self.grants if not roles or g.role in roles)

    def area_codes(self, *roles: str) -> frozenset[str]:
        return frozenset(
            g.area_code for g in self.grants if g.area_code and (not roles or g.role in roles)
        )

    @property
    def is_analyst(self) -> bool:
        return self.has_role(Role.ANALYST)

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)


# Whoever acts: a user (anonymous visitors included), an Actor already worked
# out (API tokens), or None (the system: commands and tasks).
ActorLike: TypeAlias = Actor | User | AnonymousUser | None

ANONYMOUS = Actor(user_id=None)


def actor_for(user: ActorLike, *, organisation: Organisation | None = None) -> Actor:
    """The Actor for a user (anonymous users included). With `organisation`, only
    the grant in that organisation counts (API tokens)."""
    if isinstance(user, Actor):
        return user
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cache_key = f"_observatory_actor_{organisation.pk if organisation else 'all'}"
    cached = getattr(user, cache_key, None)
    if cached is not None:
        return cached
    memberships = Membership.objects.filter(user=user, organisation__is_active=True)
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    grants = tuple(
        Grant(
            organisation_id=m.organisation_id,
            organisation_code=m.organisation.code,
            area_code=m.organisation.area_id,
            role=m.role,
        )
        for m in memberships.select_related("organisation")
    )
    actor = Actor(
        user_id=user.pk,
        grants=grants,
        # A token never carries superuser power: machines act as an organisation.
        is_superuser=bool(user.is_superuser) and organisation is None,
        token_organisation=organisation.code if organisation else None,
    )
    setattr(user, cache_key, actor)
    return actor


# --------------------------------------------------------------------------
# Country data: rows reported by an organisation of an area, with a status.


def country_data_q(
    user: ActorLike,
    action: Action = "view",
    *,
    organisation_field: str = "organisation",
    area_field: str = "area",
    status_field: str = "status",
) -> Q:
    """A filter for the rows `user` may use for `action`."""
    actor = actor_for(user)
    org = f"{organisation_field}_id" if "__" not in organisation_field else organisation_field
    area = f"{area_field}_id" if "__" not in area_field else area_field
    nothing = Q(pk__in=[])

    if action == "change":
        editable = Q(**{f"{status_field}__in": sorted(Status.EDITABLE)})
        allowed = nothing
        contributor_orgs = actor.organisation_ids(Role.CONTRIBUTOR)
        focal_areas = actor.area_codes(Role.FOCAL_POINT)
        if contributor_orgs:
            allowed |= Q(**{f"{org}__in": sorted(contributor_orgs)})
        if focal_areas:
            allowed |= Q(**{f"{area}__in": sorted(focal_areas)})
        if actor.token_organisation is not None:  # a token changes its organisation's data
            allowed &= Q(**{f"{org}__in": sorted(actor.organisation_ids())})
        return editable & allowed

    allowed = Q(**{f"{status_field}__in": sorted(Status.PUBLIC)})
    contributor_orgs = actor.organisation_ids(Role.CONTRIBUTOR)
    focal_areas = actor.area_codes(Role.FOCAL_POINT)
    if contributor_orgs:
        allowed |= Q(**{f"{org}__in": sorted(contributor_orgs)})
    if focal_areas:
        allowed |= Q(**{f"{area}__in": sorted(focal_areas)})
    if actor.is_analyst:
        allowed |= Q(**{f"{status_field}__in": sorted(Status.SEEN_BY_OFFICE)})
        # The office's own compilations, drafts included.
        allowed |= Q(**{f"{org}__in": sorted(actor.organisation_ids(Role.ANALYST))})
    return allowed


def country_data_for(
    user: ActorLike, queryset: models.QuerySet[M], action: Action = "view", **fields: str
) -> models.QuerySet[M]:
    """`queryset` narrowed to the rows `user` may use for `action`."""
    return queryset.filter(country_data_q(user, action, **fields))


def row_allows(
    user: ActorLike,
    action: Action,
    *,
    organisation_id: int | None,
    area_code: str | None,
    status: str,
) -> bool:
    """The predicate twin of `country_data_q`, for one row."""
    actor = actor_for(user)
    own_org = organisation_id in actor.organisation_ids(Role.CONTRIBUTOR)
    own_area = area_code is not None and area_code in actor.area_codes(Role.FOCAL_POINT)
    if action == "change":
        return status in Status.EDITABLE and (own_org or own_area)
    return (
        status in Status.PUBLIC
        or own_org
        or own_area
        or (actor.is_analyst and status in Status.SEEN_BY_OFFICE)
        or (organisation_id in actor.organisation_ids(Role.ANALYST))
    )


def sees_published_only(user: ActorLike) -> bool:
    """Whether `user` sees exactly what the public sees of country data: no role
    that shows more (contributor, focal point, office analyst). Files made for
    the public may then be served to them."""
    actor = actor_for(user)
    return not actor.has_role(Role.CONTRIBUTOR, Role.FOCAL_POINT, Role.ANALYST)


def undisclosed_areas(user: ActorLike) -> frozenset[str] | None:
    """Areas whose values `user` gets exactly as reported, with no disclosure
    control (values marked confidential, counts under a structure's disclosure
    rule and the rates that would give them back): `None` for every area (office
    analysts: the office receives the data in confidence), the user's own
    countries for their contributors and focal points, none for everybody else
    (the public view, administrators included: they hold no country data)."""
    actor = actor_for(user)
    if actor.is_analyst:
        return None
    return actor.area_codes(Role.CONTRIBUTOR, Role.FOCAL_POINT)


def workspace_q(user: ActorLike, *, organisation_field: str = "organisation") -> Q:
    """Uploads, import jobs and other work in progress of an organisation: its
    contributors and its country's focal points; for the office's own
    organisation (its compilations), its analysts and administrators. The office
    sees a country's data once submitted, not its working files."""
    actor = actor_for(user)
    org = f"{organisation_field}_id"
    allowed = Q(pk__in=[])
    contributor_orgs = actor.organisation_ids(Role.CONTRIBUTOR)
    focal_areas = actor.area_codes(Role.FOCAL_POINT)
    office_orgs = actor.organisation_ids(Role.ANALYST, Role.ADMIN)
    if office_orgs:
        allowed |= Q(
            **{
                f"{org}__in": sorted(office_orgs),
                f"{organisation_field}__kind": Organisation.Kind.OFFICE,
            }
        )
    if contributor_orgs:
        allowed |= Q(**{f"{org}__in": sorted(contributor_orgs)})
    if focal_areas:
        allowed |= Q(**{f"{organisation_field}__area_id__in": sorted(focal_areas)})
    if actor.token_organisation is not None:  # a token: its organisation's work only
        allowed &= Q(**{f"{organisation_field}__code": actor.token_organisation})
    return allowed


def organisations_reporting_for(
    user: ActorLike, *, office: bool = False
) -> models.QuerySet[Organisation]:
    """Organisations the user may upload data for. With `office` (a dataset the
    office compiles itself, from many countries), the office's own organisation
    too, for its analysts and administrators."""
    actor = actor_for(user)
    reporting = Organisation.objects.filter(_reporting_q(user), is_active=True).exclude(
        kind=Organisation.Kind.OFFICE
    )
    if office:
        own = actor.organisation_ids(Role.ANALYST, Role.ADMIN)
        reporting = reporting | Organisation.objects.filter(
            pk__in=sorted(own), kind=Organisation.Kind.OFFICE, is_active=True
        )
    if actor.token_organisation is not None:
        # A token acts for the organisation it was made for, not its whole country.
        reporting = reporting.filter(code=actor.token_organisation)
    return reporting


def _reporting_q(user: ActorLike) -> Q:
    actor = actor_for(user)
    return Q(pk__in=sorted(actor.organisation_ids(Role.CONTRIBUTOR))) | Q(
        area_id__in=sorted(actor.area_codes(Role.FOCAL_POINT))
    )


def reports_for(user: ActorLike, organisation: Organisation) -> bool:
    """Whether the user enters data for this organisation (a contributor of it,
    or the focal point of its country)."""
    return organisations_reporting_for(user).filter(pk=organisation.pk).exists()


def own_areas(user: ActorLike, *roles: str) -> frozenset[str]:
    """The countries the user holds a role in (with `roles`, one of those)."""
    return actor_for(user).area_codes(*roles)


def is_own_country(user: ActorLike, area_code: str | None) -> bool:
    """Whether the user holds a role in an organisation of this country."""
    return area_code is not None and area_code in actor_for(user).area_codes()


def is_restricted(status: str) -> bool:
    """Whether rows in this status are not public (their export is audited)."""
    return status not in Status.PUBLIC


# --------------------------------------------------------------------------
# Workflow actions.


def can_submit(
    user: ActorLike, *, area_code: str | None, organisation_code: str | None = None
) -> bool:
    """Focal points submit their own country's data to the office; an office
    analyst puts the office's own compilations (no area) into review. A token
    submits for the organisation it was made for only."""
    actor = actor_for(user)
    if (
        actor.token_organisation is not None
        and organisation_code is not None
        and organisation_code != actor.token_organisation
    ):
        return False
    if area_code is None:
        return actor.is_analyst
    return area_code in actor.area_codes(Role.FOCAL_POINT)


def can_review(user: ActorLike) -> bool:
    """Office analysts return or accept submitted data."""
    return actor_for(user).is_analyst


def can_publish(user: ActorLike) -> bool:
    return actor_for(user).is_analyst


def can_define_dataflows(user: ActorLike) -> bool:
    """The office's analysts and administrators bring in new families of data
    (dataflows, codelists, areas of their compilations); the system (commands
    run on the server without --user) too."""
    if user is None:
        return True
    actor = actor_for(user)
    return actor.is_analyst or actor.is_admin


def can_see_office_overview(user: ActorLike) -> bool:
    actor = actor_for(user)
    return actor.is_analyst or actor.is_admin


# --------------------------------------------------------------------------
# Users, organisations and configuration.


def can_administer(user: ActorLike) -> bool:
    """Configuration, reference data, every user: administrators only."""
    return actor_for(user).is_admin


def can_view_audit_log(user: ActorLike) -> bool:
    return actor_for(user).is_admin


def organisations_managed_by(
    user: ActorLike, queryset: models.QuerySet[Organisation] | None = None
) -> models.QuerySet[Organisation]:
    """Organisations whose members `user` may manage: all for administrators, the
    national organisations of their country for focal points."""
    queryset = Organisation.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if actor.is_admin and actor.token_organisation is None:
        return queryset
    focal_areas = actor.area_codes(Role.FOCAL_POINT)
    if not focal_areas:
        return queryset.none()
    return queryset.filter(area_id__in=sorted(focal_areas)).exclude(kind=Organisation.Kind.OFFICE)


def can_grant(user: ActorLike, *, organisation: Organisation, role: str) -> bool:
    """Whether `user` may give (or take away) `role` in `organisation`."""
    valid = (role in OFFICE_ROLE_VALUES) == organisation.is_office
    if not valid or role not in Role.values:
        return False
    return organisations_managed_by(user).filter(pk=organisation.pk).exists()


def can_manage_user(user: ActorLike, *, person: Any, organisation: Organisation) -> bool:
    """Whether `user` may give `person` a role in `organisation`: administrators
    anyone; a focal point only people with no role outside its country."""
    actor = actor_for(user)
    if actor.is_admin and actor.token_organisation is None:
        return True
    if not organisations_managed_by(actor).filter(pk=organisation.pk).exists():
        return False
    elsewhere = Membership.objects.filter(user=person).exclude(
        organisation__area_id__in=sorted(actor.area_codes(Role.FOCAL_POINT))
    )
    return not elsewhere.exists()


def organisations_visible_to(
    user: ActorLike, queryset: models.QuerySet[Organisation] | None = None
) -> models.QuerySet[Organisation]:
    """Organisations a user may list: all for the office, own country's for others.

    The directory of agencies is not public: it says who reports what."""
    queryset = Organisation.objects.all() if queryset is None else queryset
    actor = actor_for(user)
    if not actor.is_authenticated:
        return queryset.none()
    if actor.is_analyst or actor.is_admin:
        return queryset
    areas = actor.area_codes()
    return queryset.filter(
        Q(area_id__in=sorted(areas)) | Q(pk__in=sorted(actor.organisation_ids()))
    )


# --------------------------------------------------------------------------
# Networks: reciprocity.


def network_areas(user: ActorLike, network: Network) -> frozenset[str]:
    """The areas whose network data `user` works with, whatever the membership's
    status: as focal point of the area, or in an agency the focal point named for
    this network. Other roles of a country take no part in a network."""
    actor = actor_for(user)
    areas = set(actor.area_codes(Role.FOCAL_POINT))
    organisations = actor.organisation_ids(Role.CONTRIBUTOR)
    if organisations:
        areas |= set(
            NetworkAgency.objects.filter(
                member__network=network, organisation_id__in=sorted(organisations)
            ).values_list("member__area_id", flat=True)
        )
    return frozenset(areas)


def member_areas(user: ActorLike, network: Network) -> frozenset[str]:
    """The areas through which `user` takes part in `network` (active members only)."""
    mine = network_areas(user, network)
    if not mine:
        return frozenset()
    active = NetworkMember.objects.filter(
        network=network, status=NetworkMember.Status.ACTIVE, area_id__in=sorted(mine)
    ).values_list("area_id", flat=True)
    return frozenset(active)


def contributed_periods(network: Network, areas: Iterable[str]) -> frozenset[str]:
    return frozenset(
        NetworkContribution.objects.filter(network=network, area_id__in=sorted(areas)).values_list(
            "period", flat=True
        )
    )


def sharing_areas(network: Network) -> frozenset[str]:
    """Members whose data other members may see: active ones. A state that left
    stops sharing (and seeing) from the day it leaves; an invited one has not
    started."""
    return frozenset(
        NetworkMember.objects.filter(
            network=network, status=NetworkMember.Status.ACTIVE
        ).values_list("area_id", flat=True)
    )


def network_data_q(
    user: ActorLike,
    network: Network,
    *,
    area_field: str = "area",
    period_field: str = "period",
    national_only_field: str | None = "national_only",
    status_field: str | None = None,
) -> Q:
    """A filter for network rows `user` may see.

    Own country's rows always (as focal point or named agency); other members'
    rows for a period only if one of the user's member areas contributed for that
    period (reciprocity), only while both are active members, only once shared
    (with `status_field`: submitted or accepted), never rows marked national-only.
    The office sees every row once shared; the public and administrators nothing."""
    actor = actor_for(user)
    area = f"{area_field}_id" if "__" not in area_field else area_field
    shared = Q(**{f"{status_field}__in": sorted(Status.SHARED)}) if status_field else Q()
    if actor.is_analyst:
        return shared
    own_areas = network_areas(actor, network)
    if not own_areas:
        return Q(pk__in=[])
    own = Q(**{f"{area}__in": sorted(own_areas)})
    areas = member_areas(actor, network)
    if not areas:
        return own
    periods = contributed_periods(network, areas)
    if not periods:
        return own
    others = (
        Q(**{f"{area}__in": sorted(sharing_areas(network) - own_areas)})
        & Q(**{f"{period_field}__in": sorted(periods)})
        & shared
    )
    if national_only_field:
        others &= Q(**{national_only_field: False})
    return own | others


def network_rows_for(
    user: ActorLike, network: Network, queryset: models.QuerySet[M], **fields: Any
) -> models.QuerySet[M]:
    return queryset.filter(network_data_q(user, network, **fields))


def network_row_allows(
    user: ActorLike,
    network: Network,
    *,
    area_code: str,
    period: str,
    national_only: bool = False,
    status: str | None = None,
) -> bool:
    """The predicate twin of `network_data_q` (`status` None: not status-checked)."""
    actor = actor_for(user)
    shared = status is None or status in Status.SHARED
    if actor.is_analyst:
        return shared
    own_areas = network_areas(actor, network)
    if area_code in own_areas:
        return True
    areas = member_areas(actor, network)
    if not areas or national_only or not shared:
        return False
    return area_code in sharing_areas(network) and period in contributed_periods(network, areas)


def can_take_part(user: ActorLike, network: Network) -> bool:
    """May enter and share data for a member state (focal point or named agency)."""
    return bool(network_areas(user, network))


def can_report_to_network(user: ActorLike, network: Network, organisation: Organisation) -> bool:
    """Enter or upload data for `organisation` into `network`: its area is an active
    member and the user is its focal point, or a contributor of the organisation
    when the focal point named it a contributing agency."""
    actor = actor_for(user)
    area = organisation.area_id
    if area is None or area not in member_areas(actor, network):
        return False
    if area in actor.area_codes(Role.FOCAL_POINT):
        return True
    return organisation.pk in actor.organisation_ids(Role.CONTRIBUTOR) and (
        NetworkAgency.objects.filter(
            member__network=network, member__area_id=area, organisation=organisation
        ).exists()
    )


def can_manage_network(user: ActorLike) -> bool:
    """Create networks and invite states: the office."""
    actor = actor_for(user)
    return actor.is_analyst or actor.is_admin


def can_answer_invitation(user: ActorLike, member: NetworkMember) -> bool:
    """Accept, leave and name agencies: the focal point of the member state."""
    return member.area_id in actor_for(user).area_codes(Role.FOCAL_POINT)


def network_visibility_reason(
    user: ActorLike, network: Network, *, period: str | None = None
) -> str:
    """Why `user` sees, or does not see, other members' data (for `period`, or for
    any period): the page says this when it has nothing from others to show.

    office | not_logged_in | not_a_member | not_named | invited | left |
    not_contributed | contributor"""
    actor = actor_for(user)
    if actor.is_analyst:
        return "office"
    if not actor.is_authenticated:
        return "not_logged_in"
    mine = network_areas(actor, network)
    country = actor.area_codes(Role.CONTRIBUTOR, Role.FOCAL_POINT)
    statuses = dict(
        NetworkMember.objects.filter(
            network=network, area_id__in=sorted(mine | country)
        ).values_list("area_id", "status")
    )
    if not statuses:
        return "not_a_member"
    if not mine:
        return "not_named"
    mine_statuses = {statuses[a] for a in mine if a in statuses}
    if NetworkMember.Status.ACTIVE not in mine_statuses:
        return "left" if NetworkMember.Status.LEFT in mine_statuses else "invited"
    periods = contributed_periods(network, member_areas(actor, network))
    if (period is None and not periods) or (period is not None and period not in periods):
        return "not_contributed"
    return "contributor"

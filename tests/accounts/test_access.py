"""The access policy, checked against real queries on CountryRecord and NetworkRecord.

Every expectation below is written out by hand from the rules in the docstring of
`observatory.accounts.access`; none is computed by the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from observatory.accounts import access
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
from tests import factories
from tests.testapp.models import CountryRecord, NetworkRecord

# --------------------------------------------------------------------------
# Country data: the expected matrix.

NATIONAL_ORGS = ("COL-POLICE", "COL-LAB", "ESP-CUSTOMS")
ALL_ORGS = frozenset({"OFFICE", *NATIONAL_ORGS})
COL_ORGS = ("COL-POLICE", "COL-LAB")
STATUSES = ("draft", "submitted", "returned", "accepted", "published", "superseded")
EDITABLE = ("draft", "returned")
SEEN_BY_OFFICE = ("submitted", "returned", "accepted", "published", "superseded")


def labels(orgs: tuple[str, ...], statuses: tuple[str, ...]) -> frozenset[str]:
    """Row labels ("ORG/status") for every organisation and status given."""
    return frozenset(f"{org}/{status}" for org in orgs for status in statuses)


NOTHING: frozenset[str] = frozenset()
EVERY_ROW = labels(NATIONAL_ORGS, STATUSES)
PUBLISHED = labels(NATIONAL_ORGS, ("published",))

ACTORS = (
    "anonymous",
    "no_role",
    "contributor_col_police",
    "contributor_col_lab",
    "focal_point_col",
    "analyst",
    "admin",
    "contributor_esp",
    "focal_point_esp",
    "contributor_col_lab_and_focal_point_esp",
    "superuser",
    "inactive_focal_point_col",
)

# view: anyone sees published rows; a contributor every row of its organisation; a
# focal point every row of its country; an analyst every row once submitted; an
# administrator (and a superuser) no country data by role; an inactive user is
# nobody.
EXPECTED_VIEW: dict[str, frozenset[str]] = {
    "anonymous": PUBLISHED,
    "no_role": PUBLISHED,
    "contributor_col_police": PUBLISHED | labels(("COL-POLICE",), STATUSES),
    "contributor_col_lab": PUBLISHED | labels(("COL-LAB",), STATUSES),
    "focal_point_col": PUBLISHED | labels(COL_ORGS, STATUSES),
    "analyst": labels(NATIONAL_ORGS, SEEN_BY_OFFICE),
    "admin": PUBLISHED,
    "contributor_esp": PUBLISHED | labels(("ESP-CUSTOMS",), STATUSES),
    "focal_point_esp": PUBLISHED | labels(("ESP-CUSTOMS",), STATUSES),
    "contributor_col_lab_and_focal_point_esp": (
        PUBLISHED | labels(("COL-LAB", "ESP-CUSTOMS"), STATUSES)
    ),
    "superuser": PUBLISHED,
    "inactive_focal_point_col": PUBLISHED,
}

# change: contributors their organisation's rows, focal points their country's rows,
# only while draft or returned; the office changes nothing a country reported.
EXPECTED_CHANGE: dict[str, frozenset[str]] = {
    "anonymous": NOTHING,
    "no_role": NOTHING,
    "contributor_col_police": labels(("COL-POLICE",), EDITABLE),
    "contributor_col_lab": labels(("COL-LAB",), EDITABLE),
    "focal_point_col": labels(COL_ORGS, EDITABLE),
    "analyst": NOTHING,
    "admin": NOTHING,
    "contributor_esp": labels(("ESP-CUSTOMS",), EDITABLE),
    "focal_point_esp": labels(("ESP-CUSTOMS",), EDITABLE),
    "contributor_col_lab_and_focal_point_esp": labels(("COL-LAB", "ESP-CUSTOMS"), EDITABLE),
    "superuser": NOTHING,
    "inactive_focal_point_col": NOTHING,
}

# export: what one may see one may export (exports of non-public rows are audited,
# see `is_restricted`); written out again rather than aliased to the view matrix.
EXPECTED_EXPORT: dict[str, frozenset[str]] = {
    "anonymous": PUBLISHED,
    "no_role": PUBLISHED,
    "contributor_col_police": PUBLISHED | labels(("COL-POLICE",), STATUSES),
    "contributor_col_lab": PUBLISHED | labels(("COL-LAB",), STATUSES),
    "focal_point_col": PUBLISHED | labels(COL_ORGS, STATUSES),
    "analyst": labels(NATIONAL_ORGS, SEEN_BY_OFFICE),
    "admin": PUBLISHED,
    "contributor_esp": PUBLISHED | labels(("ESP-CUSTOMS",), STATUSES),
    "focal_point_esp": PUBLISHED | labels(("ESP-CUSTOMS",), STATUSES),
    "contributor_col_lab_and_focal_point_esp": (
        PUBLISHED | labels(("COL-LAB", "ESP-CUSTOMS"), STATUSES)
    ),
    "superuser": PUBLISHED,
    "inactive_focal_point_col": PUBLISHED,
}

EXPECTED_ROWS: dict[str, dict[str, frozenset[str]]] = {
    "view": EXPECTED_VIEW,
    "change": EXPECTED_CHANGE,
    "export": EXPECTED_EXPORT,
}

# Workflow and configuration abilities, per actor.
CAN_SUBMIT_FOR: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "no_role": frozenset(),
    "contributor_col_police": frozenset(),
    "contributor_col_lab": frozenset(),
    "focal_point_col": frozenset({"COL"}),
    "analyst": frozenset(),
    "admin": frozenset(),
    "contributor_esp": frozenset(),
    "focal_point_esp": frozenset({"ESP"}),
    "contributor_col_lab_and_focal_point_esp": frozenset({"ESP"}),
    "superuser": frozenset(),
    "inactive_focal_point_col": frozenset(),
}

ABILITIES = {
    "review": access.can_review,
    "publish": access.can_publish,
    "administer": access.can_administer,
    "view_audit_log": access.can_view_audit_log,
    "office_overview": access.can_see_office_overview,
}
ANALYST_ABILITIES = frozenset({"review", "publish", "office_overview"})
ADMIN_ABILITIES = frozenset({"administer", "view_audit_log", "office_overview"})
EXPECTED_ABILITIES: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "no_role": frozenset(),
    "contributor_col_police": frozenset(),
    "contributor_col_lab": frozenset(),
    "focal_point_col": frozenset(),
    "analyst": ANALYST_ABILITIES,
    "admin": ADMIN_ABILITIES,
    "contributor_esp": frozenset(),
    "focal_point_esp": frozenset(),
    "contributor_col_lab_and_focal_point_esp": frozenset(),
    "superuser": ADMIN_ABILITIES,
    "inactive_focal_point_col": frozenset(),
}

EXPECTED_MANAGED: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "no_role": frozenset(),
    "contributor_col_police": frozenset(),
    "contributor_col_lab": frozenset(),
    "focal_point_col": frozenset(COL_ORGS),
    "analyst": frozenset(),
    "admin": ALL_ORGS,
    "contributor_esp": frozenset(),
    "focal_point_esp": frozenset({"ESP-CUSTOMS"}),
    "contributor_col_lab_and_focal_point_esp": frozenset({"ESP-CUSTOMS"}),
    "superuser": ALL_ORGS,
    "inactive_focal_point_col": frozenset(),
}

ROLES_TRIED = (Role.CONTRIBUTOR, Role.FOCAL_POINT, Role.ANALYST, Role.ADMIN, "owner")
NATIONAL_GRANTS = frozenset(
    (org, role) for org in NATIONAL_ORGS for role in (Role.CONTRIBUTOR, Role.FOCAL_POINT)
)
OFFICE_GRANTS = frozenset({("OFFICE", Role.ANALYST), ("OFFICE", Role.ADMIN)})
COL_GRANTS = frozenset(
    (org, role) for org in COL_ORGS for role in (Role.CONTRIBUTOR, Role.FOCAL_POINT)
)
ESP_GRANTS = frozenset({("ESP-CUSTOMS", Role.CONTRIBUTOR), ("ESP-CUSTOMS", Role.FOCAL_POINT)})
EXPECTED_GRANTS: dict[str, frozenset[tuple[str, str]]] = {
    "anonymous": frozenset(),
    "no_role": frozenset(),
    "contributor_col_police": frozenset(),
    "contributor_col_lab": frozenset(),
    "focal_point_col": COL_GRANTS,
    "analyst": frozenset(),
    "admin": NATIONAL_GRANTS | OFFICE_GRANTS,
    "contributor_esp": frozenset(),
    "focal_point_esp": ESP_GRANTS,
    "contributor_col_lab_and_focal_point_esp": ESP_GRANTS,
    "superuser": NATIONAL_GRANTS | OFFICE_GRANTS,
    "inactive_focal_point_col": frozenset(),
}

EXPECTED_VISIBLE_ORGS: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "no_role": frozenset(),
    "contributor_col_police": frozenset(COL_ORGS),
    "contributor_col_lab": frozenset(COL_ORGS),
    "focal_point_col": frozenset(COL_ORGS),
    "analyst": ALL_ORGS,
    "admin": ALL_ORGS,
    "contributor_esp": frozenset({"ESP-CUSTOMS"}),
    "focal_point_esp": frozenset({"ESP-CUSTOMS"}),
    "contributor_col_lab_and_focal_point_esp": frozenset(NATIONAL_ORGS),
    "superuser": ALL_ORGS,
    "inactive_focal_point_col": frozenset(),
}


# --------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def actors(
    office: Organisation, col_police: Organisation, col_lab: Organisation, esp_customs: Organisation
) -> dict[str, Any]:
    multi = factories.member(Role.CONTRIBUTOR, col_lab, email="multi@col.test")
    Membership.objects.create(user=multi, organisation=esp_customs, role=Role.FOCAL_POINT)
    inactive = factories.member(Role.FOCAL_POINT, col_police, email="inactive@col.test")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return {
        "anonymous": AnonymousUser(),
        "no_role": factories.UserFactory(email="nobody@example.test"),
        "contributor_col_police": factories.member(
            Role.CONTRIBUTOR, col_police, email="police@col.test"
        ),
        "contributor_col_lab": factories.member(Role.CONTRIBUTOR, col_lab, email="lab@col.test"),
        "focal_point_col": factories.member(Role.FOCAL_POINT, col_police, email="focal@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@office.test"),
        "admin": factories.member(Role.ADMIN, office, email="admin@office.test"),
        "contributor_esp": factories.member(
            Role.CONTRIBUTOR, esp_customs, email="customs@esp.test"
        ),
        "focal_point_esp": factories.member(Role.FOCAL_POINT, esp_customs, email="focal@esp.test"),
        "contributor_col_lab_and_focal_point_esp": multi,
        "superuser": factories.UserFactory(
            email="root@example.test", is_superuser=True, is_staff=True
        ),
        "inactive_focal_point_col": inactive,
    }


@pytest.fixture
def country_rows(
    col_police: Organisation, col_lab: Organisation, esp_customs: Organisation
) -> list[CountryRecord]:
    return [
        CountryRecord.objects.create(
            organisation=org, area_id=org.area_id, status=status, label=f"{org.code}/{status}"
        )
        for org in (col_police, col_lab, esp_customs)
        for status in STATUSES
    ]


@pytest.fixture
def organisations(
    office: Organisation, col_police: Organisation, col_lab: Organisation, esp_customs: Organisation
) -> dict[str, Organisation]:
    return {org.code: org for org in (office, col_police, col_lab, esp_customs)}


def visible_labels(user: Any, action: access.Action) -> frozenset[str]:
    rows = access.country_data_for(user, CountryRecord.objects.all(), action)
    return frozenset(rows.values_list("label", flat=True))


def allowed_by_predicate(
    user: Any, action: access.Action, rows: list[CountryRecord]
) -> dict[str, bool]:
    return {
        row.label: access.row_allows(
            user,
            action,
            organisation_id=row.organisation_id,
            area_code=row.area_id,
            status=row.status,
        )
        for row in rows
    }


def codes(queryset: Any) -> frozenset[str]:
    return frozenset(queryset.values_list("code", flat=True))


# --------------------------------------------------------------------------
# Country data


def test_the_matrix_covers_every_actor_and_row(country_rows: list[CountryRecord]) -> None:
    assert frozenset(row.label for row in country_rows) == EVERY_ROW
    tables: list[dict[str, Any]] = [
        EXPECTED_VIEW,
        EXPECTED_CHANGE,
        EXPECTED_EXPORT,
        CAN_SUBMIT_FOR,
        EXPECTED_ABILITIES,
        EXPECTED_MANAGED,
        EXPECTED_GRANTS,
        EXPECTED_VISIBLE_ORGS,
    ]
    assert [set(table) for table in tables] == [set(ACTORS)] * len(tables)


@pytest.mark.parametrize("action", ["view", "change", "export"])
@pytest.mark.parametrize("actor", ACTORS)
def test_country_data_for_returns_exactly_the_expected_rows(
    actor: str, action: access.Action, actors: dict[str, Any], country_rows: list[CountryRecord]
) -> None:
    assert visible_labels(actors[actor], action) == EXPECTED_ROWS[action][actor]


@pytest.mark.parametrize("action", ["view", "change", "export"])
@pytest.mark.parametrize("actor", ACTORS)
def test_row_allows_agrees_with_the_queryset_for_every_row(
    actor: str, action: access.Action, actors: dict[str, Any], country_rows: list[CountryRecord]
) -> None:
    in_queryset = visible_labels(actors[actor], action)
    predicate = allowed_by_predicate(actors[actor], action, country_rows)
    assert predicate == {row.label: row.label in in_queryset for row in country_rows}
    allowed = {label for label, allows in predicate.items() if allows}
    assert allowed == EXPECTED_ROWS[action][actor]


@pytest.mark.parametrize("action", ["view", "change"])
def test_related_lookups_filter_like_plain_fields(
    action: access.Action, actors: dict[str, Any], country_rows: list[CountryRecord]
) -> None:
    # Given field names that traverse a relation (what selectors pass for joined data)
    user = actors["contributor_col_lab_and_focal_point_esp"]
    rows = access.country_data_for(
        user,
        CountryRecord.objects.all(),
        action,
        organisation_field="organisation__id",
        area_field="area__code",
    )
    assert (
        frozenset(rows.values_list("label", flat=True))
        == EXPECTED_ROWS[action]["contributor_col_lab_and_focal_point_esp"]
    )


def test_anonymous_and_none_are_the_same_actor() -> None:
    assert access.actor_for(None) == access.ANONYMOUS
    assert access.actor_for(AnonymousUser()) == access.ANONYMOUS
    assert not access.ANONYMOUS.is_authenticated


def test_an_inactive_user_is_anonymous(actors: dict[str, Any]) -> None:
    assert access.actor_for(actors["inactive_focal_point_col"]) == access.ANONYMOUS


def test_a_deactivated_organisation_grants_nothing(
    actors: dict[str, Any], col_police: Organisation, country_rows: list[CountryRecord]
) -> None:
    col_police.is_active = False
    col_police.save(update_fields=["is_active"])
    user = User.objects.get(email="police@col.test")
    assert access.actor_for(user).grants == ()
    assert visible_labels(user, "view") == PUBLISHED


@pytest.mark.parametrize(
    ("status", "restricted"),
    [
        ("draft", True),
        ("submitted", True),
        ("returned", True),
        ("accepted", True),
        ("published", False),
    ],
)
def test_only_published_rows_are_unrestricted(status: str, restricted: bool) -> None:
    assert access.is_restricted(status) is restricted


# --------------------------------------------------------------------------
# API tokens narrow the actor


def test_token_actor_holds_only_the_grant_of_its_organisation(
    actors: dict[str, Any], col_lab: Organisation, country_rows: list[CountryRecord]
) -> None:
    user = actors["contributor_col_lab_and_focal_point_esp"]
    actor = access.actor_for(user, organisation=col_lab)
    assert actor.grants == (
        access.Grant(
            organisation_id=col_lab.pk,
            organisation_code="COL-LAB",
            area_code="COL",
            role=Role.CONTRIBUTOR,
        ),
    )
    assert actor.token_organisation == "COL-LAB"
    assert visible_labels(actor, "view") == PUBLISHED | labels(("COL-LAB",), STATUSES)
    assert visible_labels(actor, "change") == labels(("COL-LAB",), EDITABLE)
    assert not access.can_submit(actor, area_code="ESP")
    assert codes(access.organisations_managed_by(actor)) == frozenset()


def test_token_for_the_other_organisation_grants_only_that_one(
    actors: dict[str, Any], esp_customs: Organisation, country_rows: list[CountryRecord]
) -> None:
    user = actors["contributor_col_lab_and_focal_point_esp"]
    actor = access.actor_for(user, organisation=esp_customs)
    assert actor.roles() == frozenset({Role.FOCAL_POINT})
    assert visible_labels(actor, "view") == PUBLISHED | labels(("ESP-CUSTOMS",), STATUSES)
    assert visible_labels(actor, "change") == labels(("ESP-CUSTOMS",), EDITABLE)
    assert access.can_submit(actor, area_code="ESP")
    assert codes(access.organisations_managed_by(actor)) == frozenset({"ESP-CUSTOMS"})


def test_token_narrowing_is_not_undone_by_the_cached_full_actor(
    actors: dict[str, Any], col_lab: Organisation, country_rows: list[CountryRecord]
) -> None:
    # Given the user's unscoped actor was computed (and cached on the user) first
    user = actors["contributor_col_lab_and_focal_point_esp"]
    assert access.actor_for(user).roles() == frozenset({Role.CONTRIBUTOR, Role.FOCAL_POINT})
    # Then the scoped actor still holds only the token's organisation
    scoped = access.actor_for(user, organisation=col_lab)
    assert scoped.roles() == frozenset({Role.CONTRIBUTOR})
    assert access.actor_for(user).roles() == frozenset({Role.CONTRIBUTOR, Role.FOCAL_POINT})


def test_token_for_an_organisation_without_a_role_grants_nothing(
    actors: dict[str, Any], col_police: Organisation, country_rows: list[CountryRecord]
) -> None:
    actor = access.actor_for(actors["contributor_esp"], organisation=col_police)
    assert actor.grants == ()
    assert visible_labels(actor, "view") == PUBLISHED
    assert visible_labels(actor, "change") == NOTHING


def test_superuser_power_never_passes_through_a_token(
    office: Organisation, col_police: Organisation, country_rows: list[CountryRecord]
) -> None:
    root = factories.member(Role.CONTRIBUTOR, col_police, email="root@col.test")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    assert access.actor_for(root).is_superuser
    assert access.can_administer(root)

    actor = access.actor_for(root, organisation=col_police)
    assert not actor.is_superuser
    assert not actor.is_admin
    assert not access.can_administer(actor)
    assert not access.can_view_audit_log(actor)
    assert not access.can_see_office_overview(actor)
    assert codes(access.organisations_managed_by(actor)) == frozenset()
    assert not access.can_grant(actor, organisation=office, role=Role.ADMIN)
    assert visible_labels(actor, "view") == PUBLISHED | labels(("COL-POLICE",), STATUSES)


def test_superuser_token_for_an_organisation_without_a_role_is_powerless(
    actors: dict[str, Any], office: Organisation, country_rows: list[CountryRecord]
) -> None:
    actor = access.actor_for(actors["superuser"], organisation=office)
    assert actor == access.Actor(
        user_id=actors["superuser"].pk, grants=(), is_superuser=False, token_organisation="OFFICE"
    )
    assert not access.can_administer(actor)
    assert visible_labels(actor, "view") == PUBLISHED


def test_token_scoped_admin_manages_no_national_organisation(
    actors: dict[str, Any], office: Organisation, organisations: dict[str, Organisation]
) -> None:
    # The token narrows the administrator to the office it was issued for.
    actor = access.actor_for(actors["admin"], organisation=office)
    managed = codes(access.organisations_managed_by(actor))
    assert managed <= {"OFFICE"}
    assert managed.isdisjoint(NATIONAL_ORGS)
    assert not access.can_grant(
        actor, organisation=organisations["COL-POLICE"], role=Role.CONTRIBUTOR
    )
    assert not access.can_grant(
        actor, organisation=organisations["ESP-CUSTOMS"], role=Role.FOCAL_POINT
    )


# --------------------------------------------------------------------------
# Workflow and configuration


@pytest.mark.parametrize("actor", ACTORS)
def test_can_submit_only_own_country_as_focal_point(actor: str, actors: dict[str, Any]) -> None:
    user = actors[actor]
    submits_for = {
        area for area in ("COL", "ESP", "THA") if access.can_submit(user, area_code=area)
    }
    assert submits_for == CAN_SUBMIT_FOR[actor]
    # No area: a compilation of the office's own, which only its analysts put in review.
    assert access.can_submit(user, area_code=None) == (actor == "analyst")


@pytest.mark.parametrize("actor", ACTORS)
def test_review_publish_administer_audit_log_overview(actor: str, actors: dict[str, Any]) -> None:
    user = actors[actor]
    assert {name for name, check in ABILITIES.items() if check(user)} == EXPECTED_ABILITIES[actor]


# --------------------------------------------------------------------------
# Users and organisations


@pytest.mark.parametrize("actor", ACTORS)
def test_organisations_managed_by(
    actor: str, actors: dict[str, Any], organisations: dict[str, Organisation]
) -> None:
    assert codes(access.organisations_managed_by(actors[actor])) == EXPECTED_MANAGED[actor]


def test_organisations_managed_by_narrows_a_given_queryset(
    actors: dict[str, Any], organisations: dict[str, Organisation]
) -> None:
    only_lab = Organisation.objects.filter(code="COL-LAB")
    managed = access.organisations_managed_by
    assert codes(managed(actors["focal_point_col"], only_lab)) == {"COL-LAB"}
    assert codes(managed(actors["focal_point_esp"], only_lab)) == set()
    assert codes(managed(actors["admin"], only_lab)) == {"COL-LAB"}


@pytest.mark.parametrize("actor", ACTORS)
def test_can_grant(
    actor: str, actors: dict[str, Any], organisations: dict[str, Organisation]
) -> None:
    user = actors[actor]
    grantable = {
        (code, role)
        for code, org in organisations.items()
        for role in ROLES_TRIED
        if access.can_grant(user, organisation=org, role=role)
    }
    assert grantable == EXPECTED_GRANTS[actor]


def test_office_roles_only_in_the_office_and_national_roles_only_outside(
    actors: dict[str, Any], organisations: dict[str, Organisation]
) -> None:
    admin = actors["admin"]
    assert not access.can_grant(admin, organisation=organisations["COL-POLICE"], role=Role.ANALYST)
    assert not access.can_grant(admin, organisation=organisations["COL-POLICE"], role=Role.ADMIN)
    assert not access.can_grant(admin, organisation=organisations["OFFICE"], role=Role.CONTRIBUTOR)
    assert not access.can_grant(admin, organisation=organisations["OFFICE"], role=Role.FOCAL_POINT)
    assert access.can_grant(admin, organisation=organisations["OFFICE"], role=Role.ANALYST)


@pytest.mark.parametrize("actor", ACTORS)
def test_organisations_visible_to(
    actor: str, actors: dict[str, Any], organisations: dict[str, Organisation]
) -> None:
    assert codes(access.organisations_visible_to(actors[actor])) == EXPECTED_VISIBLE_ORGS[actor]


# --------------------------------------------------------------------------
# Networks: reciprocity

NETWORK_AREAS = ("THA", "MMR", "AUS", "IRN", "NGA")
PERIODS = ("2024", "2025")


def own_rows(area: str) -> frozenset[str]:
    """Every row of one area, national-only ones included."""
    return frozenset(
        f"{area}/{period}{suffix}" for period in PERIODS for suffix in ("", "/national")
    )


def shared_rows(areas: tuple[str, ...], periods: tuple[str, ...]) -> frozenset[str]:
    """Rows of other members that are not national-only."""
    return frozenset(f"{area}/{period}" for area in areas for period in periods)


NETWORK_ACTORS = (
    "anonymous",
    "no_role",
    "tha",
    "aus",
    "mmr",
    "irn",
    "nga",
    "esp",
    "analyst",
    "admin",
)
ALL_NETWORK_ROWS = frozenset().union(*(own_rows(area) for area in NETWORK_AREAS))

# THA contributed for 2024 and 2025, AUS for 2025, MMR never. IRN left and NGA is
# only invited: each sees its own rows only. A state that left stops sharing too;
# an invited area has shared nothing. Contributors take part through an agency
# their focal point named for the network. National-only rows never leave
# their country. The office (an analyst) sees everything, the public nothing, and
# an administrator no country data by role.
EXPECTED_NETWORK_ROWS: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "no_role": frozenset(),
    "tha": own_rows("THA") | shared_rows(("MMR", "AUS"), ("2024", "2025")),
    "aus": own_rows("AUS") | shared_rows(("THA", "MMR"), ("2025",)),
    "mmr": own_rows("MMR"),
    "irn": own_rows("IRN"),
    "nga": own_rows("NGA"),
    "esp": frozenset(),
    "analyst": ALL_NETWORK_ROWS,
    "admin": frozenset(),
}

OWN_AREA: dict[str, str | None] = {
    "anonymous": None,
    "no_role": None,
    "tha": "THA",
    "aus": "AUS",
    "mmr": "MMR",
    "irn": "IRN",
    "nga": "NGA",
    "esp": "ESP",
    "admin": None,
}


@pytest.fixture
def net(db: Any) -> Network:
    network = factories.network("NET", members=("THA", "MMR", "AUS"))
    NetworkMember.objects.create(network=network, area_id="IRN", status=NetworkMember.Status.LEFT)
    NetworkMember.objects.create(
        network=network, area_id="NGA", status=NetworkMember.Status.INVITED
    )
    for area, period in (("THA", "2024"), ("THA", "2025"), ("AUS", "2025")):
        NetworkContribution.objects.create(network=network, area_id=area, period=period)
    # MMR contributed to another network: that must not count in this one.
    other = factories.network("OTHER", members=("MMR", "THA"))
    NetworkContribution.objects.create(network=other, area_id="MMR", period="2024")
    NetworkContribution.objects.create(network=other, area_id="MMR", period="2025")
    return network


@pytest.fixture
def network_rows(net: Network) -> list[NetworkRecord]:
    return [
        NetworkRecord.objects.create(
            network=net,
            area_id=area,
            period=period,
            national_only=national_only,
            label=f"{area}/{period}{'/national' if national_only else ''}",
        )
        for area in NETWORK_AREAS
        for period in PERIODS
        for national_only in (False, True)
    ]


@pytest.fixture
def network_actors(
    db: Any, net: Network, office: Organisation, esp_customs: Organisation
) -> dict[str, Any]:
    actors = {
        "anonymous": AnonymousUser(),
        "no_role": factories.UserFactory(email="nobody@example.test"),
        "tha": factories.member(Role.CONTRIBUTOR, factories.agency("THA"), email="c@tha.test"),
        "aus": factories.member(
            Role.FOCAL_POINT,
            factories.agency("AUS", Organisation.Kind.CUSTOMS),
            email="fp@aus.test",
        ),
        "mmr": factories.member(Role.CONTRIBUTOR, factories.agency("MMR"), email="c@mmr.test"),
        "irn": factories.member(Role.CONTRIBUTOR, factories.agency("IRN"), email="c@irn.test"),
        "nga": factories.member(Role.FOCAL_POINT, factories.agency("NGA"), email="fp@nga.test"),
        "esp": factories.member(Role.CONTRIBUTOR, esp_customs, email="c@esp.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@office.test"),
        "admin": factories.member(Role.ADMIN, office, email="admin@office.test"),
    }
    for name in ("tha", "mmr", "irn"):
        organisation = actors[name].memberships.get().organisation
        NetworkAgency.objects.create(
            member=NetworkMember.objects.get(network=net, area=organisation.area),
            organisation=organisation,
        )
    return actors


def network_labels(user: Any, network: Network) -> frozenset[str]:
    rows = access.network_rows_for(user, network, NetworkRecord.objects.filter(network=network))
    return frozenset(rows.values_list("label", flat=True))


def test_network_fixture_rows(network_rows: list[NetworkRecord]) -> None:
    assert frozenset(row.label for row in network_rows) == ALL_NETWORK_ROWS
    assert set(EXPECTED_NETWORK_ROWS) == set(NETWORK_ACTORS)


@pytest.mark.parametrize("actor", NETWORK_ACTORS)
def test_network_rows_for(
    actor: str, net: Network, network_actors: dict[str, Any], network_rows: list[NetworkRecord]
) -> None:
    assert network_labels(network_actors[actor], net) == EXPECTED_NETWORK_ROWS[actor]


@pytest.mark.parametrize("actor", NETWORK_ACTORS)
def test_network_row_allows_agrees_with_network_data_q(
    actor: str, net: Network, network_actors: dict[str, Any], network_rows: list[NetworkRecord]
) -> None:
    user = network_actors[actor]
    in_queryset = network_labels(user, net)
    predicate = {
        row.label: access.network_row_allows(
            user, net, area_code=row.area_id, period=row.period, national_only=row.national_only
        )
        for row in network_rows
    }
    assert predicate == {row.label: row.label in in_queryset for row in network_rows}
    allowed = {label for label, allows in predicate.items() if allows}
    assert allowed == EXPECTED_NETWORK_ROWS[actor]


@pytest.mark.parametrize("actor", sorted(OWN_AREA))
def test_no_national_only_row_of_another_state_is_ever_visible(
    actor: str, net: Network, network_actors: dict[str, Any], network_rows: list[NetworkRecord]
) -> None:
    visible = access.network_rows_for(
        network_actors[actor], net, NetworkRecord.objects.filter(network=net)
    )
    leaked = visible.filter(national_only=True).exclude(area_id=OWN_AREA[actor])
    assert list(leaked.values_list("label", flat=True)) == []


def test_network_data_q_honours_custom_field_names(
    net: Network, network_actors: dict[str, Any], network_rows: list[NetworkRecord]
) -> None:
    rows = access.network_rows_for(
        network_actors["aus"],
        net,
        NetworkRecord.objects.filter(network=net),
        area_field="area__code",
        period_field="period",
        national_only_field="national_only",
    )
    assert frozenset(rows.values_list("label", flat=True)) == EXPECTED_NETWORK_ROWS["aus"]


def test_leaving_the_network_takes_away_what_others_shared(
    net: Network, network_actors: dict[str, Any], network_rows: list[NetworkRecord]
) -> None:
    # Given THA leaves
    NetworkMember.objects.filter(network=net, area_id="THA").update(
        status=NetworkMember.Status.LEFT
    )
    user = User.objects.get(email="c@tha.test")
    assert network_labels(user, net) == own_rows("THA")
    assert access.network_visibility_reason(user, net, period="2024") == "left"


@pytest.mark.parametrize(
    ("actor", "period", "reason"),
    [
        ("analyst", "2024", "office"),
        ("anonymous", "2024", "not_logged_in"),
        ("no_role", "2024", "not_a_member"),
        ("esp", "2025", "not_a_member"),
        ("admin", "2025", "not_a_member"),
        ("irn", "2025", "left"),
        ("nga", "2025", "invited"),
        ("mmr", "2024", "not_contributed"),
        ("mmr", "2025", "not_contributed"),
        ("aus", "2024", "not_contributed"),
        ("aus", "2025", "contributor"),
        ("tha", "2024", "contributor"),
        ("tha", "2025", "contributor"),
        ("tha", "2026", "not_contributed"),
    ],
)
def test_network_visibility_reason(
    actor: str, period: str, reason: str, net: Network, network_actors: dict[str, Any]
) -> None:
    assert access.network_visibility_reason(network_actors[actor], net, period=period) == reason


def test_member_areas_are_active_memberships_only(
    net: Network, network_actors: dict[str, Any]
) -> None:
    assert access.member_areas(network_actors["tha"], net) == {"THA"}
    assert access.member_areas(network_actors["irn"], net) == frozenset()
    assert access.member_areas(network_actors["nga"], net) == frozenset()
    assert access.member_areas(network_actors["analyst"], net) == frozenset()
    assert access.contributed_periods(net, ["THA", "AUS"]) == {"2024", "2025"}
    assert access.contributed_periods(net, ["MMR"]) == frozenset()

"""Account services (users, memberships, tokens, networks), their audit trail, and the
account management commands."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from observatory.accounts import services
from observatory.accounts.models import (
    ApiToken,
    Membership,
    Network,
    NetworkContribution,
    NetworkMember,
    Organisation,
    Role,
    User,
)
from observatory.core.errors import NotFound, PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.reference.models import Area
from tests import factories

TOKEN_PATTERN = re.compile(r"obs_(?P<prefix>[0-9a-f]{8})_(?P<secret>[A-Za-z0-9_-]{43})")
STRONG_PASSWORD = "violet-harbour-lantern-42"


_audit_before: dict[str, int] = {"id": 0}


@pytest.fixture(autouse=True)
def _audit_baseline(db: Any) -> None:
    """Remember the last audit row written before the test (loading the reference
    data audits too), so each test sees only the rows it caused."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    _audit_before["id"] = last or 0


def new_events() -> QuerySet[AuditEvent]:
    """Audit rows written during this test, oldest first."""
    return AuditEvent.objects.filter(id__gt=_audit_before["id"]).order_by("id")


def audit_trail() -> list[tuple[str, str, str]]:
    """(action, actor email, object type) of every audit row of this test, oldest first."""
    return list(new_events().values_list("action", "actor_email", "object_type"))


def tables_containing(text: str) -> list[str]:
    """Every `table.column` (text-like columns of every installed model) holding `text`."""
    text_fields = (models.CharField, models.TextField, models.JSONField)
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, text_fields):
                continue
            hits = model._default_manager.annotate(
                _as_text=Cast(field.attname, models.TextField())
            ).filter(_as_text__contains=text)
            if hits.exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def person(email: str) -> User:
    """A user without any role."""
    return User.objects.create_user(email=email, password=factories.PASSWORD)


@pytest.fixture
def contributor(users: dict[str, User]) -> User:
    return users["contributor"]


@pytest.fixture
def issued(contributor: User, col_police: Organisation) -> tuple[ApiToken, str]:
    return services.token_create(user=contributor, organisation=col_police, name="etl")


# --------------------------------------------------------------------------
# API tokens


def test_token_create_returns_a_plain_token_whose_hash_only_is_stored(
    issued: tuple[ApiToken, str],
) -> None:
    token, plain = issued
    match = TOKEN_PATTERN.fullmatch(plain)
    assert match is not None
    secret = match["secret"]
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.prefix == match["prefix"]
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    # The scan finds what is stored (the prefix, in the token and its audit row) ...
    assert {"accounts_apitoken.prefix", "core_auditevent.changes"} <= set(
        tables_containing(match["prefix"])
    )
    # ... and finds the secret nowhere.
    assert tables_containing(secret) == []
    assert tables_containing(plain) == []


def test_token_create_audits_the_issue(contributor: User, issued: tuple[ApiToken, str]) -> None:
    token, _plain = issued
    event = new_events().get()
    assert (event.action, event.actor_email, event.object_type) == (
        AuditEvent.Action.TOKEN,
        "contributor@col.test",
        "accounts.apitoken",
    )
    assert (event.organisation, event.object_id, event.changes) == (
        "COL-POLICE",
        str(token.pk),
        {"issued": token.prefix},
    )


def test_token_create_by_an_administrator_audits_the_administrator(
    users: dict[str, User], col_police: Organisation
) -> None:
    services.token_create(user=users["contributor"], organisation=col_police, actor=users["admin"])
    assert audit_trail() == [("token", "admin@office.test", "accounts.apitoken")]


def test_token_authenticate_accepts_the_token_and_records_its_use(
    contributor: User, issued: tuple[ApiToken, str]
) -> None:
    token, plain = issued
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None
    before = timezone.now()

    found = services.token_authenticate(plain)

    assert found is not None
    assert (found.pk, found.user, found.organisation.code) == (token.pk, contributor, "COL-POLICE")
    last_used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert last_used is not None
    assert before <= last_used <= timezone.now()


def test_token_authenticate_writes_last_use_at_most_once_a_minute(
    issued: tuple[ApiToken, str],
) -> None:
    token, plain = issued
    recently = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recently)
    assert services.token_authenticate(plain) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recently

    long_ago = timezone.now() - timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    assert services.token_authenticate(plain) is not None
    assert ApiToken.objects.filter(pk=token.pk, last_used_at__gt=long_ago).exists()


def test_token_authenticate_accepts_surrounding_whitespace(issued: tuple[ApiToken, str]) -> None:
    token, plain = issued
    found = services.token_authenticate(f"  {plain}\n")
    assert found is not None
    assert found.pk == token.pk


def test_token_authenticate_rejects_a_wrong_secret(issued: tuple[ApiToken, str]) -> None:
    token, plain = issued
    wrong = f"obs_{token.prefix}_{'A' * 43}"
    assert wrong != plain
    assert services.token_authenticate(wrong) is None
    assert services.token_authenticate(plain[:-1]) is None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


@pytest.mark.parametrize(
    "raw", ["", "obs", "obs_", "obs__", "abc_def_ghi", "Bearer obs_x_y", "obs_00000000_nothing"]
)
def test_token_authenticate_rejects_malformed_or_unknown_tokens(
    raw: str, issued: tuple[ApiToken, str]
) -> None:
    assert services.token_authenticate(raw) is None


def test_token_authenticate_rejects_the_secret_under_another_scheme(
    issued: tuple[ApiToken, str],
) -> None:
    _token, plain = issued
    assert services.token_authenticate("key" + plain[3:]) is None


def test_token_authenticate_rejects_a_revoked_token(
    contributor: User, issued: tuple[ApiToken, str]
) -> None:
    token, plain = issued
    services.token_revoke(token=token, actor=contributor)
    assert services.token_authenticate(plain) is None


def test_token_authenticate_rejects_an_expired_token(
    contributor: User, col_police: Organisation
) -> None:
    _token, plain = services.token_create(
        user=contributor, organisation=col_police, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.token_authenticate(plain) is None


def test_token_authenticate_accepts_a_token_before_it_expires(
    contributor: User, col_police: Organisation
) -> None:
    _token, plain = services.token_create(
        user=contributor, organisation=col_police, expires_at=timezone.now() + timedelta(days=1)
    )
    assert services.token_authenticate(plain) is not None


def test_token_authenticate_rejects_a_token_of_an_inactive_user(
    contributor: User, issued: tuple[ApiToken, str]
) -> None:
    _token, plain = issued
    contributor.is_active = False
    contributor.save(update_fields=["is_active"])
    assert services.token_authenticate(plain) is None


def test_token_authenticate_rejects_a_token_of_an_inactive_organisation(
    col_police: Organisation, issued: tuple[ApiToken, str]
) -> None:
    _token, plain = issued
    col_police.is_active = False
    col_police.save(update_fields=["is_active"])
    assert services.token_authenticate(plain) is None


def test_token_create_refuses_an_organisation_the_user_has_no_role_in(
    contributor: User, esp_customs: Organisation
) -> None:
    with pytest.raises(ValidationFailed, match=r"contributor@col\.test has no role in ESP-CUSTOMS"):
        services.token_create(user=contributor, organisation=esp_customs)
    assert not ApiToken.objects.exists()
    assert audit_trail() == []


def test_token_create_refuses_an_inactive_user(contributor: User, col_police: Organisation) -> None:
    contributor.is_active = False
    contributor.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed, match="not active"):
        services.token_create(user=contributor, organisation=col_police)
    assert not ApiToken.objects.exists()
    assert audit_trail() == []


def test_token_revoke_audits_once(contributor: User, issued: tuple[ApiToken, str]) -> None:
    token, _plain = issued
    services.token_revoke(token=token, actor=contributor)
    services.token_revoke(token=token, actor=contributor)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert audit_trail() == [
        ("token", "contributor@col.test", "accounts.apitoken"),
        ("token", "contributor@col.test", "accounts.apitoken"),
    ]
    assert [event.changes for event in new_events()] == [
        {"issued": token.prefix},
        {"revoked": token.prefix},
    ]


def test_token_revoke_by_an_administrator(
    users: dict[str, User], issued: tuple[ApiToken, str]
) -> None:
    token, _plain = issued
    services.token_revoke(token=token, actor=users["admin"])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert audit_trail()[-1] == ("token", "admin@office.test", "accounts.apitoken")


def test_token_revoke_refuses_someone_elses_token(
    users: dict[str, User], issued: tuple[ApiToken, str]
) -> None:
    token, plain = issued
    with pytest.raises(PermissionDenied):
        services.token_revoke(token=token, actor=users["focal_point"])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert services.token_authenticate(plain) is not None
    assert len(audit_trail()) == 1


def test_a_token_stops_working_once_its_role_is_gone(
    users: dict[str, User],
    contributor: User,
    col_police: Organisation,
    issued: tuple[ApiToken, str],
) -> None:
    _token, plain = issued
    membership = Membership.objects.get(user=contributor, organisation=col_police)
    services.membership_revoke(membership=membership, actor=users["focal_point"])
    assert services.token_authenticate(plain) is None


# --------------------------------------------------------------------------
# Memberships


def test_membership_grant_audits_a_permission_event_with_old_and_new_role(
    users: dict[str, User], col_police: Organisation
) -> None:
    newcomer = person("new@col.test")
    membership = services.membership_grant(
        user=newcomer, organisation=col_police, role=Role.CONTRIBUTOR, actor=users["focal_point"]
    )
    assert (membership.user, membership.organisation, membership.role) == (
        newcomer,
        col_police,
        Role.CONTRIBUTOR,
    )
    event = new_events().get()
    assert (event.action, event.actor_email, event.object_type, event.object_id) == (
        "permission",
        "focal@col.test",
        "accounts.membership",
        str(membership.pk),
    )
    assert event.organisation == "COL-POLICE"
    assert event.changes == {"user": "new@col.test", "role": [None, "contributor"]}


def test_replacing_a_role_keeps_one_membership_and_audits_the_change(
    users: dict[str, User], col_police: Organisation
) -> None:
    newcomer = person("new@col.test")
    first = services.membership_grant(
        user=newcomer, organisation=col_police, role=Role.CONTRIBUTOR, actor=users["admin"]
    )
    second = services.membership_grant(
        user=newcomer, organisation=col_police, role=Role.FOCAL_POINT, actor=users["admin"]
    )
    assert second.pk == first.pk
    assert list(
        Membership.objects.filter(user=newcomer).values_list("organisation__code", "role")
    ) == [("COL-POLICE", "focal_point")]
    events = new_events()
    assert [event.changes["role"] for event in events] == [
        [None, "contributor"],
        ["contributor", "focal_point"],
    ]
    assert audit_trail() == [("permission", "admin@office.test", "accounts.membership")] * 2


def test_granting_the_same_role_again_changes_and_audits_nothing(
    users: dict[str, User], col_police: Organisation
) -> None:
    contributor = users["contributor"]
    existing = Membership.objects.get(user=contributor, organisation=col_police)
    again = services.membership_grant(
        user=contributor, organisation=col_police, role=Role.CONTRIBUTOR, actor=users["admin"]
    )
    assert again.pk == existing.pk
    assert Membership.objects.filter(user=contributor).count() == 1
    assert audit_trail() == []


def test_membership_grant_by_the_system_audits_without_an_actor(col_lab: Organisation) -> None:
    newcomer = person("new@col.test")
    services.membership_grant(
        user=newcomer, organisation=col_lab, role=Role.FOCAL_POINT, actor=None
    )
    assert audit_trail() == [("permission", "", "accounts.membership")]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_membership_grant_refuses_an_office_role_in_a_national_organisation(
    role: str, users: dict[str, User], col_police: Organisation
) -> None:
    newcomer = person("new@col.test")
    with pytest.raises(ValidationFailed, match="belong to the office"):
        services.membership_grant(
            user=newcomer, organisation=col_police, role=role, actor=users["admin"]
        )
    assert not Membership.objects.filter(user=newcomer).exists()
    assert audit_trail() == []


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.FOCAL_POINT])
def test_membership_grant_refuses_a_national_role_in_the_office(
    role: str, users: dict[str, User], office: Organisation
) -> None:
    newcomer = person("new@office.test")
    with pytest.raises(ValidationFailed, match="belong to the office"):
        services.membership_grant(
            user=newcomer, organisation=office, role=role, actor=users["admin"]
        )
    assert not Membership.objects.filter(user=newcomer).exists()


def test_membership_grant_refuses_an_unknown_role(
    users: dict[str, User], col_police: Organisation
) -> None:
    newcomer = person("new@col.test")
    with pytest.raises(ValidationFailed, match="unknown role 'owner'"):
        services.membership_grant(
            user=newcomer, organisation=col_police, role="owner", actor=users["admin"]
        )
    assert audit_trail() == []


def test_focal_point_may_not_grant_in_another_country(
    users: dict[str, User], esp_customs: Organisation
) -> None:
    newcomer = person("new@esp.test")
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            user=newcomer,
            organisation=esp_customs,
            role=Role.CONTRIBUTOR,
            actor=users["focal_point"],
        )
    assert not Membership.objects.filter(user=newcomer).exists()
    assert audit_trail() == []


def test_focal_point_may_grant_in_another_organisation_of_its_country(
    users: dict[str, User], col_lab: Organisation
) -> None:
    newcomer = person("new@col.test")
    services.membership_grant(
        user=newcomer, organisation=col_lab, role=Role.FOCAL_POINT, actor=users["focal_point"]
    )
    assert Membership.objects.get(user=newcomer).role == Role.FOCAL_POINT
    assert audit_trail() == [("permission", "focal@col.test", "accounts.membership")]


def test_focal_point_may_not_grant_office_roles(
    users: dict[str, User], office: Organisation
) -> None:
    newcomer = person("new@office.test")
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            user=newcomer, organisation=office, role=Role.ANALYST, actor=users["focal_point"]
        )
    assert audit_trail() == []


def test_contributor_may_not_grant(users: dict[str, User], col_police: Organisation) -> None:
    newcomer = person("new@col.test")
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            user=newcomer,
            organisation=col_police,
            role=Role.CONTRIBUTOR,
            actor=users["contributor"],
        )
    assert audit_trail() == []


def test_membership_revoke_audits_and_deletes(
    users: dict[str, User], col_police: Organisation
) -> None:
    membership = Membership.objects.get(user=users["contributor"], organisation=col_police)
    membership_id = membership.pk
    services.membership_revoke(membership=membership, actor=users["focal_point"])
    assert not Membership.objects.filter(pk=membership_id).exists()
    event = new_events().get()
    assert (event.action, event.actor_email, event.object_type, event.object_id) == (
        "permission",
        "focal@col.test",
        "accounts.membership",
        str(membership_id),
    )
    assert event.organisation == "COL-POLICE"
    assert event.changes == {"user": "contributor@col.test", "role": ["contributor", None]}


def test_membership_revoke_refuses_another_country(
    users: dict[str, User], col_police: Organisation
) -> None:
    membership = Membership.objects.get(user=users["contributor"], organisation=col_police)
    with pytest.raises(PermissionDenied):
        services.membership_revoke(membership=membership, actor=users["other_focal_point"])
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert audit_trail() == []


def test_membership_revoke_refuses_a_contributor(
    users: dict[str, User], col_police: Organisation
) -> None:
    membership = Membership.objects.get(user=users["focal_point"], organisation=col_police)
    with pytest.raises(PermissionDenied):
        services.membership_revoke(membership=membership, actor=users["contributor"])
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert audit_trail() == []


# --------------------------------------------------------------------------
# Users and organisations


def test_user_create_normalises_the_email_and_audits(users: dict[str, User]) -> None:
    user = services.user_create(
        email="  New.Person@Example.TEST ",
        password=STRONG_PASSWORD,
        full_name="New Person",
        actor=users["admin"],
    )
    stored = User.objects.get(pk=user.pk)
    assert stored.email == "new.person@example.test"
    assert stored.check_password(STRONG_PASSWORD)
    assert (stored.is_staff, stored.is_superuser, stored.is_active) == (False, False, True)
    event = new_events().get()
    assert (event.action, event.actor_email, event.object_type, event.object_id) == (
        "create",
        "admin@office.test",
        "accounts.user",
        str(user.pk),
    )
    assert event.changes == {
        "email": "new.person@example.test",
        "is_staff": False,
        "is_superuser": False,
    }


def test_user_create_refuses_a_duplicate_email_case_insensitively(users: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed, match="already exists"):
        services.user_create(email="Contributor@COL.test", password=STRONG_PASSWORD)
    assert User.objects.filter(email__iexact="contributor@col.test").count() == 1
    assert audit_trail() == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xq7#vbT", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("804263917354", "This password is entirely numeric."),
        ("weak.person@example.test", "The password is too similar to the email address."),
    ],
)
def test_user_create_refuses_weak_passwords_with_the_validators_message(
    password: str, message: str, db: Any
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.user_create(email="weak.person@example.test", password=password)
    assert message in str(refused.value)
    assert not User.objects.filter(email="weak.person@example.test").exists()
    assert audit_trail() == []


def test_user_create_may_skip_the_password_check_for_the_system(db: Any) -> None:
    user = services.user_create(email="demo@example.test", password="demo", check_password=False)
    assert user.check_password("demo")
    assert audit_trail() == [("create", "", "accounts.user")]


def test_organisation_create_audits(users: dict[str, User]) -> None:
    organisation = services.organisation_create(
        code=" per-police ",
        name="Peru police",
        kind=Organisation.Kind.POLICE,
        area=Area.objects.get(code="PER"),
        actor=users["admin"],
    )
    assert (organisation.code, organisation.area_id) == ("PER-POLICE", "PER")
    event = new_events().get()
    assert (event.action, event.actor_email, event.object_type, event.organisation) == (
        "create",
        "admin@office.test",
        "accounts.organisation",
        "PER-POLICE",
    )
    assert event.changes == {"name": "Peru police", "kind": "police", "area": "PER"}


@pytest.mark.parametrize(
    ("kind", "area_code", "message"),
    [
        ("office", "PER", "the office has no area"),
        ("police", None, "the office has no area"),
        ("bakery", "PER", "unknown organisation kind"),
    ],
)
def test_organisation_create_refuses_inconsistent_kind_and_area(
    kind: str, area_code: str | None, message: str, db: Any
) -> None:
    area = Area.objects.filter(code=area_code).first()
    with pytest.raises(ValidationFailed, match=message):
        services.organisation_create(code="PER-X", name="x", kind=kind, area=area)
    assert not Organisation.objects.filter(code="PER-X").exists()
    assert audit_trail() == []


def test_organisation_get_is_case_insensitive(col_police: Organisation) -> None:
    assert services.organisation_get(" col-police ") == col_police
    with pytest.raises(NotFound):
        services.organisation_get("COL-NOPE")


# --------------------------------------------------------------------------
# Networks


def test_network_services_audit_each_write(users: dict[str, User]) -> None:
    analyst = users["analyst"]
    network = services.network_create(code=" gold ", name="Golden triangle", actor=analyst)
    tha = Area.objects.get(code="THA")
    services.network_member_set(
        network=network, area=tha, status=NetworkMember.Status.INVITED, actor=analyst
    )
    member = services.network_member_set(
        network=network, area=tha, status=NetworkMember.Status.ACTIVE, actor=analyst
    )
    services.network_contribution_record(network=network, area=tha, period="2025", actor=analyst)
    services.network_contribution_record(network=network, area=tha, period="2025", actor=analyst)

    assert network.code == "GOLD"
    assert member.joined_at is not None
    assert NetworkContribution.objects.filter(network=network).count() == 1
    assert audit_trail() == [
        ("create", "analyst@office.test", "accounts.network"),
        ("permission", "analyst@office.test", "accounts.networkmember"),
        ("permission", "analyst@office.test", "accounts.networkmember"),
        ("create", "analyst@office.test", "accounts.networkcontribution"),
    ]
    statuses = [
        event.changes["status"]
        for event in new_events().filter(object_type="accounts.networkmember")
    ]
    assert statuses == [[None, "invited"], ["invited", "active"]]


def test_network_create_refuses_national_users(users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        services.network_create(code="X", name="x", actor=users["focal_point"])
    assert not Network.objects.exists()
    assert audit_trail() == []


def test_network_contribution_needs_an_active_member(db: Any) -> None:
    network = factories.network("NET", members=("IRN",), status=NetworkMember.Status.LEFT)
    with pytest.raises(ValidationFailed, match="IRN is not an active member of NET"):
        services.network_contribution_record(
            network=network, area=Area.objects.get(code="IRN"), period="2025"
        )
    assert audit_trail() == []


def test_network_member_set_refuses_an_unknown_status(db: Any) -> None:
    network = factories.network("NET")
    with pytest.raises(ValidationFailed, match="unknown status"):
        services.network_member_set(
            network=network, area=Area.objects.get(code="THA"), status="banned"
        )
    assert not NetworkMember.objects.exists()


# --------------------------------------------------------------------------
# Commands


def test_create_token_command_prints_a_token_that_authenticates(
    contributor: User, col_police: Organisation
) -> None:
    out = StringIO()
    call_command(
        "create_token", user="Contributor@col.test", org="col-police", name="etl", stdout=out
    )
    plain = out.getvalue().strip()
    assert TOKEN_PATTERN.fullmatch(plain)
    found = services.token_authenticate(plain)
    assert found is not None
    assert (found.user, found.organisation, found.name) == (contributor, col_police, "etl")
    event = new_events().get()
    assert (event.action, event.actor_email, event.via) == ("token", "contributor@col.test", "cli")


def test_create_token_command_with_days_sets_an_expiry(
    contributor: User, col_police: Organisation
) -> None:
    out = StringIO()
    call_command("create_token", user="contributor@col.test", org="COL-POLICE", days=7, stdout=out)
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)


@pytest.mark.parametrize(
    ("user", "org", "message"),
    [
        ("nobody@nowhere.test", "COL-POLICE", "no user with the email"),
        ("contributor@col.test", "COL-NOPE", "no organisation with the code"),
        ("contributor@col.test", "ESP-CUSTOMS", "has no role in ESP-CUSTOMS"),
    ],
)
def test_create_token_command_errors(
    user: str, org: str, message: str, users: dict[str, User]
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("create_token", user=user, org=org, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_list_orgs_prints_code_area_and_name_tab_separated(
    office: Organisation,
    col_police: Organisation,
    col_lab: Organisation,
    esp_customs: Organisation,
) -> None:
    out = StringIO()
    call_command("list_orgs", stdout=out)
    assert out.getvalue().splitlines() == [
        "COL-LAB\tCOL\tCOL-LAB agency",
        "COL-POLICE\tCOL\tCOL-POLICE agency",
        "ESP-CUSTOMS\tESP\tESP-CUSTOMS agency",
        "OFFICE\t-\tOFFICE agency",
    ]


def test_list_orgs_filters_by_area(
    office: Organisation, col_police: Organisation, esp_customs: Organisation
) -> None:
    out = StringIO()
    call_command("list_orgs", area="esp", stdout=out)
    assert out.getvalue().splitlines() == ["ESP-CUSTOMS\tESP\tESP-CUSTOMS agency"]


def test_createuser_command_creates_the_user_with_the_role(col_police: Organisation) -> None:
    out = StringIO()
    call_command(
        "createuser",
        email="New@Col.test",
        password=STRONG_PASSWORD,
        org="COL-POLICE",
        role="focal_point",
        name="New Person",
        stdout=out,
    )
    user = User.objects.get(email="new@col.test")
    assert "Created new@col.test" in out.getvalue()
    assert user.check_password(STRONG_PASSWORD)
    assert user.full_name == "New Person"
    assert list(user.memberships.values_list("organisation__code", "role")) == [
        ("COL-POLICE", "focal_point")
    ]
    assert list(new_events().values_list("action", "object_type", "via")) == [
        ("create", "accounts.user", "cli"),
        ("permission", "accounts.membership", "cli"),
    ]


def test_createuser_command_without_org_creates_a_user_without_role(db: Any) -> None:
    call_command(
        "createuser", email="plain@example.test", password=STRONG_PASSWORD, stdout=StringIO()
    )
    assert not Membership.objects.filter(user__email="plain@example.test").exists()


def test_createuser_command_errors_on_an_unknown_org(db: Any) -> None:
    with pytest.raises(CommandError, match="no organisation with the code 'COL-NOPE'"):
        call_command(
            "createuser",
            email="new@col.test",
            password=STRONG_PASSWORD,
            org="COL-NOPE",
            role="contributor",
            stdout=StringIO(),
        )


@pytest.mark.parametrize(
    ("org", "role"),
    [("COL-POLICEE", "contributor"), ("COL-POLICE", "analyst")],
    ids=["typo-in-org", "office-role-in-agency"],
)
def test_createuser_command_leaves_no_user_behind_when_the_role_fails(
    org: str,
    role: str,
    col_police: Organisation,
) -> None:
    # Given a mistake in --org or --role
    with pytest.raises(CommandError):
        call_command(
            "createuser",
            email="new@col.test",
            password=STRONG_PASSWORD,
            org=org,
            role=role,
            stdout=StringIO(),
        )
    # Then nothing was created, so the corrected command can be run again
    assert not User.objects.filter(email="new@col.test").exists()
    assert audit_trail() == []
    call_command(
        "createuser",
        email="new@col.test",
        password=STRONG_PASSWORD,
        org="COL-POLICE",
        role="contributor",
        stdout=StringIO(),
    )
    assert Membership.objects.get(user__email="new@col.test").role == Role.CONTRIBUTOR


def test_createuser_command_errors_on_a_role_in_the_wrong_kind_of_organisation(
    col_police: Organisation,
) -> None:
    with pytest.raises(CommandError, match="belong to the office"):
        call_command(
            "createuser",
            email="new@col.test",
            password=STRONG_PASSWORD,
            org="COL-POLICE",
            role="analyst",
            stdout=StringIO(),
        )


def test_createuser_command_needs_org_and_role_together(db: Any) -> None:
    with pytest.raises(CommandError, match="--org and --role go together"):
        call_command(
            "createuser",
            email="new@col.test",
            password=STRONG_PASSWORD,
            org="COL-POLICE",
            stdout=StringIO(),
        )
    assert not User.objects.filter(email="new@col.test").exists()


def test_createuser_command_errors_on_a_weak_password(db: Any) -> None:
    with pytest.raises(CommandError, match="too short"):
        call_command("createuser", email="new@col.test", password="short", stdout=StringIO())
    assert not User.objects.exists()
